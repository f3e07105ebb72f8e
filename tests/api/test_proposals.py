"""Proactive entitlement over the real app on both stores: official lists imported line by line with their
provenance, proposals in the queue, confirmed one or many, the summary, and what the award state counts."""
from __future__ import annotations

from tests.api.conftest import Api, World
from tests.support import unique_id


def _erc_csv(world: World, n: int) -> tuple[str, list[str]]:
    """A CSV list of n A3.erc municipal recognitions of bodies led by fresh organisations, and their USCCs."""
    lines, codes = ["uscc,programme,tier,effective_on,document_ref,body_id"], []
    for _ in range(n):
        code = world.org(member=False)
        body = world.body(lead=code, kind="erc", recognised_on="2022-09-06")
        lines.append(f"{code},A3.erc,municipal,2023-03-01,杭发改高技〔2023〕15号,{body}")
        codes.append(code)
    return "\n".join(lines) + "\n", codes


def _post_csv(api: Api, text: str, as_: str = "kjj"):
    return api.client.post("/v1/certifications/imports", content=text.encode("utf-8"),
                           headers={"Authorization": f"Bearer {api.tokens[as_]}", "Content-Type": "text/csv"})


def test_an_official_list_records_good_rows_refuses_bad_ones_and_keeps_provenance(api: Api, world: World) -> None:
    """Two good rows recorded with the file's SHA-256, line and importer; bad rows refused with line and code."""
    text, codes = _erc_csv(world, 2)
    text += "91330108MA0000000I,A3.erc,municipal,2023-03-01,D,x\n"  # line 4: I is not in a USCC
    text += f"{codes[0]},A3.erc,municipal,2023-03-01,杭发改高技〔2023〕15号,nobody\n"  # line 5: no such body
    answer = _post_csv(api, text)
    assert answer.status_code == 201, answer.text
    found = answer.json()
    assert (found["rows"], found["recorded"], len(found["proposed_claims"])) == (4, 2, 2)
    assert [(r["line"], r["code"]) for r in found["refused"]] == [(4, "invalid_uscc"), (5, "not_found")]
    first = api.ok("GET", f"/v1/certifications/{found['certifications'][0]['certification_id']}", as_="auditor")
    assert first["source"]["sha256"] == found["sha256"] and first["source"]["line"] == 2
    assert first["source"]["rows"] == 4 and first["source"]["imported_by"] == "kjj-test"
    again = _post_csv(api, text)
    assert again.status_code == 200 and again.json()["already_imported"] is True
    # The answer's id leads to it (it was a 404: an imports probe), for any principal, in the reader's language.
    kept = api.ok("GET", f"/v1/certifications/imports/{found['id']}", as_="auditor")
    assert {k: kept[k] for k in ("id", "sha256", "rows", "recorded", "certifications", "proposed_claims")} == {
        k: found[k] for k in ("id", "sha256", "rows", "recorded", "certifications", "proposed_claims")}
    assert [r["line"] for r in kept["refused"]] == [4, 5] and kept["imported_by"] == "kjj-test"
    api.refused("GET", "/v1/certifications/imports/00000000-0000-4000-8000-000000000000", None, "auditor", 404,
                "not_found")
    zh = api.refused("GET", "/v1/certifications/imports/nope", None, "auditor", 404, "not_found",
                     headers={"Accept-Language": "zh-CN"})
    assert "不是台账名单导入编号" in zh["detail"], zh


def test_rows_of_empty_cells_after_the_list_are_blank_lines(api: Api, world: World) -> None:
    """Excel writes ',,,,,' for rows whose cells were only formatted: each came back refused invalid_uscc
    "'' must be 18 characters" (a black-box probe). They are blank lines now, neither rows nor refusals; a row
    with one cell filled is still a row."""
    text, _ = _erc_csv(world, 2)
    answer = _post_csv(api, text.replace("\n", "\r\n") + ",,,,,\r\n , ,,,,\r\n,,,,,\r\n")
    assert answer.status_code == 201, answer.text
    assert (answer.json()["rows"], answer.json()["recorded"], answer.json()["refused"]) == (2, 2, [])
    text, _ = _erc_csv(world, 1)
    answer = _post_csv(api, text + ",,,,,\n,,,,DOC-1,\n")
    # its empty needed cells are missing_field, as a row without its tier is (a bureau probe)
    assert [(r["line"], r["code"]) for r in answer.json()["refused"]] == [(4, "missing_field")]


def test_a_refused_row_whose_quoted_cell_spans_lines_is_named_by_its_first_line(api: Api, world: World) -> None:
    """A row whose document_ref holds a line break (lines 2-3) was refused at line 3: it is named by the line it
    starts on, as a person finds it in the file, and the next row keeps its own number (4)."""
    text, _ = _erc_csv(world, 1)
    header, good = text.splitlines()
    bad = '91330108MA0000000I,A3.erc,municipal,2023-03-01,"杭发改高技\n〔2023〕15号",x'  # I is not in a USCC
    answer = _post_csv(api, "\n".join([header, bad, "x,A3.erc,municipal,2023-03-01,D,y", good]) + "\n")
    assert answer.status_code == 201, answer.text
    assert [(r["line"], r["code"]) for r in answer.json()["refused"]] == [(2, "invalid_uscc"), (4, "invalid_uscc")]
    assert answer.json()["recorded"] == 1


def test_a_json_list_and_a_list_that_is_none(api: Api, world: World) -> None:
    """JSON rows import as CSV rows do; a body that is no list is refused whole and writes nothing."""
    code = world.org(member=False)
    body = world.body(lead=code, kind="erc", recognised_on="2022-09-06")
    row = {"uscc": code, "programme": "A3.erc", "tier": "municipal", "effective_on": "2023-03-01",
           "document_ref": "D-1", "body_id": body}
    found = api.ok("POST", "/v1/certifications/imports", {"rows": [row, {**row, "tier": "galactic"}]}, as_="kjj")
    assert found["recorded"] == 1 and [r["line"] for r in found["refused"]] == [3]
    api.refused("POST", "/v1/certifications/imports", {"list": []}, "kjj", 422, "invalid_request")
    api.refused("POST", "/v1/certifications/imports", {"rows": [row]}, "finance", 403, "forbidden")


def test_proposals_queue_confirm_and_summary(api: Api, world: World) -> None:
    """Proposals are in the queue, summed by programme and bureau, count in no total until confirmed."""
    text, codes = _erc_csv(world, 3)
    found = _post_csv(api, text).json()
    ids = found["proposed_claims"]
    queue = api.ok("GET", "/v1/claims?status=proposed&bureau=kjj&limit=500", as_="kjj")["claims"]
    assert set(ids) <= {c["id"] for c in queue}
    summary = api.ok("GET", "/v1/proposals/summary", as_="kjj")
    erc = next(g for g in summary["by_programme"] if g["programme"] == "A3.erc")
    assert erc["count"] >= 3 and summary["oldest_age_seconds"] is not None
    state = api.ok("GET", f"/v1/organisations/{codes[0]}/awards", as_="auditor")
    assert state["totals"]["entitled"] == "0.00"
    one = api.ok("POST", f"/v1/claims/{ids[0]}/confirm", {}, as_="kjj", status=200)
    assert (one["status"], one["entitled_amount"]) == ("pending", "200000.00")
    many = api.ok("POST", "/v1/claims/confirm", {"ids": ids}, as_="kjj", status=200)
    assert len(many["confirmed"]) == 2 and [r["code"] for r in many["refused"]] == ["invalid_state"]
    state = api.ok("GET", f"/v1/organisations/{codes[0]}/awards", as_="auditor")
    assert state["totals"]["entitled"] == "200000.00"
    api.refused("POST", f"/v1/claims/{ids[0]}/confirm", {}, "jxj", 403, "not_lead_bureau")


def test_a_bulk_confirmation_keeps_its_idempotency_key_for_its_list(api: Api, world: World) -> None:
    """The key sent again with the same list gives the first answer, marked replayed, and writes nothing; sent
    with another list it is conflict and confirms nothing (a contract probe's second list was confirmed, the key
    having been split into one per proposal); nor may another command take the key."""
    text, _ = _erc_csv(world, 3)
    first, second, third = _post_csv(api, text).json()["proposed_claims"]
    key = unique_id("bulk-")
    answer = api.call("POST", "/v1/claims/confirm", {"ids": [first, second]}, as_="kjj", key=key)
    assert answer.status_code == 200 and len(answer.json()["confirmed"]) == 2, answer.text
    # Each confirmed claim is named as one confirmed alone is (a queues probe had the names null).
    alone = api.ok("GET", f"/v1/claims/{first}", as_="kjj")
    for field in ("programme_name", "bureau_name", "tier_name"):
        assert answer.json()["confirmed"][0][field] == alone[field] and alone[field]["zh"], (field, answer.text)
    before = api.events()
    again = api.call("POST", "/v1/claims/confirm", {"ids": [first, second]}, as_="kjj", key=key)
    assert again.status_code == 200 and again.headers.get("Idempotent-Replayed") == "true", again.headers
    assert again.json() == answer.json() and api.events() == before
    api.refused("POST", "/v1/claims/confirm", {"ids": [third]}, "kjj", 409, "conflict", key=key)
    api.refused("POST", f"/v1/claims/{third}/confirm", {}, "kjj", 409, "conflict", key=key)
    assert api.ok("GET", f"/v1/claims/{third}", as_="kjj")["status"] == "proposed"
    fresh = api.call("POST", "/v1/claims/confirm", {"ids": [third]}, as_="kjj", key=unique_id("bulk-"))
    assert fresh.status_code == 200 and len(fresh.json()["confirmed"]) == 1, fresh.text


def test_a_list_whose_bytes_after_a_byte_order_mark_are_no_text_is_refused_whole(api: Api) -> None:
    """A UTF-8 BOM then bytes that are not UTF-8: 422 naming the encodings, not a 500 (found by the fuzzing pass),
    and nothing is written."""
    before = api.client.app.state.ledger.recorder.max_notification_id() or 0
    answer = api.client.post("/v1/certifications/imports", content=b"\xef\xbb\xbfuscc,programme\n\xff\xfe\x80",
                             headers={"Authorization": f"Bearer {api.tokens['kjj']}", "Content-Type": "text/csv"})
    assert answer.status_code == 422 and "GB18030" in answer.json()["detail"], answer.text
    assert (api.client.app.state.ledger.recorder.max_notification_id() or 0) == before


def _honours_csv(world: World, n: int) -> str:
    """A CSV list of n A6.honour provincial SME certifications (jxj leads A6) of fresh member organisations."""
    lines = ["uscc,programme,tier,effective_on,document_ref,body_id"]
    lines += [f"{world.org()},A6.honour,provincial_sme,2023-05-01,浙经信〔2023〕8号," for _ in range(n)]
    return "\n".join(lines) + "\n"


def test_a_list_no_row_of_which_the_bureau_may_record_writes_nothing_and_the_lead_bureau_imports_it(
        api: Api, world: World) -> None:
    """kjj sends a list of A6 honours (jxj's): every row is refused not_lead_bureau and nothing is written, the
    list not even kept; jxj then imports the same file and records every row, with its proposals."""
    text = _honours_csv(world, 2)
    before = api.events()
    refused = _post_csv(api, text, as_="kjj")
    assert refused.status_code == 201, refused.text
    found = refused.json()
    assert found["recorded"] == 0 and found["already_imported"] is False
    assert [(r["line"], r["code"]) for r in found["refused"]] == [(2, "not_lead_bureau"), (3, "not_lead_bureau")]
    assert api.events() == before
    again = _post_csv(api, text, as_="kjj")  # still nothing kept: the same answer, nothing written
    assert again.status_code == 201 and again.json()["refused"] == found["refused"] and api.events() == before
    lead = _post_csv(api, text, as_="jxj")
    assert lead.status_code == 201, lead.text
    recorded = lead.json()
    assert (recorded["recorded"], len(recorded["proposed_claims"]), recorded["refused"]) == (2, 2, [])
    assert recorded["imported_by"] == "jxj-test" and recorded["already_imported"] is False
    assert _post_csv(api, text, as_="jxj").json()["already_imported"] is True


def test_an_import_under_an_idempotency_key_answers_first_and_another_list_under_it_is_a_conflict(
        api: Api, world: World) -> None:
    """The same key and file: the first answer (201, as it was), nothing written; the same key with another list
    (CSV or JSON): 409 conflict, nothing written."""
    text = _honours_csv(world, 1)
    headers = {"Authorization": f"Bearer {api.tokens['jxj']}", "Content-Type": "text/csv", "Idempotency-Key": "L-1"}
    first = api.client.post("/v1/certifications/imports", content=text.encode(), headers=headers)
    assert first.status_code == 201, first.text
    after = api.events()
    repeat = api.client.post("/v1/certifications/imports", content=text.encode(), headers=headers)
    assert (repeat.status_code, repeat.json()) == (201, first.json()) and api.events() == after
    other = api.client.post("/v1/certifications/imports", content=_honours_csv(world, 1).encode(), headers=headers)
    assert other.status_code == 409 and other.json()["code"] == "conflict", other.text
    rows = {"rows": [{"uscc": world.org(), "programme": "A6.honour", "tier": "provincial_sme",
                      "effective_on": "2023-05-01", "document_ref": "D-2"}]}
    after = api.events()
    conflict = api.call("POST", "/v1/certifications/imports", rows, as_="jxj", key="L-1")
    assert conflict.status_code == 409 and conflict.json()["code"] == "conflict"
    assert api.events() == after


def test_a_list_with_a_cell_past_the_csv_limit_refuses_its_line_and_answers_in_chinese(api: Api, world: World) -> None:
    """A cell longer than the csv module reads (128 KiB; a black-box probe got 500) refuses that line onwards with
    its number; the good line before it is recorded; every refusal is in the reader's language."""
    text, _ = _erc_csv(world, 1)
    text += "91330108MA0000000I,A3.erc,municipal,2023-03-01,D,x\n"  # line 3: I is not in a USCC
    text += f"{world.org()},A3.erc,municipal,2023-03-01,{'长' * 140_000},x\n"  # line 4
    answer = api.client.post("/v1/certifications/imports", content=text.encode("utf-8"), headers={
        "Authorization": f"Bearer {api.tokens['kjj']}", "Content-Type": "text/csv", "Accept-Language": "zh"})
    assert answer.status_code == 201, answer.text
    found = answer.json()
    assert found["recorded"] == 1
    refused = {r["line"]: r for r in found["refused"]}
    assert sorted(refused) == [3, 4] and "CSV" in refused[4]["detail"] and "无法" in refused[4]["detail"]
    assert all(any("\u4e00" <= c <= "\u9fff" for c in r["detail"]) for r in found["refused"]), found["refused"]
    header = api.client.post("/v1/certifications/imports", content=b"uscc,tier\n", headers={
        "Authorization": f"Bearer {api.tokens['kjj']}", "Content-Type": "text/csv", "Accept-Language": "zh"})
    assert header.status_code == 422 and "表头缺少" in header.json()["detail"]
    latin1 = api.client.post("/v1/certifications/imports", content=b"uscc,programme\n\xff\xfe\x80\x81", headers={
        "Authorization": f"Bearer {api.tokens['kjj']}", "Content-Type": "text/csv"})
    assert latin1.status_code == 422 and "the list is neither" in latin1.json()["detail"]


def test_a_source_with_control_characters_is_refused_and_writes_nothing(api: Api, world: World) -> None:
    """`?source=` (a list's or a statement's file name) passes the ledger's one text check, as body fields do:
    a NUL or an escape sequence is 422 and records nothing; a plain name is kept."""
    text, _ = _erc_csv(world, 1)
    statement = "date,amount,reference\n2023-07-04,2.00,SRC-1\n"
    before = api.events()
    for source in ("list\x00.csv", "list\x1b[31m.csv"):
        for path, as_, body in (("/v1/certifications/imports", "kjj", text),
                                ("/v1/finance/bank-statements", "finance", statement)):
            refused = api.client.post(path, params={"source": source}, content=body.encode(),
                                      headers={"Authorization": f"Bearer {api.tokens[as_]}",
                                               "Content-Type": "text/csv", "Accept-Language": "zh"})
            assert refused.status_code == 422 and refused.json()["code"] == "invalid_request", refused.text
            assert "控制字符" in refused.json()["detail"], refused.text
    assert api.events() == before
    kept = api.client.post("/v1/certifications/imports", params={"source": " 省级名单.csv "}, content=text.encode(),
                           headers={"Authorization": f"Bearer {api.tokens['kjj']}", "Content-Type": "text/csv"})
    assert kept.status_code == 201 and kept.json()["source"] == "省级名单.csv", kept.text


def test_a_json_lists_own_name_is_kept_and_joins_its_idempotency_key(api: Api, world: World) -> None:
    """`{"rows": [...], "source": "…"}` was taken and its name dropped, and the same key and file under another
    ?source= replayed the first name's answer (an imports probe). The body's name is kept as ?source= is; two
    different names are 422; another name under the same key is 409; nothing is written by either refusal."""
    def rows() -> dict:
        return {"rows": [{"uscc": world.org(), "programme": "A6.honour", "tier": "provincial_sme",
                          "effective_on": "2023-05-01", "document_ref": "浙经信〔2023〕5号"}]}

    name = "浙江省2023年专精特新名单.json"
    named = api.call("POST", "/v1/certifications/imports", rows() | {"source": name}, as_="jxj")
    assert named.status_code == 201 and named.json()["source"] == name, named.text
    listed = rows() | {"source": "list.json"}
    before = api.events()
    twice = api.client.post("/v1/certifications/imports", params={"source": "other.json"}, json=listed,
                            headers={"Authorization": f"Bearer {api.tokens['jxj']}"})
    assert twice.status_code == 422 and "named twice" in twice.json()["detail"], twice.text
    long = api.call("POST", "/v1/certifications/imports", listed | {"source": "名" * 201}, as_="jxj")
    assert long.status_code == 422 and "at most 200 characters" in long.json()["detail"], long.text  # as ?source=
    assert api.events() == before
    text = _honours_csv(world, 1)
    headers = {"Authorization": f"Bearer {api.tokens['jxj']}", "Content-Type": "text/csv", "Idempotency-Key": "S-1"}
    first = api.client.post("/v1/certifications/imports", params={"source": "first.csv"}, content=text.encode(),
                            headers=headers)
    assert first.status_code == 201, first.text
    after = api.events()
    again = api.client.post("/v1/certifications/imports", params={"source": "first.csv"}, content=text.encode(),
                            headers=headers)
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    other = api.client.post("/v1/certifications/imports", params={"source": "second.csv"}, content=text.encode(),
                            headers=headers)
    assert other.status_code == 409 and other.json()["code"] == "conflict", other.text
    assert api.events() == after


def test_a_lists_header_is_read_in_any_case_and_a_column_it_does_not_take_is_refused_once(api: Api,
                                                                                         world: World) -> None:
    """USCC,Programme,... refused the whole list, and a 企业名称 column refused every row as a field the request does
    not take (an imports probe): the header's names are read in any case, and a column a list does not take
    refuses the list once, naming it, before anything is recorded."""
    headers = {"Authorization": f"Bearer {api.tokens['jxj']}", "Content-Type": "text/csv"}
    upper = f"USCC,Programme,Tier,Effective_On,Document_Ref,Body_Id\n{world.org()},A6.honour,provincial_sme," \
            "2023-03-01,浙经信〔2023〕7号,\n"
    read = api.client.post("/v1/certifications/imports", content=upper.encode(), headers=headers)
    assert read.status_code == 201 and read.json()["recorded"] == 1, read.text
    named = f"uscc,企业名称,programme,tier,effective_on,document_ref,body_id\n{world.org()},杭州甲公司,A6.honour," \
            "provincial_sme,2023-03-01,浙经信〔2023〕8号,\n"
    before = api.events()
    refused = api.client.post("/v1/certifications/imports", content=named.encode(), headers=headers)
    assert refused.status_code == 422, refused.text
    assert "企业名称, which a list does not take" in refused.json()["detail"], refused.text
    assert api.events() == before


def test_a_header_in_chinese_or_with_another_separator_is_refused_saying_what_was_read(api: Api,
                                                                                       world: World) -> None:
    """A bureau probe: a header in Chinese (统一社会信用代码,项目,...) and a tab- or semicolon-separated list (WPS's
    文本文件(制表符分隔)) were all told "表头缺少 uscc, ...", as if the first line were short. The refusal now says what
    it read: the Chinese names, with the English name to write for each, or that the columns are separated by tabs or
    semicolons where a list's are by commas; it writes nothing, in either language."""
    code = world.org()
    row = [code, "A6.honour", "provincial_sme", "2023-03-01", "浙经信〔2023〕9号", ""]
    chinese = "统一社会信用代码,项目,等级,生效日期,文号,创新组织\n" + ",".join(row) + "\n"
    problem = api.refused("POST", "/v1/certifications/imports", None, "jxj", 422, "invalid_request",
                          content=chinese.encode(), headers={"Content-Type": "text/csv", "Accept-Language": "zh"})
    assert "表头各列为 统一社会信用代码、项目、等级、生效日期、文号、创新组织" in problem["detail"], problem
    assert "统一社会信用代码 写作 uscc" in problem["detail"] and "文号 写作 document_ref" in problem["detail"]
    english = api.refused("POST", "/v1/certifications/imports", None, "jxj", 422, "invalid_request",
                          content=chinese.encode(), headers={"Content-Type": "text/csv"})
    assert "its columns are 统一社会信用代码, 项目" in english["detail"], english
    assert "uscc for 统一社会信用代码" in english["detail"], english
    for sep, en, zh in (("\t", "separated by tabs", "制表符（Tab）"), (";", "separated by semicolons", "分号")):
        text = sep.join(["uscc", "programme", "tier", "effective_on", "document_ref", "body_id"]) + "\n" + \
            sep.join(row) + "\n"
        problem = api.refused("POST", "/v1/certifications/imports", None, "jxj", 422, "invalid_request",
                              content=text.encode(), headers={"Content-Type": "text/csv"})
        assert en in problem["detail"] and "save the list as CSV (comma-separated)" in problem["detail"], problem
        problem = api.refused("POST", "/v1/certifications/imports", None, "jxj", 422, "invalid_request",
                              content=text.encode(), headers={"Content-Type": "text/csv", "Accept-Language": "zh"})
        assert f"各列以{zh}分隔" in problem["detail"] and "表头缺少" not in problem["detail"], problem


def test_a_day_written_as_a_spreadsheet_writes_it_is_refused_with_the_day_to_write(api: Api, world: World) -> None:
    """A bureau probe: Excel's 2024/5/1 and an unpadded 2024-5-1 refused every row "not a day written YYYY-MM-DD". The
    contract pins YYYY-MM-DD, so they are still refused, and the refusal now gives the day to write, 2024-05-01; a
    day that is none (2024/2/30) or not year first (5/1/2024) gets no guess."""
    header = "uscc,programme,tier,effective_on,document_ref,body_id\n"
    days = ("2024/5/1", "2024-5-1", "2024年5月1日", "2024/2/30", "5/1/2024")
    text = header + "".join(f"{world.org()},A6.honour,provincial_sme,{day},浙经信〔2024〕{i}号,\n"
                            for i, day in enumerate(days))
    found = api.ok("POST", "/v1/certifications/imports", as_="jxj", content=text.encode(),
                   headers={"Content-Type": "text/csv", "Accept-Language": "zh"})
    assert found["recorded"] == 0 and [r["line"] for r in found["refused"]] == [2, 3, 4, 5, 6], found
    said = {r["line"]: r["detail"] for r in found["refused"]}
    for line in (2, 3, 4):
        assert "不是 YYYY-MM-DD 格式的日期" in said[line] and "请写作 2024-05-01" in said[line], said[line]
    assert "请写作" not in said[5] and "请写作" not in said[6], said
    english = api.ok("POST", "/v1/certifications/imports", as_="jxj", content=text.encode(),
                     headers={"Content-Type": "text/csv"})
    assert "; write it as 2024-05-01 (hyphens" in english["refused"][0]["detail"], english


def test_a_tier_written_as_its_chinese_name_in_the_catalogue_is_read_as_its_code(api: Api, world: World) -> None:
    """A bureau probe: a list naming tiers in Chinese (专精特新小巨人, 省级) had every such row `unknown_tier`. A tier
    that is exactly the catalogue's Chinese name of one of the programme's tiers is read as that tier's code; part of
    a name (小巨人) is still refused, told the code to write for the name it is part of."""
    giant, erc = world.org(), world.org(member=False)
    body = world.body(lead=erc, kind="erc", recognised_on="2022-09-06")
    short = world.org()
    text = ("uscc,programme,tier,effective_on,document_ref,body_id\n"
            f"{giant},A6.honour,专精特新小巨人,2024-05-01,浙经信〔2024〕31号,\n"
            f"{erc},A3.erc,省级,2023-03-01,杭发改高技〔2023〕31号,{body}\n"
            f"{short},A6.honour,小巨人,2024-05-01,浙经信〔2024〕32号,\n")
    found = api.ok("POST", "/v1/certifications/imports", as_="jxj", content=text.encode(),
                   headers={"Content-Type": "text/csv", "Accept-Language": "zh"})
    assert found["recorded"] == 1 and [r["line"] for r in found["refused"]] == [3, 4], found  # A3.erc is kjj's
    cert = api.ok("GET", f"/v1/certifications/{found['certifications'][0]['certification_id']}", as_="auditor")
    assert (cert["uscc"], cert["tier"]) == (giant, "little_giant"), cert
    refused = {r["line"]: r for r in found["refused"]}
    assert refused[4]["code"] == "unknown_tier", refused
    assert "“专精特新小巨人”请写作 little_giant" in refused[4]["detail"], refused
    by_kjj = api.ok("POST", "/v1/certifications/imports", as_="kjj", content=text.encode(),
                    headers={"Content-Type": "text/csv"})
    assert by_kjj["recorded"] == 1 and by_kjj["certifications"][0]["line"] == 3, by_kjj
    cert = api.ok("GET", f"/v1/certifications/{by_kjj['certifications'][0]['certification_id']}", as_="auditor")
    assert (cert["uscc"], cert["tier"]) == (erc, "provincial"), cert


def test_a_row_leaving_a_needed_cell_empty_is_refused_missing_field_as_one_without_its_tier(api: Api,
                                                                                             world: World) -> None:
    """A bureau probe: a row without its document_ref was `invalid_request` ("must not be empty"), one without its tier
    or body `missing_field`. Every needed cell left empty, or a needed key left out of a JSON row, is `missing_field`
    now, naming the columns and what they hold, in the reader's language."""
    code = world.org()
    text = ("uscc,programme,tier,effective_on,document_ref,body_id\n"
            f"{code},A6.honour,provincial_sme,2024-05-01,,\n"
            f"{code},,provincial_sme,2024-05-01,浙经信〔2024〕41号,\n"
            f",A6.honour,provincial_sme,,浙经信〔2024〕42号,\n"
            f"{code},A6.honour,,2024-05-01,浙经信〔2024〕43号,\n")
    found = api.ok("POST", "/v1/certifications/imports", as_="jxj", content=text.encode(),
                   headers={"Content-Type": "text/csv"})
    assert [(r["line"], r["code"]) for r in found["refused"]] == [(n, "missing_field") for n in (2, 3, 4, 5)], found
    said = {r["line"]: r["detail"] for r in found["refused"]}
    assert said[2].startswith("document_ref: not given on this line") and "reference number" in said[2], said
    assert said[3].startswith("programme: not given") and said[4].startswith("uscc, effective_on: not given"), said
    row = {"uscc": code, "programme": "A6.honour", "tier": "provincial_sme", "effective_on": "2024-05-01"}
    zh = api.ok("POST", "/v1/certifications/imports", {"rows": [row]}, as_="jxj", headers={"Accept-Language": "zh"})
    assert [(r["line"], r["code"]) for r in zh["refused"]] == [(2, "missing_field")], zh
    assert zh["refused"][0]["detail"].startswith("document_ref：该行未填写；请填写认定文件的文号"), zh


def test_a_recorded_line_that_proposes_nothing_says_why(api: Api, world: World) -> None:
    """A bureau probe: a line for an organisation outside the district, or in no innovation body, was recorded with
    `proposed_claims: []` and no word, where a claim for it says why. The answer's `unproposed` names each such line
    with the refusal its claim met (or that its award is paid by a figure the ledger does not hold), in the reader's
    language, and the import's GET keeps it; a line that proposed has none."""
    inside, outside, alone = world.org(), world.org(in_district=False), world.org(member=False)
    text = ("uscc,programme,tier,effective_on,document_ref,body_id\n"
            + "".join(f"{code},A6.honour,provincial_sme,2024-05-01,浙经信〔2024〕5{i}号,\n"
                      for i, code in enumerate((inside, outside, alone))))
    found = api.ok("POST", "/v1/certifications/imports", as_="jxj", content=text.encode(),
                   headers={"Content-Type": "text/csv", "Accept-Language": "zh"})
    assert found["recorded"] == 3 and len(found["proposed_claims"]) == 1, found
    notes = {n["line"]: n for n in found["unproposed"]}
    assert sorted(notes) == [3, 4] and {n["code"] for n in notes.values()} == {"not_eligible"}, found["unproposed"]
    assert "登记为辖区外单位" in notes[3]["detail"], notes
    assert set(notes[3]) == {"line", "code", "detail"}, notes[3]
    kept = api.ok("GET", f"/v1/certifications/imports/{found['id']}", as_="auditor")
    assert [n["line"] for n in kept["unproposed"]] == [3, 4] and "outside the district" in kept["unproposed"][0][
        "detail"], kept["unproposed"]
    mic = world.org(member=False)
    body = world.body(lead=mic, kind="mic", recognised_on="2022-09-06")
    decided = api.ok("POST", "/v1/certifications/imports", as_="kjj", content=(
        f"uscc,programme,tier,effective_on,document_ref,body_id\n{mic},A3.mic,municipal,2023-03-01,杭经信〔2023〕5号,"
        f"{body}\n").encode(), headers={"Content-Type": "text/csv"})
    assert decided["recorded"] == 1 and [(n["line"], n["code"]) for n in decided["unproposed"]] == [
        (2, "figure_not_held")], decided
    # The tier by its name in Chinese text (a regression probe read "的 national 等次"), and beside its code in English.
    other = world.org(member=False)
    other_body = world.body(lead=other, kind="mic", recognised_on="2022-09-06")
    again = api.ok("POST", "/v1/certifications/imports", as_="kjj", content=(
        f"uscc,programme,tier,effective_on,document_ref,body_id\n{other},A3.mic,municipal,2023-03-01,"
        f"杭经信〔2023〕6号,{other_body}\n").encode(), headers={"Content-Type": "text/csv", "Accept-Language": "zh"})
    [note] = again["unproposed"]
    assert "的“市级”等次按台账未掌握的数额计发" in note["detail"] and "municipal" not in note["detail"], note
    english = api.ok("GET", f"/v1/certifications/imports/{again['id']}", as_="auditor")["unproposed"][0]["detail"]
    assert english.startswith("A3.mic at municipal") or "at Municipal (municipal)" in english, english
    # A programme without tiers is paid by a decided figure too (a regression probe read its lines with no word).
    first_set = api.ok("POST", "/v1/certifications/imports", as_="jxj", content=(
        f"uscc,programme,tier,effective_on,document_ref,body_id\n{world.org()},A10.first_set,,2023-03-01,"
        "浙经信〔2023〕9号,\n").encode(), headers={"Content-Type": "text/csv"})
    assert first_set["recorded"] == 1 and [n["code"] for n in first_set["unproposed"]] == ["figure_not_held"], first_set


def test_a_single_certification_or_upgrade_that_proposes_nothing_says_why(api: Api, world: World) -> None:
    """A bureau probe: `POST /v1/certifications` answered `proposed_claims: []` and no word where an official list's
    line says why; the answer (and an upgrade's) now carries `unproposed`, in the reader's language, and a retry with
    the same key gets it again; one that proposed carries none."""
    outside = world.org(in_district=False)
    body = {"uscc": outside, "programme": "A6.honour", "tier": "provincial_sme", "effective_on": "2024-05-01",
            "document_ref": "浙经信〔2024〕71号"}
    headers = {"Idempotency-Key": f"why-{outside}", "Accept-Language": "zh"}
    found = api.ok("POST", "/v1/certifications", body, as_="jxj", headers=headers)
    assert found["proposed_claims"] == [] and found["unproposed"]["code"] == "not_eligible", found
    assert "登记为辖区外单位" in found["unproposed"]["detail"], found
    again = api.ok("POST", "/v1/certifications", body, as_="jxj", headers=headers | {"Accept-Language": "en"})
    assert again["id"] == found["id"] and "outside the district" in again["unproposed"]["detail"], again
    upgraded = api.ok("POST", f"/v1/certifications/{found['id']}/upgrades",
                      {"tier": "little_giant", "effective_on": "2024-09-01",
                       "document_ref": "工信部〔2024〕72号"}, as_="jxj")
    assert upgraded["proposed_claims"] == [] and upgraded["unproposed"]["code"] == "not_eligible", upgraded
    inside = api.ok("POST", "/v1/certifications", body | {"uscc": world.org()}, as_="jxj")
    assert len(inside["proposed_claims"]) == 1 and inside.get("unproposed") is None, inside


def test_a_column_with_no_name_is_passed_over_while_empty_and_named_where_a_cell_is_filled(api: Api,
                                                                                          world: World) -> None:
    """A queues probe: a header ending in a comma (as a spreadsheet saves one) refused every row as "body: is not a
    field of this request". An unnamed column's empty cells are passed over; a filled one refuses its line, naming
    the column."""
    headers = {"Authorization": f"Bearer {api.tokens['jxj']}", "Content-Type": "text/csv", "Accept-Language": "en"}
    text = (f"uscc,programme,tier,effective_on,document_ref,body_id,\n"
            f"{world.org()},A6.honour,provincial_sme,2023-03-01,浙经信〔2023〕17号,,\n"
            f"{world.org()},A6.honour,provincial_sme,2023-03-01,浙经信〔2023〕18号,,备注\n")
    found = api.client.post("/v1/certifications/imports", content=text.encode(), headers=headers).json()
    assert (found["rows"], found["recorded"]) == (2, 1), found
    [refusal] = found["refused"]
    assert refusal["line"] == 3 and "column 7 has no column name" in refusal["detail"], refusal


def test_a_quote_left_open_is_named_with_every_line_it_swallowed(api: Api, world: World) -> None:
    """A probe: a row opening a quote it never closes swallowed the row after it unnamed, and the refusal named
    the line before it (line 3, which was recorded). Now the refusal names the lines read as one row, the rows
    before are recorded, and nothing of the swallowed lines is; in Chinese too."""
    text, _ = _erc_csv(world, 4)
    rows = text.splitlines()
    rows[3] = '"' + rows[3]  # line 4 opens a quote; line 5 and the end of the file are read into its cell
    found = _post_csv(api, "\n".join(rows) + "\n").json()
    assert (found["rows"], found["recorded"]) == (3, 2), found
    [refusal] = found["refused"]
    assert (refusal["line"], refusal["code"]) == (4, "invalid_request")
    assert "lines 4 to 5 were read as one row" in refusal["detail"] and "quoting" in refusal["detail"]
    zh = api.client.post("/v1/certifications/imports", content=("\n".join(rows) + "\n").encode(), headers={
        "Authorization": f"Bearer {api.tokens['kjj']}", "Content-Type": "text/csv", "Accept-Language": "zh"})
    assert "第 4 至 5 行被读成了一行" in zh.json()["refused"][0]["detail"]
    assert [c["line"] for c in found["certifications"]] == [2, 3]
    # A blank line before the open quote (and CRLF breaks) still names the line the quote opens on (a review).
    crlf = "\r\n".join([*rows[:3], "", *rows[3:]]) + "\r\n"
    [refusal] = [r for r in _post_csv(api, crlf).json()["refused"] if r["code"] == "invalid_request"]
    assert refusal["line"] == 5 and "lines 5 to 6 were read as one row" in refusal["detail"], refusal


def test_a_list_naming_a_column_twice_is_refused_whole_and_writes_nothing(api: Api, world: World) -> None:
    """`uscc,...,uscc`: the csv module keeps the last of the two cells, and a probe's row was recorded for the
    organisation in the last column, unseen. The header is refused, naming the column, in the reader's
    language, and nothing is recorded, whichever column holds the good code."""
    code = world.org(member=False)
    body = world.body(lead=code, kind="erc", recognised_on="2022-09-06")
    before = api.ok("GET", "/v1/audit/verify", as_="auditor")["events_checked"]
    for first, last in (("NOTAUSCC", code), (code, "NOTAUSCC")):
        text = (f"uscc,programme,tier,effective_on,document_ref,body_id,uscc\n"
                f"{first},A3.erc,municipal,2023-03-01,杭发改高技〔2023〕15号,{body},{last}\n")
        for lang, said in (("en", "names uscc more than once"), ("zh", "uscc 出现了不止一次")):
            answer = api.client.post("/v1/certifications/imports", content=text.encode(), headers={
                "Authorization": f"Bearer {api.tokens['kjj']}", "Content-Type": "text/csv", "Accept-Language": lang})
            assert answer.status_code == 422 and said in answer.json()["detail"], answer.text
    assert api.ok("GET", "/v1/audit/verify", as_="auditor")["events_checked"] == before


def test_a_proposal_and_a_submission_show_their_figure_in_the_claims_history(api: Api, world: World) -> None:
    """A proposal is recorded "with its entitlement and explanation" (contract), yet its history's first event
    showed neither (a corrections probe). The first event of a proposal, and of a submitted claim, now carries the
    entitled amount and the explanation the rules gave it then."""
    text, _ = _erc_csv(world, 1)
    [proposal] = _post_csv(api, text).json()["proposed_claims"]
    first = api.ok("GET", f"/v1/claims/{proposal}", as_="auditor")["history"][0]
    assert (first["event"], first["entitled_amount"]) == ("Proposed", "200000.00"), first
    assert first["explanation"] and first["explanation"][-1]["amount"] == "200000.00"
    claim = world.claim(world.org(), "A5.voucher", basis_amount="100000.00")
    first = api.ok("GET", f"/v1/claims/{claim['id']}", as_="auditor")["history"][0]
    assert (first["event"], first["entitled_amount"]) == ("Submitted", "30000.00"), first
    assert first["explanation"] == claim["explanation"]


def test_a_confirmation_answers_the_claim_named_and_in_the_readers_language(api: Api, world: World) -> None:
    """POST /v1/claims/{id}/confirm answered `programme_name` and `bureau_name` null and the explanation in both
    languages (a contract probe); it now answers as reading the claim does."""
    text, _ = _erc_csv(world, 1)
    [proposal] = _post_csv(api, text).json()["proposed_claims"]
    zh = {"Accept-Language": "zh"}
    confirmed = api.ok("POST", f"/v1/claims/{proposal}/confirm", {}, as_="kjj", status=200, headers=zh)
    read = api.ok("GET", f"/v1/claims/{proposal}", as_="kjj", headers=zh)
    names = ("programme_name", "bureau_name", "tier_name", "explanation")
    assert {k: confirmed[k] for k in names} == {k: read[k] for k in names} and confirmed["programme_name"]
    assert all(not line["detail"].isascii() for line in confirmed["explanation"]), confirmed["explanation"]


def test_a_proposals_text_is_in_the_readers_language(api: Api, world: World) -> None:
    """A bureau probe: `proposal.text` ("proposed because certification X was recorded on D by P") stayed English under
    Accept-Language zh, where the ledger's other notes (a closed proposal's reason) are Chinese. It is read in the
    reader's language, as they are; without zh it is the English the README gives, and its other fields are kept."""
    text, _ = _erc_csv(world, 1)
    found = _post_csv(api, text).json()
    [proposal], cert = found["proposed_claims"], found["certifications"][0]["certification_id"]
    english = api.ok("GET", f"/v1/claims/{proposal}", as_="kjj")["proposal"]
    assert english["text"].startswith(f"proposed because certification {cert} was recorded on"), english
    chinese = api.ok("GET", f"/v1/claims/{proposal}", as_="kjj", headers={"Accept-Language": "zh"})["proposal"]
    assert chinese["text"] == (f"因 kjj-test 于 {english['recorded_on']} 记录了认定 {cert}，系统生成本项待确认奖补"
                               "（免申即享）"), chinese
    assert {k: v for k, v in chinese.items() if k != "text"} == {k: v for k, v in english.items() if k != "text"}


def test_a_line_short_of_a_needed_cell_or_with_one_too_many_says_what_to_send(api: Api, world: World) -> None:
    """A sandbox probe: a line with too few cells was refused "effective_on is required in the body", one with too
    many "line has 1 cells more than the header", neither saying what to send. A line short of a column the list
    needs says how many cells it has against the header and which column has none; one with too many says to quote
    a cell holding a comma. A line leaving off only optional cells at its end is still read."""
    text, codes = _erc_csv(world, 1)
    text += f"{codes[0]},A3.erc,municipal\n"  # line 3: no effective_on, document_ref or body_id
    text += f"{codes[0]},A3.erc,municipal,2023-03-01,杭发改高技〔2023〕15号,B-1,extra\n"  # line 4: one too many
    found = _post_csv(api, text).json()
    short, extra = found["refused"]
    assert short["line"] == 3 and "line has 3 cells, fewer than the header's 6: no cell for effective_on," \
        " document_ref" in short["detail"], short
    zh = api.ok("GET", f"/v1/certifications/imports/{found['id']}", as_="auditor", headers={"Accept-Language": "zh"})
    assert "少于表头的 6 个" in zh["refused"][0]["detail"], zh["refused"]
    assert extra["line"] == 4 and "a cell holding a comma is quoted" in extra["detail"], extra
    # a header with a trailing comma names six columns, not seven; one cell is "1 cell" (a regression probe)
    header = text.splitlines()[0]
    found = _post_csv(api, "\n".join([header + ",", f"{codes[0]}"]) + "\n").json()
    assert "line has 1 cell, fewer than the header's 6: no cell for programme," in found["refused"][0]["detail"], found

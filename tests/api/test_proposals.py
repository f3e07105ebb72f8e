"""Proactive entitlement over the real app on both stores: official lists imported line by line with their
provenance, proposals in the queue, confirmed one or many, the summary, and what the award state counts."""
from __future__ import annotations

from tests.api.conftest import Api, World


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


def test_a_list_whose_bytes_after_a_byte_order_mark_are_no_text_is_refused_whole(api: Api) -> None:
    """A UTF-8 BOM then bytes that are not UTF-8: 422 naming the encodings, not a 500 (found by the fuzzing pass),
    and nothing is written."""
    before = api.client.app.state.ledger.recorder.max_notification_id() or 0
    answer = api.client.post("/v1/certifications/imports", content=b"\xef\xbb\xbfuscc,programme\n\xff\xfe\x80",
                             headers={"Authorization": f"Bearer {api.tokens['kjj']}", "Content-Type": "text/csv"})
    assert answer.status_code == 422 and "GB18030" in answer.json()["detail"], answer.text
    assert (api.client.app.state.ledger.recorder.max_notification_id() or 0) == before

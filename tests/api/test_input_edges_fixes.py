"""What a regression and a robustness probe sent the API and were answered wrongly: a tier typed in full-width
letters, a body under a transfer coding the service does not decode, and a query boolean it cannot read. On the real
app and both stores."""
from __future__ import annotations

import json
import socket

from tests.api.conftest import Api, World
from tests.api.test_edge import server  # noqa: F401 (a fixture: the real app under uvicorn)
from tests.support import unique_uscc


def _erc_row(world: World, tier: str) -> tuple[dict, str]:
    code = world.org(member=False)
    body = world.body(lead=code, kind="erc", recognised_on="2022-09-06")
    return {"uscc": code, "programme": "A3.erc", "tier": tier, "effective_on": "2023-03-01",
            "document_ref": "杭发改高技〔2023〕15号", "body_id": body}, code


def test_a_tier_typed_in_full_width_letters_is_told_the_tier_to_type(api: Api, world: World) -> None:
    """A list row whose tier was typed ｍｕｎｉｃｉｐａｌ got `unknown_tier` "no tier …; its tiers are …", where the
    same row's full-width day is named as full-width (a regression probe): said so, with the code to type, in both
    languages, on a list (CSV and JSON) and a single certification; nothing is recorded for it."""
    row, _ = _erc_row(world, "ｍｕｎｉｃｉｐａｌ")
    found = api.ok("POST", "/v1/certifications/imports", {"rows": [row]}, as_="kjj")
    (refused,) = found["refused"]
    assert found["recorded"] == 0 and refused["code"] == "unknown_tier", found
    assert "written in full-width characters" in refused["detail"] and "type it half-width: municipal" in \
        refused["detail"], refused
    header = ",".join(row)
    text = header + "\n" + ",".join(row.values()) + "\n"
    answer = api.client.post("/v1/certifications/imports", content=text.encode(), headers={
        "Authorization": f"Bearer {api.tokens['kjj']}", "Content-Type": "text/csv", "Accept-Language": "zh"})
    (refused,) = answer.json()["refused"]
    assert refused["code"] == "unknown_tier" and "使用了全角字符（输入法处于全角状态）；请改为半角输入：municipal" in \
        refused["detail"], refused
    single = api.refused("POST", "/v1/certifications", {**row, "tier": "ＭＵＮＩＣＩＰＡＬ"}, "kjj", 422,
                         "unknown_tier")
    assert "type it half-width: municipal" in single["detail"], single
    assert answer.json()["recorded"] == 0
    # A tier that is none of the programme's, full width or not, keeps its own words.
    other = api.refused("POST", "/v1/certifications", {**row, "tier": "ｇａｌａｃｔｉｃ"}, "kjj", 422, "unknown_tier")
    assert "full-width" not in other["detail"] and "its tiers are" in other["detail"], other


def test_a_claims_tier_a_programme_and_a_bodys_kind_typed_full_width_are_told_what_to_type(api: Api,
                                                                                            world: World) -> None:
    """A regression probe: a claim's tier ｆｉｒｓｔ was told "no tier", a programme Ａ３.ｅｒｃ on a certification or a
    list row "no programme", and a body's kind ｅｒｃ "not a new-type innovation organisation", where a certification's
    full-width tier is told the code to type. Each is said so now, in both languages; nothing is recorded."""
    code = world.org()
    claim = {"uscc": code, "programme": "A9.provincial_award", "tier": "ｆｉｒｓｔ", "rank": 1,
             "subject": "project:FW", "award_year": 2024, "effective_on": "2024-03-01"}
    for lang, said in (("en", "written in full-width characters"), ("zh", "使用了全角字符（输入法处于全角状态）")):
        heard = {"Accept-Language": lang}
        tier = api.refused("POST", "/v1/claims", claim, "kjj", 422, "unknown_tier", headers=heard)
        assert said in tier["detail"] and tier["detail"].endswith(": first" if lang == "en" else "：first"), tier
        programme = api.refused("POST", "/v1/claims", {**claim, "programme": "Ａ９.ｐｒｏｖｉｎｃｉａｌ＿ａｗａｒｄ",
                                                       "tier": "first"}, "kjj", 422, "unknown_programme",
                                headers=heard)
        assert said in programme["detail"] and "A9.provincial_award" in programme["detail"], programme
        row, _ = _erc_row(world, "municipal")
        single = api.refused("POST", "/v1/certifications", {**row, "programme": "Ａ３.ｅｒｃ"}, "kjj", 422,
                             "unknown_programme", headers=heard)
        assert said in single["detail"] and single["detail"].endswith("A3.erc"), single
        found = api.ok("POST", "/v1/certifications/imports", {"rows": [{**row, "programme": "Ａ３.ｅｒｃ"}]}, as_="kjj",
                       headers=heard)
        (refused,) = found["refused"]
        assert found["recorded"] == 0 and refused["code"] == "unknown_programme", found
        assert said in refused["detail"] and "A3.erc" in refused["detail"], refused
        body = {"id": f"fw-{lang}-{code}", "name": "全角", "kind": "ｅｒｃ", "lead_uscc": code,
                "recognised_on": "2022-10-01"}
        kind = api.refused("POST", "/v1/innovation-bodies", body, "kjj", 422, "invalid_request", headers=heard)
        assert said in kind["detail"] and kind["detail"].endswith("erc"), kind
    # None of the programme's or the catalogue's, full width or not, keeps its own words.
    other = api.refused("POST", "/v1/claims", {**claim, "tier": "ｇａｌａｃｔｉｃ"}, "kjj", 422, "unknown_tier")
    assert "full-width" not in other["detail"] and "its tiers are" in other["detail"], other
    other = api.refused("POST", "/v1/claims", {**claim, "programme": "Ａ３.ｎｏｎｅ"}, "kjj", 422, "unknown_programme")
    assert "full-width" not in other["detail"] and "GET /v1/programmes" in other["detail"], other
    listed = api.ok("GET", f"/v1/claims?uscc={code}", as_="kjj")["claims"]
    assert not [c for c in listed if c["programme"] == "A9.provincial_award"], listed


def test_a_query_boolean_it_cannot_read_is_told_the_values_it_reads(api: Api) -> None:
    """`?read_models=maybe` was told to send "a JSON boolean without quotes", which a query string cannot hold (a
    robustness probe): the values read as true and as false are named, in both languages. A JSON body's boolean
    keeps its JSON words."""
    en = api.refused("GET", "/v1/audit/verify?read_models=maybe", None, "auditor", 422, "invalid_request")
    assert "JSON" not in en["detail"] and "true or false" in en["detail"] and "1, yes, on" in en["detail"], en
    zh = api.refused("GET", "/v1/audit/verify?read_models=maybe", None, "auditor", 422, "invalid_request",
                     headers={"Accept-Language": "zh"})
    assert "JSON" not in zh["detail"] and "true 或 false" in zh["detail"], zh
    assert api.ok("GET", "/v1/audit/verify?read_models=yes", as_="auditor")["ok"] is True
    sent = {"uscc": unique_uscc(), "name": "杭州某公司", "in_district": "maybe"}
    body = api.refused("POST", "/v1/organisations", sent, "admin", 422, "invalid_request")
    assert "JSON boolean" in body["detail"], body


def _sent(address: tuple[str, int], token: str, coding: str, body: bytes, lang: str = "en") -> tuple[str, dict]:
    """A POST over a real socket with `Transfer-Encoding: {coding}` and the body chunked: (status line, JSON)."""
    chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    head = (f"POST /v1/organisations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type:"
            f" application/json\r\nAccept-Language: {lang}\r\nTransfer-Encoding: {coding}\r\nConnection: close\r\n\r\n")
    with socket.create_connection(address, timeout=10) as conn:
        conn.sendall(head.encode() + chunked)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    top, _, content = answer.partition(b"\r\n\r\n")
    return top.decode("latin-1").split("\r\n")[0], json.loads(content) if content.strip() else {}


def test_a_body_under_a_transfer_coding_other_than_chunked_is_refused_and_writes_nothing(
        server, api: Api) -> None:  # noqa: F811
    """`Transfer-Encoding: gzip, chunked` (or deflate, or one made up) was read as if plain, and a JSON body so
    declared was recorded, 201 (a robustness probe). Any coding but chunked is refused, 501 `not_implemented` as
    RFC 9112 says, in the reader's language, saying what to send; nothing is written. Plain chunked is read."""
    token = api.tokens["admin"]
    before = api.events()
    for coding in ("gzip, chunked", "deflate, chunked", "xyz, chunked", "GZIP , chunked"):
        body = json.dumps({"uscc": unique_uscc(), "name": "杭州压缩公司", "in_district": True}).encode()
        status, problem = _sent(server, token, coding, body)
        assert status.startswith("HTTP/1.1 501") and problem["code"] == "not_implemented", (coding, status, problem)
        assert "Transfer-Encoding" in problem["detail"] and "chunked" in problem["detail"], problem
    _, zh = _sent(server, token, "gzip, chunked", b"{}", "zh")
    assert "Transfer-Encoding" in zh["detail"] and "请" in zh["detail"], zh
    assert api.events() == before
    body = json.dumps({"uscc": unique_uscc(), "name": "杭州分块公司", "in_district": True}).encode()
    status, answer = _sent(server, token, "chunked", body)
    assert status.startswith("HTTP/1.1 201"), (status, answer)

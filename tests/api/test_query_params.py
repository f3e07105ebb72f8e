"""A query parameter a /v1 route does not take is refused, naming the ones it takes, and writes nothing: ignored,
`?as_of=` on a claim answered the claim as it is now to an auditor asking what the ledger knew then."""
from __future__ import annotations


def _get(api, path: str, lang: str = "en", as_: str = "auditor"):
    return api.client.get(path, headers={"Authorization": f"Bearer {api.tokens[as_]}", "Accept-Language": lang})


def test_as_of_on_a_route_without_history_is_refused_not_ignored(api, world):
    claim = world.claim(world.org(), "A5.voucher", basis_amount="100000.00", award_year=2023,
                        effective_on="2023-05-01")
    answer = _get(api, f"/v1/claims/{claim['id']}?as_of=2023-01-01T00:00:00%2B08:00")
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["code"] == "invalid_request"
    assert [(e["field"], e["location"]) for e in problem["errors"]] == [("as_of", "query")]
    assert "is not a query parameter of GET /v1/claims/{claim_id}" in problem["detail"]
    assert "takes none" in problem["detail"] and "remove it" in problem["detail"]
    chinese = _get(api, f"/v1/claims/{claim['id']}?as_of=2023-01-01", lang="zh-CN").json()
    assert "不是 GET /v1/claims/{claim_id} 的查询参数" in chinese["detail"] and "请删除" in chinese["detail"]


def test_a_misspelt_filter_is_refused_naming_the_filters_there_are(api, world):
    world.claim(world.org(), "A5.voucher", basis_amount="100000.00", award_year=2023, effective_on="2023-05-01")
    answer = _get(api, "/v1/claims?stauts=pending&limit=5")
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert detail.startswith("stauts: is not a query parameter of GET /v1/claims")
    for name in ("status", "programme", "bureau", "uscc", "award_year", "limit", "cursor"):
        assert name in detail
    assert _get(api, "/v1/claims?status=pending&limit=5").status_code == 200


def test_the_parameters_a_route_takes_still_work(api, world):
    code = world.org()
    world.approved(code, "A5.voucher", basis_amount="100000.00", award_year=2023, effective_on="2023-05-01")
    assert _get(api, f"/v1/organisations/{code}/awards?as_of=2030-01-01T00:00:00%2B08:00").status_code == 200
    assert _get(api, f"/v1/organisations?q={code[:10]}&limit=3").status_code == 200
    assert _get(api, "/v1/finance/reconciliation?year=2023&format=json&as_of=2030-01-01",
                as_="finance").status_code == 200


def test_a_command_with_an_unknown_query_parameter_writes_nothing(api, world):
    code = world.org()
    before = api.events()
    answer = api.client.post("/v1/claims?dry_run=true", json={
        "uscc": code, "programme": "A5.voucher", "award_year": 2023, "basis_amount": "100000.00",
        "effective_on": "2023-05-01"}, headers={"Authorization": f"Bearer {api.tokens['kjj']}"})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "dry_run", answer.text
    assert api.events() == before


def test_pages_keep_their_own_forms(api):
    """Only the JSON API is held to it: a page's address may carry what a browser adds."""
    answer = api.client.get("/ui/sign-in?utm_source=mail", follow_redirects=False)
    assert answer.status_code != 422, answer.text[:300]


def test_every_parameter_the_document_lists_is_taken(api):
    """The check reads the parameters off each route's own dependency tree: none the OpenAPI document lists (nor
    the reconciliation's `format`, which the contract names) is ever refused as unknown."""
    import json
    import re
    from pathlib import Path

    document = json.loads((Path(__file__).parents[2] / "openapi.json").read_text(encoding="utf-8"))
    asked = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            if path == "/v1/finance/reconciliation":
                names.append("format")
            if not names:
                continue
            address = re.sub(r"\{[^}]+\}", "x", path) + "?" + "&".join(f"{n}=1" for n in names)
            answer = api.client.request(method.upper(), address, headers={
                "Authorization": f"Bearer {api.tokens['admin']}", "Content-Type": "application/json"}, content=b"{}")
            assert "is not a query parameter" not in answer.text, (method, address, answer.text)
            asked += 1
    assert asked >= 19


def test_percent_escapes_that_are_not_utf8_are_told_to_encode_as_utf8(api):
    """A hostile-input probe: `?q=%FF` (or a character cut short, `%E4%B8`) was read as U+FFFD and refused for an
    invisible character the client never sent, and a path id `%ff` was "not a ledger id". Both are a 400 that says
    to percent-encode the text as UTF-8, in the reader's language; valid escapes are read as before."""
    headers = {"Authorization": f"Bearer {api.tokens['auditor']}"}
    for url, part in (("/v1/organisations?q=%FF", "query"), ("/v1/organisations?q=%E4%B8", "query"),
                      ("/v1/certifications/%ff", "path")):
        answer = api.client.get(url, headers=headers)
        assert answer.status_code == 400, (url, answer.text)
        problem = answer.json()
        assert problem["code"] == "bad_request" and f"the {part}'s percent escapes are not UTF-8" in problem["detail"]
        assert "U+FFFD" not in problem["detail"], problem
        zh = api.client.get(url, headers={**headers, "Accept-Language": "zh"}).json()
        assert "请按 UTF-8 进行百分号编码" in zh["detail"], zh
    assert api.client.get("/v1/organisations?q=%E4%BC%81", headers=headers).status_code == 200

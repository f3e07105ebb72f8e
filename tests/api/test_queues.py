"""Work queues and search over HTTP, on both stores: filters, oldest first, cursor pages, names beside codes."""
from __future__ import annotations

import pytest

from tests.api.conftest import Api, World


def _all(api: Api, query: str, as_: str = "kjj") -> list[dict]:
    found, cursor = [], None
    while True:
        page = api.ok("GET", f"/v1/claims?{query}&limit=2" + (f"&cursor={cursor}" if cursor else ""), as_=as_)
        assert len(page["claims"]) <= 2
        found += page["claims"]
        cursor = page["next_cursor"]
        if cursor is None:
            return found


def test_claims_queue_filters_pages_oldest_first_and_names_codes(api: Api, world: World) -> None:
    """A bureau's pending queue lists its claims oldest first across cursor pages, none skipped or repeated."""
    code = world.org()
    ids = [world.claim(code, award_year=year, basis_amount="100000.00")["id"] for year in (2023, 2024, 2025)]
    approved = world.approved(code, award_year=2023, basis_amount="200000.00")
    pending = [c for c in _all(api, f"status=pending&bureau=kjj&uscc={code}")]
    assert [c["id"] for c in pending] == ids
    first = pending[0]
    assert first["entitled_amount"] == "30000.00" and first["name"].startswith("杭州某某科技")
    assert first["programme_name"]["zh"] and first["bureau_name"]["en"]
    assert first["submitted_at"].endswith("+00:00")
    assert [c["id"] for c in _all(api, f"uscc={code}&award_year=2023")] == [ids[0], approved["id"]]
    both = _all(api, f"uscc={code}&status=approved,pending")
    assert len(both) == 4
    unpaid = _all(api, f"uscc={code}&unpaid=true", as_="finance")
    assert [(c["id"], c["unpaid_amount"]) for c in unpaid] == [(approved["id"], "60000.00")]


def test_claims_queue_refuses_unknown_filters_with_what_is_valid(api: Api, world: World) -> None:
    """An unknown status, programme, bureau or a forged cursor is 422 naming the valid values; over 500 too. The
    last position a store can hold is still a cursor (an empty page)."""
    for query, words in (("status=open", "pending"), ("programme=A99.x", "A3.erc"), ("bureau=xyz", "kjj"),
                         ("cursor=abc", "next_cursor"), ("cursor=²", "next_cursor"), ("cursor=１２", "next_cursor"),
                         # past any 64-bit position: a 500 on SQLite once (a probe), an empty page on PostgreSQL
                         ("cursor=9223372036854775808", "next_cursor"), (f"cursor={'9' * 40}", "next_cursor"),
                         ("limit=501", "")):
        response = api.call("GET", f"/v1/claims?{query}", as_="auditor")
        assert response.status_code == 422, (query, response.text)
        assert words in response.json()["detail"]
    assert api.ok("GET", "/v1/claims?cursor=9223372036854775807", as_="auditor")["claims"] == []


def test_organisations_search_by_uscc_prefix_and_part_of_name(api: Api, world: World) -> None:
    """`q` finds by the start of a USCC or any part of the name, paged by USCC; a match in another field is none."""
    codes = sorted(world.org(member=False) for _ in range(3))
    page = api.ok("GET", f"/v1/organisations?q={codes[0][:18]}", as_="finance")
    assert [o["uscc"] for o in page["organisations"]] == [codes[0]]
    assert page["organisations"][0]["in_district"] is True
    by_name = api.ok("GET", f"/v1/organisations?q={codes[1][-6:]}", as_="auditor")["organisations"]
    assert codes[1] in [o["uscc"] for o in by_name]
    seen, cursor = [], None
    while True:
        page = api.ok("GET", "/v1/organisations?q=某某科技&limit=2" + (f"&cursor={cursor}" if cursor else ""))
        seen += [o["uscc"] for o in page["organisations"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen == sorted(seen) and set(codes) <= set(seen) and len(seen) == len(set(seen))
    assert api.ok("GET", "/v1/organisations?q=organisation")["organisations"] == []
    for forged in ("zzz", "91330108MA0000000I", codes[0].lower()):  # a page's cursor is a USCC it gave
        response = api.call("GET", f"/v1/organisations?cursor={forged}", as_="auditor")
        assert response.status_code == 422 and "next_cursor" in response.json()["detail"], response.text


@pytest.mark.parametrize("path", ["/v1/organisations?q=%00", "/v1/claims?programme=A5%00", "/v1/claims?cursor=%1b"])
def test_a_control_character_in_a_query_is_a_refusal_not_a_server_error(api, path):
    """Query text passes the one text check: a NUL (which PostgreSQL cannot hold) is 422 naming it, never a 500."""
    answer = api.client.get(path, headers={"Authorization": f"Bearer {api.tokens['auditor']}"})
    assert answer.status_code == 422, answer.text
    assert "U+00" in answer.text


def test_numbers_and_uscc_in_a_query_are_read_as_strictly_as_in_a_body(api: Api, world: World) -> None:
    """`?year=2023.0`, `?limit= 5` or `?award_year=1e3` are 422 naming the parameter (pydantic's lax mode read
    them as numbers); a USCC filter whose check character is wrong is `invalid_uscc`, as on /v1/recoveries, not an
    empty page; digits and a good USCC still answer."""
    org = world.org()
    for path in ("/v1/finance/reconciliation?year=2023.0", "/v1/finance/reconciliation?year=2023%20",
                 "/v1/claims?award_year=2023.0", "/v1/claims?limit=%205", "/v1/claims?limit=1e2",
                 "/v1/audit/events?after=-1"):
        problem = api.refused("GET", path, None, "auditor", 422, "invalid_request")
        assert problem["errors"][0]["location"] == "query" and "digits" in problem["detail"], problem
    api.refused("GET", f"/v1/claims?uscc={org[:-1]}{'0' if org[-1] != '0' else '1'}", None, "auditor", 422,
                "invalid_uscc")
    assert api.ok("GET", f"/v1/claims?uscc={org}&limit=5&award_year=2023", as_="auditor")["claims"] == []
    assert api.ok("GET", "/v1/finance/reconciliation?year=2023", as_="auditor")["year"] == 2023


def test_a_name_is_found_by_its_own_letters_whatever_their_case_or_width(api: Api, world: World) -> None:
    """SQLite's LOWER folds ASCII only: `ＡＢＣ智造… SOCIÉTÉ` was not found by `ＡＢＣ`, `SOCIÉTÉ` or `société` on
    SQLite, though PostgreSQL found it (a probe). Names now compare folded on both stores (NFKC, any case, runs
    of spaces as one), so full-width and half-width letters find each other too."""
    from urllib.parse import quote

    from tests.support import unique_uscc

    code = unique_uscc()
    tag = code[-6:]
    api.ok("POST", "/v1/organisations", {"uscc": code, "name": f"ＡＢＣ智造{tag}  SOCIÉTÉ 杭州", "in_district": True})
    for q in ("ＡＢＣ智造", "abc智造", "ＡＢＣ", "SOCIÉTÉ", "société", "SOCIETE".replace("E", "É"), f"{tag} société",
              f"{tag.lower()}  SOCIÉTÉ", "ｓｏｃｉéｔé 杭州"):
        found = api.ok("GET", f"/v1/organisations?q={quote(q)}", as_="auditor")["organisations"]
        assert code in [o["uscc"] for o in found], q
        assert next(o for o in found if o["uscc"] == code)["name"] == f"ＡＢＣ智造{tag}  SOCIÉTÉ 杭州"
    unaccented = api.ok("GET", "/v1/organisations?q=societe")["organisations"]
    assert code not in [o["uscc"] for o in unaccented]  # an accent is a letter of its own


def test_a_bad_filter_or_cursor_names_its_parameter_in_errors(api):
    """A hostile-input probe: `status=PENDING`, `bureau=KJJ` and a cursor not given by the resource were refused
    with a detail only, where a malformed request's problem has `errors: [{field, location, message, code}]` (a
    client mapping errors[].field to an input had nothing to mark). Each names its parameter, in the reader's
    language."""
    for query, field in (("status=PENDING", "status"), ("bureau=KJJ", "bureau"), ("programme=A99", "programme"),
                         ("cursor=AAAA", "cursor")):
        problem = api.refused("GET", f"/v1/claims?{query}", None, "auditor", 422, "invalid_request")
        assert problem["errors"] == [{"field": field, "location": "query", "message": problem["detail"],
                                      "code": "invalid_request"}], problem
        zh = api.refused("GET", f"/v1/claims?{query}", None, "auditor", 422, "invalid_request",
                         headers={"Accept-Language": "zh"})
        assert zh["errors"][0]["message"] == zh["detail"] and zh["errors"][0]["field"] == field, zh
    problem = api.refused("GET", "/v1/organisations?cursor=x", None, "auditor", 422, "invalid_request")
    assert problem["errors"][0]["field"] == "cursor", problem


def test_a_cursor_sent_with_other_filters_is_refused_not_an_empty_page(api: Api, world: World) -> None:
    """A second-round probe: `next_cursor` of award_year=2024, sent with award_year=2023, answered an empty page with
    no next_cursor ("no more") where 2023 had claims; a search's cursor sent with another `q` likewise. A cursor is
    for the filters it was given with: others are 422 naming `cursor`; with its own it pages on; one given before
    cursors carried their filters (a bare position or USCC) is taken as it is."""
    code = world.org()
    for year in (2023, 2023, 2024, 2024, 2024):
        world.claim(code, award_year=year, basis_amount="100000.00")
    page = api.ok("GET", f"/v1/claims?uscc={code}&award_year=2024&limit=2", as_="kjj")
    cursor = page["next_cursor"]
    assert api.ok("GET", f"/v1/claims?uscc={code}&award_year=2024&limit=2&cursor={cursor}", as_="kjj")["claims"]
    problem = api.refused("GET", f"/v1/claims?uscc={code}&award_year=2023&limit=2&cursor={cursor}", None, "kjj", 422,
                          "invalid_request", headers={"Accept-Language": "zh"})
    assert problem["errors"][0]["field"] == "cursor" and "其他筛选条件" in problem["detail"], problem
    # The same values in another order are the same filter; a cursor whose tag is no tag is no cursor of ours.
    listed = api.ok("GET", f"/v1/claims?uscc={code}&status=pending,approved&limit=2", as_="kjj")["next_cursor"]
    assert api.ok("GET", f"/v1/claims?uscc={code}&status=approved,pending&limit=2&cursor={listed}", as_="kjj")
    problem = api.refused("GET", "/v1/claims?cursor=abc.def", None, "kjj", 422, "invalid_request")
    assert "is not a cursor this resource gave" in problem["detail"], problem
    bare = cursor.partition(".")[0]
    assert len(api.ok("GET", f"/v1/claims?uscc={code}&award_year=2024&cursor={bare}", as_="kjj")["claims"]) == 1
    world.org()
    found = api.ok("GET", f"/v1/organisations?q={code[:10]}&limit=1", as_="auditor")
    assert found["next_cursor"], found
    problem = api.refused("GET", f"/v1/organisations?q={code[:9]}&limit=1&cursor={found['next_cursor']}", None,
                          "auditor", 422, "invalid_request")
    assert "other filters (or another q)" in problem["detail"], problem
    again = api.ok("GET", f"/v1/organisations?q={code[:10]}&limit=1&cursor={found['next_cursor']}", as_="auditor")
    assert again["organisations"] != found["organisations"]


def test_a_proposal_confirmed_during_a_walk_of_the_pending_queue_is_met_at_its_end(api: Api, world: World) -> None:
    """A bureau probe walked the pending queue a page at a time while a colleague confirmed an older proposal: it
    kept the proposal's place, behind the cursor, and the walk never met it. Confirmed, a proposal is submitted then:
    its `submitted_at` (in the list and on GET) is the confirmation's moment and it joins the queue at the end."""
    proposals = []
    for _ in range(4):
        code = world.org(member=False)
        body = world.body(lead=code, kind="erc", recognised_on="2022-09-06")
        made = api.ok("POST", "/v1/certifications", {"uscc": code, "programme": "A3.erc", "tier": "municipal",
                                                     "effective_on": "2023-03-01", "document_ref": "杭发改〔2023〕1号",
                                                     "body_id": body}, as_="kjj")
        proposals.append(made["proposed_claims"][0])
    first, middle, last, newest = proposals
    proposed_at = api.ok("GET", f"/v1/claims/{middle}", as_="kjj")["submitted_at"]
    for confirmed in (first, last, newest):
        api.ok("POST", f"/v1/claims/{confirmed}/confirm", {}, as_="kjj", status=200)
    query = "/v1/claims?status=pending&programme=A3.erc&limit=1"
    page = api.ok("GET", query, as_="kjj")
    walked = [c["id"] for c in page["claims"]]
    while last not in walked:  # the walk has passed both confirmed proposals, and the middle one's place
        page = api.ok("GET", f"{query}&cursor={page['next_cursor']}", as_="kjj")
        walked += [c["id"] for c in page["claims"]]
    confirmed = api.ok("POST", f"/v1/claims/{middle}/confirm", {}, as_="kjj", status=200)
    while page["next_cursor"] is not None:
        page = api.ok("GET", f"{query}&cursor={page['next_cursor']}", as_="kjj")
        walked += [c["id"] for c in page["claims"]]
    assert walked[-4:] == [first, last, newest, middle], walked
    after = api.ok("GET", f"/v1/claims?status=pending&uscc={confirmed['uscc']}", as_="kjj")
    listed = after["claims"][0]["submitted_at"]
    assert listed == confirmed["submitted_at"] == api.ok("GET", f"/v1/claims/{middle}", as_="kjj")["submitted_at"]
    assert listed > proposed_at


def test_an_award_year_outside_the_policy_term_is_refused_naming_the_years(api: Api, world: World) -> None:
    """A bureau probe: `award_year=2019` (or 2026) answered an empty page with no word, as if nothing waited, where a
    malformed USCC is refused and the queue page names such a year. It is 422 naming `award_year` and the years the
    ledger keeps, in the reader's language; a year of the term still answers."""
    code = world.org()
    world.claim(code, award_year=2023, basis_amount="100000.00")
    for year in (2019, 2026):
        problem = api.refused("GET", f"/v1/claims?award_year={year}", None, "kjj", 422, "invalid_request")
        assert problem["errors"][0]["field"] == "award_year", problem
        assert f"{year} is not a year of the policy term" in problem["detail"] and "2022 to 2025" in problem["detail"]
        zh = api.refused("GET", f"/v1/claims?award_year={year}", None, "kjj", 422, "invalid_request",
                         headers={"Accept-Language": "zh"})
        assert "不在政策期" in zh["detail"] and "2022 至 2025" in zh["detail"], zh
    assert len(api.ok("GET", f"/v1/claims?uscc={code}&award_year=2023", as_="kjj")["claims"]) == 1

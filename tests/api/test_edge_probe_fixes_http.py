"""Smaller findings of black-box probes over HTTP (both stores): one limit for a subject, a code's example from its
own field, the same advice in both languages, and an `as_of` before an organisation was registered."""
from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote

from tests.api.conftest import Api, World


def test_a_subject_has_one_limit_whichever_check_meets_it(api: Api, world: World) -> None:
    """308 characters were told "at most 200", 608 "at most 500"; both are now told 200."""
    org = world.org()
    for length in (300, 600):
        body = {"uscc": org, "programme": "A4.challenge", "award_year": 2023, "effective_on": "2023-06-01",
                "basis_amount": "100000", "subject": "project:" + "x" * length}
        problem = api.refused("POST", "/v1/claims", body, "kjj", 422, "invalid_request")
        assert "200" in problem["detail"] and "500" not in problem["detail"], problem


def test_a_code_with_a_space_is_told_an_example_of_its_own_field(api: Api, world: World) -> None:
    """A tier with a space was told "such as A3.erc", a programme's code."""
    body = {"uscc": world.org(), "programme": "A3.erc", "tier": "municipal ", "effective_on": "2023-06-01",
            "document_ref": "杭科认〔2023〕1号"}
    problem = api.refused("POST", "/v1/certifications", body, "kjj", 422, "invalid_request")
    assert "such as municipal" in problem["detail"] and "A3.erc" not in problem["detail"], problem
    zh = api.refused("POST", "/v1/certifications", body | {"tier": " first"}, "kjj", 422, "invalid_request",
                     headers={"Accept-Language": "zh-CN"})
    assert "例如 municipal" in zh["detail"]


def test_an_upgrade_dated_before_its_certification_says_what_to_send_in_english_too(api: Api, world: World) -> None:
    cert = world.certify(world.org(), effective_on="2023-06-01")
    upgrade = {"tier": "provincial", "effective_on": "2023-05-31", "document_ref": "浙科发〔2023〕2号"}
    problem = api.refused("POST", f"/v1/certifications/{cert}/upgrades", upgrade, "kjj", 422, "invalid_request")
    assert "send a day on or after 2023-06-01" in problem["detail"]


def test_an_upgrade_dated_before_the_rung_it_climbs_from_is_refused(api: Api, world: World) -> None:
    """Municipal from 1 March, provincial from 1 October: national from 1 June was taken, and the tier history read
    national in June, then "upgraded" to provincial in October (a rules probe). An upgrade takes effect on or after
    the rung it climbs from; the same day still climbs, and nothing was written by the refusal."""
    cert = world.certify(world.org(), tier="municipal", effective_on="2023-03-01")
    api.ok("POST", f"/v1/certifications/{cert}/upgrades", {"tier": "provincial", "effective_on": "2023-10-01",
                                                            "document_ref": "浙科发〔2023〕9号"}, as_="kjj")
    before = api.events()
    national = {"tier": "national", "effective_on": "2023-06-01", "document_ref": "国科发〔2023〕6号"}
    problem = api.refused("POST", f"/v1/certifications/{cert}/upgrades", national, "kjj", 422, "invalid_request")
    assert "before the rung it climbs from (provincial, in force from 2023-10-01)" in problem["detail"], problem
    zh = api.refused("POST", f"/v1/certifications/{cert}/upgrades", national, "kjj", 422, "invalid_request",
                     headers={"Accept-Language": "zh-CN"})
    assert "不早于 2023-10-01" in zh["detail"] and api.events() == before
    api.ok("POST", f"/v1/certifications/{cert}/upgrades", national | {"effective_on": "2023-10-01"}, as_="kjj")


def test_as_of_before_an_organisation_was_registered_does_not_advise_registering_it(api: Api, world: World) -> None:
    """The 404 said "register it with POST /v1/organisations first", which a conflict then refused: it now says the
    ledger did not know the organisation then, and what to ask instead."""
    org = world.org()
    problem = api.refused("GET", f"/v1/organisations/{org}/awards?as_of=2024-01-01T00:10:00%2B08:00", None,
                          "auditor", 404, "not_found")
    assert "was not yet in the ledger at 2024-01-01T00:10:00+08:00 (Beijing time)" in problem["detail"]
    # to the microsecond, as as_of takes it (an audit probe asked again at the second shown, and was refused again),
    # with the registration's moment to ask for instead (a regression probe)
    fine = api.refused("GET", f"/v1/organisations/{org}/awards?as_of=2024-01-01T00:10:00.000001%2B08:00", None,
                       "auditor", 404, "not_found", headers={"Accept-Language": "zh-CN"})
    assert "截至 2024-01-01T00:10:00.000001+08:00（北京时间）" in fine["detail"], fine
    registered = api.ok("GET", f"/v1/organisations/{org}/history", as_="auditor")["events"][0]["recorded_at"]
    when = re.search(r"ask for as_of=(\S+) or later", problem["detail"]).group(1)
    assert datetime.fromisoformat(when) == datetime.fromisoformat(registered), (when, registered)
    asked = api.ok("GET", f"/v1/organisations/{org}/awards?as_of={quote(when)}", as_="auditor")
    assert asked["uscc"] == org
    assert "POST /v1/organisations" not in problem["detail"]
    unknown = "91330108MA2CFJ6T5X"
    never = api.refused("GET", f"/v1/organisations/{unknown}/awards?as_of=2024-01-01", None, "auditor", 404,
                        "not_found")
    assert "register it with POST /v1/organisations first" in never["detail"]


def test_a_reconciliation_file_as_of_a_moment_says_which(api: Api, world: World) -> None:
    """A CSV or XLSX of the figures as the ledger knew them at `as_of` names the moment in its file name and in
    the file (Beijing time); a saved file from the past was named as today's (a pages probe)."""
    for fmt in ("csv", "xlsx"):
        answer = api.call("GET", f"/v1/finance/reconciliation.{fmt}?year=2023&as_of=2023-01-01", as_="finance")
        assert answer.status_code == 200, answer.text
        assert 'filename="reconciliation-2023-as-of-20230101-235959.' + fmt in answer.headers["content-disposition"]
    text = api.call("GET", "/v1/finance/reconciliation.csv?year=2023&as_of=2023-01-01", as_="finance").content
    assert "对账截至（北京时间）,,,2023-01-01 23:59:59 UTC+08:00" in text.decode("utf-8-sig")
    now = api.call("GET", "/v1/finance/reconciliation.csv?year=2023", as_="finance")
    assert 'filename="reconciliation-2023.csv"' in now.headers["content-disposition"]
    assert "对账截至" not in now.content.decode("utf-8-sig")

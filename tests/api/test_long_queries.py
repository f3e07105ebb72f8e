"""Long queries (a policy simulation, a reconciliation as of a moment) past `LEDGER_LONG_QUERIES` at once in
a process are refused at once with 503 `busy` and Retry-After, in the reader's language, changing nothing;
the live figures and every other request are answered meanwhile, and a freed slot answers again."""
from __future__ import annotations

from contextlib import ExitStack
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from pydantic import ValidationError

from api.settings import Settings
from tests.sandbox.drafts import in_force

TOML = {"Content-Type": "application/toml"}


def test_a_long_query_past_the_limit_is_refused_at_once_and_changes_nothing(api, world) -> None:
    world.approved(world.org(), "A5.voucher", basis_amount="1000000")
    as_of = f"/v1/finance/reconciliation?year=2023&as_of={quote(datetime.now(UTC).isoformat())}"
    slots = api.client.app.state.long_queries
    assert slots.limit == 2  # the default
    with ExitStack() as held:
        for _ in range(slots.limit):
            held.enter_context(slots.slot())
        problem = api.refused("GET", as_of, None, "finance", 503, "busy")
        assert problem["running"] == 2 and "Retry-After" in problem["detail"]
        response = api.call("GET", as_of, as_="auditor", headers={"Accept-Language": "zh-CN"})
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert "耗时查询" in response.json()["detail"] and response.json()["title"] == "系统繁忙，请重试"
        before = api.events()
        simulation = api.client.post("/v1/simulations", content=in_force().encode(),
                                     headers={**TOML, "Authorization": f"Bearer {api.tokens['auditor']}"})
        assert (simulation.status_code, simulation.json()["code"]) == (503, "busy")
        assert simulation.headers["Retry-After"] and api.events() == before
        # Only the long ones wait: the live reconciliation and commands are answered meanwhile.
        assert api.ok("GET", "/v1/finance/reconciliation?year=2023", as_="finance")["totals"]["claims"] == 1
        world.approved(world.org(), "A5.voucher", basis_amount="1000000")
    answered = api.ok("GET", as_of, as_="finance")
    assert answered["totals"]["claims"] == 1  # as of before the second approval
    assert api.client.post("/v1/simulations", content=in_force().encode(),
                           headers={**TOML, "Authorization": f"Bearer {api.tokens['auditor']}"}).status_code == 200


def test_the_limit_is_a_setting_of_at_least_one(monkeypatch) -> None:
    monkeypatch.setenv("LEDGER_LONG_QUERIES", "5")
    assert Settings().long_queries == 5
    monkeypatch.setenv("LEDGER_LONG_QUERIES", "0")
    with pytest.raises(ValidationError):
        Settings()


def test_verifying_the_chain_is_a_long_query(api, world) -> None:
    """GET /v1/audit/verify reads the whole log: past the limit it is refused at once (503 busy, Retry-After),
    while the digest, a cheap read of the chain's head, is answered meanwhile."""
    world.approved(world.org(), "A5.voucher", basis_amount="1000000")
    slots = api.client.app.state.long_queries
    with ExitStack() as held:
        for _ in range(slots.limit):
            held.enter_context(slots.slot())
        problem = api.refused("GET", "/v1/audit/verify", None, "auditor", 503, "busy")
        assert "chain verifications" in problem["detail"]
        assert api.call("GET", "/v1/audit/verify", as_="auditor").headers["Retry-After"]
        assert api.ok("GET", "/v1/audit/digest", as_="auditor")["position"] > 0
    assert api.ok("GET", "/v1/audit/verify", as_="auditor")["ok"] is True


def test_a_draft_that_will_not_read_waits_for_a_slot_like_one_that_does(api) -> None:
    """Reading a draft costs up to seconds of CPU whether it reads or not: 32 bad drafts of 256 KiB at once were
    all parsed together, and /healthz waited 25 s (a black-box probe). A bad draft now takes a slot to be read,
    so past the limit it is `busy` at once; with a slot free it is refused `invalid_catalogue` as before. The
    same on the sandbox page."""
    bad = in_force() + "\n[broken\n"
    headers = {**TOML, "Authorization": f"Bearer {api.tokens['auditor']}"}
    slots = api.client.app.state.long_queries
    with ExitStack() as held:
        for _ in range(slots.limit):
            held.enter_context(slots.slot())
        refused = api.client.post("/v1/simulations", content=bad.encode(), headers=headers)
        assert (refused.status_code, refused.json()["code"]) == (503, "busy"), refused.text
    refused = api.client.post("/v1/simulations", content=bad.encode(), headers=headers)
    assert (refused.status_code, refused.json()["code"]) == (422, "invalid_catalogue"), refused.text


def test_a_draft_saved_with_a_byte_order_mark_is_read(api) -> None:
    """Editors on Windows save UTF-8 with a byte-order mark, unseen: it was 'not valid TOML at line 1, column 1'."""
    response = api.client.post("/v1/simulations", content=b"\xef\xbb\xbf" + in_force().encode(),
                               headers={**TOML, "Authorization": f"Bearer {api.tokens['auditor']}"})
    assert response.status_code == 200, response.text

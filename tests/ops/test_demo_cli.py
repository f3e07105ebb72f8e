"""`award-ledger demo` on each store: a populated ledger the API answers about at once, equal to a replay."""
from __future__ import annotations

from decimal import Decimal

import pytest

from api.cli import main
from ledger.application import AwardLedger
from ledger.demo import generate
from ledger.store import store_env
from projections.runner import check

SIZE = {"organisations": 30, "bodies": 4, "seed": 11}
ARGS = ["demo", "--organisations", "30", "--bodies", "4", "--seed", "11"]


def _claims_replayed(url: str) -> list[dict]:
    """Every demo claim as its aggregate replays from the events (the demo again, all replays, gives the ids)."""
    ledger = AwardLedger(store_env(url))
    try:
        before = ledger.recorder.max_notification_id()
        summary = generate(ledger, **SIZE)
        assert summary.events_written == 0 and ledger.recorder.max_notification_id() == before
        claims = [ledger.claim(cid, with_history=False) for cid in summary.claim_ids]
        return [c | ({"recovery": ledger.recovery(c["recovery_id"])} if c["recovery_id"] else {}) for c in claims]
    finally:
        ledger.close()


@pytest.fixture
def demo_loaded(database_url: str, settings, monkeypatch: pytest.MonkeyPatch,
                capsys: pytest.CaptureFixture[str]) -> str:
    """The store after `award-ledger demo`, signed with the key the API will use; what it printed on stderr."""
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    monkeypatch.setenv("LEDGER_SIGNING_KEY_FILE", str(settings.signing_key_file))
    assert main(ARGS) == 0
    return capsys.readouterr().err


def test_demo_prints_stages_with_rates_and_a_summary(demo_loaded: str) -> None:
    """stderr shows a bar per stage with a rate, the summary lines, and that the read models are caught up."""
    for stage in ("organisations", "claims", "payouts"):
        assert f"demo {stage}" in demo_loaded
    assert "/s" in demo_loaded and "30 organisations" in demo_loaded and "refusals:" in demo_loaded
    assert "read models up to date" in demo_loaded


def test_the_api_answers_about_the_demo_at_once_with_totals_equal_to_a_replay(demo_loaded: str, database_url: str,
                                                                               api) -> None:
    """Read models equal a replay, and each organisation's award totals over HTTP equal the sums of its claims:
    approved and paid on standing awards, and what its revoked awards left recovered and still to recover."""
    assert check(database_url) == []
    claims = _claims_replayed(database_url)
    fields = ("approved", "paid", "recovered", "to_recover")
    expected: dict[str, dict[str, Decimal]] = {}
    for claim in claims:
        sums = expected.setdefault(claim["uscc"], dict.fromkeys(fields, Decimal(0)))
        if claim["status"] in ("approved", "pending"):
            sums["approved"] += Decimal(claim["approved_amount"] or 0)
            sums["paid"] += Decimal(claim["paid_amount"] or 0)
        if claim["status"] == "revoked":
            sums["recovered"] += Decimal(claim["recovery"]["recovered"])
            sums["to_recover"] += Decimal(claim["recovery"]["outstanding"])
    assert all(sum(s[f] for s in expected.values()) > 0 for f in fields)
    for uscc, sums in expected.items():
        state = api.ok("GET", f"/v1/organisations/{uscc}/awards", as_="auditor")
        answered = {field: Decimal(state["totals"][field]) + Decimal(state["investments"]["totals"].get(field, 0))
                    for field in fields}
        assert answered == sums, uscc
    listed = api.ok("GET", "/v1/recoveries", as_="finance")["recoveries"]
    assert sorted(r["claim_id"] for r in listed) == sorted(c["id"] for c in claims if c.get("recovery"))
    ready = api.ok("GET", "/readyz", as_=None)
    assert ready["projection_lag"] == 0 and ready["events_recorded"] > len(claims)


def test_running_the_demo_again_writes_nothing(demo_loaded: str, database_url: str, capsys) -> None:
    """A second `award-ledger demo` with the same options replays every command and records no event."""
    ledger = AwardLedger(store_env(database_url))
    before = ledger.recorder.max_notification_id()
    ledger.close()
    assert main(ARGS) == 0
    assert "events written: 0" in capsys.readouterr().err
    ledger = AwardLedger(store_env(database_url))
    assert ledger.recorder.max_notification_id() == before
    ledger.close()


def test_offer_without_a_terminal_prints_a_hint_and_loads_nothing(database_url: str, monkeypatch, capsys):
    """`demo --offer` with no terminal prints a one-line hint on an empty store and writes nothing."""
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    assert main(["demo", "--offer"]) == 0
    assert "`award-ledger demo` loads a demonstration district" in capsys.readouterr().err
    ledger = AwardLedger(store_env(database_url))
    assert (ledger.recorder.max_notification_id() or 0) == 0
    ledger.close()

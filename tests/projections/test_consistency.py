"""Projected read models equal a fresh replay of the log and the totals worked out by hand."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ledger.application import AwardLedger
from projections import Projector, ReadModels, check
from tests.projections.tables import event_count, query
from tests.projections.workload import (
    EXPECTED_INVESTMENTS_M2,
    EXPECTED_SHARED_CAP,
    EXPECTED_TOTALS,
    mixed_workload,
)


def _without_cut(state: dict) -> dict:
    return {k: v for k, v in state.items() if k not in ("as_of", "position", "folded")}


def test_projections_equal_a_fresh_replay_and_the_hand_worked_totals(database_url: str, ledger: AwardLedger,
                                                                       read_models: ReadModels, projector: Projector):
    """After a mixed workload projected live, check() finds no difference and every total is the hand-worked one."""
    d = mixed_workload(ledger)
    assert read_models.wait(d.last_position, timeout=10)
    assert read_models.wait(ledger.recorder.max_notification_id(), timeout=10)

    assert check(database_url) == []
    for who, uscc in (("lead", d.lead), ("member1", d.member1), ("member2", d.member2)):
        state = read_models.award_state(uscc)
        assert state["totals"] == EXPECTED_TOTALS[who], who
        # The consortium's cap (member two also leads an alliance, whose cap counts its standards award from the
        # alliance's recognition on: Claim.CountedOn).
        shared = next(c for c in state["caps"] if c["scope"] == "organisation_year" and d.body in c["account"])
        assert {k: shared[k] for k in EXPECTED_SHARED_CAP} == EXPECTED_SHARED_CAP
        # Live and as-of go through the same fold: "as of later than everything" is the live state.
        later = read_models.award_state(uscc, as_of=datetime.now(UTC) + timedelta(days=1))
        assert _without_cut(later) == _without_cut(state)
    assert read_models.award_state(d.member2)["investments"]["totals"] == EXPECTED_INVESTMENTS_M2


def test_reconciliation_totals_per_programme_and_bureau(ledger: AwardLedger, read_models: ReadModels,
                                                         projector: Projector):
    """Reconciliation sums approvals, net payouts and reversals per programme and bureau, and flags a low fund."""
    d = mixed_workload(ledger)
    assert read_models.wait(d.last_position, timeout=10)

    y2023 = read_models.reconciliation(2023)
    rows = {(r["programme"], r["bureau"]): r for r in y2023["rows"]}
    assert rows[("A3.erc", "kjj")] | {} == {"programme": "A3.erc", "bureau": "kjj", "kind": "award",
                                           "approved": "1000000.00", "paid": "200000.00", "reversed": "0.00",
                                           "outstanding": "800000.00", "claims": 2, "recovered": "0.00",
                                           "to_recover": "0.00", "written_off": "0.00"}
    assert rows[("A5.voucher", "kjj")]["reversed"] == "400000.00"
    assert rows[("A5.voucher", "kjj")]["paid"] == "100000.00"
    assert y2023["totals"] == {"approved": "1400000.00", "paid": "300000.00", "reversed": "400000.00",
                               "outstanding": "1100000.00", "claims": 3, "recovered": "0.00",
                               "to_recover": "0.00", "written_off": "0.00"}
    assert y2023["appropriation"] == {"appropriated": "300000000.00", "approved": "1400000.00",
                                      "headroom": "298600000.00", "floor": "300000000.00", "below_floor": False}
    y2024 = read_models.reconciliation(2024)
    assert y2024["totals"]["approved"] == "700000.00"
    assert y2024["investments"]["approved"] == "5000000.00"  # Art. 13 money is not charged to the fund
    assert y2024["appropriation"]["approved"] == "700000.00"
    assert read_models.reconciliation(2025)["appropriation"]["below_floor"] is True


def test_history_lists_every_event_about_the_organisation_oldest_first(ledger: AwardLedger,
                                                                         read_models: ReadModels,
                                                                         projector: Projector):
    """History names each event about the organisation with who caused it, when and its effective date."""
    d = mixed_workload(ledger)
    assert read_models.wait(d.last_position, timeout=10)

    history = read_models.history(d.member1)
    assert [h["position"] for h in history] == sorted(h["position"] for h in history)
    events = [h["event"] for h in history]
    assert events[:3] == ["Organisation.Registered", "InnovationBody.MemberAdded", "Organisation.Joined"]
    assert events.count("Claim.Submitted") == 2 and "Claim.Rejected" in events
    assert events.count("Payout.Recorded") == 2 and events.count("Payout.Reversed") == 1
    reversal = next(h for h in history if h["event"] == "Payout.Reversed")
    assert reversal["by"] == "finance-1"
    assert reversal["aggregate_id"] == d.payouts["voucher_m1_reversed"]
    assert reversal["summary"] == {"reason": "returned by the bank", "document_ref": None}
    payout = next(h for h in history if h["event"] == "Payout.Recorded")
    assert payout["effective_on"] == "2023-05-01"
    assert datetime.fromisoformat(payout["recorded_at"]).utcoffset() == timedelta(0)
    assert read_models.history("91330108MA0000000X") == []


def test_check_names_each_difference(database_url: str, ledger: AwardLedger, read_models: ReadModels,
                                     projector: Projector):
    """A read model changed behind the projector's back is named by check(), row and field."""
    d = mixed_workload(ledger)
    assert read_models.wait(d.last_position, timeout=10)
    projector.stop()
    account = next(c["account"] for c in read_models.award_state(d.lead)["caps"] if c["scope"] == "enterprise_year")
    query(database_url, "UPDATE rm_caps SET data = REPLACE(data, '\"used\":\"300000.00\"', '\"used\":\"1.00\"')"
                        " WHERE id = %s", (account,))
    victim = read_models.history(d.member2)[-1]["position"]
    query(database_url, "DELETE FROM rm_history WHERE position = %s", (victim,))

    differences = check(database_url)

    assert f"rm_caps[{account}].used: stored '1.00', replayed '300000.00'" in differences
    assert any(line.startswith(f"rm_history[{victim}]: missing") for line in differences)
    assert len(differences) == 2


def test_two_projectors_on_one_store_apply_each_event_once(database_url: str, ledger: AwardLedger,
                                                            read_models: ReadModels, projector: Projector):
    """A second projector racing the first (serve and project at once) never applies an event twice."""
    second = Projector(database_url, poll_interval=0.01)
    second.start()
    try:
        d = mixed_workload(ledger)
        assert read_models.wait(d.last_position, timeout=10)
    finally:
        second.stop()
    assert check(database_url) == []  # includes: events applied since the reset == events in the log
    assert read_models.position() == ledger.recorder.max_notification_id()
    assert read_models.lag() == 0
    applied = query(database_url, "SELECT value FROM rm_meta WHERE key = 'applied'")[0][0]
    assert int(applied) == event_count(database_url)

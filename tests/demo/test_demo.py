"""The demo district: every money programme, deterministic, replayable, its totals the ledger's own."""
from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal

from ledger import catalogue
from ledger.application import AwardLedger
from ledger.catalogue import Kind
from ledger.demo import DemoSummary, generate, summary_lines
from ledger.store import store_env

SMALL = {"organisations": 40, "bodies": 6}


def _demo(url: str, **options) -> tuple[DemoSummary, list[dict]]:
    """Run the demo on the store at `url` and read back every claim it recorded (a revoked one with its recovery)."""
    ledger = AwardLedger(store_env(url))
    try:
        summary = generate(ledger, **{**SMALL, **options})
        claims = [ledger.claim(cid, with_history=False) for cid in summary.claim_ids]
        return summary, [c | ({"recovery": ledger.recovery(c["recovery_id"])} if c["recovery_id"] else {})
                         for c in claims]
    finally:
        ledger.close()


def _facts(summary: DemoSummary) -> dict:
    """What must not change from run to run: everything but the clock and the ledger's random claim ids."""
    facts = asdict(summary)
    del facts["elapsed"], facts["claim_ids"], facts["proposal_ids"]
    return facts


def test_small_district_has_an_approved_claim_under_every_money_programme(database_url: str) -> None:
    """A 40-organisation district approves at least one claim under each programme of the catalogue that pays."""
    summary, claims = _demo(database_url)
    paying = {p.code for p in catalogue.current().programmes.values() if p.kind is not Kind.DESIGNATION}
    assert set(summary.approved_by_programme) == paying
    assert {c["programme"] for c in claims if c["status"] in ("approved", "revoked")} == paying
    assert summary.events_written > 0


def test_every_command_kind_runs_and_refusals_are_counted_not_raised(database_url: str) -> None:
    """All organisations and bodies register, every kind of command is accepted, and refusals carry their codes."""
    summary, claims = _demo(database_url)
    assert summary.commands["register_organisation"] == SMALL["organisations"]
    assert summary.commands["register_body"] == SMALL["bodies"]
    for command in ("add_member", "record_appropriation", "record_certification", "submit_claim", "approve_claim",
                    "reject_claim", "record_payout", "reverse_payout", "withdraw_claim", "revoke_claim",
                    "record_repayment"):
        assert summary.commands[command] > 0, command
    assert {c["status"] for c in claims} >= {"approved", "rejected", "withdrawn", "revoked"}
    assert "invalid_uscc" not in summary.refusals
    assert all(code.islower() and n > 0 for code, n in summary.refusals.items())


def test_totals_equal_the_sums_over_the_claims_read_back(database_url: str) -> None:
    """Approved awards, approved investments, net payouts on standing awards and the recoveries of revoked ones
    in the summary are the ledger's own sums; what left the fund is all accounted for."""
    summary, claims = _demo(database_url)
    investments = {p.code for p in catalogue.current().programmes.values() if p.kind is Kind.INVESTMENT}
    standing = [c for c in claims if c["status"] != "revoked"]
    revoked = [c for c in claims if c["status"] == "revoked"]

    def total(rows: list[dict], field: str, investment: bool | None = None) -> Decimal:
        return sum((Decimal(c[field] or 0) for c in rows
                    if investment is None or (c["programme"] in investments) == investment), Decimal("0.00"))

    assert summary.approved == total(standing, "approved_amount", investment=False)
    assert summary.invested == total(standing, "approved_amount", investment=True)
    assert summary.paid == total(standing, "paid_amount", investment=False)  # awards and investments apart
    assert summary.paid_invested == total(standing, "paid_amount", investment=True) > 0
    assert summary.paid <= summary.approved
    recoveries = [c["recovery"] for c in revoked]
    assert summary.recovered == total(recoveries, "recovered") > 0
    assert summary.to_recover == total(recoveries, "outstanding") > 0
    # One revoked award was paid in part: its unpaid part went back to the fund.
    assert summary.released == sum((Decimal(c["released_amount"]) for c in revoked), Decimal("0.00")) > 0
    assert total(revoked, "paid_amount") == summary.recovered + summary.to_recover
    assert (summary.withdrawn, summary.revoked) == (3, 2) == (sum(c["status"] == "withdrawn" for c in claims),
                                                           len(revoked))
    assert summary.reversed > 0
    assert len(claims) == summary.commands["submit_claim"] + summary.commands["confirm_claim"]


def test_same_seed_on_two_fresh_stores_gives_the_same_district(database_url: str, other_database_url: str) -> None:
    """Two empty stores given the same seed end with identical counts, refusals and totals."""
    first, _ = _demo(database_url, seed=7)
    second, _ = _demo(other_database_url, seed=7)
    assert _facts(first) == _facts(second)


def test_rerunning_on_the_same_store_replays_and_writes_nothing(database_url: str) -> None:
    """A second run with the same seed on the same store replays every command and writes no event."""
    first, _ = _demo(database_url)
    second, _ = _demo(database_url)
    assert first.events_written > 0
    assert second.events_written == 0
    assert second.replayed == sum(second.commands.values())
    money = ("approved", "invested", "paid", "reversed", "withdrawn", "revoked", "released", "recovered", "to_recover")
    assert [getattr(second, k) for k in money] == [getattr(first, k) for k in money]
    assert second.commands == first.commands and second.refusals == first.refusals


def test_progress_reports_each_stage_from_start_to_finish(database_url: str) -> None:
    """Every stage is announced at 0 and reaches its total, in order, with no count going backwards."""
    calls: list[tuple[str, int, int]] = []
    _demo(database_url, progress=lambda stage, done, total: calls.append((stage, done, total)))
    stages = list(dict.fromkeys(stage for stage, _, _ in calls))
    assert stages[0] == "appropriations" and "claims" in stages and stages[-1] == "corrections"
    for stage in stages:
        mine = [(done, total) for s, done, total in calls if s == stage]
        assert mine[0][0] == 0 and mine[-1][0] == mine[-1][1]
        assert [d for d, _ in mine] == sorted(d for d, _ in mine)


def test_an_official_list_records_honours_whose_proposals_are_confirmed_or_left_open(database_url: str) -> None:
    """The 专精特新 list is imported once; its proposals are confirmed (then decided) or still proposed."""
    summary, claims = _demo(database_url, organisations=60)
    assert summary.commands["import_certifications"] == 1 and summary.listed >= 2
    ledger = AwardLedger(store_env(database_url))
    try:
        statuses = [ledger.claim(pid, with_history=False)["status"] for pid in summary.proposal_ids]
    finally:
        ledger.close()
    confirmed = summary.commands["confirm_claim"]
    assert confirmed >= 1 and statuses.count("proposed") == summary.proposed - confirmed >= 1
    taken = {pid for pid, s in zip(summary.proposal_ids, statuses, strict=True) if s != "proposed"}
    assert {c["id"] for c in claims} >= taken


def test_summary_lines_name_the_refusals_and_the_totals() -> None:
    """The CLI's lines give the district's size, each refusal code with its count and the money totals."""
    summary = DemoSummary(seed=1, organisations=3, bodies=1, approved=Decimal("1234567.80"), events_written=10,
                          elapsed=2.0)
    summary.refusals["fund_exhausted"] = 2
    text = "\n".join(summary_lines(summary))
    assert "3 organisations" in text and "fund_exhausted 2" in text and "1,234,567.80" in text
    assert "0 withdrawn, 0 revoked" in text and "still to recover" in text
    assert "5 events/s" in text

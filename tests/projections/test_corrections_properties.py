"""Properties of corrections on both stores: whatever claims, approvals, payouts, reversals, withdrawals,
revocations, repayments and write-offs (some of each reversed) happen, money paid is accounted
for (standing, recovered, written off or still to recover), what is paid on standing awards never exceeds what
stands approved, a replay of the log reproduces every read model, and a reconciliation as of any moment is the
same whether folded from the year's indexed events or from the whole log."""
from __future__ import annotations

import contextlib
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ledger.application import AwardLedger
from ledger.domain.errors import LedgerError
from projections import Projector, ReadModels, check
from projections.ledger_as_of import reconciliation_as_of
from projections.rebuild import decode, pages
from tests.store.conftest import ADMIN, FINANCE, KJJ
from tests.support import unique_id, unique_uscc

YEARS = (2023, 2024)
VERBS = ("approve", "reject", "pay", "reverse", "withdraw", "revoke", "repay", "write_off", "unrepay", "unwrite_off")
# Each step names a claim and how to move it: "next" takes it along its usual path (approve, pay, repay),
# "correct" corrects it (withdraw, revoke, write off), "undo" turns back (reject, reverse), and a bare verb
# is sent whatever the claim's state, so refusals are part of the sequences too.
HOW = ("next",) * 6 + ("correct",) * 3 + ("undo",) * 2 + VERBS
STEP = st.tuples(st.sampled_from((0, 0, 0, 1, 2)), st.sampled_from(HOW), st.integers(1, 100))
SUBMIT = st.tuples(st.just("submit"), st.sampled_from(YEARS), st.integers(1, 40).map(lambda n: Decimal(n * 50_000)))
# Three claims first (some beyond the yearly cap), then the steps that move them.
OPS = st.tuples(st.lists(SUBMIT, min_size=3, max_size=3), st.lists(STEP, min_size=6, max_size=24)).map(
    lambda parts: [*parts[0], *parts[1]])
ZERO = Decimal("0.00")
PATHS = {"pending": {"next": "approve", "correct": "withdraw", "undo": "reject"},
         "approved": {"next": "pay", "correct": "revoke", "undo": "reverse"},
         "revoked": {"next": "repay", "correct": "write_off", "undo": "unrepay"}}


def _apply(app: AwardLedger, org: str, claims: list[str], op: tuple, paid: dict[int, Decimal]) -> str:
    """One command (a refusal writes nothing); returns the verb sent. `paid` tallies net payouts by year."""
    if op[0] == "submit":
        claims.append(app.submit_claim(KJJ, uscc=org, programme="A5.voucher", award_year=op[1],
                                       effective_on=date(op[1], 6, 1), basis_amount=op[2]).view["id"])
        return "submit"
    n, verb, share = op
    if n >= len(claims):
        return "none"
    cid = claims[n]
    claim = app.repository.get(UUID(cid))
    verb = PATHS.get(claim.status, {}).get(verb, verb)
    if verb == "approve":
        app.approve_claim(KJJ, claim_id=cid)
    elif verb == "reject":
        app.reject_claim(KJJ, claim_id=cid, reason="材料不全")
    elif verb == "pay":
        amount = max(Decimal("0.01"), (claim.outstanding_amount * share / 100).quantize(Decimal("0.01")))
        app.record_payout(FINANCE, claim_id=cid, amount=amount, paid_on=date(claim.award_year, 7, 1),
                          bank_ref=f"P-{cid[:8]}-{len(claim.payouts)}")
        paid[claim.award_year] += amount
    elif verb == "reverse" and claim.payouts:
        payout_id = sorted(claim.payouts)[0]
        app.reverse_payout(FINANCE, payout_id=payout_id, reason="退回")
        paid[claim.award_year] -= app.repository.get(UUID(payout_id)).amount
    elif verb == "withdraw":
        app.withdraw_claim(KJJ, claim_id=cid, reason="撤回")
    elif verb == "revoke":
        app.revoke_claim(KJJ, claim_id=cid, reason="不实", document_ref="REV-1")
    elif verb == "repay" and claim.recovery_id:
        outstanding = Decimal(app.recovery(claim.recovery_id)["outstanding"])
        amount = max(Decimal("0.01"), (outstanding * share / 100).quantize(Decimal("0.01")))
        app.record_repayment(FINANCE, recovery_id=claim.recovery_id, amount=amount, received_on=date(2025, 1, 2),
                             bank_ref=f"R-{cid[:8]}")
    elif verb == "unrepay" and claim.recovery_id:  # the last standing repayment, booked in error
        standing = [p for p in app.recovery(claim.recovery_id)["repayments"] if not p["reversed"]]
        if standing:
            app.reverse_repayment(FINANCE, recovery_id=claim.recovery_id, amount=Decimal(standing[-1]["amount"]),
                                  received_on=date.fromisoformat(standing[-1]["received_on"]),
                                  bank_ref=standing[-1]["bank_ref"], reason="误记", document_ref="C-1")
    elif verb == "unwrite_off" and claim.recovery_id:
        app.reverse_write_off(FINANCE, recovery_id=claim.recovery_id, reason="法院执行收回", document_ref="E-1")
    elif verb == "write_off" and claim.recovery_id:
        app.write_off_recovery(FINANCE, recovery_id=claim.recovery_id, reason="无法追回", document_ref="W-1")
    return verb


def _claim_balances(app: AwardLedger, cid: str) -> None:
    """Per claim: paid − reversed = paid on the standing award + recovered + written off + to recover."""
    claim = app.repository.get(UUID(cid))
    payouts = [e for e in app.events.get(claim.id) if type(e).__name__ == "PayoutRecorded"]
    gross = sum((e.amount for e in payouts), ZERO)
    reversed_ = sum((app.repository.get(UUID(e.payout_id)).amount for e in payouts
                     if app.repository.get(UUID(e.payout_id)).reversed), ZERO)
    if claim.status == "revoked":
        if gross - reversed_ == 0:
            assert claim.recovery_id is None
            return
        r = app.recovery(claim.recovery_id)
        assert Decimal(r["amount"]) == gross - reversed_
        assert Decimal(r["recovered"]) + Decimal(r["written_off"]) + Decimal(r["outstanding"]) == gross - reversed_
        assert Decimal(r["outstanding"]) >= 0
    else:
        assert claim.paid_amount == gross - reversed_
        assert claim.paid_amount <= (claim.approved_amount or ZERO)


def _sum(row: dict, *fields: str) -> Decimal:
    return sum((Decimal(row[f]) for f in fields), ZERO)


def test_money_is_accounted_for_and_replay_reproduces_the_read_models(database_url: str, ledger: AwardLedger,
                                                                       read_models: ReadModels, projector: Projector):
    """Any sequence of commands keeps every balance identity, by claim, organisation and fund year."""
    paid: dict[int, Decimal] = defaultdict(lambda: ZERO)  # across examples: the reconciliation spans them all
    done: dict[str, int] = defaultdict(int)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(ops=OPS)
    @example(ops=[("submit", 2023, Decimal(600_000)), ("submit", 2023, Decimal(900_000)),
                  ("submit", 2024, Decimal(300_000)), (0, "next", 1), (0, "next", 40), (0, "next", 50),
                  (0, "undo", 1), (0, "correct", 1), (0, "next", 30), (0, "correct", 1), (1, "correct", 1),
                  (2, "next", 1), (2, "next", 100), (2, "correct", 1), (2, "repay", 100), (1, "next", 1)])
    # A repayment in full reversed, one in part, the rest written off, the write-off reversed, money repaid, and
    # that reversed too.
    @example(ops=[("submit", 2023, Decimal(600_000)), ("submit", 2024, Decimal(200_000)),
                  ("submit", 2024, Decimal(100_000)), (0, "next", 1), (0, "next", 50), (0, "correct", 1),
                  (0, "next", 100), (0, "undo", 1), (0, "next", 30), (0, "correct", 1), (0, "unwrite_off", 1),
                  (0, "repay", 40), (0, "undo", 1), (0, "undo", 1), (1, "next", 1)])
    def run(ops: list[tuple]) -> None:
        org = unique_uscc()
        ledger.register_organisation(ADMIN, uscc=org, name=f"杭州性质测试有限公司 {org[-6:]}", in_district=True)
        ledger.register_body(ADMIN, body_id=unique_id("body-"), name="滨江创新联合体", kind="consortium", lead_uscc=org,
                             recognised_on=date(2022, 10, 1))
        claims: list[str] = []
        mine: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for op in ops:
            before, verb = ledger.recorder.max_notification_id(), "refused"
            try:
                verb = _apply(ledger, org, claims, op, mine)
            except LedgerError as err:
                done[err.code] += 1
            done[verb] += ledger.recorder.max_notification_id() != before
        for year, amount in mine.items():
            paid[year] += amount
        for cid in claims:
            _claim_balances(ledger, cid)
        assert read_models.wait(ledger.recorder.max_notification_id(), timeout=20)
        totals = read_models.award_state(org)["totals"]
        assert _sum(totals, "paid", "recovered", "written_off", "to_recover") == sum(mine.values(), ZERO)
        assert Decimal(totals["paid"]) <= Decimal(totals["approved"])
        for year in YEARS:
            recon = read_models.reconciliation(year)
            assert _sum(recon["totals"], "paid", "recovered", "written_off", "to_recover") == paid[year]
            for row in recon["rows"]:
                assert Decimal(row["paid"]) <= Decimal(row["approved"])
        assert check(database_url) == []

    for year in YEARS:
        ledger.record_appropriation(FINANCE, year=year, amount="900000000", document_ref=f"B-{year}")
    run()
    # The sequences reached what the property is about: revocations of paid awards, repayments, write-offs.
    missing = [k for k in ("revoke", "repay", "write_off", "withdraw", "reverse", "unrepay", "unwrite_off")
               if not done[k]]
    assert not missing, missing


def test_a_reconciliation_as_of_any_moment_folds_what_the_whole_log_does(ledger: AwardLedger,
                                                                         read_models: ReadModels,
                                                                         projector: Projector):
    """A year's reconciliation as of a moment, folded from the as-of index (the year's claims and recoveries)
    and the fund year, equals the whole log folded up to that moment: at an event's own instant and just
    before it, for every year, whatever the corrections."""
    for year in YEARS:
        ledger.record_appropriation(FINANCE, year=year, amount="900000000", document_ref=f"B-{year}")

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(ops=OPS, data=st.data())
    def run(ops: list[tuple], data: st.DataObject) -> None:
        org, start, claims = unique_uscc(), ledger.recorder.max_notification_id(), []
        ledger.register_organisation(ADMIN, uscc=org, name=f"杭州对账测试有限公司 {org[-6:]}", in_district=True)
        ledger.register_body(ADMIN, body_id=unique_id("body-"), name="滨江创新联合体", kind="consortium", lead_uscc=org,
                             recognised_on=date(2022, 10, 1))
        for op in ops:
            with contextlib.suppress(LedgerError):
                _apply(ledger, org, claims, op, defaultdict(lambda: ZERO))
        head = ledger.recorder.max_notification_id()
        assert read_models.wait(head, timeout=20)
        moments = sorted({datetime.fromisoformat(row.recorded_at) for page in pages(ledger, start, upto=head)
                          for row in decode(ledger, page)})
        for moment in data.draw(st.lists(st.sampled_from(moments), min_size=1, max_size=3, unique=True)):
            for at in (moment, moment - timedelta(microseconds=1)):
                for year in YEARS:
                    assert read_models.finance_history(year, at) is not None  # the index, not the whole log
                    indexed = reconciliation_as_of(ledger, year, at, read_models=read_models)
                    whole = reconciliation_as_of(ledger, year, at)
                    assert _figures(indexed) == _figures(whole)

    run()


def _figures(reconciliation: dict) -> dict:
    """A reconciliation's figures, without how many events were folded to reach them."""
    return {k: v for k, v in reconciliation.items() if k not in ("events_replayed", "position")}

"""A receipt's summary (`claim_id`, `status`, `claim`) is what its verified events make, on both stores.

The summary is what an outsider reads, and a signature only says who issued it: re-signing an altered summary
with the ledger's own key must not make it valid. Every legitimately issued receipt, in every state a claim
can reach, verifies, and its summary equals the one derived from its events; a summary altered and signed
again is refused (exit 1), naming the field."""
from __future__ import annotations

import contextlib
import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ledger.audit import receipts
from ledger.audit.chain import AuditChain
from ledger.audit.notary import Notary
from ledger.audit.signing import Signer
from ledger.domain.claim import Claim
from ledger.domain.errors import LedgerError
from tests.store.conftest import FINANCE, KJJ, World


@pytest.fixture
def notary(database_url: str, world: World, tmp_path: Path) -> Notary:
    signer, _ = Signer.load_or_create(tmp_path / "keys" / "signing-key.pem")
    return Notary(AuditChain.open(database_url), signer)


def _verified(world: World, notary: Notary, claim_id: str) -> dict[str, Any]:
    """The issued receipt of the claim, checked: valid, and its summary is exactly the derived one and the
    ledger's own view of the claim."""
    receipt = receipts.for_claim(world.ledger, notary, claim_id)
    stored = json.loads(json.dumps(receipt, ensure_ascii=False))  # as the outsider's file holds it
    assert receipts.check(stored, notary.signer.public_pem) == [], receipt["status"]
    own = [e for e in stored["events"] if UUID(e["aggregate_id"]) == UUID(claim_id)]
    derived = receipts.derive_claim(UUID(claim_id), own)
    assert derived == stored["claim"]
    assert derived == json.loads(json.dumps(world.ledger.claim(claim_id, with_history=False)))
    assert (stored["claim_id"], stored["status"]) == (derived["id"], derived["status"])
    return stored


def _resigned(receipt: dict[str, Any], signer: Signer, change) -> dict[str, Any]:
    """The receipt with `change` made to a copy, then signed again, whole, with the ledger's own key."""
    altered = copy.deepcopy(receipt)
    change(altered)
    return signer.sign({k: v for k, v in altered.items() if k != "signature"})


def _erc(world: World, tier: str = "municipal") -> tuple[str, dict]:
    """An A3.erc recognition, which proposes its fixed award (免申即享)."""
    org = world.org(member=False)
    body = world.body(lead=org, kind="erc", on=date(2022, 9, 6))
    cert = world.ledger.record_certification(KJJ, uscc=org, programme="A3.erc", tier=tier,
                                             effective_on=date(2023, 3, 1), document_ref="杭发改高技〔2023〕15号",
                                             body_id=body).view
    return org, cert


def _pay(world: World, claim_id: str, amount: str, n: int = 0) -> dict:
    return world.ledger.record_payout(FINANCE, claim_id=claim_id, amount=amount, paid_on=date(2023, 9, 1),
                                      bank_ref=f"B-{claim_id[:8]}-{n}").view


def _every_state(world: World) -> dict[str, str]:
    """A claim in each state the ledger gives one, each by its own commands."""
    ledger, claims = world.ledger, {}
    for year in (2024, 2025):
        world.appropriate(year)
    org = world.org()
    claims["pending"] = world.claim(org, "A5.voucher", basis_amount="100000")["id"]
    claims["approved for less"] = ledger.approve_claim(
        KJJ, claim_id=world.claim(world.org(), "A5.voucher", basis_amount="1000000")["id"], amount="250000",
        note="预算调整").view["id"]
    partly = world.approved(world.org(), "A5.voucher", basis_amount="1000000")["id"]
    _pay(world, partly, "100000")
    claims["partly paid"] = partly
    full = world.approved(world.org(), "A5.voucher", basis_amount="500000")["id"]
    _pay(world, full, "150000")
    claims["fully paid"] = full
    reversed_ = world.approved(world.org(), "A5.voucher", basis_amount="1000000")["id"]
    _pay(world, reversed_, "100000", 0)
    second = _pay(world, reversed_, "50000", 1)
    ledger.reverse_payout(FINANCE, payout_id=second["id"], reason="wrong account")
    claims["paid then reversed"] = reversed_
    rejected = world.claim(world.org(), "A5.voucher", basis_amount="100000")["id"]
    ledger.reject_claim(KJJ, claim_id=rejected, reason="documents incomplete")
    claims["rejected"] = rejected
    withdrawn = world.claim(world.org(), "A5.voucher", basis_amount="100000")["id"]
    ledger.withdraw_claim(KJJ, claim_id=withdrawn, reason="撤回")
    claims["withdrawn"] = withdrawn
    revoked = world.approved(world.org(), "A5.voucher", basis_amount="1000000")["id"]
    _pay(world, revoked, "120000")
    ledger.revoke_claim(KJJ, claim_id=revoked, reason="figures found false", document_ref="区科技局〔2025〕9号")
    claims["revoked with recovery"] = revoked
    unpaid = world.approved(world.org(), "A5.voucher", basis_amount="1000000")["id"]
    ledger.revoke_claim(KJJ, claim_id=unpaid, reason="figures found false", document_ref="区科技局〔2025〕10号")
    claims["revoked unpaid"] = unpaid
    _, cert = _erc(world)
    claims["proposed"] = cert["proposed_claims"][0]
    _, cert = _erc(world)
    [confirmed] = cert["proposed_claims"]
    ledger.confirm_claim(KJJ, claim_id=confirmed)
    claims["proposed then confirmed"] = confirmed
    _, cert = _erc(world)
    [paid_proposal] = cert["proposed_claims"]
    ledger.confirm_claim(KJJ, claim_id=paid_proposal)
    ledger.approve_claim(KJJ, claim_id=paid_proposal)
    _pay(world, paid_proposal, "200000")
    claims["proposed, confirmed, approved, paid"] = paid_proposal
    org, cert = _erc(world)
    [replaced] = cert["proposed_claims"]
    world.claim(org, "A3.erc", certification_id=cert["id"], effective_on=date(2023, 3, 1))
    claims["proposal replaced by a claim"] = replaced
    _, cert = _erc(world)
    [dismissed] = cert["proposed_claims"]
    ledger.withdraw_claim(KJJ, claim_id=dismissed, reason="不申请")
    claims["proposal dismissed"] = dismissed
    # Rule 12: a national claim that deducted a pending municipal one, re-assessed once that is rejected.
    org = world.org()
    cert = world.recognise(org, "A3.erc", "municipal")
    lower = world.claim(org, "A3.erc", certification_id=cert)
    ledger.record_upgrade(KJJ, certification_id=cert, tier="national", effective_on=date(2024, 5, 10),
                          document_ref="DOC-up")
    upper = world.claim(org, "A3.erc", certification_id=cert, year=2024)["id"]
    ledger.reject_claim(KJJ, claim_id=lower["id"], reason="the municipal file was incomplete")
    ledger.approve_claim(KJJ, claim_id=upper)
    claims["reassessed then approved"] = upper
    # A recovery's repayment booked in error and reversed, then written off, the write-off reversed and money repaid.
    corrected = world.approved(world.org(), "A5.voucher", basis_amount="1000000")["id"]
    _pay(world, corrected, "90000")
    rid = ledger.revoke_claim(KJJ, claim_id=corrected, reason="figures found false",
                              document_ref="区科技局〔2025〕11号").view["recovery_id"]
    ledger.record_repayment(FINANCE, recovery_id=rid, amount="30000", received_on=date(2024, 6, 20), bank_ref="RX-1")
    ledger.reverse_repayment(FINANCE, recovery_id=rid, amount="30000", received_on=date(2024, 6, 20),
                             bank_ref="RX-1", reason="误记", document_ref="区财更〔2024〕12号")
    ledger.write_off_recovery(FINANCE, recovery_id=rid, reason="企业已注销", document_ref="W-9")
    ledger.reverse_write_off(FINANCE, recovery_id=rid, reason="法院执行收回", document_ref="执-1")
    ledger.record_repayment(FINANCE, recovery_id=rid, amount="10000", received_on=date(2024, 9, 1), bank_ref="CT-1")
    claims["repayment reversed, written off, write-off reversed, repaid"] = corrected
    return claims


def test_claim_events_the_verifier_applies_are_every_event_a_claim_records() -> None:
    """A claim event the verifier did not know would make every receipt holding it unverifiable: the two lists
    are kept equal."""
    recorded = {n for n, v in vars(Claim).items() if isinstance(v, type) and issubclass(v, Aggregate.Event)}
    assert recorded - {"Event", "Created"} == receipts.CLAIM_EVENTS


def test_receipts_issued_in_every_state_verify_and_their_summary_follows_from_their_events(
        notary: Notary, world: World) -> None:
    """Pending, approved (for less), partly and fully paid, paid then reversed, rejected, withdrawn, revoked
    with and without a recovery, proposed, confirmed (and paid), replaced, dismissed, re-assessed: each issued
    receipt verifies and states exactly what its events give (and what the ledger's view says)."""
    seen, figures = {}, {}
    for state, claim_id in _every_state(world).items():
        receipt = _verified(world, notary, claim_id)
        seen[state] = (receipt["status"], receipt["claim"]["paid_amount"], receipt["claim"]["outstanding_amount"])
        figures[state] = receipts.recovery_figures(receipt)
    # 90,000 owed; 30,000 repaid in error and reversed; all written off, the write-off reversed; 10,000 repaid.
    assert figures["repayment reversed, written off, write-off reversed, repaid"] == {
        "amount": "90000.00", "recovered": "10000.00", "written_off": "0.00", "outstanding": "80000.00"}
    assert seen["partly paid"] == ("approved", "100000.00", "200000.00")
    assert seen["fully paid"] == ("approved", "150000.00", "0.00")
    assert seen["paid then reversed"] == ("approved", "100000.00", "200000.00")
    assert seen["revoked with recovery"] == ("revoked", "120000.00", "0.00")
    assert seen["proposed"][0] == "proposed" and seen["proposed then confirmed"][0] == "pending"
    assert {seen[s][0] for s in ("withdrawn", "proposal replaced by a claim", "proposal dismissed")} == {"withdrawn"}
    assert seen["rejected"][0] == "rejected" and seen["reassessed then approved"][0] == "approved"


ALTERATIONS = {
    "status": (lambda r: r.update(status="approved-and-fully-paid"), "status"),
    "claim.status": (lambda r: r["claim"].update(status="approved-and-fully-paid"), "claim.status"),
    "approved amount": (lambda r: r["claim"].update(approved_amount="999999.00"), "claim.approved_amount"),
    "paid amount": (lambda r: r["claim"].update(paid_amount="300000.00"), "claim.paid_amount"),
    "outstanding": (lambda r: r["claim"].update(outstanding_amount="0.00"), "claim.outstanding_amount"),
    "entitled": (lambda r: r["claim"].update(entitled_amount="500000.00"), "claim.entitled_amount"),
    "uscc": (lambda r: r["claim"].update(uscc="91330108MA00000000"), "claim.uscc"),
    "programme": (lambda r: r["claim"].update(programme="A13.equity"), "claim.programme"),
    "award year": (lambda r: r["claim"].update(award_year=2025), "claim.award_year"),
    "claim id": (lambda r: r["claim"].update(id=str(UUID(int=5))), "claim.id"),
    "decision note": (lambda r: r["claim"].update(decision_note="全额拨付"), "claim.decision_note"),
    "recovery": (lambda r: r["claim"].update(recovery_id=str(UUID(int=6))), "claim.recovery_id"),
    "a field no event gives": (lambda r: r["claim"].update(guaranteed=True), "claim.guaranteed"),
    "an event dropped": (lambda r: r.update(events=[e for e in r["events"] if e["event"] != "Claim.Approved"]),
                         "versions"),
    "the last event dropped": (lambda r: r.update(events=r["events"][:-1]), "claim.paid_amount"),
    "another claim's id": (lambda r: r.update(claim_id=str(UUID(int=7))), "none of its events"),
}


def test_a_summary_altered_and_signed_again_with_the_ledgers_key_is_refused_naming_the_field(
        notary: Notary, world: World) -> None:
    """Each change to the summary (or to which events it rests on), with the whole receipt re-signed by the
    ledger's own key, is refused under part "summary", naming the field; the signatures themselves pass."""
    claim_id = world.approved(world.org(), "A5.voucher", basis_amount="1000000")["id"]
    _pay(world, claim_id, "100000")
    receipt = _verified(world, notary, claim_id)
    for what, (change, named) in ALTERATIONS.items():
        altered = _resigned(receipt, notary.signer, change)
        problems = receipts.check(altered, notary.signer.public_pem)
        summary = [p["problem"] for p in problems if p["part"] == "summary"]
        assert any(named in problem for problem in summary), (what, problems)
        # Only the summary is at fault (dropping the claim's payout event also strands the payout's own).
        stranded = {f"event at position {e['position']}" for e in receipt["events"] if e["event"] == "Payout.Recorded"}
        assert {p["part"] for p in problems} - {"summary"} <= (stranded if "last" in what else set()), what


def test_an_event_of_another_claim_slipped_in_is_named(notary: Notary, world: World) -> None:
    """An event that is neither the claim's nor one of its payouts', added and re-signed, is named by position."""
    mine = world.approved(world.org(), "A5.voucher", basis_amount="1000000")["id"]
    other = world.approved(world.org(), "A5.voucher", basis_amount="1000000")["id"]
    stranger = _verified(world, notary, other)["events"][-1]
    receipt = _verified(world, notary, mine)
    altered = _resigned(receipt, notary.signer, lambda r: r["events"].append(stranger))
    problems = receipts.check(altered, notary.signer.public_pem)
    assert {p["part"] for p in problems} == {f"event at position {stranger['position']}"}, problems


def test_a_receipt_issued_while_a_command_lands_is_made_again_so_it_verifies(notary: Notary, world: World) -> None:
    """The claim's view is read before its events: a payout recorded in between would leave the summary behind
    the events. The receipt is then made again from a fresh reading, so what is issued verifies."""
    claim_id = world.approved(world.org(), "A5.voucher", basis_amount="1000000")["id"]
    stale = world.ledger.claim(claim_id, with_history=False)
    _pay(world, claim_id, "100000")

    class Racing:
        """The ledger, whose first reading of the claim is the one from before the payout."""
        readings = 0

        def claim(self, claim_id: str, *, with_history: bool = True) -> dict:
            Racing.readings += 1
            return stale if Racing.readings == 1 else world.ledger.claim(claim_id, with_history=with_history)

    receipt = receipts.for_claim(Racing(), notary, claim_id)
    assert Racing.readings == 2 and receipt["claim"]["paid_amount"] == "100000.00"
    assert receipts.check(receipt, notary.signer.public_pem) == []


def test_verify_receipt_refuses_the_probes_resigned_summary(database_url: str, world: World, tmp_path: Path,
                                                            monkeypatch, capsys) -> None:
    """The black-box probe: status "approved-and-fully-paid" and approved_amount "999999.00", re-signed with
    the ledger's key. `verify-receipt` answers 1 naming both fields; the receipt as issued still answers 0."""
    from api.cli import main

    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    monkeypatch.setenv("LEDGER_SIGNING_KEY_FILE", str(tmp_path / "key.pem"))
    claim_id = world.approved(world.org(), "A5.voucher", basis_amount="1000000")["id"]
    _pay(world, claim_id, "100000")
    issued, pem = tmp_path / "r.json", tmp_path / "public.pem"
    assert main(["receipt", claim_id, "--output", str(issued)]) == 0
    signer = Signer.load_or_create(tmp_path / "key.pem")[0]
    pem.write_text(signer.public_pem)
    assert main(["verify-receipt", str(issued), "--public-key", str(pem)]) == 0
    assert "(approved)" in capsys.readouterr().out

    def probe(r: dict) -> None:
        r["status"] = r["claim"]["status"] = "approved-and-fully-paid"
        r["claim"]["approved_amount"] = "999999.00"

    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(_resigned(json.loads(issued.read_text()), signer, probe), ensure_ascii=False))
    assert main(["verify-receipt", str(forged), "--public-key", str(pem)]) == 1
    out = capsys.readouterr()
    assert "valid:" not in out.out
    assert ("INVALID summary: the receipt's summary says status is \"approved-and-fully-paid\" but its events give"
            ' "approved"') in out.err
    assert 'claim.approved_amount is "999999.00" but its events give "300000.00"' in out.err


# ---------------------------------------------------------------- any sequence of decisions

VERBS = ("approve", "approve_less", "reject", "pay", "reverse", "withdraw", "revoke", "confirm")
# "next" takes the claim along its usual path (confirm, approve, pay), "correct" ends it (withdraw, revoke),
# "undo" turns back (reject, reverse); a bare verb is sent whatever the claim's state, so refusals come too.
HOW = ("next",) * 10 + ("correct",) + ("undo",) * 2 + VERBS
PATHS = {"proposed": {"next": "confirm", "correct": "withdraw", "undo": "withdraw"},
         "pending": {"next": "approve", "correct": "withdraw", "undo": "reject"},
         "approved": {"next": "pay", "correct": "revoke", "undo": "reverse"}}
DECISIONS = st.lists(st.tuples(st.sampled_from(HOW), st.integers(1, 100)), max_size=10)


def _decide(world: World, claim_id: str, verb: str, share: int) -> None:
    """One decision on the claim, sent whatever its state (the ledger's refusals are part of the sequence)."""
    ledger = world.ledger
    claim = ledger.repository.get(UUID(claim_id))
    verb = PATHS.get(claim.status, {}).get(verb, verb)
    if verb == "approve" and share <= 30:
        verb = "approve_less"
    if verb == "approve":
        ledger.approve_claim(KJJ, claim_id=claim_id)
    elif verb == "approve_less":
        amount = max(Decimal("0.01"), (claim.entitled_amount * share / 100).quantize(Decimal("0.01")))
        ledger.approve_claim(KJJ, claim_id=claim_id, amount=amount, note=f"{share}%")
    elif verb == "reject":
        ledger.reject_claim(KJJ, claim_id=claim_id, reason="材料不全")
    elif verb == "pay":
        amount = max(Decimal("0.01"), (claim.outstanding_amount * share / 100).quantize(Decimal("0.01")))
        _pay(world, claim_id, str(amount), len(claim.payouts) + share * 100)
    elif verb == "reverse" and claim.payouts:
        ledger.reverse_payout(FINANCE, payout_id=sorted(claim.payouts)[share % len(claim.payouts)], reason="退回")
    elif verb == "withdraw":
        ledger.withdraw_claim(KJJ, claim_id=claim_id, reason="撤回")
    elif verb == "revoke":
        ledger.revoke_claim(KJJ, claim_id=claim_id, reason="不实", document_ref="REV-1")
    elif verb == "confirm":
        ledger.confirm_claim(KJJ, claim_id=claim_id)


def test_any_sequence_of_decisions_gives_a_receipt_whose_summary_is_the_derived_one(notary: Notary,
                                                                                    world: World) -> None:
    """Whatever decisions a submitted or proposed claim goes through (approvals, for less too, rejections,
    payouts, reversals, withdrawals, revocations, confirmations, refused ones included), its issued receipt
    verifies, its summary is exactly what its events give, and changing its status and re-signing is refused."""
    for year in (2024, 2025):
        world.appropriate(year)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(proposed=st.booleans(), decisions=DECISIONS)
    @example(proposed=True, decisions=[("confirm", 1), ("approve", 1), ("pay", 50), ("pay", 100), ("reverse", 1),
                                       ("revoke", 1)])
    @example(proposed=False, decisions=[("approve_less", 40), ("pay", 100), ("reverse", 2), ("pay", 30)])
    def run(proposed: bool, decisions: list[tuple[str, int]]) -> None:
        if proposed:
            [claim_id] = _erc(world)[1]["proposed_claims"]
        else:
            claim_id = world.claim(world.org(), "A5.voucher", basis_amount="1000000")["id"]
        for verb, share in decisions:
            with contextlib.suppress(LedgerError):
                _decide(world, claim_id, verb, share)
        receipt = _verified(world, notary, claim_id)
        other = "rejected" if receipt["status"] != "rejected" else "approved"
        altered = _resigned(receipt, notary.signer, lambda r: r.update(status=other))
        assert [p["part"] for p in receipts.check(altered, notary.signer.public_pem)] == ["summary"]

    run()


def test_a_receipt_reordered_or_relabelled_or_short_of_a_payouts_events_and_signed_again_is_refused(
        notary: Notary, world: World) -> None:
    """A probe re-signed receipts with the ledger's own key after swapping two events, dropping a payout's events
    and relabelling an event: each passed as valid. Each is now refused, naming the event (or the payout the
    claim names whose events are gone)."""
    claim_id = world.approved(world.org(), "A5.voucher", basis_amount="1000000")["id"]
    _pay(world, claim_id, "100000")
    reversed_ = _pay(world, claim_id, "2000", n=1)
    world.ledger.reverse_payout(FINANCE, payout_id=reversed_["id"], reason="退票")
    receipt = _verified(world, notary, claim_id)
    payout = next(e for e in receipt["events"] if e["event"] == "Payout.Recorded")

    def swap(r):
        r["events"][0], r["events"][1] = r["events"][1], r["events"][0]

    def relabel(r):
        next(e for e in r["events"] if e["event"] == "Payout.Recorded")["event"] = "Claim.Rejected"

    def drop_payout(r):
        r["events"] = [e for e in r["events"] if e["aggregate_id"] != payout["aggregate_id"]]

    def drop_reversal(r):  # the payout's last event: no gap in its versions (a regression probe)
        r["events"] = [e for e in r["events"] if e["event"] != "Payout.Reversed"]

    cases = {"two events swapped": (swap, "out of log order"),
             "the payout's reversal dropped": (drop_reversal, "Payout.Reversed event(s) of payout"),
             "the payout's events dropped": (drop_payout, "whose events the receipt does not carry"),
             "an event relabelled": (relabel, "is not its topic's")}
    for what, (change, said) in cases.items():
        problems = receipts.check(_resigned(receipt, notary.signer, change), notary.signer.public_pem)
        assert any(said in p["problem"] for p in problems), (what, problems)


def test_a_receipt_of_a_version_the_checker_does_not_know_is_refused(notary: Notary, world: World) -> None:
    """The regression probe: `version` 999, re-signed with the ledger's key, verified."""
    claim_id = world.approved(world.org(), "A5.voucher", basis_amount="1000000")["id"]
    receipt = _verified(world, notary, claim_id)
    problems = receipts.check(_resigned(receipt, notary.signer, lambda r: r.update(version=999)),
                              notary.signer.public_pem)
    assert [(p["part"], "version" in p["problem"]) for p in problems] == [("receipt", True)], problems


@pytest.mark.parametrize("field", ["algorithm", "tree_algorithm"])
def test_a_head_naming_an_algorithm_the_checker_does_not_know_is_refused(notary: Notary, world: World,
                                                                          field: str) -> None:
    """An audit probe re-signed a receipt, head and whole, with the ledger's own key after naming the chain's
    algorithm "sha256-chain-v1x": it verified. A checker vouches only for what it knows how to check."""
    claim_id = world.approved(world.org(), "A5.voucher", basis_amount="1000000")["id"]
    receipt = _verified(world, notary, claim_id)

    def renamed(r: dict[str, Any]) -> None:
        head = {k: v for k, v in r["head"].items() if k != "signature"} | {field: r["head"][field] + "x"}
        r["head"] = notary.signer.sign(head)

    problems = receipts.check(_resigned(receipt, notary.signer, renamed), notary.signer.public_pem)
    assert [(p["part"], field in p["problem"]) for p in problems] == [("head", True)], problems
    assert "算法" in problems[0]["problem_zh"]


def test_a_receipt_short_of_its_recovery_and_signed_again_is_refused(notary: Notary, world: World) -> None:
    """A finance probe re-signed a revoked award's receipt after dropping its recovery whole (the claim's Revoked
    names it), or the recovery's last repayment: both passed as valid, showing less owed or none. The recovery the
    claim names must have its events there, and the claim's echo of each repayment says how many it carries."""
    claim_id = world.approved(world.org(), "A5.voucher", basis_amount="1000000")["id"]
    _pay(world, claim_id, "100000")
    revoked = world.ledger.revoke_claim(KJJ, claim_id=claim_id, reason="核查不实",
                                        document_ref="杭高新科〔2024〕9号").view
    world.ledger.record_repayment(FINANCE, recovery_id=revoked["recovery_id"], amount=Decimal("40000.00"),
                                  received_on=date(2024, 7, 15), bank_ref="REC-40K")
    receipt = _verified(world, notary, claim_id)
    assert {e["event"] for e in receipt["events"]} >= {"Recovery.Opened", "Recovery.Repaid"}

    def drop_recovery(r):
        r["events"] = [e for e in r["events"] if not e["event"].startswith("Recovery.")]

    def drop_repayment(r):  # the recovery's last event: no gap in its versions
        r["events"] = [e for e in r["events"] if e["event"] != "Recovery.Repaid"]

    cases = {"the recovery dropped": (drop_recovery, "whose events the receipt does not carry"),
             "its last repayment dropped": (drop_repayment, "Recovery.Repaid event(s) of recovery")}
    for what, (change, said) in cases.items():
        problems = receipts.check(_resigned(receipt, notary.signer, change), notary.signer.public_pem)
        assert any(said in p["problem"] for p in problems), (what, problems)
        assert all(p["problem_zh"] for p in problems)


def test_a_receipt_of_a_revoked_award_whose_payout_was_reversed_owes_less_and_keeps_the_reduction(
        notary: Notary, world: World) -> None:
    """A payout booked in error on an award revoked since, reversed: the receipt verifies, its figures owe what
    stands paid (60,000, not 100,000), and one signed again without the recovery's `Reduced` event (its last: no
    gap in its versions), which would owe the 100,000 again, is refused by the claim's echo of the reversal."""
    claim_id = world.approved(world.org(), "A5.voucher", basis_amount="1000000")["id"]
    _pay(world, claim_id, "60000")
    wrong = world.ledger.record_payout(FINANCE, claim_id=claim_id, amount=Decimal("40000"), paid_on=date(2024, 3, 1),
                                       bank_ref="WRONG-40K").view["id"]
    world.ledger.revoke_claim(KJJ, claim_id=claim_id, reason="核查不实", document_ref="杭高新科〔2024〕9号")
    world.ledger.reverse_payout(FINANCE, payout_id=wrong, reason="记错申请", document_ref="滨财〔2024〕更正1号")
    receipt = _verified(world, notary, claim_id)
    assert receipts.recovery_figures(receipt) == {"amount": "100000.00", "recovered": "0.00", "written_off": "0.00",
                                                  "reduced": "40000.00", "outstanding": "60000.00"}

    def drop_reduction(r):
        r["events"] = [e for e in r["events"] if e["event"] != "Recovery.Reduced"]

    problems = receipts.check(_resigned(receipt, notary.signer, drop_reduction), notary.signer.public_pem)
    assert any("Recovery.Reduced event(s) of recovery" in p["problem"] for p in problems), problems
    assert all(p["problem_zh"] for p in problems)


def _restated(event: dict[str, Any], **fields: Any) -> None:
    """The event's stored bytes (and its decoded `data`) with `fields` changed, as a key holder rewriting
    history would change them before recomputing the links and signing again."""
    import base64
    state = json.loads(base64.b64decode(event["state_base64"]))
    for name, value in fields.items():
        state[name] = {"_type_": "decimal_str", "_data_": value} if isinstance(state[name], dict) else value
        event["data"][name] = value
    event["state_base64"] = base64.b64encode(json.dumps(state).encode()).decode()


def test_a_history_approving_above_the_entitlement_or_paying_above_the_approval_is_refused(
        notary: Notary, world: World) -> None:
    """The receipts probe: the offline check derived the summary from the events but never asked whether the
    events kept the rules, so a history rewritten to approve more than the entitlement (catalogue rule 6), or
    to pay more than the approval (rule 8), with the summary to match, read as valid. Each is now named."""
    claim_id = world.claim(world.org(), "A5.voucher", basis_amount="1000000")["id"]
    world.ledger.approve_claim(KJJ, claim_id=claim_id, amount=Decimal("250000"))
    _pay(world, claim_id, "250000")
    receipt = _verified(world, notary, claim_id)
    own = [e for e in receipt["events"] if UUID(e["aggregate_id"]) == UUID(claim_id)]
    assert receipts.summary_faults(receipt) == []

    def over_approved(r: dict[str, Any]) -> None:
        event = next(e for e in r["events"] if e["event"] == "Claim.Approved")
        _restated(event, amount="999999.00")
        r["claim"].update(approved_amount="999999.00", outstanding_amount="749999.00")

    def over_paid(r: dict[str, Any]) -> None:
        for name in ("Claim.PayoutRecorded", "Payout.Recorded"):
            _restated(next(e for e in r["events"] if e["event"] == name), amount="260000.00")
        r["claim"].update(paid_amount="260000.00", outstanding_amount="-10000.00")

    approved_at = next(e["version"] for e in own if e["event"] == "Claim.Approved")
    paid_at = next(e["version"] for e in own if e["event"] == "Claim.PayoutRecorded")
    for change, said in ((over_approved, f"its version {approved_at} approves 999999.00, above the 300000.00"),
                         (over_paid, f"its version {paid_at} brings what was paid to 260000.00, above the 250000.00")):
        altered = copy.deepcopy(receipt)
        change(altered)
        problems = receipts.summary_faults(altered)
        assert [p["part"] for p in problems] == ["summary"], problems
        assert said in problems[0]["problem"], problems
        assert "目录规则" in problems[0]["problem_zh"]


def test_a_receipt_contradicting_itself_and_signed_again_is_refused(notary: Notary, world: World) -> None:
    """Re-signed with the ledger's key, each read as valid (an enterprise probe): a summary leaving out the paid
    figure (the valid line then said nothing of a payout its events hold), an issue time or a head's time before
    the events it holds, and a head at a position before them or other than its tree's last leaf. Each is refused,
    naming the part; the receipt as issued states its time to the microsecond, never before its own events."""
    from datetime import datetime

    claim_id = world.approved(world.org(), "A5.voucher", basis_amount="1000000")["id"]
    _pay(world, claim_id, "100000")
    receipt = _verified(world, notary, claim_id)
    latest = max(datetime.fromisoformat(e["data"]["timestamp"]) for e in receipt["events"])
    assert datetime.fromisoformat(receipt["issued_at"]) >= latest, receipt["issued_at"]
    last_leaf = receipt["head"]["tree_size"] - 1
    held = next((e for e in receipt["events"] if e["leaf_index"] == last_leaf), None)
    assert held is not None  # the payout was the last command: its events end the log the head covers

    def head(change):
        def whole(r: dict[str, Any]) -> None:
            unsigned = {k: v for k, v in r["head"].items() if k != "signature"}
            change(unsigned)
            r["head"] = notary.signer.sign(unsigned)
        return whole

    cases = {
        "paid left out": (lambda r: r["claim"].pop("paid_amount"), "summary", "claim.paid_amount"),
        "issued before": (lambda r: r.update(issued_at="2023-01-01T00:00:00+00:00"), "receipt", "issued_at"),
        "computed before": (head(lambda h: h.update(computed_at="2023-01-01T00:00:00+00:00")), "head", "computed_at"),
        "head behind": (head(lambda h: h.update(position=1)), "head", "position 1"),
        "head elsewhere": (head(lambda h: h.update(position=h["position"] + 5)), "head", "last leaf"),
    }
    for what, (change, part, named) in cases.items():
        problems = receipts.check(_resigned(receipt, notary.signer, change), notary.signer.public_pem)
        assert any(p["part"] == part and named in p["problem"] for p in problems), (what, problems)


def test_a_confirmed_proposal_was_submitted_when_confirmed_and_older_receipts_still_verify(
        world: World, notary: Notary) -> None:
    """A confirmed proposal's `submitted_at` is its confirmation's moment (a bureau probe's pending queue kept it at
    the proposal's place, behind a walk's cursor). Receipts issued before said the proposal's moment, which its
    events give too: such a receipt still verifies; any other moment is refused, naming the field."""
    _, cert = _erc(world)
    [proposal] = cert["proposed_claims"]
    proposed_at = world.ledger.claim(proposal)["submitted_at"]
    confirmed = world.ledger.confirm_claim(KJJ, claim_id=proposal).view
    assert confirmed["submitted_at"] > proposed_at
    issued = _verified(world, notary, proposal)
    assert issued["claim"]["submitted_at"] == confirmed["submitted_at"]

    def said(moment: str):
        return lambda r: r["claim"].update(submitted_at=moment)
    older = _resigned(issued, notary.signer, said(proposed_at))
    assert receipts.check(older, notary.signer.public_pem) == []
    other = _resigned(issued, notary.signer, said("2023-01-01T00:00:00+00:00"))
    assert [p["part"] for p in receipts.check(other, notary.signer.public_pem)] == ["summary"]

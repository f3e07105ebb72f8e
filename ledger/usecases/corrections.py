"""Corrections (contract: "Corrections and claw-backs"): withdraw a pending claim, revoke an approved
one, revoke a certification and every claim resting on it. Only the lead bureau of the programme
corrects; every correction carries a reason (and the document it rests on where the contract says);
one that cannot apply is refused `invalid_state` naming the command that does. `dry_run` answers what
would happen and writes nothing. Recoveries and district changes are the neighbouring mixins."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

from ledger import beijing, views
from ledger.catalogue.model import Kind
from ledger.domain import errors
from ledger.domain.certification import Certification
from ledger.domain.claim import Claim
from ledger.domain.values import ZERO, fmt, money
from ledger.messages import status_zh
from ledger.principals import Principal, Role
from ledger.rules.accounts import certification_key, designation_key, ladder_key, once_key
from ledger.rules.entitlement import entitle, prepare
from ledger.rules.facts import LIVE, ClaimFacts
from ledger.rules.subjects import parse_subject
from ledger.usecases.common import require_role, text, uuid_of
from ledger.usecases.district import DistrictChanges
from ledger.usecases.ending import WITHDRAWABLE, Touched, end_claim
from ledger.usecases.recoveries import RecoveryCommands

if TYPE_CHECKING:
    from ledger.application import Outcome


# `_claim_to_correct`'s `doing`, for a Chinese reader
CORRECTING_ZH = {"withdraw": "撤回", "revoke": "撤销", "top up": "补足"}
ENDABLE = ("proposed", "pending", "approved")  # what a certification's revocation ends


class Corrections(RecoveryCommands, DistrictChanges):
    """The corrections use-case family, mixed into AwardLedger."""

    def withdraw_claim(self, by: Principal, *, claim_id: str, reason: str, document_ref: str | None = None,
                       dry_run: bool = False, key: str | None = None) -> Outcome:
        cid = uuid_of(claim_id, "claim")
        reason = text(reason, "reason")
        document_ref = None if document_ref is None else text(document_ref, "document_ref")

        def decide() -> tuple[list[Aggregate], dict]:
            claim = self._claim_to_correct(by, claim_id, "withdraw")
            if claim.status == "approved":
                raise errors.InvalidState(f"claim {claim_id} is approved; an award is undone by revoking it:"
                                          f" POST /v1/claims/{claim_id}/revoke with reason and document_ref",
                                          zh=f"申请 {claim_id} 已批准；已批准的奖励须通过撤销来纠正：POST"
                                             f" /v1/claims/{claim_id}/revoke，并填写 reason 和 document_ref")
            if claim.status not in WITHDRAWABLE and claim.replaced_by:  # a stale tab's decline: the claim to open
                raise self._replaced(claim_id, claim, "withdrawn or declined", "撤回或不予确认")
            if claim.status not in WITHDRAWABLE:
                raise errors.InvalidState(f"claim {claim_id} is already {claim.status}; only a pending or proposed"
                                          " claim can be withdrawn, and there is nothing left to correct",
                                          zh=f"申请 {claim_id} 已是{status_zh(claim.status)}状态；"
                                             "只有待审批或待确认的申请可以撤回，此申请已无需更正")
            touched = Touched(self)
            ended = end_claim(touched, claim, by.name, reason, document_ref)
            touched.offer_freed([claim], by)
            return touched.all(), views.claim(claim) | {"released_amount": ended["released_amount"]}

        # The document joins the key's fingerprint only when sent, so a key used before it was taken keeps its own.
        args = {"claim": str(cid), "reason": reason} | ({} if document_ref is None else {"doc": document_ref})
        return self._run(by, key, "withdraw_claim", args, decide, dry_run=dry_run)

    def revoke_claim(self, by: Principal, *, claim_id: str, reason: str, document_ref: str, dry_run: bool = False,
                     key: str | None = None) -> Outcome:
        cid = uuid_of(claim_id, "claim")
        reason, document_ref = text(reason, "reason"), text(document_ref, "document_ref")

        def decide() -> tuple[list[Aggregate], dict]:
            claim = self._claim_to_correct(by, claim_id, "revoke")
            if claim.status in WITHDRAWABLE:
                raise errors.InvalidState(f"claim {claim_id} is {claim.status}, not yet awarded; withdraw it"
                                          f" instead: POST /v1/claims/{claim_id}/withdraw with a reason",
                                          zh=f"申请 {claim_id} 的状态是{status_zh(claim.status)}，尚未批准奖励；"
                                             f"请改为撤回：POST /v1/claims/{claim_id}/withdraw，并填写 reason")
            if claim.status == "revoked":  # it was awarded: "nothing was awarded" was untrue of it (a queues probe)
                owed = (f"; what was paid of it is owed on recovery {claim.recovery_id} (GET /v1/recoveries?uscc="
                        f"{claim.uscc})") if claim.recovery_id else "; nothing of it was paid, so nothing is owed"
                owed_zh = (f"；已拨付部分记在追回款项 {claim.recovery_id}（GET /v1/recoveries?uscc={claim.uscc}）"
                           if claim.recovery_id else "；该奖励未拨付，无需追回")
                raise errors.InvalidState(f"claim {claim_id} was revoked already; an award is revoked once{owed}",
                                          zh=f"申请 {claim_id} 已被撤销；奖励只能撤销一次{owed_zh}")
            if claim.status == "approved" and (tops := self._live_top_ups(claim)):
                top, approved = tops[0], tops[0].status == "approved"
                raise errors.Conflict(f"claim {top.id} tops up claim {claim_id} ({top.status}); an award is revoked"
                                      f" with its top-ups: {'revoke' if approved else 'withdraw'} claim {top.id}"
                                      " first", earlier_claim=str(top.id),
                                      zh=f"申请 {top.id}（{status_zh(top.status)}）是申请 {claim_id} 的补足申请；"
                                         f"撤销奖励须连同其补足：请先{'撤销' if approved else '撤回'}申请 {top.id}")
            if claim.status != "approved":
                raise errors.InvalidState(f"claim {claim_id} is {claim.status}; nothing was awarded that could be"
                                          " revoked",
                                          zh=f"申请 {claim_id} 的状态是{status_zh(claim.status)}；"
                                             "没有已批准的奖励可以撤销")
            touched = Touched(self)
            ended = end_claim(touched, claim, by.name, reason, document_ref)
            touched.offer_freed([claim], by)
            return touched.all(), views.claim(claim) | {k: ended[k] for k in ("released_amount", "recovery_id",
                                                                                "to_recover")}

        args = {"claim": str(cid), "reason": reason, "doc": document_ref}
        return self._run(by, key, "revoke_claim", args, decide, dry_run=dry_run)

    def top_up_claim(self, by: Principal, *, claim_id: str, reason: str, document_ref: str, dry_run: bool = False,
                     key: str | None = None) -> Outcome:
        """An approved award that falls short of what the rules give it now (catalogue rule 3: "only what was
        awarded on a lower rung is deducted"; a lower rung, or a better award under another programme, that it was
        approved net of has been revoked since, and repaid where it was paid) gets a new pending claim for the
        difference, naming it (`tops_up`): decided, paid and corrected as any claim. Nothing short is
        `already_awarded`. The award's own claim records the top-up (`Claim.ToppedUp`), so two top-ups at once
        conflict and the second, retried, sees the first."""
        cid = uuid_of(claim_id, "claim")
        reason, document_ref = text(reason, "reason"), text(document_ref, "document_ref")

        def decide() -> tuple[list[Aggregate], dict]:
            award = self._claim_to_correct(by, claim_id, "top up")
            if award.tops_up is not None:
                raise errors.InvalidInput(f"claim {claim_id} is itself a top-up of claim {award.tops_up}; top up"
                                          f" that award instead: POST /v1/claims/{award.tops_up}/top-up",
                                          zh=f"申请 {claim_id} 本身是申请 {award.tops_up} 的补足申请；请对原奖励"
                                             f"补足：POST /v1/claims/{award.tops_up}/top-up", field="claim_id")
            if award.status != "approved":
                raise errors.InvalidState(f"claim {claim_id} is {award.status}; only an approved award is topped up"
                                          " (a pending claim is re-assessed when it is approved)",
                                          zh=f"申请 {claim_id} 的状态是{status_zh(award.status)}；只有已批准的奖励"
                                             "才能补足差额（待审批的申请在批准时会重新核定）")
            earlier = [self._get(Claim, uuid_of(t, "claim"), f"claim {t}") for t in award.top_ups]
            if waiting := next((t for t in earlier if t.status == "pending"), None):
                # One top-up of an award pending at a time: each is owed what the award's earlier top-ups were
                # entitled to when it was made, and a second made beside a pending one was paid the shortfall
                # twice, once re-assessed at the first's approval (a top-up probe: 1,200,000 for a 1,000,000 prize).
                raise errors.Conflict(f"claim {waiting.id} already tops up claim {claim_id} and is pending; decide it"
                                      " first (approve it, or reject or withdraw it), then top up again for what"
                                      " is still short", earlier_claim=str(waiting.id),
                                      zh=f"申请 {waiting.id} 已是申请 {claim_id} 的补足申请，尚待审批；请先审批（批准、"
                                         "驳回或撤回）该申请，再就仍差的部分补足")
            family, held = self._topping(award, earlier)
            org = self._organisation(award.uscc)
            facts = ClaimFacts(award.uscc, award.programme, award.award_year, award.effective_on, award.tier,
                               award.rank, award.subject, award.body_id, award.basis_amount, award.requested_amount,
                               award.certification_id, str(award.id), tuple(str(c.id) for c in family), held)
            plan = prepare(self.catalogue_on(award.effective_on), facts, org.facts(award.effective_on))
            accounts = self._open_accounts(plan)
            entitlement = entitle(plan, {a.key: a.state() for a in accounts})
            claim = Claim(uscc=award.uscc, programme=award.programme, award_year=award.award_year,
                          effective_on=award.effective_on, tier=entitlement.tier, rank=award.rank,
                          subject=entitlement.subject, body_id=entitlement.body_id,
                          certification_id=award.certification_id, basis_amount=award.basis_amount,
                          requested_amount=award.requested_amount, document_ref=document_ref,
                          gross_amount=entitlement.gross, entitled_amount=entitlement.amount,
                          explanation=entitlement.explanation(), accounts=list(entitlement.accounts),
                          policy_version=entitlement.policy_version, pays_award=award.pays_award, lead=award.lead,
                          by=by.name, tops_up=str(award.id), topping=[str(c.id) for c in family],
                          topped_amount=held, top_up_reason=reason)
            for account in accounts:
                account.reserve(str(claim.id), award.programme, entitlement.amount, entitlement.standing,
                                entitlement.tier, by.name, award.uscc)
            award.record_top_up(str(claim.id), entitlement.amount, reason, document_ref, by.name)
            return [claim, award, *accounts], views.claim(claim)

        args = {"claim": str(cid), "reason": reason, "doc": document_ref}
        return self._run(by, key, "top_up_claim", args, decide, dry_run=dry_run)

    def revocation_day_refused(self, certification_id: str, effective_on: date) -> errors.LedgerError | None:
        """What `revoke_certification` would say of `effective_on` alone (a day ahead, or before the certification
        took effect), or None: the revocation form marks it beside its other faults, where the command's checks stop
        at the first."""
        try:
            cert = self._get(Certification, uuid_of(certification_id, "certification"),
                             f"certification {certification_id}")
            _ceases_on(cert, certification_id, effective_on)
        except errors.LedgerError as err:
            return err
        return None

    def revoke_certification(self, by: Principal, *, certification_id: str, reason: str, effective_on: date,
                             document_ref: str, dry_run: bool = False, key: str | None = None) -> Outcome:
        cert_id = uuid_of(certification_id, "certification")
        reason, document_ref = text(reason, "reason"), text(document_ref, "document_ref")

        def decide() -> tuple[list[Aggregate], dict]:
            cert = self._get(Certification, cert_id, f"certification {certification_id}")
            programme = self._programme_for(by, cert.programme, cert.effective_on, revoking=True)  # its lead only
            if cert.revoked_on is not None:
                raise errors.InvalidState(f"certification {certification_id} was already revoked from"
                                          f" {cert.revoked_on}; its claims were corrected then",
                                          zh=f"认定 {certification_id} 已自 {cert.revoked_on} 起撤销；依据它的申请"
                                             "已在当时一并更正，无需再次撤销")
            _ceases_on(cert, certification_id, effective_on)
            touched = Touched(self)
            ended: list[dict[str, Any]] = []
            # A claim resting on a certification reserves on its account for the rung it stood at (rule 2).
            keys = dict.fromkeys(certification_key(str(cert_id), t["tier"]).text for t in cert.tiers)
            if programme.kind is Kind.DESIGNATION:
                # A designation's claims (those of the programmes needing it) rest on its certification's account.
                keys[designation_key(str(cert_id), cert.uscc).text] = None
            entries = {c: e for k in keys for c, e in touched.account(k).entries.items()}
            live = [c for c, e in sorted(entries.items()) if e["status"] in LIVE]
            live += self._alone_on(cert, programme, touched, set(live))
            # Proposals reserved nothing: the organisation's index names those resting on the certification.
            org = touched.organisation(cert.uscc)
            proposals = sorted(c for c, p in org.proposals.items() if p["certification_id"] == str(cert_id))
            # Every claim resting on it, whatever its date (the contract: "every proposed or pending claim resting
            # on it is withdrawn, every approved one revoked"); `effective_on` is the day from which no claim
            # may rest on it again.
            claims = []
            for claim_id in live + proposals:
                claim = self._get(Claim, uuid_of(claim_id, "claim"), f"claim {claim_id}")
                if claim.status not in ENDABLE:
                    # A revoked award's paid part still counts on the certification's slot (as awarded, while it is
                    # owed), but the award is ended already: a pages probe's revoked, paid top-up was withdrawn
                    # again here, "releasing" 200,000 and dropping its 150,000 to recover from the awards.
                    continue
                self._intact_with_payouts(claim)
                # A proposal closed by the revocation is the ledger's doing, said as its own note (the person's
                # reason after it), as a departure's is: a bureau that never declined it was read as having declined
                # it (不予确认, a regression probe). A pending or approved claim keeps the reason as written.
                why = (f"the certification {cert_id} was revoked from {effective_on.isoformat()}: {reason}"
                       if claim.status == "proposed" else reason)
                ended.append(end_claim(touched, claim, by.name, why, document_ref))
                claims.append(claim)
            cert.revoke(reason, effective_on, document_ref, by.name)
            touched.add(cert)
            touched.offer_freed(claims, by)  # after the revocation: nothing is offered again on this certification
            if str(cert_id) == (org.designations.get(cert.programme) or {}).get("certification_id"):
                # A designation: the claims resting on it were ended above, like a certification's; none may be
                # made on it again (its account is closed below, and the organisation holds it no more).
                org.revoke_designation(cert.programme, str(cert_id), by.name)
            # Its slots close: a claim deciding on the certification at this moment read it unrevoked, but it
            # reserves on one of these accounts, so its save conflicts with this one and, retried, is refused.
            for k in keys:
                touched.account(k).close(f"certification {cert_id} was revoked from {effective_on}", by.name)
            # The revocation as GET then gives it, from the event just made (a regression probe read
            # `revocation: null` in this answer).
            revoked = next(e for e in reversed(cert.pending_events) if type(e).__name__ == "Revoked")
            revocation = views.revocation(revoked, cert.revoked_on)
            return touched.all(), {"certification": views.certification(cert) | {"revocation": revocation},
                                   "claims": ended, **_sums(ended)}

        args = {"cert": str(cert_id), "reason": reason, "on": effective_on, "doc": document_ref}
        return self._run(by, key, "revoke_certification", args, decide, dry_run=dry_run)

    def _alone_on(self, cert: Certification, programme: Any, touched: Touched, known: set[str]) -> list[str]:
        """The claims naming no certification that this one fits (the organisation's, on a rung it ever held, its
        subject and body agreeing): a claim made before the certification was recorded stood alone and, approved,
        escaped its revocation, where one made after rests on it and ends with it (a regression probe: a hidden
        champion claimed, the certification recorded, the claim approved and paid, the certification revoked from
        its first day: 1,000,000 kept). They are found on the ladder (or one-time slot) the certification's rungs
        hold for its organisation; a certification recorded without its subject (A9, A11) names no ladder and finds
        none."""
        catalogue = self.catalogue_on(cert.effective_on)
        facts = ClaimFacts(cert.uscc, cert.programme, cert.effective_on.year, cert.effective_on, None, None,
                           cert.subject, cert.body_id, None, None, None)
        if programme.needs_subject and cert.subject is None:
            return []
        subject = parse_subject(cert.subject, catalogue.subject_kinds) if cert.subject else None
        keys = dict.fromkeys(ladder_key(programme, facts, t["tier"], subject, cert.body_id).text
                             for t in cert.tiers if t["tier"] and programme.kind is Kind.TIERED)
        if programme.once_per:
            keys[once_key(programme, facts, subject, cert.body_id).text] = None
        rungs = {t["tier"] for t in cert.tiers}
        found = []
        for key in keys:
            for claim_id, entry in sorted(touched.account(key).entries.items()):
                if claim_id in known or entry["status"] not in LIVE:
                    continue
                claim = self._get(Claim, uuid_of(claim_id, "claim"), f"claim {claim_id}")
                if (claim.certification_id is None and claim.uscc == cert.uscc and claim.programme == cert.programme
                        and (claim.tier in rungs or cert.tier is None)
                        and (cert.body_id is None or claim.body_id in (None, cert.body_id))
                        and claim_id not in found):
                    found.append(claim_id)
        return found

    def _intact_with_payouts(self, claim: Claim) -> None:
        """The claim's record and each of its payouts' checked against the chain before it is ended: a revocation
        turns what they paid into a recovery, so a payout's event changed in place is refused as the claim's is
        (an audit probe changed one and the revocation was accepted)."""
        self._intact(claim.id, f"claim {claim.id}")
        for payout_id in sorted(claim.payouts):
            self._intact(uuid_of(payout_id, "payout"), f"payout {payout_id}")

    def _topping(self, award: Claim, earlier: list[Claim] | None = None) -> tuple[list[Claim], Decimal]:
        """The award and the top-ups that hold part of it, and what they hold: a live one its entitlement, a revoked
        one the paid part it still keeps (owed back or written off), which counts on its accounts as awarded, as a
        revoked lower rung's does (a second top-up probe: a revoked top-up's written-off 40,000 was paid again on a
        voucher, and on a ladder its kept part held the rung and refused every later top-up)."""
        if earlier is None:
            earlier = [self._get(Claim, uuid_of(t, "claim"), f"claim {t}") for t in award.top_ups]
        kept = {str(t.id): amount for t in earlier if t.status == "revoked" and (amount := self._kept(t)) > 0}
        family = [award, *(t for t in earlier if t.status in LIVE or str(t.id) in kept)]
        return family, sum((kept.get(str(c.id), c.entitled_amount) for c in family), ZERO)

    def _kept(self, revoked: Claim) -> Decimal:
        """What a revoked award still counts on its accounts: its paid part less what has been repaid (its entry, as
        the accounts hold it; nothing once repaid in full, or where it holds no account)."""
        for key in revoked.accounts:
            entry = self._account(key).entries.get(str(revoked.id))
            if entry is not None:
                return entry["amount"] if entry["status"] == "approved" else ZERO
        return ZERO

    def _live_top_ups(self, award: Claim) -> list[Claim]:
        """The claims topping `award` up that are still pending or approved."""
        found = [self._get(Claim, uuid_of(t, "claim"), f"claim {t}") for t in award.top_ups]
        return [t for t in found if t.status in LIVE]

    def _claim_to_correct(self, by: Principal, claim_id: str, doing: str) -> Claim:
        require_role(by, Role.BUREAU, doing=f"{doing} claims")
        claim = self._get(Claim, uuid_of(claim_id, "claim"), f"claim {claim_id}")
        self._intact_with_payouts(claim)
        if by.bureau != claim.lead:
            raise errors.NotLeadBureau(f"claim {claim_id} is under {claim.programme}, led by {claim.lead};"
                                       f" {by.name} may not {doing} it",
                                       zh=f"申请 {claim_id} 属于{self._programme_zh(claim.programme)}"
                                          f"，由{self._bureau_zh(claim.lead)}牵头；{by.name}"
                                          f" 无权{CORRECTING_ZH.get(doing, '更正')}此申请，请由牵头部门办理")
        return claim


def _sums(ended: list[dict[str, Any]]) -> dict[str, Any]:
    def released(status: str | None = None) -> str:
        return fmt(sum((money(e["released_amount"]) for e in ended if status in (None, e["status"])), money("0")))

    # The total adds money of two kinds (a finance probe): an award's unpaid approval given back to its fund year,
    # and a pending claim's reservation freed; each is said apart.
    return {"released_amount": released(), "released_from_awards": released("revoked"),
            "released_reservations": released("withdrawn"),
            "to_recover": fmt(sum((money(e["to_recover"]) for e in ended), money("0"))),
            "recoveries": [e["recovery_id"] for e in ended if e["recovery_id"]]}


def _ceases_on(cert: Certification, certification_id: str, effective_on: date) -> None:
    """A certification's revocation day: not ahead of today, and not before it took effect."""
    # It ends its claims now: a day ahead contradicts that (2099 taken: a queues probe).
    beijing.not_ahead(effective_on, "effective_on", "撤销生效日期",
                      "a revocation ends the claims resting on the certification now: send the day it ceased"
                      " to hold, today or earlier, and record it on that day if it is yet to come",
                      "撤销即时更正依据该认定的申请：请填写认定失效之日（今天或更早），尚未到来的撤销请在当日再登记")
    if effective_on < cert.effective_on:
        raise errors.InvalidInput(f"effective_on {effective_on.isoformat()} is before certification"
                                  f" {certification_id} took effect ({cert.effective_on.isoformat()}): it"
                                  " cannot cease to hold before it held; send the day the revocation takes"
                                  f" effect, {cert.effective_on.isoformat()} or later",
                                  zh=f"撤销生效日期 {effective_on.isoformat()} 早于认定 {certification_id} 的"
                                     f"生效日期（{cert.effective_on.isoformat()}）：认定生效之前无从撤销；请填写"
                                     f"撤销生效之日，不早于 {cert.effective_on.isoformat()}",
                                  field="effective_on")

"""Proactive entitlement (免申即享, contract "Proactive entitlement"): a recorded fact proposes the claims it
opens; the lead bureau confirms them (re-assessed, then pending as if submitted) or dismisses them.

A proposal is computed by the one pipeline (`prepare`/`entitle`) against the accounts as they stand, but
reserves nothing: the accounts it read are not saved, so it blocks nothing and can never break a cap.
Only fixed-amount awards are proposed (a tier that states its amount and is not paid by rank): a rate, a
decided amount or a rank is a figure the ledger does not hold. The organisation keeps the index of its open
proposals, so a submitted claim for the same fact, an upgrade or a revocation finds the proposal it closes.
"""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import RecordConflictError

from ledger import refused_keys, views
from ledger.beijing import today
from ledger.catalogue.model import Kind, Programme
from ledger.domain import errors
from ledger.domain.award_account import AwardAccount
from ledger.domain.certification import Certification
from ledger.domain.claim import Claim
from ledger.domain.idempotency import IdempotencyRecord
from ledger.domain.organisation import Organisation
from ledger.messages import status_zh, system_note
from ledger.principals import Principal, Role
from ledger.rules import ClaimFacts, entitle, prepare
from ledger.rules.accounts import certification_key
from ledger.rules.facts import LIVE
from ledger.rules.ladders import tier_en, tier_zh
from ledger.usecases.common import fingerprint as command_fingerprint
from ledger.usecases.common import require_role, uuid_of

if TYPE_CHECKING:
    from ledger.application import Outcome


def fixed_amount(prog: Programme, tier: str | None = None) -> bool:
    """Whether a fact alone gives the award's figure: a tier of a tiered programme that states its amount and asks
    for no rank (rank shares, or a tier paid by rank, need a figure the ledger does not hold). Without `tier`:
    whether any of its tiers does (A11.standard's international tiers do, its national and industry ones not)."""
    if prog.kind is not Kind.TIERED or prog.rank_shares:
        return False
    return any(t.amount is not None and t.max_rank is None for t in prog.tiers if tier is None or t.code == tier)


def unproposed(prog: Programme, tier: str | None, met: list[errors.LedgerError]) -> dict[str, str] | None:
    """Why recording a certification proposed nothing, for its line of an official list (a bureau probe read a row of
    an organisation outside the district recorded with no proposal and no word): the refusal the claim it opens met
    on the last day tried, or the figure the ledger does not hold. None where the fact opens no claim of its own (a
    designation, a programme without tiers)."""
    if met:
        found = met[-1]
        return {"code": found.code, "detail": found.detail, "detail_zh": found.in_language("zh") or found.detail}
    if prog.kind is not Kind.DESIGNATION and not fixed_amount(prog, tier):
        # A programme without tiers (A10.first_set, A3.alliance, A8.orders) too: a regression probe read such lines
        # with no word, where the README says they are named.
        # The tier by name in Chinese, as every other sentence names it (a regression probe read "的 national 等次").
        at, at_zh = (f" at {tier_en(prog, tier)}", f"的{tier_zh(prog, tier)}等次") if tier else ("", "")
        return {"code": "figure_not_held",
                "detail": f"{prog.code}{at} is paid by a figure the ledger does not hold (a rank, a rate of a"
                          " basis, or a decided amount), so nothing is proposed: submit the claim with its figure"
                          " (POST /v1/claims)",
                "detail_zh": f"{prog.zh}{at_zh}按台账未掌握的数额计发（排名、基数的比例或核定金额），因此不生成"
                             "待确认奖补：请带上该数额提交申请（POST /v1/claims）"}
    return None


class Proposals:
    """The proposal use-case family, mixed into AwardLedger."""

    def _propose(self, org: Organisation, cert: Certification, day: date, by: Principal, fact: str,
                 fact_id: str, loaded: dict[str, AwardAccount] | None = None,
                 freed: set[str] | None = None, met: list[errors.LedgerError] | None = None) -> list[Claim]:
        """The claim `cert` opens on `day`, as a proposal, if the rules give one; nothing otherwise. Where the
        organisation is not eligible on `day` but becomes so on a later day it already holds, a membership that
        begins later (recorded before the certification), the claim opens on that day, as it would have had the
        membership been recorded after the certification. A re-entry into the district it already holds counts the
        same way (recorded before the certification, it proposed nothing: a proposals probe, where the other order
        proposed the award). `loaded` and `freed`: see `_propose_on`; `met`, where given, gathers the refusals the
        claim met on each day tried (`unproposed` says the last)."""
        joined = {d for m in org.facts(day).memberships if (d := max(m.joined_on, m.recognised_on)) > day}
        back = {c["effective_on"] for c in org.district_changes if c["in_district"] and c["effective_on"] > day}
        later = sorted(joined | back)
        for when in (day, *later):
            made = self._propose_on(org, cert, when, by, fact, fact_id, loaded, freed, met)
            if made is not None:
                return made
        return []

    def _propose_on(self, org: Organisation, cert: Certification, day: date, by: Principal, fact: str,
                    fact_id: str, loaded: dict[str, AwardAccount] | None = None,
                    freed: set[str] | None = None, met: list[errors.LedgerError] | None = None) -> list[Claim] | None:
        """`_propose` on one day: None when the organisation is not eligible on it (a later day may do). `loaded`:
        accounts the deciding command has changed and not yet saved (a revocation's), read as it left them; `freed`:
        where given, only a claim drawing on one of these accounts is proposed (what an ended claim gave back)."""
        catalogue = self.catalogue_on(day)
        prog = catalogue.programme(cert.programme)
        tier = cert.tier_on(day)
        if prog is None or cert.revoked or tier is None or not fixed_amount(prog, tier):
            return []
        waiting = next((pid for pid, p in org.proposals.items()
                        if p["certification_id"] == str(cert.id) and p["tier"] == tier), None)
        later = None if waiting is None else self._get_or_none(Claim, UUID(waiting))
        if waiting is not None and (later is None or later.status != "proposed" or later.effective_on <= day):
            return []
        # An open proposal for a later day gives way to this one should the organisation be eligible on `day`: a
        # membership dated earlier, recorded after one dated later, proposes as if recorded first (a proposals probe:
        # the order two memberships were recorded in chose the award year and the figure).
        if (str(cert.id), tier) in org.declined:  # the bureau withdrew it: a later fact does not bring it back
            return []
        if self._account(certification_key(str(cert.id), tier).text).state().entries:
            # A claim was made for this fact, whatever became of it (pending, approved, rejected, withdrawn,
            # revoked): the bureau has decided on it, and a later fact (a second membership) does not offer it again.
            return []
        facts = ClaimFacts(org.uscc, prog.code, day.year, day, tier, None, cert.subject, cert.body_id,
                           certification_id=str(cert.id))
        try:
            plan = prepare(catalogue, facts, org.facts(day))
            if freed is not None and not freed.intersection(k.text for k in plan.keys):
                return []
            # Read, never saved: the proposal reserves nothing on these accounts.
            entitlement = entitle(plan, {k.text: self._account(k.text).state() for k in plan.keys}
                                  if loaded is None else self._states(plan, loaded))
        except errors.NotEligible as refusal:
            if met is not None:
                met.append(refusal)
            return None  # not on this day (not yet a member, say)
        except errors.LedgerError as refusal:
            if met is not None:
                met.append(refusal)
            return []  # the fact opens no claim now (already awarded, superseded, outside the term...)
        # The document the tier in force rests on: an upgrade's proposal rests on the upgrade's, not the first's.
        document_ref = next((t["document_ref"] for t in reversed(cert.tiers)
                             if t["tier"] == tier and t["effective_on"] <= day), cert.document_ref)
        recorded_on = today().isoformat()
        proposal = {"because": fact, "fact_id": fact_id, "certification_id": str(cert.id), "recorded_on": recorded_on,
                    "by": by.name, "text": f"proposed because {fact} {fact_id} was recorded on {recorded_on}"
                                          f" by {by.name}"}
        claim = Claim.propose(
            proposal=proposal, uscc=org.uscc, programme=prog.code, award_year=day.year, effective_on=day,
            tier=entitlement.tier, rank=None, subject=entitlement.subject, body_id=entitlement.body_id,
            certification_id=str(cert.id), basis_amount=None, requested_amount=None, document_ref=document_ref,
            gross_amount=entitlement.gross, entitled_amount=entitlement.amount, explanation=entitlement.explanation(),
            accounts=list(entitlement.accounts), policy_version=entitlement.policy_version,
            pays_award=prog.pays_awards, lead=prog.lead, by=by.name)
        org.open_proposal(str(claim.id), prog.code, entitlement.tier, str(cert.id), entitlement.body_id,
                          entitlement.subject, by.name)
        if later is not None and waiting is not None:
            later.replace_proposal(str(claim.id), f"replaced by proposal {claim.id}: {org.uscc} was eligible from"
                                   f" {day}, before this proposal's {later.effective_on}, as {fact} {fact_id} shows",
                                   by.name)
            org.close_proposal(waiting, "earlier", by.name)
            return [claim, later]
        return [claim]

    def _reopen(self, org: Organisation, day: date, by: Principal, fact: str, fact_id: str,
                wanted) -> list[Claim]:
        """A membership or a designation may open claims on certifications recorded before it."""
        made: list[Claim] = []
        catalogue = self.catalogue_on(day)
        for cert_id, code in list(org.certifications.items()):
            prog = catalogue.programme(code)
            if prog is None or not fixed_amount(prog) or not wanted(prog):
                continue
            cert = self._get(Certification, uuid_of(cert_id, "certification"), f"certification {cert_id}")
            when = max(day, *(t["effective_on"] for t in cert.tiers))
            proposed = self._propose(org, cert, when, by, fact, fact_id)
            # The certification's lower rung may still be proposed (made before a departure, upgraded outside the
            # district): the new rung replaces it, as an upgrade's proposal does (both stood open: a proposals probe).
            made += proposed + self._supersede_rungs(org, cert, proposed, by)  # type: ignore[operator]
        return made

    def _replace_proposals(self, org: Organisation, claim: Claim, by: Principal) -> list[Aggregate]:
        """A claim submitted for the fact a proposal rests on replaces it (closed as withdrawn, naming it). The
        fact is the certification at the claim's rung: a claim for the lower rung of an upgraded certification
        leaves the upgrade's proposal open (a probe saw it withdrawn as "the same fact")."""
        replaced: list[Aggregate] = []
        for pid, p in list(org.proposals.items()):
            same = ((p["certification_id"], p["tier"]) == (claim.certification_id, claim.tier)
                    if claim.certification_id else
                    (p["tier"], p["body_id"], p["subject"]) == (claim.tier, claim.body_id, claim.subject))
            if p["programme"] != claim.programme or not same:
                continue
            proposal = self._get(Claim, uuid_of(pid, "claim"), f"claim {pid}")
            if proposal.status == "proposed":
                proposal.replace_proposal(str(claim.id), f"replaced by claim {claim.id}, submitted for the same fact",
                                          by.name)
                replaced.append(proposal)
            org.close_proposal(pid, "replaced", by.name)
        return replaced

    def _supersede_rungs(self, org: Organisation, cert: Certification, made: list[Claim],
                         by: Principal) -> list[Aggregate]:
        """An upgrade: the lower rung's open proposal gives way to the one for the new figure."""
        if not made:
            return []
        closed: list[Aggregate] = []
        for pid, p in list(org.proposals.items()):
            if p["certification_id"] == str(cert.id) and pid != str(made[0].id):
                proposal = self._get(Claim, uuid_of(pid, "claim"), f"claim {pid}")
                if proposal.status == "proposed":
                    proposal.replace_proposal(str(made[0].id), f"replaced by proposal {made[0].id}: the certification"
                                              f" was upgraded to {cert.tier}", by.name)
                    closed.append(proposal)
                org.close_proposal(pid, "upgraded", by.name)
        return closed

    def confirm_claim(self, by: Principal, *, claim_id: str, key: str | None = None) -> Outcome:
        """Rule 12: the proposal is decided again on the ledger as it is and is pending as if submitted; where the
        figure moved, its `Confirmed` event is followed by a `Reassessed` one showing the old and new figures."""
        cid = uuid_of(claim_id, "claim")

        def decide() -> tuple[list[Aggregate], dict]:
            require_role(by, Role.BUREAU, doing="confirm proposed claims")
            claim = self._get(Claim, cid, f"claim {claim_id}")
            self._intact(cid, f"claim {claim_id}")
            if by.bureau != claim.lead:
                raise errors.NotLeadBureau(f"claim {claim_id} is under {claim.programme}, led by {claim.lead};"
                                           f" {by.name} may not confirm it",
                                           zh=f"申请 {claim_id} 属于{self._programme_zh(claim.programme)}"
                                              f"，由{self._bureau_zh(claim.lead)}牵头；"
                                              f"{by.name} 无权确认，请由牵头部门确认")
            if claim.status != "proposed" and claim.replaced_by:
                raise self._replaced(claim_id, claim, "confirmed", "确认")
            if claim.status != "proposed":
                raise errors.InvalidState(f"claim {claim_id} is {claim.status}, not proposed; only a proposal is"
                                          " confirmed (a pending claim is decided with /approve or /reject)",
                                          zh=f"申请 {claim_id} 的状态是{status_zh(claim.status)}，"
                                             "不是“待确认”（proposed）；"
                                             "只有待确认的申请可以确认（待审批的申请请用 /approve 批准"
                                             "或 /reject 驳回）")
            org = self._organisation(claim.uscc)
            catalogue = self.catalogue_on(claim.effective_on)
            facts = self._with_certification(catalogue, ClaimFacts(
                claim.uscc, claim.programme, claim.award_year, claim.effective_on, None, claim.rank, None,
                None if claim.certification_id else claim.body_id, claim.basis_amount, claim.requested_amount,
                claim.certification_id))
            plan = prepare(catalogue, facts, org.facts(claim.effective_on))
            accounts = self._open_accounts(plan)
            if any(a.entries.get(str(cid), {}).get("status") in LIVE for a in accounts):
                # The proposal read before another process confirmed it, its accounts after: this claim holds its
                # own slot, and the rules would say it is taken by itself (`already_awarded`, naming this claim: a
                # races probe, two servers). Decided again on fresh state, where the claim is pending.
                raise RecordConflictError(f"claim {claim_id} was confirmed while this confirmation read it")
            now = entitle(plan, {a.key: a.state() for a in accounts})
            # Confirmed at the proposal's own figures, then, if the rules now give another, that re-assessment as
            # an event of its own with the old and new figures (contract: "A re-assessment (catalogue rule 12)
            # appears in the claim's history as its own event"), as an approval records it. One command, one
            # moment: `as_of` never shows the one without the other.
            claim.confirm(claim.entitled_amount, claim.entitled_amount, claim.gross_amount, claim.explanation,
                          list(claim.accounts), claim.policy_version, by.name)
            if now.amount != claim.entitled_amount or list(now.accounts) != list(claim.accounts):
                claim.reassess(claim.entitled_amount, now.amount, now.gross, now.explanation(), list(now.accounts),
                               list(claim.accounts), now.policy_version, by.name)
            for account in accounts:
                account.reserve(str(claim.id), claim.programme, now.amount, now.standing, now.tier, by.name,
                                claim.uscc)
            org.close_proposal(str(claim.id), "confirmed", by.name)
            held = self._held_proposals(claim, accounts, org, by)
            return [claim, org, *accounts, *held], views.claim(claim)

        return self._run(by, key, "confirm_claim", {"claim": str(cid)}, decide)

    def _replaced(self, claim_id: str, claim: Claim, doing: str, doing_zh: str) -> errors.InvalidState:
        """A proposal another claim closed (`replaced_by`: submitted for the same fact, proposed for an upgraded
        tier, or approved and outranking it), refused naming that claim and why, in the ledger's own note: "withdrawn,
        not proposed" alone sent a stale tab's clerk and an API client looking (a regression probe)."""
        prog = self.catalogue_on(claim.effective_on).programme(claim.programme)  # type: ignore[attr-defined]

        def tiers(lang: str):  # a tier the note names, by its name in `lang`
            return lambda code: (None if prog is None or (t := prog.tier(code)) is None else
                                 t.name_zh if lang == "zh" else t.name_en)

        note, note_zh = (system_note(claim.decision_note, lang, tiers(lang)) for lang in ("en", "zh"))
        other = claim.replaced_by
        return errors.InvalidState(f"claim {claim_id} is withdrawn, not proposed: {note}. It can no longer be {doing};"
                                   f" claim {other}, which took its place, is the one to deal with (GET"
                                   f" /v1/claims/{other})",
                                   zh=f"申请 {claim_id} 已撤回，不是“待确认”：{note_zh}。该项不能再{doing_zh}；"
                                      f"请改为处理取代它的申请 {other}（GET /v1/claims/{other}）")

    def confirm_claims(self, by: Principal, *, ids: list[str], key: str | None = None) -> Outcome:
        """Many proposals, each in its own transaction: one refused leaves the others confirmed. The request's
        Idempotency-Key is claimed for its list before the first proposal is confirmed (beside the log, as the
        sandbox keeps its answers), so the key sent again with another list is `conflict` and writes nothing (a
        contract probe's second list was confirmed); each proposal is then confirmed under a key of its own, so the
        same list sent again gives each proposal its first answer, marked replayed."""
        from ledger.application import Outcome

        ids = list(dict.fromkeys(ids))
        replayed = key is not None and self._claim_key(by, key, ids)
        confirmed, refused, position = [], [], None
        for claim_id in ids:
            try:
                outcome = self.confirm_claim(by, claim_id=claim_id, key=None if key is None else f"{key}:{claim_id}")
            except errors.LedgerError as refusal:
                refused.append({"id": claim_id, "code": refusal.code, "detail": refusal.detail,
                                "detail_zh": refusal.in_language("zh") or refusal.detail})
                continue
            confirmed.append(outcome.view)
            position = max(p for p in (position, outcome.position) if p is not None) if outcome.position else position
        return Outcome({"confirmed": confirmed, "refused": refused}, position, replayed=replayed)

    def _claim_key(self, by: Principal, key: str, ids: list[str]) -> bool:
        """Claim the key for this list of proposals: whether it was claimed for it before (a replay); `conflict`
        if it was used for another list or command, or is claimed for one meanwhile."""
        fingerprint = command_fingerprint("confirm_claims", {"ids": ids})
        if self._kept_answer(by, key, fingerprint) is not None:
            return True
        claimed = self.recorder.keep_refusal(by.name, key, fingerprint,  # type: ignore[attr-defined]
                                             refused_keys.kept_answer({"confirm_claims": ids}),
                                             record_id=IdempotencyRecord.create_id(by.name, key))
        self._kept_answer(by, key, fingerprint)  # the same key claimed at once for another list: conflict
        # The same key and list claimed at once by another request: this one is its replay, and says so (eight at
        # once answered unmarked: a regression probe).
        return not claimed

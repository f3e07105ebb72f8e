"""The lead bureau's corrections on the pages: withdraw a pending claim, revoke an approved one, revoke a
certification. Each form first previews (the command with dry_run=true) and records only when confirmed;
the same `AwardLedger` commands and request models as POST /v1/claims/{id}/withdraw and its neighbours."""
from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api.deps import LedgerDep, ReadModelsDep
from api.labels import tier_namer
from api.schemas.corrections import CertificationRevocationCreate, RevocationCreate, TopUpCreate, WithdrawalCreate
from api.web import i18n, refusal_words
from api.web.amounts import yuan
from api.web.certifications import certification_page
from api.web.claims import declined_ids
from api.web.correction_forms import FormState, bound, every_fault, form_day, resent_about_claim
from api.web.pages import PageRoute, render
from api.web.session import CsrfChecked, PagePrincipal
from ledger.domain.errors import LedgerError
from ledger.messages import system_note

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Text = Annotated[str, Form()]


def _claim_page(request: Request, ledger: LedgerDep, claim_id: str, action: str, state: FormState | Response
                ) -> Response:
    if isinstance(state, Response):
        return state
    found = ledger.claim(claim_id, with_history=False)
    catalogue = ledger.catalogue()
    shut = bool(declined_ids(ledger, [found]))
    resent_about_claim(state, found, i18n.language(request), shut)
    organisation = ledger.organisation(found["uscc"])
    return render(request, "corrections/claim.html", state.status, claim=found, action=action, form=state,
                  programme=catalogue.programme(found["programme"]), programmes=catalogue.programmes,
                  organisation_name=organisation["name"], declined=shut)


@router.post("/ui/claims/{claim_id}/withdraw", dependencies=[CsrfChecked])
def withdraw(request: Request, claim_id: str, by: PagePrincipal, ledger: LedgerDep, reason: Text = "",
             step: Text = "preview", key: Text = "", shown: Text = "") -> Response:
    """Preview, then confirm, withdrawing a pending or proposed claim (lead bureau only, as in the API)."""
    typed = {"reason": reason}

    def command(dry_run: bool, once: str | None):
        body = WithdrawalCreate.model_validate(typed)
        return ledger.withdraw_claim(by, claim_id=claim_id, reason=body.reason, dry_run=dry_run, key=once)

    now: dict = {}
    try:  # a proposal's form is to decline it: a refusal names its field 不予确认理由, as the form does, a stale
        # tab's sent after the proposal was declined too (it named 撤回理由: a regression probe)
        now = ledger.claim(claim_id, with_history=False)
        form = "decline" if now["status"] == "proposed" or claim_id in declined_ids(ledger, [now]) else "withdraw"
    except LedgerError:
        form = "withdraw"
    state = bound(request, typed, step, key, command, f"/ui/claims/{claim_id}?corrected=withdrawn", form, shown)
    refused = state.refusal if isinstance(state, FormState) else None
    if refused and refused["code"] == "invalid_state" and not refused.get("resent") and (
            by_claim := now.get("replaced_by")):
        # A stale tab's decline of a proposal another claim closed: why, and the claim to open, as the confirm says
        # it (api/web/claims.py); "已是“已撤回”状态…无需更正" named neither (a regression probe).
        lang = i18n.language(request)
        t = i18n.translator(lang)
        note = system_note(now.get("decision_note"), lang, tier_namer(now["programme"], lang))
        refused |= {"detail": t("decline_now_replaced", id=by_claim, note=(note or "").rstrip("。.")),
                    "link": f"/ui/claims/{by_claim}", "link_label": t("open_replacing", id=by_claim)}
    return _claim_page(request, ledger, claim_id, "withdraw", state)


@router.post("/ui/claims/{claim_id}/revoke", dependencies=[CsrfChecked])
def revoke(request: Request, claim_id: str, by: PagePrincipal, ledger: LedgerDep, reason: Text = "",
           document_ref: Text = "", step: Text = "preview", key: Text = "", shown: Text = "") -> Response:
    """Preview, then confirm, revoking an approved award: the unpaid part released, the paid part recovered."""
    typed = {"reason": reason, "document_ref": document_ref}

    def command(dry_run: bool, once: str | None):
        body = RevocationCreate.model_validate(typed)
        return ledger.revoke_claim(by, claim_id=claim_id, reason=body.reason, document_ref=body.document_ref,
                                   dry_run=dry_run, key=once)

    state = bound(request, typed, step, key, command, f"/ui/claims/{claim_id}?corrected=revoked", "revoke", shown)
    return _claim_page(request, ledger, claim_id, "revoke", state)


@router.post("/ui/claims/{claim_id}/top-up", dependencies=[CsrfChecked])
def top_up(request: Request, claim_id: str, by: PagePrincipal, ledger: LedgerDep, reason: Text = "",
           document_ref: Text = "", step: Text = "preview", key: Text = "", shown: Text = "") -> Response:
    """Preview, then confirm, claiming the difference an approved award is owed now (rule 3)."""
    typed = {"reason": reason, "document_ref": document_ref}

    def command(dry_run: bool, once: str | None):
        body = TopUpCreate.model_validate(typed)
        return ledger.top_up_claim(by, claim_id=claim_id, reason=body.reason, document_ref=body.document_ref,
                                   dry_run=dry_run, key=once)

    state = bound(request, typed, step, key, command, f"/ui/claims/{claim_id}?corrected=topped_up", "top_up", shown,
                  of=lambda p: f"{Decimal(str(p['entitled_amount'])):.2f}",
                  words=lambda figure, lang: yuan(figure, lang))
    return _claim_page(request, ledger, claim_id, "top_up", state)


@router.get("/ui/certifications/{certification_id}")
def certification(request: Request, certification_id: str, by: PagePrincipal, ledger: LedgerDep,
                  read_models: ReadModelsDep) -> Response:
    """A certification: its organisation, tiers, the claims resting on it and its revocation; for its lead bureau
    the forms that upgrade it and revoke it from a day."""
    return certification_page(request, ledger, read_models, by, certification_id)


@router.post("/ui/certifications/{certification_id}/revoke", dependencies=[CsrfChecked])
def revoke_certification(request: Request, certification_id: str, by: PagePrincipal, ledger: LedgerDep,
                         read_models: ReadModelsDep, reason: Text = "", effective_on: Text = "",
                         document_ref: Text = "", step: Text = "preview", key: Text = "", shown: Text = "") -> Response:
    """Preview, then confirm, revoking a certification: its claims from that day are withdrawn or revoked."""
    typed = {"reason": reason, "effective_on": effective_on, "document_ref": document_ref}

    def command(dry_run: bool, once: str | None):
        body = CertificationRevocationCreate.model_validate(typed)
        return ledger.revoke_certification(by, certification_id=certification_id, reason=body.reason,
                                           effective_on=body.effective_on, document_ref=body.document_ref,
                                           dry_run=dry_run, key=once)

    done = f"/ui/certifications/{certification_id}?corrected=certification"
    state = bound(request, typed, step, key, command, done, "certification", shown)

    def faults() -> dict[str, str]:  # the day read alone: ahead of today, or before the certification held
        day = form_day(effective_on)
        refused = None if day is None else ledger.revocation_day_refused(certification_id, day)
        return {} if refused is None else {"effective_on": refusal_words.detail(refused, i18n.language(request))}

    state = every_fault(state, faults, i18n.language(request), "certification")
    if isinstance(state, Response):
        return state
    return certification_page(request, ledger, read_models, by, certification_id, revoke=state)

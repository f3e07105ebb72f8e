"""Certifications on the pages: the lead bureau records one (`/ui/certifications/new`, the same request model and
command as POST /v1/certifications) and records its upgrade (晋级, as POST /v1/certifications/{id}/upgrades) from
the certification's page; and what that page shows: the organisation, the claims resting on the certification
(免申即享 proposals among them) and, once revoked, why, on what document, by whom and when."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import LedgerDep, ReadModelsDep
from api.schemas.certifications import CertificationCreate, UpgradeCreate
from api.web import i18n, query_notice, refusal_words
from api.web.claims import declined
from api.web.correction_forms import FormState, attempt, every_fault, form_day
from api.web.i18n import FORM_LABELS, MESSAGES
from api.web.pages import PageRoute, render
from api.web.search import claims_of
from api.web.session import CsrfChecked, PagePrincipal, allowing
from ledger.application import AwardLedger, Outcome
from ledger.catalogue import catalogues
from ledger.catalogue.model import Catalogue, Kind, Programme
from ledger.domain.errors import LedgerError
from ledger.principals import Principal, Role
from ledger.rules.accounts import designation_key

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Bureau = allowing(Role.BUREAU, doing="record certifications")
Text = Annotated[str, Form()]

MESSAGES.update({
    "record_certification": ("记录认定", "Record a certification"),
    "record_certification_intro": (
        "记录本部门牵头政策条目下的一项认定。记录后，账本按政策测算其应享奖补，生成待确认奖补（免申即享）。",
        "Record a certification under a programme your bureau leads. Once recorded, the ledger proposes the award it"
        " entitles (免申即享)."),
    "no_certifying_programmes": ("本部门不牵头任何可记录认定的政策条目。",
                                 "Your bureau leads no programme that takes certifications."),
    "choose_programme": ("请选择政策条目", "Choose a programme"),
    "no_tier": ("不分等次（称号认定等）", "No tier (a designation, say)"),
    "cert_tier_hint": ("分等次的政策条目须选择等次；称号认定（如 A6.chain_leader）不填。",
                       "A tiered programme needs its tier; a designation (A6.chain_leader) has none."),
    "body_id_label": ("被认定的创新组织编号", "Innovation body id"),
    "body_id_hint": ("第三条创新组织认定（规则 13）须填写：被认定的创新组织，须为该类型并由本企业牵头。",
                     "Needed for an Art. 3 recognition (rule 13): the body recognised, of the programme's kind and"
                     " led by this organisation."),
    "subject_label": ("认定对象", "Subject"),
    "subject_hint": ("按项目、产品或标准认定时填写，如 project:P-9；其余不填。",
                     "For a project, product or standard, e.g. project:P-9; otherwise leave it blank."),
    "certify": ("记录认定", "Record the certification"),
    "fix_uscc": ("请填写 18 位统一社会信用代码。", "Give the 18-character USCC."),
    "fix_programme": ("请选择政策条目。", "Choose a programme."),
    "fix_tier": ("请选择该政策条目的等次。", "Choose one of the programme's tiers."),
    "fix_term": ("{day} 不在政策期 {term} 内；请填写政策期内的日期。",
                 "{day} is outside the policy term {term}; give a day inside it."),
    "fix_upgrade_tier": ("请选择高于现有等次的等次。", "Choose a tier above the one it stands at."),
    "fix_body_id": ("请填写被认定的创新组织编号（须先登记该创新组织）。",
                    "Give the id of the body recognised (register the body first)."),
    "recorded_certification": ("认定已记录。", "The certification is recorded."),
    "proposals_made": ("生成待确认奖补（免申即享）：{n} 项。", "Awards proposed (免申即享): {n}."),
    "cert_unproposed_why": ("未生成的原因：{why}", "Why none: {why}"),
    "upgrade_h": ("记录晋级", "Record an upgrade"),
    "upgrade_hint": ("晋级只能升到同一晋级序列中更高的等次；晋级后账本按新等次测算补差并生成待确认奖补。",
                     "An upgrade climbs the certification's ladder; the ledger then proposes the top-up the new"
                     " tier entitles."),
    "upgrade_tier": ("晋级后的等次", "New tier"), "upgrade": ("记录晋级", "Record the upgrade"),
    "upgraded_certification": ("晋级已记录。", "The upgrade is recorded."),
    "upgrade_none_left": ("本认定已处于其晋级序列的最高等次，无可晋级的等次；上方为其现有等次。",
                          "This certification stands at the top of its ladder: there is no tier left to climb to; its"
                          " tier is shown above."),
    "upgrade_revoked": ("本认定已撤销，不能晋级；如需重新认定，请记录新的认定。",
                        "This certification is revoked and cannot be upgraded; record a new certification instead."),
    "organisation_name": ("企业名称", "Organisation"),
    "claims_on_cert": ("依据本认定的申请", "Claims resting on this certification"),
    "no_claims_on_cert": ("尚无依据本认定的申请。", "No claim rests on this certification."),
    "claim_id": ("申请编号", "Claim"),
    "revocation_h": ("撤销情况", "Revocation"),
    "revocation_reason": ("撤销原因", "Reason"), "revoked_by": ("撤销人", "Revoked by"),
    "revoked_at": ("撤销时间", "Revoked at"),
    "new_certification": ("记录认定", "Record a certification"),
})
FORM_LABELS.update({
    "certify": {"uscc": "uscc", "programme": "programme", "tier": "tier", "effective_on": "effective_on",
                "document_ref": "document_ref", "body_id": "body_id_label", "subject": "subject_label"},
    "upgrade": {"tier": "upgrade_tier", "effective_on": "effective_on", "document_ref": "document_ref"},
})

# Refusals a clerk cures by retyping one field of the form: that field. (A refusal naming its field says so.)
FIELD_OF = {"invalid_uscc": "uscc", "unknown_programme": "programme", "unknown_tier": "tier",
            "not_an_upgrade": "tier", "outside_policy_term": "effective_on"}


def certifying(programme: Programme) -> bool:
    """A programme that takes certifications: a ladder of tiers, a designation, or a recognised body's (rule 13)."""
    return programme.kind is not Kind.INVESTMENT and (
        bool(programme.tiers) or programme.kind is Kind.DESIGNATION or programme.body_kind is not None)


def offered(catalogue: Catalogue, by: Principal) -> list[Programme]:
    """The programmes this bureau may record certifications under, in article order."""
    return [p for p in catalogue.programmes.values() if p.lead == by.bureau and certifying(p)]


def higher_rungs(programme: Programme | None, tier: str | None) -> list[Any]:
    """The tiers an upgrade may climb to: those above `tier` on its ladder."""
    if programme is None or tier is None:
        return []
    ladder = programme.ladder_of(tier)
    return [programme.tier(code) for code in ladder[ladder.index(tier) + 1:] if programme.tier(code)]


def _filled(given: dict[str, str]) -> dict[str, str]:
    """The fields the clerk filled in: a blank one is left out, so the model calls it missing (the page's hint
    says what to send), and an optional one is absent as in the API."""
    return {name: value for name, value in given.items() if value.strip()}


def _beside(state: FormState, hints: dict[str, str], lang: str, fields: dict[str, str] | None = None) -> FormState:
    """A refusal the ledger did not tie to a field, put beside the field that cures it (`fields`: this form's own
    reading of a code)."""
    name = (fields or {}).get(state.refusal["code"]) or FIELD_OF.get(state.refusal["code"]) if state.refusal else None
    if state.refusal and not state.errors and name in state.typed:
        state.errors[name] = i18n.translator(lang)(hints[name]) if name in hints else state.refusal["detail"]
    if state.refusal and state.refusal["code"] == "missing_field" and not state.errors:
        state.errors["tier"] = i18n.translator(lang)("fix_tier")
    return state


def _not_found_beside(err: LedgerError, typed: dict[str, str], lang: str) -> FormState:
    """An organisation or body not in the ledger is a field to retype on this form, not a missing page."""
    name = "uscc" if err.detail.startswith("organisation") else "body_id"
    title = i18n.pick(i18n.REFUSALS, err.code, lang) or err.code
    said = refusal_words.detail(err, lang)
    return FormState(typed, errors={name: said}, refusal={"code": err.code, "title": title, "detail": said},
                     status=404)


def _new_page(request: Request, ledger: AwardLedger, by: Principal, state: FormState) -> Response:
    catalogue = ledger.catalogue()
    return render(request, "certification_new.html", state.status, form=state, offered=offered(catalogue, by),
                  programmes=catalogue.programmes)


@router.get("/ui/certifications/new", dependencies=[Bureau])
def new_certification(request: Request, by: PagePrincipal, ledger: LedgerDep, uscc: str = "",
                      programme: str = "") -> Response:
    """The form that records a certification (an organisation's page may name the USCC)."""
    return _new_page(request, ledger, by, FormState({"uscc": uscc.strip(), "programme": programme.strip()}))


@router.post("/ui/certifications/new", dependencies=[Bureau, CsrfChecked])
def record_certification(request: Request, by: PagePrincipal, ledger: LedgerDep, uscc: Text = "",
                         programme: Text = "", tier: Text = "", effective_on: Text = "", document_ref: Text = "",
                         body_id: Text = "", subject: Text = "", key: Text = "") -> Response:
    """Record it, once per form (its idempotency key); then its page, with the proposals it made."""
    typed = {"uscc": uscc, "programme": programme, "tier": tier, "effective_on": effective_on,
             "document_ref": document_ref, "body_id": body_id, "subject": subject}
    made: dict[str, Any] = {}

    def command(dry_run: bool, once: str | None) -> Outcome:
        given = {"uscc": uscc.strip().upper(), "programme": programme.strip(), "effective_on": effective_on.strip(),
                 "document_ref": document_ref, "tier": tier.strip(), "body_id": body_id.strip(),
                 "subject": subject.strip()}
        body = CertificationCreate.model_validate(_filled(given))
        outcome = ledger.record_certification(by, **body.model_dump(), key=once)
        made.update(outcome.view)
        return outcome

    lang = i18n.language(request)
    hints = {"tier": "fix_tier", "uscc": "fix_uscc", "programme": "fix_programme", "body_id": "fix_body_id"}
    try:
        # A USCC the validator refuses is told what is wrong with it (its check character, say), in the API's
        # words; the form's hint ("give the 18-character USCC") only where none was given (`_fix`'s empty field).
        state = attempt(request, typed, "confirm", key, command, "/ui/certifications/new", "certify",
                        {k: v for k, v in hints.items() if k not in ("tier", "uscc")})
    except LedgerError as err:
        if err.kind != "not_found" or not err.detail.startswith(("organisation", "innovation body")):
            raise
        state = _not_found_beside(err, typed, lang)
    if isinstance(state, Response):
        return RedirectResponse(f"/ui/certifications/{made['id']}?recorded=1{_once(key)}", status_code=303)
    state = every_fault(_beside(state, hints, lang), lambda: _other_faults(ledger, typed, lang), lang, "certify")
    assert isinstance(state, FormState)
    return _new_page(request, ledger, by, state)


def _other_faults(ledger: AwardLedger, typed: dict[str, str], lang: str) -> dict[str, str]:
    """The fields the ledger's checks, which stop at the first, would refuse next: an organisation not registered, a
    tier the programme lacks, a day outside the term, a body not registered. The form marked one a send (a date
    outside the term, then the tier, then the body: a clerk's probe), where the finance forms mark every wrong field
    at once. Each read on its own; the ledger still decides, on the next send."""
    t, faults = i18n.translator(lang), {}
    uscc = typed["uscc"].strip().upper()
    if uscc:
        try:
            ledger.organisation(uscc)
        except LedgerError as err:
            faults["uscc"] = refusal_words.detail(err, lang)
    programme = ledger.catalogue().programmes.get(typed["programme"].strip())
    if programme is not None and certifying(programme):
        if programme.tiers and programme.tier(typed["tier"].strip()) is None:
            faults["tier"] = t("fix_tier")
        body = typed["body_id"].strip()
        if programme.body_kind is not None and (not body or not ledger.body_known(body)):
            faults["body_id"] = t("fix_body_id")
    day = form_day(typed["effective_on"])
    if day is not None and (outside := _outside_term(day, lang)):
        faults["effective_on"] = outside
    return faults


def _outside_term(day: date, lang: str) -> str | None:
    """What to give instead of a day outside every version's policy term, or None for a day inside one."""
    versions = catalogues()
    if any(c.policy.in_term(day) for c in versions):
        return None
    term = "；".join(c.policy.term_text_zh for c in versions) if lang == "zh" else "; ".join(
        c.policy.term_text for c in versions)
    return i18n.translator(lang)("fix_term", day=day.isoformat(), term=term)


def _upgrade_faults(ledger: AwardLedger, certification_id: str, typed: dict[str, str], lang: str
                    ) -> dict[str, str]:
    """An upgrade's fields read each on its own: a tier that is no higher rung of the certification's ladder, a day
    outside the term or before the certification or the rung it climbs from (the ledger's own words)."""
    faults: dict[str, str] = {}
    try:
        found = ledger.certification(certification_id)
    except LedgerError:
        return faults
    tier = typed["tier"].strip()
    programme = ledger.catalogue().programmes.get(found["programme"])
    if tier and tier not in {rung.code for rung in higher_rungs(programme, found["tier"])}:
        faults["tier"] = i18n.translator(lang)("fix_upgrade_tier")
    day = form_day(typed["effective_on"])
    if day is not None and (refused := ledger.upgrade_day_refused(certification_id, day)) is not None:
        faults["effective_on"] = refusal_words.detail(refused, lang)
    return faults


def _once(key: str) -> str:
    """The form's Idempotency-Key, carried to the page it redirects to, which reads the command's answer by it."""
    key = key.strip()
    return f"&once={quote(key, safe='')}" if key else ""


def _why_nothing(ledger: AwardLedger, by: Principal, cert: dict, once: str | None, lang: str) -> str | None:
    """Why the recording (or upgrade) just done proposed nothing, as its answer said (the principal's own command,
    found by its key: a URL cannot put words on the page). A single certification said "0 项" and no more, where an
    official list's line says why (a bureau probe)."""
    if not once or cert.get("proposed_claims"):
        return None
    answer = ledger.first_answer(by, once)
    why = (answer or {}).get("unproposed") if (answer or {}).get("id") == cert["id"] else None
    if not why:
        return None
    return why.get("detail_zh") or why["detail"] if lang == "zh" else why["detail"]


def _revocation(cert: dict) -> dict | None:
    """The revocation as the ledger answers it (why, on what document, from which day, by whom and when)."""
    found = cert.get("revocation")
    return None if found is None else found | {"at": found["revoked_at"]}


def certification_page(request: Request, ledger: AwardLedger, read_models: Any, by: Principal, certification_id: str,
                       revoke: FormState | None = None, upgrade: FormState | None = None) -> Response:
    """The certification's page: the organisation, its tiers, the claims resting on it, its revocation; for the
    lead bureau the forms that upgrade and revoke it (one of them possibly refused, shown again as typed)."""
    found = ledger.certification(certification_id)
    catalogue = ledger.catalogue()
    programme = catalogue.programmes.get(found["programme"])
    lead = programme.lead if programme else None
    organisation = ledger.organisation(found["uscc"])
    # A claim names the certification it rests on; one needing a designation rests on the designation's account.
    designation = designation_key(found["id"], found["uscc"]).text
    resting = [c for c in claims_of(read_models, found["uscc"])
               if c.get("certification_id") == found["id"] or designation in (c.get("accounts") or ())]
    for c in resting:  # a proposal the bureau declined is said so (不予确认), not withdrawn: its history tells
        c["declined"] = (c["status"] == "withdrawn" and bool(c.get("proposed")) and not c.get("replaced_by")
                         and declined(ledger.claim(c["id"]), found.get("revocation")))
    status = (revoke.status if revoke and revoke.status != 200 else upgrade.status if upgrade else 200)
    query = request.query_params
    return render(request, "corrections/certification.html", status, cert=found, form=revoke or FormState({}),
                  upgrade_form=upgrade or FormState({}), lead=lead, programmes=catalogue.programmes,
                  is_lead=by.bureau is not None and by.bureau == lead, organisation=organisation, claims=resting,
                  revocation=_revocation(found), rungs=higher_rungs(programme, found["tier"]),
                  # Each landing notice only where the certification bears it out (a regression probe read 认定已撤销
                  # on one never revoked, from a hand-edited address), as the claim's and recovery's pages do.
                  # A value none of its forms lands with is said as a parameter the page does not read (`?recorded=2`
                  # was dropped in silence: a regression probe).
                  done=query_notice.landed(request, "corrected", {"certification": bool(found.get("revoked_on"))}),
                  recorded=query_notice.landed(request, "recorded", {"1": True}),  # it is recorded: its page shows it
                  upgraded=query_notice.landed(request, "upgraded", {"1": len(found.get("tiers") or ()) > 1}),
                  unproposed=_why_nothing(ledger, by, found, query.get("once"), i18n.language(request)))


@router.post("/ui/certifications/{certification_id}/upgrades", dependencies=[CsrfChecked])
def record_upgrade(request: Request, certification_id: str, by: PagePrincipal, ledger: LedgerDep,
                   read_models: ReadModelsDep, tier: Text = "", effective_on: Text = "", document_ref: Text = "",
                   key: Text = "") -> Response:
    """Record an upgrade to a higher rung (lead bureau only, as in the API); a refused one comes back as typed."""
    typed = {"tier": tier, "effective_on": effective_on, "document_ref": document_ref}

    def command(dry_run: bool, once: str | None) -> Outcome:
        body = UpgradeCreate.model_validate(_filled({"tier": tier.strip(), "effective_on": effective_on.strip(),
                                                     "document_ref": document_ref}))
        return ledger.record_upgrade(by, certification_id=certification_id, **body.model_dump(), key=once)

    lang = i18n.language(request)
    hints = {"tier": "fix_upgrade_tier"}
    state = attempt(request, typed, "confirm", key, command,
                    f"/ui/certifications/{certification_id}?upgraded=1{_once(key)}", "upgrade", hints)
    if isinstance(state, Response):
        return state
    # The one plain `invalid_request` an upgrade's checks give once its fields are well formed: a day before the
    # certification's own.
    state = _beside(state, hints, lang, {"invalid_request": "effective_on"})
    state = every_fault(state, lambda: _upgrade_faults(ledger, certification_id, typed, lang), lang,
                        "upgrade")
    assert isinstance(state, FormState)
    return certification_page(request, ledger, read_models, by, certification_id, upgrade=state)

"""Finding an organisation, and its page: totals, programmes, cap headroom, timeline, explanations."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from api import labels
from api.deps import LedgerDep, ReadModelsDep
from api.routes.queues import organisation_cursor, organisation_next
from api.schemas.awards import read_as_of
from api.schemas.fields import query_text
from api.web import i18n, query_notice, refusal_words, search
from api.web.claims import declined_ids
from api.web.pages import PageRoute, render
from api.web.session import PagePrincipal
from ledger import beijing, views
from ledger.application import AwardLedger
from ledger.catalogue import Catalogue
from ledger.domain.errors import InvalidInput, InvalidUscc, NotFound
from ledger.domain.values import Uscc
from ledger.messages import persons_reason
from projections.events import utc_text

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/ui/organisations")
def find_organisation(request: Request, by: PagePrincipal, read_models: ReadModelsDep,
                      q: Annotated[query_text(200), Query()] = "", cursor: str | None = None) -> Response:
    """Organisations whose USCC starts with `q` or whose name contains it, as GET /v1/organisations finds them
    (the same read-model query and the same check of `q`: a code with a zero-width space beside it answered "no
    organisation matches" where the API names the character, a regression probe); a USCC that is known opens its
    page directly."""
    cursor = organisation_cursor(cursor, q)  # refused whatever q is, as the API refuses it (a regression probe)
    found, after = read_models.organisations(q, search.LIMIT, cursor) if q.strip() else ([], None)
    if search.looks_like_uscc(q.strip()) and len(found) == 1 and not cursor:
        return RedirectResponse(f"/ui/organisations/{found[0]['uscc']}", status_code=303)
    return render(request, "search.html", q=q, found=found, next_cursor=organisation_next(after, q),
                  not_a_code=_not_a_code(q.strip(), found, i18n.language(request)))


def _not_a_code(q: str, found: list, lang: str) -> str | None:
    """Why a whole code that matches nothing is no code at all (its check character, say), in the page's words: a
    pages probe typed a code one character off and read only "no organisation matches"."""
    if found or not search.looks_like_uscc(q):
        return None
    try:
        Uscc.parse(q)
    except InvalidUscc as err:
        return refusal_words.detail(err, lang)
    return None


def _moment(as_of: str) -> datetime | None:
    """`?as_of=` as the API reads it (api/schemas/awards.py `read_as_of`): RFC 3339, or a bare day (its end in
    Beijing time); empty is now. One in no form it reads (2026/12/07) is told the page's own forms, not the API's
    RFC 3339 (a clerk's probe)."""
    try:
        return read_as_of(as_of)
    except InvalidInput as err:
        if "is not an RFC 3339 timestamp" not in err.detail:
            raise  # a form it reads, but no such day, or outside the term: its own words say more
        day, typed = beijing.today().isoformat(), query_notice.cut(as_of)  # at most 40 characters, as the API
        raise InvalidInput(f"as of {typed!r} could not be read: write {day} or {day} 10:30:00 (Beijing time)",
                           zh=f"截至“{typed}”无法识别：请写作 {day} 或 {day} 10:30:00（北京时间）",
                           field="as_of") from None


@router.get("/ui/organisations/{uscc}")
def organisation(request: Request, uscc: str, by: PagePrincipal, read_models: ReadModelsDep,
                 ledger: LedgerDep, as_of: str = "") -> Response:
    """What the API's awards and history resources say about the organisation (now, or as known at
    `?as_of=`), and each claim's explanation."""
    code = Uscc.parse(uscc).value  # a malformed code is `invalid_uscc`, as in the API
    asked = datetime.now(UTC)
    moment = _moment(as_of)
    state = read_models.award_state(code, moment)
    if state is None:
        if moment is not None and read_models.award_state(code) is not None:
            # Registered later: said as the page says moments (（北京时间）), pointing at the page's own 截至 field
            # and its 当前 link, not the API's as_of (a zh probe, then a regression probe).
            shown = beijing.local(moment).strftime("%Y-%m-%d %H:%M:%S")  # type: ignore[union-attr]
            raise NotFound(f"as of {shown} (Beijing time) the ledger did not know organisation {code} yet: it was"
                           " registered later; choose a later day, or show it as it stands now",
                           zh=f"截至 {shown}（北京时间），台账中尚无企业 {code}（其登记在此之后）；"
                              "请选择更晚的日期，或查看其当前状态")
        raise NotFound(f"organisation {code} is not in the ledger",
                       zh=f"台账中没有企业 {code}；请核对统一社会信用代码，或先登记该企业")
    catalogue = ledger.catalogue()
    state = labels.named_awards(state, catalogue)  # article order, names beside codes, as the API answers
    cut = None if moment is None else utc_text(moment)
    rows = search.claims_of(read_models, code)
    if moment is None:
        claims = [claim | {"explanation": ledger.claim(claim["id"], with_history=False)["explanation"]}
                  for claim in rows]
    else:  # each claim as the ledger knew it then: its status, entitlement and explanation, not today's
        claims = [then for claim in rows
                  if claim["submitted_at"] <= cut and (then := _claim_then(ledger, claim, moment)) is not None]
    programme_of = {c["id"]: c["programme"] for c in rows}
    events = of_claims(of_certifications(with_reversed_amounts(
        once_per_payout([e for e in read_models.history(code) if cut is None or e["recorded_at"] <= cut])), catalogue),
        programme_of)
    return render(request, "organisation.html", state=_caps_named(state, rows), claims=claims, events=events,
                  declined=declined_ids(ledger, claims),
                  programmes=catalogue.programmes, moment=moment,
                  # a moment not yet come is the moment of asking: shown to the second, as every other time is
                  moment_exact=moment is not None and moment < asked,
                  # a claim's event names no programme; its note may name a tier of it (an upgrade's replacement)
                  programme_of=programme_of,
                  as_of_typed=_as_of_typed(as_of, moment), ignored=_not_taken(request))


def _not_taken(request: Request) -> list[str]:
    """A parameter the page reads nothing from (`asof=2024-01-01` showed today's figures without a word) and an
    `as_of` sent more than once (the last is read), named as the queue names them (api/web/query_notice.py)."""
    lang = i18n.language(request)
    _, repeated = query_notice.repeated(request.query_params, "as_of", lang, blank=True, applies=lambda v: True)
    return query_notice.not_taken(request.query_params, ("as_of",), lang) + ([repeated] if repeated else [])


_PAGE_MOMENT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,6})?")  # Beijing time, as the hint writes it


def _as_of_typed(typed: str, moment: datetime | None) -> str:
    """The 截至 field as the page shows it again: a day as typed, a moment in Beijing time to the second (to the
    microsecond where the page read it so), so that 显示 again answers the same moment. A date field dropped a moment
    typed (its hint offers one) and showed the day of one sent, read again as that day's end (an audit probe)."""
    typed = typed.strip()
    if moment is None or len(typed) <= len("2024-01-01") or _PAGE_MOMENT.fullmatch(typed):
        return typed if moment is not None else ""  # a day, or a moment as the page writes one: read so again
    local = beijing.local(moment)
    # A moment written to the second is read to that second's end (.999999): one the page read otherwise (the start
    # of a second sent with an offset, 17:33:49+08:00) shows its fraction, or 显示 again moved it (a regression probe).
    exact = local.microsecond != 999_999
    return local.strftime("%Y-%m-%d %H:%M:%S") + (f".{local.microsecond:06d}" if exact else "")


def _caps_named(state: dict, claims: list[dict]) -> dict:
    """Each per-project cap with its project as the claims write it, not as the cap's key folds it (rule 5's
    `project:p-9`): two bars of one programme were told apart by nothing (a clerk's probe)."""
    written = {c["subject"].casefold(): c["subject"] for c in claims if c.get("subject")}
    return state | {"caps": [cap | {"subject": written.get(cap["subject"].casefold(), cap["subject"])}
                             if cap.get("subject") else cap for cap in state.get("caps") or ()]}


def _claim_then(ledger: AwardLedger, row: dict, moment: datetime) -> dict | None:
    """The read model's row of a claim with what its own events said at `moment`; None: not recorded yet."""
    claim = ledger.aggregate_as_of(UUID(row["id"]), moment)
    if claim is None:
        return None
    then = views.claim(claim)
    return row | {"status": then["status"], "entitled": then["entitled_amount"], "explanation": then["explanation"]}


# A payout is recorded on the payout and, in the same command, on its claim: two events, one act. The timeline
# shows the payout's own event (amount, date, bank reference) and leaves out the claim's echo of it; so too a
# repayment's, recorded on its recovery and on the revoked claim.
CLAIM_ECHOES = {"Claim.PayoutRecorded": "Payout.Recorded", "Claim.PayoutReversed": "Payout.Reversed",
                "Claim.RepaymentRecorded": "Recovery.Repaid", "Claim.RepaymentReversed": "Recovery.RepaymentReversed"}


def once_per_payout(events: list[dict]) -> list[dict]:
    """The timeline with each payout and reversal once. Both events of one command are always recorded
    together, so an echo is left out whenever the timeline holds the payout events it echoes."""
    payouts = {e["event"] for e in events if e["event"] in CLAIM_ECHOES.values()}
    return [e for e in events if CLAIM_ECHOES.get(e["event"]) not in payouts]


def of_certifications(events: list[dict], catalogue: Catalogue) -> list[dict]:
    """Each certification's event with its programme, its tier by name (an upgrade's new one, a revocation's last)
    and its id for a link: the timeline said 认定晋级 and 撤销认定 with neither, and 记录认定 with no tier, so which
    certification was upgraded to what, or revoked, could not be told (a clerk's probe)."""
    held: dict[str, dict] = {}
    found = []
    for e in events:
        if e["event"].startswith("Certification."):
            cert = held.setdefault(e["aggregate_id"], {})
            cert.update({k: e["summary"][k] for k in ("programme", "tier") if e["summary"].get(k)})
            if cert.get("programme"):
                names = labels.names(catalogue, programme=cert["programme"], tier=cert.get("tier") or None)
                e = e | {"programme": cert["programme"], "certification_id": e["aggregate_id"],
                         "tier": cert.get("tier"), "tier_name": names.get("tier_name")}
        found.append(e)
    return found


def of_claims(events: list[dict], programme_of: dict[str, str]) -> list[dict]:
    """Each event with the claim it is about (`claim_id`: a claim's own, a payout's, a recovery's) and that claim's
    programme where the event names none: an approval, a re-assessment or a revocation named neither, and two claims
    of one programme could not be told apart (a regression probe)."""
    found, proposed, recovering = [], set(), {}
    # A certification's revocation closes the proposals resting on it in the same command; recorded before the ledger
    # wrote its own note for that, each kept the revocation's reason and document (a regression probe read 不予确认).
    revocations = {(e["summary"].get("reason"), e["summary"].get("document_ref")) for e in events
                   if e["event"] == "Certification.Revoked"}
    for e in events:
        claim = e["aggregate_id"] if e["event"].startswith("Claim.") else e["summary"].get("claim_id")
        if e["event"].startswith("Recovery."):  # a repayment or reduction names its recovery, opened for its claim
            claim = recovering.setdefault(e["aggregate_id"], claim) or claim
        programme = e["summary"].get("programme") or programme_of.get(claim or "")
        if e["event"] == "Claim.Proposed":
            proposed.add(claim)
        elif e["event"] == "Claim.Confirmed":
            proposed.discard(claim)
        # A proposal withdrawn while still proposed, for a person's reason, was declined (不予确认), as its own page
        # says it (a pages probe read 撤回申请 here); the ledger's own notes (a departure, a replacement) are not.
        reason = e["summary"].get("reason") or ""
        declined = (e["event"] == "Claim.Withdrawn" and claim in proposed and persons_reason(reason)
                    and (reason, e["summary"].get("document_ref")) not in revocations)
        found.append(e | {"claim_id": claim if claim in programme_of else None,
                          "programme": e.get("programme") or programme, "declined": declined})
    return found


def with_reversed_amounts(events: list[dict]) -> list[dict]:
    """A payout's reversal records why, not how much: the timeline gives it the amount of the payout it took
    back (that payout's own event, on the same aggregate), as the claim's page lists it (a pages probe read
    "冲回拨付 操作人：finance" with no figure)."""
    paid = {e["aggregate_id"]: e["summary"] for e in events if e["event"] == "Payout.Recorded"}
    # and its bank reference: two payouts of one amount on a claim, which came back was not said (a journey probe)
    return [e | {"summary": e["summary"] | {k: paid[e["aggregate_id"]].get(k) for k in ("amount", "claim_id",
                                                                                        "bank_ref")}}
            if e["event"] == "Payout.Reversed" and not e["summary"].get("amount") and paid.get(e["aggregate_id"])
            else e for e in events]

"""The home page is where each principal's work waits: a bureau's queue of proposed and pending claims of
the programmes it leads, finance's approved-but-unpaid claims and open recoveries, an auditor's recent
decisions. The claim lists read the same queue read model as `GET /v1/claims`."""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from api import labels
from api.deps import LedgerDep, ReadModelsDep
from api.routes.queues import claim_filter, claim_page
from api.schemas.fields import AwardYear
from api.schemas.queues import STATUSES
from api.web import i18n, query_notice, refusal_words
from api.web.claims import declined_ids
from api.web.pages import PageRoute, render
from api.web.session import PagePrincipal
from ledger.domain.errors import InvalidUscc
from ledger.domain.values import Uscc
from ledger.principals import Role

router = APIRouter(route_class=PageRoute, include_in_schema=False)
QUEUE_STATUSES = ("proposed", "pending")
PAGE = 50
# The home page's own query: its filters (`award_year` is the API's name for `year`, which links built from API habits
# send), its pages' cursor and the language. Anything else is named in the queue's notice, never silently dropped.
QUERY = ("programme", "year", "award_year", "status", "uscc", "cursor", "lang")
FILTERS = ("status", "programme", "year", "award_year", "uscc")


class _Filters(BaseModel):
    year: AwardYear | None = None  # as GET /v1/claims?award_year= reads it


def _year(text: str) -> int | None:
    """The year filter as the API reads it; anything else is refused on a page naming the field, never a 500
    ("²⁰²⁴".isdigit() is true, yet int() refuses it)."""
    return _Filters.model_validate({"year": text.strip() or None}).year


class _Chosen:
    """A bureau's queue filters as typed: what applies (any status the API accepts, a programme the bureau leads, a
    well-formed USCC), and, in the reader's language, what was not and what to send instead."""

    def __init__(self, lang: str, led: list[str], bureau: str, known: Iterable[str] = (),
                 filters: tuple[str, ...] = FILTERS) -> None:
        self.lang, self.led, self.bureau, self.ignored = lang, led, bureau, []
        self.filters = filters  # the filters this page takes: finance's list of unpaid claims has no status
        self.known = set(known)  # every programme of the catalogue: one that is none is not called another's
        self.t = i18n.translator(lang)

    def statuses(self, text: str) -> str:
        asked = [s.strip() for s in text.split(",") if s.strip()]
        if wrong := [s for s in asked if s not in STATUSES]:
            named = [s if (name := i18n.status_name(s, self.lang)) == s else s + self.t("paren", text=name)
                     for s in STATUSES]
            self.ignored.append(self.t("ignored_status", value=query_notice.cut(",".join(wrong)),
                                       choices=self.t("list_sep").join(named)))
        return ",".join(s for s in asked if s in STATUSES) or ",".join(QUEUE_STATUSES)

    def shown_status(self, applied: str) -> str:
        """The status the filter form shows selected: the default's option for the queue's default, else what was
        applied (several statuses get an option of their own: the form showed the default over `pending,approved`)."""
        return "" if applied == ",".join(QUEUE_STATUSES) else applied

    def unknown(self, query: Any) -> None:
        """A query parameter the page takes no filter from (`stauts=pending`) is named with the filters it takes."""
        takes = [name for name in QUERY if name not in FILTERS or name in self.filters]
        self.ignored += query_notice.not_taken(query, takes, self.lang, filters=self.filters)

    def repeated(self, query: Any, years: Iterable[int]) -> dict[str, str]:
        """A filter sent more than once (`programme=A&programme=B`) is applied by one value alone, its last that
        applies (`programme=A5.voucher&programme=A5.voucer` applies A5.voucher: the last, misspelt, left the queue
        unfiltered, a regression probe): the others are named, never dropped in silence (a clerk's probe); several
        statuses go in one, comma-separated. The same value twice drops nothing, nor does a blank one, nor one
        written otherwise (a USCC in lower case, a full-width year: the filter reads them alike). The value chosen
        for each filter sent more than once."""
        years = list(years)
        chosen = {}
        for name in self.filters:
            used, said = query_notice.repeated(query, name, self.lang, read=lambda v, n=name: self._read_as(n, v),
                                               applies=lambda v, n=name: self._applies(n, v, years))
            if used is not None or said:
                chosen[name] = used or ""
            if said:
                self.ignored.append(said + (self.t("repeated_status") if name == "status" else ""))
        return chosen

    @staticmethod
    def _read_as(name: str, value: str) -> str:
        """The value as its filter reads it: a USCC in its canonical form, a year as its number."""
        try:
            if name == "uscc":
                return Uscc.parse(value).value
            if name in ("year", "award_year"):
                return str(_year(value))
        except (InvalidUscc, ValidationError):
            pass
        return value

    def _applies(self, name: str, value: str, years: list[int]) -> bool:
        """Whether the filter would apply `value` (as `statuses`, `programme`, `year` and `uscc` take it)."""
        if name == "status":
            asked = [s.strip() for s in value.split(",") if s.strip()]
            return bool(asked) and all(s in STATUSES for s in asked)
        if name == "programme":
            return value in self.led
        if name in ("year", "award_year"):
            try:
                return _year(value) in years
            except ValidationError:
                return False
        try:
            Uscc.parse(value)
        except InvalidUscc:
            return False
        return True

    def both_years(self, year: str, award_year: str) -> None:
        """`year` as the form sends it is taken before the API's `award_year`; both, and different: said so."""
        if year.strip() and award_year.strip() and year.strip() != award_year.strip():
            self.ignored.append(self.t("ignored_award_year", value=query_notice.cut(award_year, 20),
                                       year=query_notice.cut(year, 20)))

    def programme(self, code: str) -> str | None:
        if code and code not in self.led:
            self.ignored.append(self.t("ignored_programme" if code in self.known else "unknown_programme",
                                       value=query_notice.cut(code),
                                       bureau=refusal_words.bureau_name(self.bureau, self.lang),
                                       choices=self.t("list_sep").join(self.led)))
        return code if code in self.led else None

    def year(self, text: str, years: Iterable[int]) -> int | None:
        """An award year of the policy, as the other filters are taken: one that is not (`abc`, 1999) is noticed
        and left out, never a page of its own nor an empty queue without a word (a pages probe)."""
        if not text.strip():
            return None
        years = list(years)
        try:
            found = _year(text)
        except ValidationError:
            found = None
        if found not in years:
            self.ignored.append(query_notice.year_unread(text, years, self.lang))
            return None
        return found

    def uscc(self, text: str) -> str | None:
        if not text.strip():
            return None
        try:
            return Uscc.parse(text).value
        except InvalidUscc as err:
            self.ignored.append(self.t("ignored_uscc", value=query_notice.cut(text),
                                       why=refusal_words.detail(err, self.lang)))
            return None


def _picked(chosen: _Chosen, request: Request, catalogue: Any, *typed: str) -> tuple[str, ...]:
    """The filters as typed (programme, year, award_year, status, uscc), each sent more than once taken at the value
    `_Chosen.repeated` chose (the framework gives a parameter's last)."""
    picks = chosen.repeated(request.query_params, catalogue.policy.years)
    request.state.applied_query = picks  # the pages' links (api/web/pages.py `here`) carry them
    names = ("programme", "year", "award_year", "status", "uscc")
    return tuple(picks.get(name, value) for name, value in zip(names, typed, strict=True))


def open_recoveries(read_models: ReadModelsDep) -> list[dict]:
    """Open recoveries for finance's home, the most outstanding first (the full list: /ui/recoveries)."""
    found = read_models.recoveries(status="open")
    return sorted(found, key=lambda r: (-Decimal(r["outstanding"]), r["opened_at"]))[:PAGE]


@router.get("/ui/")
def home(request: Request, by: PagePrincipal, ledger: LedgerDep, read_models: ReadModelsDep,
         programme: str = "", year: str = "", award_year: str = "", status: str = "", uscc: str = "",
         cursor: str | None = None) -> Response:
    """What waits for this principal, with filters and counts; search for everyone."""
    catalogue = ledger.catalogue()
    typed_year = year if year.strip() else award_year
    context: dict[str, Any] = {"principal": by, "programmes": catalogue.programmes,
                               "filters": {"programme": programme, "year": typed_year.strip(), "status": status}}
    if by.role is Role.BUREAU:
        led = labels.in_article_order([c for c, p in catalogue.programmes.items() if p.lead == by.bureau], catalogue)
        chosen = _Chosen(i18n.language(request), led, by.bureau or "", catalogue.programmes)
        chosen.unknown(request.query_params)
        programme, year, award_year, status, uscc = _picked(chosen, request, catalogue, programme, year, award_year,
                                                            status, uscc)
        typed_year = year if year.strip() else award_year
        context["filters"] |= {"programme": programme, "year": typed_year.strip(), "status": status}
        chosen.both_years(year, award_year)
        statuses = chosen.statuses(status)
        applied_year = chosen.year(typed_year, catalogue.policy.years)
        wanted = claim_filter(catalogue, status=statuses, programme=chosen.programme(programme),
                              bureau=by.bureau, uscc=chosen.uscc(uscc), award_year=applied_year)
        # The year selected as applied: `year=2023.0` or `02023` filtered to 2023 while the list showed 全部, and 显示
        # again widened it to every year (a clerk's probe).
        context["filters"] |= {"uscc": uscc, "status": chosen.shown_status(statuses),
                               "year": "" if applied_year is None else str(applied_year)}
        queue = claim_page(read_models, catalogue, wanted, PAGE, cursor)
        context |= {"queue": queue, "led": led, "declined": declined_ids(ledger, queue["claims"]),
                    "counts": read_models.claim_counts(wanted), "years": list(catalogue.policy.years),
                    "proposals": read_models.proposal_summary(by.bureau), "ignored": chosen.ignored,
                    "statuses": STATUSES}
    elif by.role is Role.FINANCE:
        # The same notices as a bureau's queue: a year outside the term, an unknown programme or parameter is said and
        # left out, not applied in silence (an empty list read as nothing to pay: a finance probe).
        every = labels.in_article_order(list(catalogue.programmes), catalogue)
        chosen = _Chosen(i18n.language(request), every, "czj", catalogue.programmes,
                         tuple(f for f in FILTERS if f != "status"))  # it lists unpaid approved claims alone
        chosen.unknown(request.query_params)
        programme, year, award_year, status, uscc = _picked(chosen, request, catalogue, programme, year, award_year,
                                                            status, uscc)
        typed_year = year if year.strip() else award_year
        context["filters"] |= {"programme": programme, "year": typed_year.strip(), "status": status}
        chosen.both_years(year, award_year)
        code = programme if programme in catalogue.programmes else None
        if programme and code is None:
            chosen.ignored.append(chosen.t("unknown_programme_any", value=query_notice.cut(programme),
                                           choices=chosen.t("list_sep").join(every)))
        wanted = claim_filter(catalogue, programme=code, award_year=chosen.year(typed_year, catalogue.policy.years),
                              uscc=chosen.uscc(uscc), unpaid=True)
        context |= {"unpaid": claim_page(read_models, catalogue, wanted, PAGE, cursor),
                    "years": list(catalogue.policy.years), "ignored": chosen.ignored,
                    "recoveries": open_recoveries(read_models)}
    else:  # an auditor's recent decisions, an administrator's links: no filter, and a parameter sent is said ignored
        context["ignored"] = query_notice.not_taken(request.query_params, (), i18n.language(request))
        if by.role is Role.AUDITOR:
            context |= {"decisions": read_models.recent_decisions(PAGE)}
    return render(request, "home.html", **context)

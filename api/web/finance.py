"""The finance page: a year's totals, the appropriation's use as a chart, and reconciliation downloads.

The page shows what GET /v1/finance/reconciliation answers (the same figures, close and post-close adjustments,
now or `?as_of=`): awards with their recovery columns and a 合计 over them, Art. 13 investments apart with their
own total (as the CSV), the fund block, and for a closed year who closed it and when."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import TypeAdapter, ValidationError

from api import labels
from api.deps import LedgerDep, ReadModelsDep
from api.reports import reconciliation
from api.reports.closing import with_close
from api.routes.finance import year_figures
from api.schemas.awards import read_as_of
from api.schemas.fields import WIDE_YEAR, AwardYear
from api.web import i18n, query_notice, subrequest
from api.web.i18n import MESSAGES
from api.web.pages import PageRoute, refusal, render
from api.web.session import allowing, current
from ledger import beijing
from ledger.catalogue import catalogues
from ledger.domain.errors import InvalidInput
from ledger.principals import Role

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Reconciler = allowing(Role.FINANCE, Role.AUDITOR, doing="read the reconciliation")
_A_YEAR = TypeAdapter(AwardYear)  # as GET /v1/claims?award_year= reads one
PASSED_ON = ("content-type", "content-disposition", "content-length")
MONEY = ("approved", "paid", "reversed", "outstanding")
RECOVERY = ("recovered", "to_recover", "written_off")
MESSAGES.update({
    "fin_award_total": ("合计（奖补）", "Total (awards)"),
    "fin_investment_total": ("股权投资合计（第13条，不计入专项资金）",
                             "Investments total (Art. 13, not charged to the special fund)"),
    "fin_investments_h": ("股权投资（第13条）", "Investments (Art. 13)"),
    "fin_recovered": ("已追回", "Recovered"), "fin_to_recover": ("应追回", "To recover"),
    "fin_written_off": ("已核销", "Written off"),
    # The figures come written with their unit (the `yuan` filter: "1,000.00 元", "1,000.00 yuan").
    "fin_fund_note": ("专项资金“已批准” {fund}与奖补合计已批准 {awards}相差 {diff}：已撤销奖励中已拨付的部分"
                      "（应追回 + 已追回 + 已核销，共 {revoked}）仍占用专项资金；股权投资（第13条，{invest}）"
                      "不计入专项资金。同理，图中专项资金“已拨付” {paid}为奖补合计已拨付 {awards_paid}加上述已撤销"
                      "奖励中已拨付的部分 {revoked}（合计行的“已拨付”不含后者：它们列在追回各栏）。",
                      "The fund's approved {fund} differs from the awards' approved total {awards} by {diff}: the"
                      " paid part of revoked awards (to recover + recovered + written off, {revoked} in all) stays"
                      " charged to the fund; Art. 13 investments ({invest}) are not charged to it. Likewise the"
                      " chart's fund paid {paid} is the awards' paid total {awards_paid} plus that paid part of revoked"
                      " awards, {revoked} (the totals row's paid leaves it out: it is in the recovery columns)."),
    "fin_statements_h": ("已导入的银行对账单", "Imported bank statements"),
    "fin_statement_source": ("文件", "File"), "fin_statement_period": ("流水期间", "Period"),
    "fin_statement_open": ("查看匹配结果", "Open its matching"),
    "fin_no_statements": ("尚未导入银行对账单。", "No bank statement imported yet."),
    "fin_closed_h": ("已结账", "Closed"),
    "fin_closed_at": ("结账截至（北京时间）", "Closed as of (Beijing time)"),
    "fin_closed_by": ("结账人", "Closed by"),
    "fin_closed_digest": ("所依据的摘要", "Digest it rests on"),
    "fin_adjustments_h": ("结账后调整（此后的更正，按变动额列示）",
                          "Post-close adjustments (corrections since, as changes)"),
    "fin_no_adjustments": ("结账后无调整。", "No adjustments since the close."),
    "fin_fund_moved_h": ("专项资金结账后变动（按变动额列示）", "The special fund since the close (as changes)"),
    "fin_fund_approved": ("已批准占用", "Charged by approvals"),
    "fin_as_of_shown": ("以下为截至 {at} 台账所知情况（下载文件亦同）。",
                        "As the ledger knew it at {at} (the downloads too)."),
    # {at} comes with its zone in brackets ("…（北京时间）"): no brackets of our own around it.
    "fin_now_shown": ("以下为截至 {at} 的当前情况。", "As things stand now, at {at}."),
    "fin_shown_now": ("以下为当前情况。", "Shown below as things stand now."),
    "as_of_unread": ("截至 {typed} 无法识别：请按 YYYY-MM-DD 填写日期（如 2024-01-01，按北京时间当天结束计），"
                     "或按页面显示的时间填写（如 2024-01-01 08:00:00，北京时间，含该秒），"
                     "或带时区的完整时间（如 2024-01-01T08:00:00+08:00）。",
                     "As of {typed} could not be read: type a day as YYYY-MM-DD (2024-01-01, its end in Beijing time),"
                     " a moment as the pages show one (2024-01-01 08:00:00, Beijing time, that second included), or a"
                     " whole moment with its offset (2024-01-01T08:00:00+08:00)."),
    "download_unread": ("未下载任何文件；请在对账页的“截至”中改正后重新下载。",
                        "Nothing was downloaded; correct the as-of on the reconciliation page and download again."),
})


def _year(ledger: LedgerDep, typed: str, lang: str) -> tuple[int, list[int], list[str]]:
    """The year shown: the one asked for, read as the queue reads its year filter; this year (within the term) when
    none was, or when the one typed is no year (said in a notice, as the queue says it: `?year=２０２３` was
    refused with the API's "must be an integer"). A year read but outside the term is refused with the term."""
    years = list(ledger.catalogue().policy.years)
    default = min(max(beijing.today().year, years[0]), years[-1])
    if not typed.strip():
        return default, years, []
    try:
        return _A_YEAR.validate_python(typed.strip()), years, []
    except ValidationError:
        return default, years, [query_notice.year_unread(typed, years, lang)]


def _moment(as_of: str) -> datetime | None:
    """`?as_of=` as the API reads it (api/schemas/awards.py `read_as_of`): RFC 3339, or a bare day (its end in
    Beijing time); empty is now."""
    return read_as_of(as_of)


def _with_sums(report: dict[str, Any]) -> dict[str, Any]:
    """Awards and investments apart (as the CSV), each summed with the recovery columns too; the fund note's
    figures and what the fund paid out."""
    def total(rows: list[dict]) -> dict[str, Any]:
        return {k: sum((Decimal(r.get(k, "0.00")) for r in rows), Decimal("0.00")) for k in MONEY + RECOVERY} | {
            "claims": sum(r["claims"] for r in rows)}

    awards = [r for r in report["rows"] if r["kind"] == "award"]
    investments = [r for r in report["rows"] if r["kind"] != "award"]
    sums, apart = total(awards), total(investments)
    fund = Decimal(report["appropriation"]["approved"])
    revoked = sum((sums[k] for k in RECOVERY), Decimal("0.00"))
    # What left the fund: the awards' standing payouts and the paid part of revoked awards, which the fund's
    # approved figure keeps charged too (the chart's paid bar, beside it; investments are not the fund's).
    note = {"fund": fund, "awards": sums["approved"], "diff": fund - sums["approved"], "revoked": revoked,
            "invest": apart["approved"], "paid": sums["paid"] + revoked, "awards_paid": sums["paid"]}
    return {"awards": awards, "investments": investments, "award_sums": sums, "investment_sums": apart,
            "fund_note": note}


TAKES = ("year", "as_of")  # the reconciliation page's parameters (and `lang`, every page's)


def _not_taken(request: Request) -> list[str]:
    """The parameters the page took nothing from, said as the queue says them (api/web/query_notice.py): one it has
    no filter for (`yaer=2023`), and a value of one sent twice other than the last, which the page applied (the year
    and the as-of moment were taken from the last, the others dropped without a word: a regression probe)."""
    lang = i18n.language(request)
    said = query_notice.not_taken(request.query_params, TAKES, lang)
    for name in TAKES:
        _, notice = query_notice.repeated(request.query_params, name, lang, blank=True, applies=lambda v: True)
        said += [notice] if notice else []
    return said


@router.get("/ui/finance", dependencies=[Reconciler])
def finance(request: Request, read_models: ReadModelsDep, ledger: LedgerDep, year: str = "",
            as_of: str = "") -> Response:
    """The reconciliation of a year (finance and auditors, as in the API), now or as known at `?as_of=`."""
    chosen, years, year_said = _year(ledger, year, i18n.language(request))
    reconciliation.require_year(chosen)
    asked = datetime.now(UTC)
    try:
        moment, unread, unread_said = _moment(as_of), None, None
    except InvalidInput as err:
        # The page again, as things stand now, with the field marked and what was typed kept: a day typed
        # 2024/01/01 threw the page away for a bare refusal worded for the API (a pages probe). A refusal that says
        # more than "not read" (typed full-width: what to type) is shown in its own words (a regression probe).
        moment, unread = None, query_notice.cut(as_of)
        unread_said = err.in_language(i18n.language(request)) if "full-width" in err.detail else None
    report = with_close(reconciliation.arranged(year_figures(chosen, moment, ledger, read_models, request)),
                        ledger.year_close(chosen, moment))
    catalogue = next((c for c in catalogues() if chosen in c.policy.years), ledger.catalogue())
    adjustments = [r | labels.names(catalogue, programme=r["programme"], bureau=r["bureau"])
                   for r in labels.in_article_order(report["post_close_adjustments"], catalogue)]
    # The documents the year's fund was appropriated on, and its corrections: the correction form asks for a
    # document no page showed, and no page showed a correction (a pages probe).
    fund = ledger.fund_year(chosen, moment)
    return render(request, "finance.html", 422 if unread else 200, year=chosen, years=years, report=report,
                  adjustments=adjustments, programmes=ledger.catalogue().programmes, as_of=as_of.strip(),
                  moment=moment, unread=unread,
                  # a moment not yet come is the moment of asking: shown to the second, as the organisation page
                  # shows it (its microseconds read as noise: a finance probe)
                  moment_exact=moment is not None and moment < asked, unread_said=unread_said,
                  shown_at=datetime.now(UTC), fund=fund,
                  statements=_statements(read_models, moment), ignored=year_said + _not_taken(request),
                  **_with_sums(report))


def _statements(read_models: Any, moment: datetime | None) -> list[dict]:
    """The imported bank statements, as known at `moment` (the page as of a past moment listed those imported
    since: a finance probe)."""
    found = read_models.bank_statements()
    return found if moment is None else [s for s in found if datetime.fromisoformat(s["imported_at"]) <= moment]


@router.get("/ui/finance/reconciliation", dependencies=[Reconciler])
async def download(request: Request, year: Annotated[int, Query(ge=1900, le=2999), WIDE_YEAR],
                   format: Literal["csv", "xlsx"] = "csv", as_of: str = "") -> Response:
    """The API's /v1/finance/reconciliation download (with its `as_of`), answered for the signed-in principal."""
    params: dict[str, Any] = {"year": year, "format": format}
    if as_of.strip():
        # The moment the page read (a page takes one as it shows moments, 2024-01-01 08:00:00, which the API, held
        # to RFC 3339 with an offset, would refuse). One it cannot read is refused in the page's words: it went on
        # to the API, whose "not an RFC 3339 time" spoke of a format the page does not ask for (a journey probe).
        lang = i18n.language(request)
        try:
            moment = _moment(as_of)
        except InvalidInput as err:
            t = i18n.translator(lang)
            typed = query_notice.cut(as_of)  # at most 40 characters, as the API quotes it
            said = err.in_language(lang) if "full-width" in err.detail else t("as_of_unread", typed=typed)
            said = said.rstrip("。.") + ("。" if lang == "zh" else ". ")  # two sentences, not run together
            return refusal(request, 422, err.code, f"{said}{t('download_unread')}")
        if moment is not None:
            params["as_of"] = moment.isoformat()
    answer = await subrequest.get(request, "/v1/finance/reconciliation", params,
                                  current(request), i18n.language(request))
    if answer.status >= 400:
        try:
            problem = json.loads(answer.body)
        except ValueError:
            problem = {}
        return refusal(request, answer.status, problem.get("code", "http_error"),
                       problem.get("detail", "the reconciliation cannot be downloaded"))
    headers = {k: v for k, v in answer.headers.items() if k in PASSED_ON and k != "content-length"}
    return Response(bytes(answer.body), status_code=answer.status, headers=headers)

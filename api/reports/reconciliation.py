"""A year's reconciliation as a table people open in a spreadsheet: one row per programme and lead bureau,
a 合计 row over the awards, the Art. 13 investments apart, then the special fund's appropriation block and, for a
closed year, its close and post-close adjustments.
The same rows feed the CSV (plain "1234.56" strings) and the XLSX (exact Decimal numbers)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from api import labels
from api.reports.sheet import CSV_MEDIA_TYPE, MEDIA_TYPES, XLSX_MEDIA_TYPE, Cell, Line, csv_bytes, xlsx_bytes
from ledger import beijing
from ledger.catalogue import catalogues
from ledger.catalogue.model import Catalogue
from ledger.domain.errors import OutsidePolicyTerm

# Recovery columns (corrections: 已追回, 应追回, 已核销) come after 笔数, so the earlier columns keep their places.
HEADERS = ("项目代码", "项目名称", "牵头部门", "已批准金额", "已拨付金额", "已冲回金额", "待拨付金额", "笔数",
           "已追回金额", "应追回金额", "已核销金额")
MONEY = ("approved", "paid", "reversed", "outstanding")
RECOVERY = ("recovered", "to_recover", "written_off")
TOTAL = "合计"
INVESTMENT_TOTAL = "股权投资合计（第13条，不计入专项资金）"
BELOW_FLOOR = "低于最低安排"


def _catalogue(year: int) -> Catalogue:
    versions = catalogues()
    return next((c for c in versions if year in c.policy.years), versions[-1])


def require_year(year: int) -> None:
    """A year no policy version covers is refused with the term, rather than answered with empty books."""
    versions = catalogues()
    if not any(year in c.policy.years for c in versions):
        terms = "; ".join(c.policy.term_text for c in versions)
        terms_zh = "；".join(c.policy.term_text_zh for c in versions)
        years = sorted({y for c in versions for y in c.policy.years})
        raise OutsidePolicyTerm(f"year {year} is outside the policy term {terms}; the ledger keeps the years"
                                f" {years[0]} to {years[-1]}: ask for one of those",
                                zh=f"{year} 年度不在政策期 {terms_zh} 内；台账只记录 {years[0]} 至 {years[-1]} 年度，"
                                   "请选择其中一年", term=terms, years=years)


def arranged(recon: dict[str, Any]) -> dict[str, Any]:
    """The reconciliation's rows in article order (A3 before A10), with programme and bureau names beside codes."""
    catalogue = _catalogue(recon["year"])
    rows = [r | labels.names(catalogue, programme=r["programme"], bureau=r["bureau"])
            for r in labels.in_article_order(recon["rows"], catalogue)]
    return recon | {"rows": rows}


def _sums(label: str, sums: dict[str, Any]) -> tuple[Cell, ...]:
    return (label, None, None, *(Decimal(sums[k]) for k in MONEY), sums["claims"],
            *(Decimal(sums.get(k, "0.00")) for k in RECOVERY))


def lines(recon: dict[str, Any]) -> list[Line]:
    """The reconciliation as rows of cells: money as Decimal, counts as int, labels in Chinese."""
    catalogue = _catalogue(recon["year"])
    policy = catalogue.policy
    recon = arranged(recon)

    def row(r: dict[str, Any]) -> Line:
        prog, bureau = catalogue.programme(r["programme"]), catalogue.bureau(r["bureau"])
        return Line((r["programme"], prog.name_zh if prog else "", bureau.name_zh if bureau else r["bureau"],
                     *(Decimal(r[k]) for k in MONEY), r["claims"], *(Decimal(r.get(k, "0.00")) for k in RECOVERY)))

    awards = [row(r) for r in recon["rows"] if r["kind"] == "award"]
    investments = [row(r) for r in recon["rows"] if r["kind"] == "investment"]
    fund = recon["appropriation"]
    floor_note = f"第{policy.special_fund_article}条：每年安排不少于 {Decimal(fund['floor']):,.2f} 元"
    out = [Line(HEADERS, bold=True), *awards, Line(_sums(TOTAL, recon["totals"]), bold=True)]
    if investments:
        out += [*investments, Line(_sums(INVESTMENT_TOTAL, recon["investments"]), bold=True)]
    if recon.get("as_of"):  # figures as the ledger knew them then: the file says when (a probe could not tell)
        when = beijing.shown(recon["as_of"], exact=True)
        out += [Line(()), Line(("对账截至（北京时间）", None, None, when), bold=True)]
    out += [Line(()),
            Line((f"{recon['year']}年度专项资金",), bold=True),
            Line(("已安排预算", None, None, Decimal(fund["appropriated"]))),
            Line(("已批准占用", None, None, Decimal(fund["approved"]))),
            Line(("剩余额度", None, None, Decimal(fund["headroom"]))),
            Line(("最低安排", None, None, Decimal(fund["floor"]), floor_note)),
            Line((BELOW_FLOOR, None, None, "是" if fund["below_floor"] else "否"), bold=fund["below_floor"],
                 flagged=fund["below_floor"])]
    return out + _closing(recon, catalogue)


def _closing(recon: dict[str, Any], catalogue: Catalogue) -> list[Line]:
    """A closed year (api/reports/closing.py `with_close`): when and by whom, the digest it rests on, and each
    post-close adjustment as a row of the same columns; nothing for a year still open."""
    closed = recon.get("closed")
    if not closed:
        return []
    out = [Line(()), Line((f"{recon['year']}年度结账",), bold=True),
           Line(("结账截至（北京时间）", None, None, beijing.shown(closed["as_of"]))),
           Line(("结账人", None, None, closed["by"])),
           Line(("所依据的摘要", None, None, f"位置 {closed['position']}：{closed['digest']}"))]
    adjustments = recon.get("post_close_adjustments") or []
    if not adjustments:
        out.append(Line(("结账后调整", None, None, "无")))
    else:
        out.append(Line(("结账后调整（此后的更正，按变动额列示）",), bold=True))
        for r in labels.in_article_order(adjustments, catalogue):
            prog, bureau = catalogue.programme(r["programme"]), catalogue.bureau(r["bureau"])
            out.append(Line((r["programme"], prog.name_zh if prog else "", bureau.name_zh if bureau else r["bureau"],
                             *(Decimal(r[k]) for k in MONEY), r["claims"],
                             *(Decimal(r.get(k, "0.00")) for k in RECOVERY))))
    fund = recon.get("post_close_fund")
    if fund and any(Decimal(v) for v in fund.values()):  # the special fund moved since the close
        out += [Line(("专项资金结账后变动（按变动额列示）",), bold=True),
                Line(("已安排预算", None, None, Decimal(fund["appropriated"]))),
                Line(("已批准占用", None, None, Decimal(fund["approved"]))),
                Line(("剩余额度", None, None, Decimal(fund["headroom"])))]
    return out


def to_csv(recon: dict[str, Any]) -> bytes:
    """UTF-8 with a BOM (so Excel reads the Chinese headers), money as plain "1234.56"."""
    return csv_bytes(lines(recon))


def to_xlsx(recon: dict[str, Any]) -> bytes:
    """One sheet: money as exact numbers formatted '#,##0.00', a bold 合计, a red flag below the floor."""
    return xlsx_bytes(lines(recon), f"{recon['year']}年度对账", (28, 36, 18, 18, 18, 16, 18, 8, 18, 18, 18))


# The finance route and the export command read the media types from here, beside the renderers.
__all__ = ["CSV_MEDIA_TYPE", "MEDIA_TYPES", "RENDERERS", "XLSX_MEDIA_TYPE", "filename", "lines"]
RENDERERS = {"csv": to_csv, "xlsx": to_xlsx}


def filename(year: int, fmt: str, as_of: Any = None) -> str:
    """`reconciliation-2024.csv`; as the ledger knew it at a moment, `reconciliation-2024-as-of-20240101-235959.csv`
    (Beijing time), so a file saved from the past is not taken for today's."""
    if not as_of:
        return f"reconciliation-{year}.{fmt}"
    found = beijing.local(as_of)
    # As the file's own row says it (beijing.clock): the end of a second is that second, another moment its fraction.
    fraction = "" if found.microsecond == beijing.END_OF_SECOND else f".{found.microsecond:06d}"  # type: ignore[union-attr]
    return f"reconciliation-{year}-as-of-{found.strftime('%Y%m%d-%H%M%S')}{fraction}.{fmt}"  # type: ignore[union-attr]

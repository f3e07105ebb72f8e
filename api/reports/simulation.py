"""The sandbox's answer as a table people open in a spreadsheet: the totals, then per programme, per lead
bureau and per award year (baseline, simulated, delta, claims), the special fund per year against its
appropriation and the Art. 2 floor, the organisations that gain and lose most, and one organisation's claims
when one was asked for. Labels in Chinese; the same rows feed the CSV and the XLSX."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from api.reports.sheet import Line, csv_bytes, xlsx_bytes

HEADERS = ("代码", "名称", "现行政策", "草案", "差额", "笔数")


def _row(code: Any, name: str, r: dict[str, Any], *, flagged: bool = False) -> Line:
    return Line((code, name, Decimal(r["baseline"]), Decimal(r["simulated"]), Decimal(r["delta"]), r["claims"]),
                flagged=flagged)


def lines(answer: dict[str, Any]) -> list[Line]:
    """The answer as rows of cells: money as Decimal, counts as int."""
    b, s = answer["baseline"], answer["simulated"]
    out = [Line(HEADERS, bold=True),
           Line(("合计", f"现行 {b['policy_version']} → 草案 {s['policy_version']}", Decimal(b["entitled"]),
                 Decimal(s["entitled"]), Decimal(answer["delta"]), answer["claims"]), bold=True),
           Line(())]
    if answer.get("warnings"):  # said before the figures they bear on
        out += [Line(("提示",), bold=True), *(Line((w["field"], w["message_zh"]), flagged=True)
                                             for w in answer["warnings"]), Line(())]
    out += [Line(("按项目",), bold=True)]
    out += [_row(p["code"], p["name_zh"] + ("" if p["in_draft"] else "（草案已删除）"), p)
            for p in answer["programmes"]]
    out += [Line(()), Line(("按牵头部门",), bold=True)]
    out += [_row(r["code"], r["name_zh"], r) for r in answer["bureaus"]]
    out += [Line(()), Line(("按奖励年度",), bold=True)]
    out += [_row(r["year"], f"{r['year']}年度", r) for r in answer["years"]]
    out += [Line(()), Line(("专项资金（已批准奖励）", "", "现行政策", "草案", "差额", "笔数", "已安排预算",
                            "草案超出预算", "草案最低安排", "低于最低安排"), bold=True)]
    for f in answer["fund"]:
        out.append(Line((f["year"], f"{f['year']}年度", Decimal(f["baseline"]), Decimal(f["simulated"]),
                         Decimal(f["delta"]), f["claims"], Decimal(f["appropriated"]),
                         "是" if f["over_appropriation"] else "否", Decimal(f["floor_simulated"]),
                         "是" if f["below_floor_simulated"] else "否"),
                        flagged=f["over_appropriation"] or f["below_floor_simulated"]))
    for title, key in (("增加最多的单位", "organisations_gaining"), ("减少最多的单位", "organisations_losing")):
        out += [Line(()), Line((title,), bold=True)]
        out += [_row(o["uscc"], o.get("name", ""), o) for o in answer[key]]
    if answer.get("organisation"):
        out += [Line(()), Line((f"单位 {answer['organisation']['uscc']} 的申请", "项目", "现行政策", "草案", "差额",
                                "状态", "现行说明", "草案说明"), bold=True)]
        out += [Line((c["claim_id"], c["programme"], Decimal(c["baseline"]), Decimal(c["simulated"]),
                      Decimal(c["delta"]), c["status"], _steps(c["baseline_explanation"]),
                      _steps(c["simulated_explanation"]))) for c in answer["organisation"]["claims"]]
    return out


def _steps(steps: list[dict]) -> str:
    return " | ".join(f"{s.get('rule')}: {s.get('detail')}" for s in steps)


def to_csv(answer: dict[str, Any]) -> bytes:
    return csv_bytes(lines(answer))


def to_xlsx(answer: dict[str, Any]) -> bytes:
    return xlsx_bytes(lines(answer), "政策沙盘", (40, 36, 18, 18, 18, 8, 18, 12, 18, 12))


RENDERERS = {"csv": to_csv, "xlsx": to_xlsx}

"""A closed year's reconciliation: the figures as closed, and what changed since as post-close adjustments."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from api.labels import programme_key

MONEY = ("approved", "paid", "reversed", "outstanding")
# Where a revoked award's paid money went since (the second round's columns): adjusted too where the close holds
# them, so that money leaving `paid` lands somewhere in the adjustment (a black-box probe found it nowhere).
RECOVERY = ("recovered", "to_recover", "written_off")


def with_close(figures: dict[str, Any], closed: dict[str, Any] | None) -> dict[str, Any]:
    """`figures` with `closed` (when the year is closed), `post_close_adjustments`: per programme and bureau, the
    change in each amount and count since the close (only the lines that moved), and `post_close_fund`: the
    special fund's change since the close."""
    if closed is None:
        return figures | {"closed": None, "post_close_adjustments": [], "post_close_fund": None}
    before = {(r["programme"], r["bureau"]): r for r in closed["reconciliation"]["rows"]}
    now = {(r["programme"], r["bureau"]): r for r in figures["rows"]}
    adjustments = []
    # A close recorded before the recovery columns existed holds none of them: nothing to compare them with.
    columns = MONEY + tuple(k for k in RECOVERY if any(k in r for r in before.values()))
    # In article order, as the rows are (README): within an article, the rows' own order; a line only the close
    # holds goes after its article's others.
    placed = {key: at for at, key in enumerate(now)}
    for key in sorted(before.keys() | now.keys(),
                      key=lambda k: (programme_key(k[0])[0], placed.get(k, len(placed)), k)):
        old, new = before.get(key), now.get(key)
        delta = {k: _money(new, k) - _money(old, k) for k in columns}
        claims = (new or {}).get("claims", 0) - (old or {}).get("claims", 0)
        if any(delta.values()) or claims:
            adjustments.append({"programme": key[0], "bureau": key[1], "kind": (new or old)["kind"],
                                **{k: f"{v:.2f}" for k, v in delta.items()}, "claims": claims})
    summary = {k: closed[k] for k in ("year", "as_of", "by", "recorded_at")} | {
        "position": closed["digest"].get("position"), "digest": closed["digest"].get("digest"),
        "root": closed["digest"].get("root"), "key_id": closed["digest"].get("key_id")}
    return figures | {"closed": summary, "post_close_adjustments": adjustments,
                      "post_close_fund": _fund_moved(closed["reconciliation"].get("appropriation"),
                                                     figures.get("appropriation"))}


FUND = ("appropriated", "approved", "headroom")


def _fund_moved(then: dict[str, Any] | None, now: dict[str, Any] | None) -> dict[str, str] | None:
    """The year's special fund since the close: the change in what was appropriated, what approvals charge and the
    headroom (a corrections probe: a supplementary appropriation, and paid parts of awards revoked after the close,
    showed in no adjustment). None for a close recorded without the fund."""
    if then is None or now is None:
        return None
    return {k: f"{Decimal(now[k]) - Decimal(then[k]):.2f}" for k in FUND}


def _money(row: dict[str, Any] | None, key: str) -> Decimal:
    return Decimal(row.get(key, "0.00")) if row is not None else Decimal("0.00")

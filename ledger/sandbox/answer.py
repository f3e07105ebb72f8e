"""The sandbox's answer as JSON-ready data: the contract's pinned shape (baseline, simulated, programmes,
organisations_gaining, organisations_losing) and, beside it, bureaus, award years, the special fund per year
and one organisation's claims. Money travels as strings."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ledger.catalogue.load import downhill_ladders
from ledger.replay import Replayed
from ledger.sandbox.totals import ZERO, Tally

if TYPE_CHECKING:
    from ledger.sandbox.simulation import Simulation


def answer(sim: Simulation) -> dict[str, Any]:
    t = sim.totals
    codes = list(dict.fromkeys([*sim.baseline.programmes, *sim.draft.programmes, *t.programmes]))
    out: dict[str, Any] = {
        "baseline": {"policy_version": sim.baseline.policy.version, "entitled": str(t.all.baseline)},
        "simulated": {"policy_version": sim.draft.policy.version, "entitled": str(t.all.simulated)},
        "delta": str(t.all.delta),
        "claims": t.all.claims,
        "events_read": sim.events,
        "programmes": [_programme(sim, code, t.programmes.get(code, Tally())) for code in codes],
        "bureaus": [{"code": code, "name_zh": _bureau_name(sim, code), **tally.as_dict()}
                    for code, tally in sorted(t.bureaus.items())],
        "years": [{"year": year, **tally.as_dict()} for year, tally in sorted(t.years.items())],
        "fund": _fund(sim),
        "organisations_gaining": sim.gaining,
        "organisations_losing": sim.losing,
        # What the draft says that it may not mean (a ladder running downhill): valid, but said.
        "warnings": downhill_ladders(sim.draft),
    }
    # Null without a USCC, as POST /v1/simulations has always answered it: the CLI's `--json` left the key out, where
    # the contract has the two give the same JSON (a sandbox probe).
    out["organisation"] = {"uscc": sim.uscc, "claims": [_claim(b, s) for b, s in sim.claims]} if sim.uscc else None
    return out


def _programme(sim: Simulation, code: str, tally: Tally) -> dict[str, Any]:
    prog = sim.draft.programme(code) or sim.baseline.programme(code)
    return {"code": code, "name_zh": prog.name_zh if prog else "", "name_en": prog.name_en if prog else "",
            "bureau": prog.lead if prog else "", "in_draft": sim.draft.programme(code) is not None,
            **tally.as_dict()}


def _bureau_name(sim: Simulation, code: str) -> str:
    bureau = sim.draft.bureau(code) or sim.baseline.bureau(code)
    return bureau.name_zh if bureau else code


def _fund(sim: Simulation) -> list[dict[str, Any]]:
    """Each year's approved awards against its appropriation, and the appropriation against the Art. 2 floor
    of each catalogue (a draft may raise or lower the floor)."""
    rows = []
    for year in sorted(set(sim.appropriated) | set(sim.totals.fund)):
        tally = sim.totals.fund.get(year, Tally())
        appropriated = sim.appropriated.get(year, ZERO)
        floor_b, floor_s = sim.baseline.policy.special_fund_floor, sim.draft.policy.special_fund_floor
        rows.append({"year": year, "appropriated": str(appropriated), **tally.as_dict(),
                     "headroom_baseline": str(appropriated - tally.baseline),
                     "headroom_simulated": str(appropriated - tally.simulated),
                     "over_appropriation": tally.simulated > appropriated,
                     "floor_baseline": str(floor_b), "floor_simulated": str(floor_s),
                     "below_floor_baseline": appropriated < floor_b, "below_floor_simulated": appropriated < floor_s})
    return rows


def _claim(b: Replayed, s: Replayed) -> dict[str, Any]:
    return {"claim_id": b.claim_id, "programme": b.programme, "award_year": b.award_year, "status": b.status,
            "baseline": str(b.comes_to), "simulated": str(s.comes_to), "delta": str(s.comes_to - b.comes_to),
            "baseline_refusal": b.refusal, "simulated_refusal": s.refusal,
            "baseline_explanation": b.now_explanation, "simulated_explanation": s.now_explanation}


SIDES = ("organisations_gaining", "organisations_losing")


def name_organisations(app: Any, answer: dict[str, Any]) -> dict[str, Any]:
    """Each gaining and losing organisation's registered name beside its USCC (`name`; "" for one the ledger
    cannot find), read from the ledger itself: a few aggregates (`top` of each side), no read model needed."""
    from ledger.domain.errors import LedgerError

    names: dict[str, str] = {}
    for side in SIDES:
        for found in answer.get(side) or []:
            uscc = found["uscc"]
            if uscc not in names:
                try:
                    names[uscc] = str(app.organisation(uscc).get("name") or "")
                except LedgerError:
                    names[uscc] = ""
            found["name"] = names[uscc]
    return answer

"""The policy sandbox's answer: the contract's pinned fields, and the breakdowns documented beside them."""
from __future__ import annotations

from pydantic import ConfigDict, Field

from api.schemas.common import PublicModel
from api.schemas.fields import MoneyOut


class Open(PublicModel):
    # The answer carries more than is pinned (names, flags); it passes through.
    model_config = ConfigDict(extra="allow")


class Side(Open):
    policy_version: str
    entitled: MoneyOut = Field(description="what every recorded claim comes to: approved at the share approved,"
                                           " pending at its entitlement, rejected nothing")


class Moved(Open):
    baseline: MoneyOut
    simulated: MoneyOut
    delta: MoneyOut = Field(description="simulated less baseline")
    claims: int


class ProgrammeMoved(Moved):
    code: str
    in_draft: bool = Field(description="false: the draft drops it, its claims are refused unknown_programme")


class BureauMoved(Moved):
    code: str


class YearMoved(Moved):
    year: int


class FundYearMoved(Moved):
    year: int
    appropriated: MoneyOut
    over_appropriation: bool
    floor_simulated: MoneyOut = Field(description="the draft's Art. 2 floor")
    below_floor_simulated: bool


class OrganisationMoved(Moved):
    uscc: str
    name: str = Field("", description="its registered name (\"\" for one the ledger cannot find)")


class DraftWarning(Open):
    code: str = Field(description="ladder_downhill: a rung paying no more than the one below it (rule 3 then pays"
                                  " a unit climbing to it nothing more)")
    field: str
    message: str
    message_zh: str


class SimulationPublic(Open):
    baseline: Side
    simulated: Side
    programmes: list[ProgrammeMoved]
    organisations_gaining: list[OrganisationMoved]
    organisations_losing: list[OrganisationMoved]
    bureaus: list[BureauMoved] = Field(default_factory=list)
    years: list[YearMoved] = Field(default_factory=list)
    fund: list[FundYearMoved] = Field(default_factory=list,
                                      description="approved awards per year against the appropriation and the floor")
    organisation: dict | None = Field(default=None, description="with ?uscc=: each claim before and after")
    warnings: list[DraftWarning] = Field(default_factory=list,
                                         description="what the draft says that it may not mean, each with its field")

"""Finance's reconciliation of a year, from the read models: per programme and bureau, and the fund."""
from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from api.schemas.common import PublicModel
from api.schemas.fields import MoneyOut


class ReadModel(PublicModel):
    # The read models may carry more than is documented here; it passes through.
    model_config = ConfigDict(extra="allow")


class Sums(ReadModel):
    approved: MoneyOut
    paid: MoneyOut = Field(description="paid, net of reversals")
    reversed: MoneyOut
    outstanding: MoneyOut = Field(description="approved less paid")
    claims: int = Field(description="claims approved")


class ReconciliationLine(Sums):
    programme: str
    bureau: str = Field(description="the programme's lead bureau")
    kind: Literal["award", "investment"] = Field(description="Art. 13 investments are kept apart from awards")


class FundPosition(ReadModel):
    appropriated: MoneyOut
    approved: MoneyOut = Field(description="approvals charged to the year's special fund")
    headroom: MoneyOut
    floor: MoneyOut = Field(description="Art. 2: at least this much is to be appropriated each year")
    below_floor: bool


class ReconciliationPublic(ReadModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "year": 2023,
        "rows": [{"programme": "A5.voucher", "bureau": "kjj", "kind": "award", "approved": "500000.00",
                  "paid": "300000.00", "reversed": "0.00", "outstanding": "200000.00", "claims": 2}],
        "totals": {"approved": "500000.00", "paid": "300000.00", "reversed": "0.00", "outstanding": "200000.00",
                   "claims": 2},
        "investments": {"approved": "0.00", "paid": "0.00", "reversed": "0.00", "outstanding": "0.00", "claims": 0},
        "appropriation": {"appropriated": "300000000.00", "approved": "500000.00", "headroom": "299500000.00",
                          "floor": "300000000.00", "below_floor": False}}]})

    year: int
    rows: list[ReconciliationLine]
    totals: Sums = Field(description="awards only")
    investments: Sums
    appropriation: FundPosition

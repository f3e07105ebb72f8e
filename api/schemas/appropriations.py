"""The special fund of a year (Art. 2): appropriations recorded by finance, approvals charged against them."""
from __future__ import annotations

from pydantic import Field

from api.schemas.common import PublicModel, RequestModel, examples
from api.schemas.fields import MoneyIn, MoneyOut, Text, YearIn


class AppropriationCreate(RequestModel):
    model_config = examples(
        {"year": 2023, "amount": "300000000.00", "document_ref": "杭高新财〔2023〕1号"})

    year: YearIn
    amount: MoneyIn
    document_ref: Text


class Appropriation(PublicModel):
    amount: MoneyOut
    document_ref: str


class FundYearPublic(PublicModel):
    model_config = examples({
        "year": 2023, "appropriated": "300000000.00", "approved": "1500000.00", "headroom": "298500000.00",
        "floor": "300000000.00", "below_floor": False,
        "appropriations": [{"amount": "300000000.00", "document_ref": "杭高新财〔2023〕1号"}]})

    year: int
    appropriated: MoneyOut
    approved: MoneyOut = Field(description="approvals charged to this year's fund")
    headroom: MoneyOut
    floor: MoneyOut = Field(description="Art. 2: at least this much is to be appropriated each year")
    below_floor: bool
    appropriations: list[Appropriation]

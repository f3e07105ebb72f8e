"""The special fund of a year (Art. 2): appropriations recorded by finance, approvals charged against them."""
from __future__ import annotations

from pydantic import Field

from api.schemas.common import PublicModel, RequestModel, examples
from api.schemas.fields import MoneyIn, MoneyOut, Text, Timestamp, YearIn


class AppropriationCreate(RequestModel):
    model_config = examples(
        {"year": 2023, "amount": "300000000.00", "document_ref": "杭高新财〔2023〕1号"})

    year: YearIn
    amount: MoneyIn
    document_ref: Text


class AppropriationCorrection(RequestModel):
    model_config = examples(
        {"appropriation_ref": "杭高新财〔2023〕1号", "amount": "30000000.00",
         "reason": "录入时多打了一个零，按原文件更正", "document_ref": "杭高新财〔2023〕7号"})

    appropriation_ref: Text = Field(description="the document the appropriation was booked on")
    amount: MoneyIn = Field(description="what that document appropriates: 0.00 withdraws the appropriation")
    reason: Text
    document_ref: Text = Field(description="the document the correction rests on")


class Appropriation(PublicModel):
    amount: MoneyOut
    document_ref: str


class AppropriationCorrected(PublicModel):
    appropriation_ref: str = Field(description="the document the appropriation was booked on")
    was: MoneyOut
    amount: MoneyOut = Field(description="what it reads since (0.00: withdrawn)")
    reason: str
    document_ref: str = Field(description="the document the correction rests on")
    by: str
    corrected_at: Timestamp


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
    corrections: list[AppropriationCorrected] = Field(default_factory=list, description="every correction of the"
                                                      " year's appropriations, oldest first (who, why, on what)")

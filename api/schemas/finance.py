"""Finance's reconciliation of a year, from the read models: per programme and bureau, and the fund; bank
statements and their matching report against the payouts."""
from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from api.schemas.common import CLAIM_ID, ORG_NAME, ORG_USCC, PAYOUT_ID, Names, PublicModel, RequestModel, examples
from api.schemas.fields import Day, DayText, MomentText, MoneyIn, MoneyOut, OptionalText, Text


class ReadModel(PublicModel):
    # The read models may carry more than is documented here; it passes through.
    model_config = ConfigDict(extra="allow")


class Sums(ReadModel):
    approved: MoneyOut
    paid: MoneyOut = Field(description="paid, net of reversals")
    reversed: MoneyOut
    outstanding: MoneyOut = Field(description="approved less paid")
    claims: int = Field(description="claims approved")
    recovered: MoneyOut = Field("0.00", description="repaid on revoked awards (追回)")
    to_recover: MoneyOut = Field("0.00", description="paid on revoked awards and not yet repaid or written off")
    written_off: MoneyOut = Field("0.00", description="written off by finance, with reason and document")


class ReconciliationLine(Sums):
    programme: str
    bureau: str = Field(description="the programme's lead bureau")
    kind: Literal["award", "investment"] = Field(description="Art. 13 investments are kept apart from awards")
    programme_name: Names | None = Field(None, description="the programme's name beside its code; rows come in"
                                         " article order, A3 before A10")
    bureau_name: Names | None = Field(None, description="the lead bureau's name beside its code")


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


# ---------------------------------------------------------------------------------------------- bank statements

STATEMENT_ID = "8d3c1f0a-6b2e-5c47-9e18-4a7d2b9f0c35"


class StatementLineIn(RequestModel):
    date: Day = Field(description="the day the bank booked the transfer")
    amount: MoneyIn
    reference: Text = Field(description="the bank's reference of the transfer: what a payout's `bank_ref` names")
    counterparty: OptionalText = ""
    direction: Literal["debit", "credit"] = Field(
        "debit", description="debit: money out (a payout; the default); credit: money in (a repayment, a returned"
                             " payout). The amount has no sign either way")

    @field_validator("amount", mode="before")
    @classmethod
    def _unsigned(cls, value: object) -> object:
        """A minus is no way to say money in here (a bank's file says it so, `ledger/bank_files`; JSON says it with
        `direction`): refused saying which, rather than the general "drop the sign", which made a repayment a
        payout (a finance probe)."""
        if (isinstance(value, str) and value.strip().startswith("-")) or (
                isinstance(value, int) and not isinstance(value, bool) and value < 0):
            shown = repr(value)[:40]
            raise PydanticCustomError(
                "invalid_amount", "amount {value} has a sign; a statement line's amount has none: money in is"
                ' "direction": "credit" with the amount unsigned, money out "direction": "debit" (the default)',
                {"value": shown, "zh": f"金额 {shown} 带有符号；对账单明细的金额不带符号：收入请填写"
                                       ' "direction": "credit" 并填写不带符号的金额，'
                                       '支出为 "direction": "debit"（默认）'})
        return value


class BankStatementCreate(RequestModel):
    model_config = examples({"source": "icbc-2023-07.csv", "lines": [
        {"date": "2023-07-03", "amount": "300000.00", "reference": "ICBC-20230703-000187",
         "counterparty": ORG_NAME}]})

    lines: list[StatementLineIn] = Field(min_length=1, max_length=100_000)
    source: OptionalText | None = Field(None, description="where the statement came from (a file name)")


class BankLine(PublicModel):
    line: int = Field(description="the line's number in the file the bank sent, counting every line it wrote (its"
                      " header too), as refused lines are named; for a JSON statement, its place in `lines`, from 1")
    date: DayText
    amount: MoneyOut
    reference: str
    counterparty: str
    direction: str = Field("debit", description="debit: money out (a payout); credit: money in (a repayment)")


class MatchedPayout(PublicModel):
    id: str
    claim_id: str
    uscc: str
    programme: str
    amount: MoneyOut
    paid_on: DayText
    bank_ref: str


class LineMatch(PublicModel):
    line: BankLine
    payouts: list[MatchedPayout]


class AmountMismatch(LineMatch):
    bank_amount: MoneyOut
    payout_amount: MoneyOut = Field(description="what the payouts under this reference add up to")


class MatchedRepayment(PublicModel):
    recovery_id: str
    claim_id: str
    uscc: str
    amount: MoneyOut
    received_on: DayText
    bank_ref: str


class CreditMatch(PublicModel):
    line: BankLine
    repayments: list[MatchedRepayment]


class CreditAmountMismatch(CreditMatch):
    bank_amount: MoneyOut
    repayment_amount: MoneyOut = Field(description="what the repayments under this reference add up to")


class MatchingReport(PublicModel):
    matched: list[LineMatch] = Field(description="lines whose reference and amount match a payout (or payouts)")
    amount_mismatches: list[AmountMismatch] = Field(description="a payout bears the reference, for another amount")
    unmatched_bank_lines: list[BankLine] = Field(description="lines whose reference no payout bears")
    unmatched_payouts: list[MatchedPayout] = Field(
        description="payouts (not reversed) paid within the statement's period whose reference is on no line of any"
                    " imported statement")
    reversed_but_on_statement: list[LineMatch] = Field(
        description="lines whose payout was reversed in the ledger, yet the money left the bank and no credit line"
                    " shows it back (`returned_payouts` when one does)")
    repeated_bank_lines: list[LineMatch] = Field(
        [], description="lines whose payouts another line already matched (on this statement, or on one imported"
                        " before it for another day or amount): the bank may have paid twice")
    credit_lines: list[BankLine] = Field([], description="money in (repayments of recoveries): matched against"
                                                          " repayments, never against payouts")
    matched_credits: list[CreditMatch] = Field(
        [], description="credit lines whose reference and amount match a recorded repayment (or repayments)")
    credit_amount_mismatches: list[CreditAmountMismatch] = Field(
        [], description="a repayment bears the credit's reference, for another amount")
    unmatched_credit_lines: list[BankLine] = Field(
        [], description="money in that no repayment records, nor returns a payout: record it against its recovery"
                        " (POST /v1/recoveries/{id}/repayments with this bank_ref)")
    unmatched_repayments: list[MatchedRepayment] = Field(
        [], description="repayments received within the statement's period whose reference is on no line of any"
                        " imported statement; then repayments bearing a reference of this statement's credit lines"
                        " that no line of any imported statement matched")
    returned_payouts: list[LineMatch] = Field(
        [], description="debit lines of payouts reversed in the ledger whose money came back (退汇) on a credit line"
                        " bearing the payout's reference and amount, on this statement or one imported: answered for")
    returned_credit_lines: list[LineMatch] = Field(
        [], description="credit lines bearing a reversed payout's reference and amount: its money back (退汇)")
    returned_but_not_reversed: list[LineMatch] = Field(
        [], description="credit lines bearing the reference and amount of a payout the ledger still counts as paid:"
                        " the bank returned it; reverse the payout, or find where the money went")
    repeated_credit_lines: list[CreditMatch] = Field(
        [], description="credit lines whose repayments another line already matched (on this statement, or on one"
                        " imported before it for another day or amount): the money may have come in twice")
    counts: dict[str, int]
    all_matched: bool = Field(description="true when every list but `matched`, `credit_lines`, `matched_credits`,"
                                          " `returned_payouts` and `returned_credit_lines` is empty")


class Period(PublicModel):
    from_: DayText = Field(alias="from", serialization_alias="from")
    to: DayText


class RefusedLinePublic(PublicModel):
    line: int = Field(description="the line's number in the file, counting every line the bank wrote (its header too)")
    code: str = Field("invalid_request", description="why, as a stable refusal code: invalid_amount for the amount,"
                                                     " invalid_request otherwise (a date included)")
    message: str


class BankStatementPublic(PublicModel):
    model_config = examples({
        "id": STATEMENT_ID, "digest": "9f2c" + "0" * 60, "source": "icbc-2023-07.csv", "lines": 1,
        "period": {"from": "2023-07-03", "to": "2023-07-03"}, "total": "300000.00", "total_in": "0.00",
        "imported_at": "2023-07-05T01:30:15.123456+00:00", "already_imported": False,
        "report": {"matched": [{"line": {"line": 1, "date": "2023-07-03", "amount": "300000.00",
                                         "reference": "ICBC-20230703-000187", "counterparty": ORG_NAME},
                                "payouts": [{"id": PAYOUT_ID, "claim_id": CLAIM_ID, "uscc": ORG_USCC,
                                             "programme": "A5.voucher", "amount": "300000.00",
                                             "paid_on": "2023-07-03", "bank_ref": "ICBC-20230703-000187"}]}],
                   "amount_mismatches": [], "unmatched_bank_lines": [], "unmatched_payouts": [],
                   "reversed_but_on_statement": [], "repeated_bank_lines": [],
                   "counts": {"matched": 1, "amount_mismatches": 0, "unmatched_bank_lines": 0,
                              "unmatched_payouts": 0, "reversed_but_on_statement": 0, "repeated_bank_lines": 0},
                   "all_matched": True}})

    id: str
    digest: str = Field(description="SHA-256 of the lines: the same lines are the same statement")
    source: str | None
    lines: int
    period: Period = Field(description="the first and last booking day on the statement")
    total: MoneyOut = Field(description="money out: the debit lines added up (what payouts answer for)")
    total_in: MoneyOut | None = Field(None, description="money in: the credit lines added up (repayments)")
    imported_at: MomentText
    already_imported: bool | None = Field(None, description="on import: true when these lines were imported before"
                                                            " (nothing was written)")
    report: MatchingReport | None = Field(description="null only while the read models lag behind the import")
    encoding: str | None = Field(None, description="on import of a file: how its text was read (utf-8, utf-8-sig,"
                                                   " gb18030)")
    refused_lines: list[RefusedLinePublic] = Field([], description="the file's lines left out (import_good_lines=true),"
                                                                   " by number, and why: kept with the statement, so"
                                                                   " a GET lists them too (statements imported before"
                                                                   " stop 55 kept none)")


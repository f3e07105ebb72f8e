"""A bank statement finance imported: its lines (date, amount, reference, counterparty), named by a hash of
its content, so importing the same statement twice finds the first import and writes nothing."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import event

from ledger import beijing
from ledger.domain.errors import InvalidAmount, InvalidInput
from ledger.domain.ids import natural_id
from ledger.domain.moment import LedgerAggregate
from ledger.domain.statement_fields import bank_amount, booking_day, where_zh
from ledger.domain.text import clean_text
from ledger.domain.values import fmt


@dataclass(frozen=True)
class StatementLine:
    on: date
    amount: Decimal
    reference: str
    counterparty: str
    # Money out of the account (a payout) or into it (a repayment). A debit's dict leaves it out, so the
    # content hash of every statement imported before lines had a direction stays the same.
    direction: str = "debit"
    # Its line in the file the bank sent (a header and preamble counted), for the report to name; not part of the
    # statement's content (the same lines are the same statement however the file was laid out).
    number: int | None = field(default=None, compare=False)
    # Every reference its memo held, in the order written, when it held several (`合同HT-2023-118 PAY-2024-0001`):
    # the line's reference is the one the ledger knows (`choose_reference`), chosen again whenever the report is
    # read. The statement's content hash reads the line as written (`hashed`: the first), so the same file is the
    # same statement whatever the ledger knew when it came.
    candidates: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        # However the line was made (a parser, the JSON route, a test), its text holds nothing the store
        # cannot keep: a NUL here would be recorded once and then fail every projection of it.
        clean_text(self.reference, "reference")
        clean_text(self.counterparty, "counterparty", required=False)

    def as_dict(self) -> dict[str, str]:
        found = {"date": self.on.isoformat(), "amount": fmt(self.amount), "reference": self.reference,
                 "counterparty": self.counterparty}
        return found if self.direction == "debit" else found | {"direction": self.direction}

    def hashed(self) -> dict[str, object]:
        """The line as the statement's content hash reads it: its reference as the memo gave it first and, for a memo
        of several, all of them in the order written (two files whose memos open with the same contract number and
        go on to different payouts' references are two statements: a regression probe's second was answered
        `already_imported` with the first's report). A line of one reference hashes as it always did."""
        if not self.candidates:
            return dict(self.as_dict())
        return self.as_dict() | {"reference": self.candidates[0], "references": list(self.candidates)}

    def recorded(self) -> dict[str, object]:
        """The line as its import event keeps it: its content, its number in the file when it came from one, and
        every reference its memo held when it held several."""
        found: dict[str, object] = dict(self.as_dict())
        found |= {} if self.number is None else {"line": self.number}
        return found | ({"references": list(self.candidates)} if len(self.candidates) > 1 else {})

    def credited(self) -> StatementLine:
        """The same line as money in."""
        return replace(self, direction="credit")


def reference_key(reference: str) -> str:
    """A bank reference as the ledger tells payouts and repayments apart (`Payout.create_id`): its case and the
    spaces around it aside, so a line matches the record whose reference a second record could not reuse."""
    return reference.strip().casefold()


def choose_reference(candidates: list[str] | tuple[str, ...], direction: str, kinds: dict[str, set[str]]) -> str:
    """Of a memo's several references, the one a record of the line's own kind bears (`kinds`: by reference, case
    aside, `payout` and/or `repayment`): a payout's for money out (a repayment is never paid out); for money in a
    repayment's, else a payout's (its money back, 退汇). None known: the first written."""
    for kind in ("payout",) if direction == "debit" else ("repayment", "payout"):
        for reference in candidates:
            if kind in kinds.get(reference_key(reference), ()):
                return reference
    return candidates[0]


def statement_line(row: dict[str, object], where: str, *, stored: bool = False) -> StatementLine:
    """One line, checked strictly (ledger/domain/statement_fields.py); its text through the ledger's one
    text check, so a control character in a reference is refused here, never recorded. `stored`: a line of a
    statement already recorded, read back (a line of 0.00 recorded before that was refused still reads)."""
    on = booking_day(row.get("date"), where)
    if on > (today := beijing.today()):  # as a payout's or a repayment's day: a bank books nothing ahead
        column = where.startswith("line ")  # a file's line (a JSON statement's is `lines[N]`)
        raise InvalidInput(f"{where}: date {on.isoformat()} is after today ({today.isoformat()} in Beijing); a bank"
                           f" statement lists only what was booked: check the {'date column' if column else 'date'}",
                           zh=f"{where_zh(where)}：日期 {on.isoformat()} 晚于今天（北京时间 {today.isoformat()}）；"
                              f"银行流水只列已记账的交易，请核对{'日期列' if column else '日期'}")
    amount = bank_amount(row.get("amount"), where)
    if not amount and not stored:  # a JSON statement took 0.00, a bank file's debit and credit of 0.00 not
        raise InvalidAmount(f"{where}: amount {amount} moves no money; a statement lists transfers: leave the line"
                            " out (a balance or notice line), or write the amount the bank moved",
                            zh=f"{where_zh(where)}：金额 {amount} 未发生资金划转；流水只列转账：请删去此行"
                               "（余额或通知行），或填写银行实际划转的金额")
    reference = clean_text(row.get("reference") or "", f"{where}: reference", required=False,
                           field_zh=f"{where_zh(where)}：交易参考号")
    if not reference:
        raise InvalidInput(f"{where}: reference is empty; every line needs the bank reference of the transfer",
                           zh=f"{where_zh(where)}：交易参考号为空；每行都需要该笔转账的银行参考号")
    direction = str(row.get("direction") or "debit")
    if direction not in ("debit", "credit"):
        raise InvalidInput(f"{where}: direction {direction!r} is neither debit (money out) nor credit (money in)",
                           zh=f"{where_zh(where)}：方向 {direction!r} 既不是 debit（支出）也不是 credit（收入）")
    counterparty = clean_text(row.get("counterparty") or "", f"{where}: counterparty", required=False,
                              field_zh=f"{where_zh(where)}：对方户名")
    return StatementLine(on, amount, reference, counterparty, direction)


def content_hash(lines: list[StatementLine]) -> str:
    canonical = json.dumps(sorted((ln.hashed() for ln in lines), key=lambda d: json.dumps(d, sort_keys=True)),
                           sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class BankStatement(LedgerAggregate):
    @staticmethod
    def create_id(digest: str) -> UUID:
        return natural_id("bank-statement", digest)

    @event("Imported")
    def __init__(self, digest: str, source: str | None, lines: list[dict], by: str,
                 refused: list[dict] | None = None) -> None:
        """`refused`: the file's lines left out (import_good_lines), each {line, code, message, zh}, kept with the
        statement: once confirmed, they were listed nowhere, and they are money to follow up (a pages probe).
        Statements imported before kept none."""
        self.digest = digest
        self.source = source
        self.lines = lines
        self.refused = refused or []

    def statement_lines(self) -> list[StatementLine]:
        return [statement_line(row, f"line {n}", stored=True) for n, row in enumerate(self.lines, start=1)]

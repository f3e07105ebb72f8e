"""A bank statement finance imported: its lines (date, amount, reference, counterparty), named by a hash of
its content, so importing the same statement twice finds the first import and writes nothing."""
from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from ledger.domain.errors import InvalidAmount, InvalidInput
from ledger.domain.ids import natural_id
from ledger.domain.values import fmt, money

COLUMNS = ("date", "amount", "reference", "counterparty")


@dataclass(frozen=True)
class StatementLine:
    on: date
    amount: Decimal
    reference: str
    counterparty: str
    # Money out of the account (a payout) or into it (a repayment). A debit's dict leaves it out, so the
    # content hash of every statement imported before lines had a direction stays the same.
    direction: str = "debit"

    def as_dict(self) -> dict[str, str]:
        found = {"date": self.on.isoformat(), "amount": fmt(self.amount), "reference": self.reference,
                 "counterparty": self.counterparty}
        return found if self.direction == "debit" else found | {"direction": self.direction}

    def credited(self) -> StatementLine:
        """The same line as money in."""
        return replace(self, direction="credit")


def statement_line(row: dict[str, object], where: str) -> StatementLine:
    """One line, checked. Banks print debits as negative or with thousands separators; both are read."""
    try:
        on = date.fromisoformat(str(row.get("date", "")).strip())
    except ValueError:
        raise InvalidInput(f"{where}: date {row.get('date')!r} is not YYYY-MM-DD") from None
    raw = str(row.get("amount", "")).strip().replace(",", "")
    try:
        amount = money(raw[1:] if raw.startswith("-") else raw)
    except InvalidAmount as err:
        raise InvalidAmount(f"{where}: {err.detail}") from None
    reference = str(row.get("reference") or "").strip()
    if not reference:
        raise InvalidInput(f"{where}: reference is empty; every line needs the bank reference of the transfer")
    direction = str(row.get("direction") or "debit")
    if direction not in ("debit", "credit"):
        raise InvalidInput(f"{where}: direction {direction!r} is neither debit (money out) nor credit (money in)")
    return StatementLine(on, amount, reference, str(row.get("counterparty") or "").strip(), direction)


def parse_csv(text: str) -> list[StatementLine]:
    """A statement CSV with a header row naming at least date, amount and reference (UTF-8, BOM allowed)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS[:3] if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(f"the statement lacks the column(s) {', '.join(missing)}; its header must name "
                           + ", ".join(COLUMNS))
    lines = [statement_line(row, f"line {n}") for n, row in enumerate(reader, start=2)]
    if not lines:
        raise InvalidInput("the statement has no lines")
    return lines


def content_hash(lines: list[StatementLine]) -> str:
    canonical = json.dumps(sorted((ln.as_dict() for ln in lines), key=lambda d: json.dumps(d, sort_keys=True)),
                           sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class BankStatement(Aggregate):
    @staticmethod
    def create_id(digest: str) -> UUID:
        return natural_id("bank-statement", digest)

    @event("Imported")
    def __init__(self, digest: str, source: str | None, lines: list[dict], by: str) -> None:
        self.digest = digest
        self.source = source
        self.lines = lines

    def statement_lines(self) -> list[StatementLine]:
        return [statement_line(row, f"line {n}") for n, row in enumerate(self.lines, start=1)]

"""Small helpers shared by tests (and the benchmarks): unique identifiers, so that tests never clean up after
each other, and throw-away PostgreSQL databases."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import psycopg
from psycopg import sql

# Kept when a test runs the CLI with only the LEDGER_* variables it chooses: tests/conftest.py sets it to 0, so a
# `close` in such a test folds at once instead of waiting 12 s (tests/finance/test_close_settle.py waits).
SETTLE = "LEDGER_CLOSE_SETTLE"
# GB 32100-2015: the alphabet of a unified social credit code (no I, O, Z, S, V) and the weights of
# its first seventeen characters.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def unique_id(prefix: str = "") -> str:
    """A short identifier no other test will use: `prefix` followed by twelve hex digits."""
    return f"{prefix}{uuid4().hex[:12]}"


def uscc_check_character(first17: str) -> str:
    """The eighteenth (check) character of a USCC whose first seventeen characters are given."""
    total = sum(
        USCC_ALPHABET.index(char) * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True)
    )
    return USCC_ALPHABET[(31 - total % 31) % 31]


def make_uscc(serial: int, prefix: str = "91330108MA") -> str:
    """A valid 18-character USCC: `prefix`, then `serial` in the USCC alphabet (base 31), then the check.

    Serials below ten read as plain digits (serial 1 → 91330108MA0000001 + check).
    """
    width = 17 - len(prefix)
    if serial < 0 or serial >= len(USCC_ALPHABET) ** width:
        msg = f"serial {serial} does not fit in {width} USCC characters after prefix {prefix!r}"
        raise ValueError(msg)
    digits = []
    for _ in range(width):
        serial, digit = divmod(serial, len(USCC_ALPHABET))
        digits.append(USCC_ALPHABET[digit])
    first17 = prefix + "".join(reversed(digits))
    return first17 + uscc_check_character(first17)


def unique_uscc(prefix: str = "91330108MA") -> str:
    """A valid USCC that no other test will use (random serial; collisions ~1 in 10^10 per pair)."""
    width = 17 - len(prefix)
    return make_uscc(uuid4().int % len(USCC_ALPHABET) ** width, prefix)


@contextmanager
def fresh_postgres_database(server_url: str, prefix: str = "ledger_t_") -> Iterator[str]:
    """The URL of a new, empty database on the server `server_url` names, dropped afterwards."""
    name = unique_id(prefix)
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlsplit(server_url)._replace(path=f"/{name}").geturl()
    finally:
        # FORCE ends connections a test left open (pools of applications it did not close).
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def record_poison_event(ledger) -> int:
    """Record, past every edge check, an event the fold cannot apply (an amount that is not one); its position."""
    from ledger.domain.bank_statement import BankStatement

    statement = BankStatement(digest="poison", source=None, by="test",
                              lines=[{"date": "2023-07-01", "amount": "not-money", "reference": "R-1"}])
    recordings = ledger.save(statement)
    return max(r.notification.id for r in recordings)


def readyz_failing(api, seconds: float = 20) -> Any:
    """Wake the projector and read /readyz until it names a failing event (or `seconds` pass); its last answer."""
    api.client.app.state.projector.wake()
    deadline, answer = time.monotonic() + seconds, None
    while time.monotonic() < deadline:
        answer = api.client.get("/readyz")
        if answer.status_code == 503 and "failing_position" in answer.json():
            break
        time.sleep(0.2)
    return answer

"""The store round-trips the value types the ledger's events carry, on both backends."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import JSONTranscoder

from ledger.store import (
    ACCEPTED_FORMS,
    DateAsISO,
    StoreConfigError,
    is_postgres,
    postgres_conninfo,
    register_transcodings,
    sqlite_path,
    store_env,
)

CHINA = timezone(timedelta(hours=8))


class Grant(Aggregate):
    """A stand-in aggregate whose one event carries a date, a Decimal, an aware datetime and a str."""

    @event("Recorded")
    def __init__(self, effective_on: date, amount: Decimal, recorded_at: datetime, document_ref: str):
        self.effective_on = effective_on
        self.amount = amount
        self.recorded_at = recorded_at
        self.document_ref = document_ref


class Grants(Application):
    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_transcodings(transcoder)

    def record(self, **values) -> UUID:
        grant = Grant(**values)
        self.save(grant)
        return grant.id


def test_values_round_trip_exactly(database_url: str):
    """A date stays a date, a Decimal keeps its two places, an aware datetime keeps its offset."""
    values = {
        "effective_on": date(2023, 3, 1),
        "amount": Decimal("300000.00"),
        "recorded_at": datetime(2023, 3, 2, 9, 30, 15, 123456, tzinfo=CHINA),
        "document_ref": "杭高新科〔2023〕12号",
    }
    writer = Grants(env=store_env(database_url))
    grant_id = writer.record(**values)
    writer.close()

    reader = Grants(env=store_env(database_url))  # a new application: nothing cached in memory
    grant = reader.repository.get(grant_id)
    reader.close()

    loaded = {name: getattr(grant, name) for name in values}
    assert loaded == values
    assert {name: type(value) for name, value in loaded.items()} == {
        "effective_on": date,
        "amount": Decimal,
        "recorded_at": datetime,
        "document_ref": str,
    }
    assert str(grant.amount) == "300000.00"
    assert grant.recorded_at.utcoffset() == timedelta(hours=8)


def test_date_transcoding_refuses_a_datetime():
    """DateAsISO never turns a datetime into a bare date, which would lose its time and offset."""
    with pytest.raises(TypeError, match="exact dates only"):
        DateAsISO().encode(datetime(2023, 3, 1, tzinfo=UTC))


def test_sqlite_url_gives_sqlite_settings_and_creates_the_folder(tmp_path):
    """A sqlite:/// URL with an absolute path selects eventsourcing.sqlite and makes the parent folder."""
    path = tmp_path / "var" / "ledger.sqlite3"
    env = store_env(f"sqlite:///{path}")
    assert env == {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(path),
        "SQLITE_LOCK_TIMEOUT": "10",
        "APPLICATION_RECORDER_TOPIC": "ledger.sqlite_recorder:LedgerSQLiteRecorder",
    }
    assert path.parent.is_dir()
    assert not is_postgres(f"sqlite:///{path}")


def test_relative_and_memory_sqlite_urls(tmp_path, monkeypatch):
    """A relative path stays relative to the working directory; :memory: is one shared in-memory store."""
    monkeypatch.chdir(tmp_path)
    assert store_env("sqlite:///var/ledger.sqlite3")["SQLITE_DBNAME"] == "var/ledger.sqlite3"
    assert (tmp_path / "var").is_dir()
    assert sqlite_path("sqlite:///:memory:") == "file::memory:?cache=shared"
    assert store_env("sqlite:///:memory:")["SQLITE_DBNAME"] == "file::memory:?cache=shared"


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_postgres_url_gives_postgres_settings(scheme: str):
    """Every part of a postgresql:// URL lands in its POSTGRES_* setting, percent-escapes decoded."""
    url = f"{scheme}://ledger:s%40cret@db.example:6543/award_ledger"
    assert is_postgres(url)
    assert store_env(url) == {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": "award_ledger",
        "POSTGRES_HOST": "db.example",
        "POSTGRES_PORT": "6543",
        "POSTGRES_USER": "ledger",
        "POSTGRES_PASSWORD": "s@cret",
        "POSTGRES_POOL_SIZE": "2",
        "POSTGRES_MAX_OVERFLOW": "14",
        "POSTGRES_CONNECT_TIMEOUT": "5",
        "POSTGRES_PRE_PING": "n",
        "POSTGRES_LOCK_TIMEOUT": "10",
        "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "60",
        "POSTGRES_ENABLE_DB_FUNCTIONS": "y",
        "APPLICATION_RECORDER_TOPIC": "ledger.pg_recorder:LedgerRecorder",
    }
    # LEDGER_DB_POOL: at most that many connections, two of them kept open while idle.
    assert {k: v for k, v in store_env(url, pool=5).items() if "POOL" in k or "OVERFLOW" in k} == {
        "POSTGRES_POOL_SIZE": "2", "POSTGRES_MAX_OVERFLOW": "3"}
    assert store_env(url, pool=1)["POSTGRES_MAX_OVERFLOW"] == "0"
    assert postgres_conninfo(url) == (
        "dbname='award_ledger' host='db.example' port='6543' user='ledger' password='s@cret' "
        "connect_timeout='5'"
    )


def test_postgres_url_defaults_port_and_empty_password():
    """Without a port the default 5432 is used; without a password the setting is empty, not missing."""
    env = store_env("postgresql://postgres@127.0.0.1/test")
    assert (env["POSTGRES_PORT"], env["POSTGRES_PASSWORD"]) == ("5432", "")
    assert "password" not in postgres_conninfo("postgresql://postgres@127.0.0.1/test")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("", "neither"),
        ("ledger.sqlite3", "neither"),
        ("mysql://root@localhost/ledger", "neither"),
        ("sqlite://relative.sqlite3", "neither"),
        ("sqlite:///", "SQLite path is empty"),
        ("postgresql://postgres@127.0.0.1:5432/", "database name"),
        ("postgresql://@127.0.0.1:5432/ledger", "user is missing"),
        ("postgresql://postgres@:5432/ledger", "host is missing"),
        ("postgresql://postgres@127.0.0.1:port/ledger", "port"),
        ("postgresql://postgres@127.0.0.1/ledger?sslmode=require", "query parameters"),
    ],
)
def test_bad_urls_say_which_forms_are_accepted(url: str, reason: str):
    """A URL the store cannot use is refused with the reason and the accepted forms."""
    with pytest.raises(StoreConfigError, match=reason) as caught:
        store_env(url)
    assert ACCEPTED_FORMS in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_bad_url_message_hides_the_password():
    """The password of a refused URL does not reach the message (which ends up in logs)."""
    with pytest.raises(StoreConfigError) as caught:
        store_env("postgresql://ledger:hunter2@db.example/")
    assert "hunter2" not in str(caught.value)
    assert "ledger:***@db.example" in str(caught.value)

"""A real PostgreSQL streaming replica of the test server, built for a test and removed after it:
`pg_basebackup -R` into a temporary folder, a second server on a free port, started and stopped here.

PostgreSQL refuses to run as root, so as root (CI) the copy and the server run as the `postgres` user.
The test server must accept replication connections from 127.0.0.1: `make replication` sets that up.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

BINARIES = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
START_SECONDS = 60
MATCHED = ("max_connections", "max_worker_processes", "max_wal_senders", "max_prepared_transactions",
           "max_locks_per_transaction")


class ReplicaUnavailable(RuntimeError):
    """The replica could not be built here; the message says what to do."""


def _tool(name: str) -> str:
    for folder in reversed(BINARIES):  # the newest installed version first
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if found is None:
        raise ReplicaUnavailable(f"{name} is not installed; install PostgreSQL's server package (apt-get install"
                                 " postgresql)")
    return found


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streaming_replica(server_url: str) -> Iterator[str]:
    """The URL of a hot standby of `server_url`'s server (same user, database `postgres`), streaming from it."""
    primary = urlsplit(server_url)
    folder = Path(tempfile.mkdtemp(prefix="ledger-replica-"))
    data, port = folder / "data", _free_port()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    try:
        copied = subprocess.run(_as_owner([_tool("pg_basebackup"), "-h", primary.hostname or "127.0.0.1", "-p",
                                           str(primary.port or 5432), "-U", primary.username or "postgres", "-D",
                                           str(data), "-R", "-X", "stream", "-c", "fast", "--no-sync"]),
                                capture_output=True, text=True, timeout=300)
        if copied.returncode != 0:
            raise ReplicaUnavailable(f"pg_basebackup failed: {copied.stderr.strip()}. If it names pg_hba.conf, run"
                                     " `make replication` (lets the server stream to 127.0.0.1)")
        # Debian keeps the server's configuration outside its data folder, so the copy has none: the standby's own.
        # A standby refuses to start with fewer of these than its primary has.
        with psycopg.connect(server_url, autocommit=True) as conn:
            at_least = "".join(f"{name} = {conn.execute(f'SHOW {name}').fetchone()[0]}\n" for name in MATCHED)
        (data / "postgresql.conf").write_text(
            f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{folder}'\n"
            "hot_standby = on\nshared_buffers = 32MB\nfsync = off\nhot_standby_feedback = on\n"
            f"max_standby_streaming_delay = -1\n{at_least}")
        (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        for name in ("pg_ident.conf",):
            (data / name).touch()
        if os.geteuid() == 0:
            for path in (data / "postgresql.conf", data / "pg_hba.conf", data / "pg_ident.conf"):
                shutil.chown(path, "postgres", "postgres")
        started = subprocess.run(_as_owner([_tool("pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"),
                                            "-w", "-t", str(START_SECONDS), "start"]),
                                 capture_output=True, text=True, timeout=START_SECONDS + 10)
        if started.returncode != 0:
            log = (folder / "server.log").read_text() if (folder / "server.log").exists() else ""
            raise ReplicaUnavailable(f"the replica did not start: {started.stderr.strip()} {log[-2000:]}")
        try:
            url = f"postgresql://{primary.username or 'postgres'}@127.0.0.1:{port}/postgres"
            _wait_streaming(url)
            yield url
        finally:
            subprocess.run(_as_owner([_tool("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                           capture_output=True, timeout=60)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _wait_streaming(url: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=3) as conn:
                if conn.execute("SELECT status FROM pg_stat_wal_receiver").fetchone() == ("streaming",):
                    return
        except psycopg.OperationalError:
            pass
        if time.monotonic() > deadline:
            raise ReplicaUnavailable("the replica started but is not streaming from the primary")
        time.sleep(0.2)


def database_on(replica_url: str, primary_db_url: str) -> str:
    """The replica's URL for the database `primary_db_url` names, once replay has created it there."""
    name = urlsplit(primary_db_url).path.lstrip("/")
    url = replica_url.rsplit("/", 1)[0] + f"/{name}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with psycopg.connect(url, connect_timeout=3):
                return url
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)

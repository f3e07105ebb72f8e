"""What every benchmark shares: the machine, a throw-away PostgreSQL database, a world of organisations
written through the ledger, peak memory, and one table format that `run.py` collects into RESULTS.md.

Scale: `BENCH_SCALE` (default 0.05) multiplies the issue's full size of 100,000 organisations and about
1,000,000 events; every benchmark also runs at a tenth of its scale to show that memory and latency stay
flat as the event count grows.
"""
from __future__ import annotations

import json
import os
import platform
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID, uuid4

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER_URL = os.environ.get("LEDGER_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
FULL_ORGS = 100_000
EVENTS_PER_ORG = 10  # the template organisation below writes ten events of its own
sys.path.insert(0, str(ROOT))


def scale() -> float:
    return float(os.environ.get("BENCH_SCALE", "0.05"))


def machine() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    with psycopg.connect(SERVER_URL, autocommit=True) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    return {"cpu": cpu, "cores": str(os.cpu_count()), "ram": f"{mem_kb / 1024 / 1024:.0f} GiB",
            "postgres": pg, "python": platform.python_version()}


@contextmanager
def fresh_database(tag: str) -> Iterator[str]:
    """A new PostgreSQL database for one benchmark, dropped afterwards (FORCE ends leftover sessions)."""
    from tests.support import fresh_postgres_database

    with fresh_postgres_database(SERVER_URL, prefix=f"ledger_bench_{tag}_") as url:
        yield url


@contextmanager
def kept_world(orgs: int) -> Iterator[tuple[str, int]]:
    """(url, events) of a store holding `orgs` organisations' histories that is kept between runs: building the
    full-scale world (1.3 M events) takes longer than the benchmarks that read it. Used with `BENCH_KEEP_WORLD=1`
    by the benchmarks that only read the log (the simulation and the rebuild); otherwise a fresh database,
    dropped afterwards. `make bench-clean` drops the kept ones."""
    if os.environ.get("BENCH_KEEP_WORLD") != "1":
        with fresh_database("world") as url:
            ledger, events = load_world(url, orgs)
            ledger.close()
            yield url, events
        return
    from urllib.parse import urlsplit

    name = f"ledger_bench_kept_world_{orgs}"
    url = urlsplit(SERVER_URL)._replace(path=f"/{name}").geturl()
    with psycopg.connect(SERVER_URL, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
    ledger = open_ledger(url)
    try:
        events = ledger.recorder.max_notification_id() or 0
        if not events:
            print(f"  building the kept world {name} ({orgs:,} organisations), once", flush=True)
            _, events = load_world(url, orgs, ledger=ledger)
        elif events < 13 * orgs:
            raise SystemExit(f"{name} holds {events:,} events, fewer than {orgs:,} organisations make (a build cut"
                             " short?): drop it with `make bench-clean` and run again")
    finally:
        ledger.close()
    yield url, events


def drop_kept_worlds() -> list[str]:
    """Drop every database `kept_world` kept; their names."""
    with psycopg.connect(SERVER_URL, autocommit=True) as conn:
        names = [name for (name,) in conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'ledger\\_bench\\_kept\\_world\\_%'")]
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return names


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(name: str, rows: list[dict]) -> None:
    """Print the benchmark's table and hand its rows to run.py (one JSON line on stdout, prefixed)."""
    print(f"\n{name}")
    print(table(rows))
    print("BENCH-JSON " + json.dumps({"name": name, "rows": rows}), flush=True)


def table(rows: list[dict]) -> str:
    cols = ["figure", "value", "baseline", "ratio", "target", "met"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(r.get(c, "")) for c in cols) + " |" for r in rows]
    return "\n".join(lines)


def row(figure: str, value: float, unit: str, *, baseline: float | None = None, base_unit: str | None = None,
        ratio: float | None = None, target: str = "", met: bool | None = None) -> dict:
    if ratio is None and baseline:
        ratio = value / baseline
    return {"figure": figure, "value": f"{value:,.1f} {unit}" if value >= 10 else f"{value:,.2f} {unit}",
            "baseline": "" if baseline is None else f"{baseline:,.1f} {base_unit or unit}",
            "ratio": "" if ratio is None else f"{ratio:.2f}", "target": target,
            "met": "" if met is None else ("yes" if met else "**no**")}


# ---------------------------------------------------------------- the world, written through the ledger

def principals():
    from ledger.principals import Principal, Role

    return Principal("ops", Role.ADMIN), Principal("kjj-clerk", Role.BUREAU, "kjj"), Principal("finance-1",
                                                                                              Role.FINANCE)


def make_uscc(serial: int) -> str:
    from tests.support import make_uscc as mk

    return mk(serial, prefix="91330108MB")


def template_org(ledger, uscc: str) -> None:
    """One organisation's ordinary life through the ledger's commands: registered, leads a body, two
    voucher claims in two years approved (each reserving and consuming its cap account)."""
    admin, kjj, _ = principals()
    ledger.register_organisation(admin, uscc=uscc, name=f"杭州基准科技有限公司{uscc[-6:]}", in_district=True)
    ledger.register_body(admin, body_id=f"BODY-{uscc}", name=f"滨江创新联合体{uscc[-6:]}", kind="consortium",
                         lead_uscc=uscc, recognised_on=date(2022, 10, 1))
    for year in (2023, 2024):
        claim = ledger.submit_claim(kjj, uscc=uscc, programme="A5.voucher", award_year=year,
                                    effective_on=date(year, 6, 1), basis_amount=Decimal("1000000.00"))
        ledger.approve_claim(kjj, claim_id=claim.view["id"])


def appropriate(ledger) -> None:
    _, _, finance = principals()
    for year in (2023, 2024, 2025):
        ledger.record_appropriation(finance, year=year, amount=Decimal("900000000000.00"), document_ref=f"B-{year}")


class Cloner:
    """Historical organisations written as real ledger events, fast: the template organisation's own
    stored events (everything but the shared fund years) with its USCC and ids replaced, inserted through
    the ledger's recorder in large batches. Organisations, bodies and accounts keep the id their natural
    key gives them, so the ledger finds them as if their commands had run one by one."""

    def __init__(self, ledger, template_uscc: str) -> None:
        self.ledger = ledger
        self.uscc = template_uscc
        self.template = []
        for n in ledger.recorder.select_notifications(start=1, limit=1_000):
            if "Organisation.Registered" in n.topic and template_uscc.encode() not in n.state:
                break  # the first clone: the template ends here
            if "FundYear" not in n.topic:
                self.template.append(n)
        self.first = {}
        for n in self.template:
            self.first.setdefault(n.originator_id, n)

    def _new_id(self, old: UUID, uscc: str) -> UUID:
        from ledger.domain.ids import natural_id

        first = self.first[old]
        state = json.loads(first.state)
        if "Organisation" in first.topic:
            return natural_id("organisation", uscc)
        if "AwardAccount" in first.topic:
            return natural_id("account", state["key"].replace(self.uscc, uscc))
        if "InnovationBody" in first.topic:
            from ledger.domain.innovation_body import InnovationBody

            return InnovationBody.create_id(state["body_id"].replace(self.uscc, uscc))
        return natural_id("bench-clone", f"{old}:{uscc}")

    def events(self, uscc: str) -> list:
        from eventsourcing.persistence import StoredEvent

        ids = {old: self._new_id(old, uscc) for old in self.first}
        out = []
        for n in self.template:
            state = n.state.decode().replace(self.uscc, uscc)
            for old, new in ids.items():
                state = state.replace(old.hex, new.hex)
            out.append(StoredEvent(originator_id=ids[n.originator_id], originator_version=n.originator_version,
                                   topic=n.topic, state=state.encode()))
        return out

    def write(self, serials: range, batch: int = 200) -> int:
        """Insert the clones for these serials, `batch` organisations a transaction; returns events written."""
        from projections.progress import Progress

        written, progress = 0, Progress("writing organisations", "organisations", total=len(serials))
        for start in range(serials.start, serials.stop, batch):
            events = [e for s in range(start, min(start + batch, serials.stop)) for e in self.events(make_uscc(s))]
            self.ledger.recorder.insert_events(events)
            written += len(events)
            progress.update_to(min(start + batch, serials.stop) - serials.start)
        progress.close()
        return written


def now() -> float:
    return time.perf_counter()


def run_json(cmd: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False)


def orgs_at(fraction: float = 1.0) -> int:
    """Organisations for this run: the issue's 100,000 times BENCH_SCALE (times `fraction`), at least 100."""
    return max(100, int(FULL_ORGS * scale() * fraction))


def open_ledger(url: str):
    from ledger.application import AwardLedger
    from ledger.store import store_env

    return AwardLedger(store_env(url))


def load_world(url: str, orgs: int, *, first: int = 2, ledger=None) -> tuple[object, int]:
    """A store holding `orgs` organisations' histories (about 13 events each), through the ledger: the
    template organisation by its commands, the rest cloned from it in batches. Returns (ledger, events)."""
    ledger = ledger or open_ledger(url)
    if not ledger.recorder.max_notification_id():
        appropriate(ledger)
        template_org(ledger, make_uscc(1))
    Cloner(ledger, make_uscc(1)).write(range(first, first + orgs - 1))
    return ledger, ledger.recorder.max_notification_id()


def rebuild_read_models(url: str) -> float:
    """Project every event into the read models; returns the seconds it took."""
    from projections.runner import rebuild

    started = now()
    rebuild(url)
    return now() - started


# ---------------------------------------------------------------- servers in subprocesses

TOKENS = {"admin": ("ops", "admin", None), "kjj": ("kjj-clerk", "bureau", "kjj"),
          "finance": ("finance-1", "finance", None), "auditor": ("audit-1", "auditor", None)}


def auth_file(directory: Path) -> tuple[Path, dict[str, str]]:
    """A principals file (one per role) and the bearer token of each."""
    import hashlib

    tokens = {name: f"bench-{name}-{uuid4().hex}" for name in TOKENS}
    principals = [{"name": n, "role": r, **({"bureau": b} if b else {}),
                   "token_sha256": hashlib.sha256(tokens[k].encode()).hexdigest()} for k, (n, r, b) in TOKENS.items()]
    path = directory / "principals.json"
    path.write_text(json.dumps({"principals": principals}))
    return path, tokens


class Server:
    """A uvicorn server in its own process on 127.0.0.1, ready once GET /healthz answers."""

    def __init__(self, cmd: list[str], port: int, env: dict[str, str], log: Path) -> None:
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log = log.open("w")
        self.proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=self.log, stderr=subprocess.STDOUT,
                                     cwd=ROOT)
        self.wait_ready()

    def wait_ready(self, timeout: float = 60.0) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log.name}")
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server not ready in {timeout} s; see {self.log.name}")

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


UVICORN = ["--host", "127.0.0.1", "--log-level", "warning", "--no-access-log"]


def ledger_server(url: str, tmp: Path, *, name: str = "ledger", workers: int = 1, external: bool | None = None
                  ) -> tuple[Server, dict[str, str]]:
    """`award-ledger serve` on the store: one worker with the in-process projector (the default deployment),
    or with LEDGER_PROJECTOR=external (start `projector_process` beside it), as several workers always are."""
    external = workers > 1 if external is None else external
    path, tokens = auth_file(tmp)
    port = free_port()
    env = {"LEDGER_DATABASE_URL": url, "LEDGER_AUTH_FILE": str(path), "LEDGER_LOG_LEVEL": "warning",
           "LEDGER_PORT": str(port), "LEDGER_WORKERS": str(workers),
           "LEDGER_PROJECTOR": "external" if external else "inprocess"}
    return Server([str(ROOT / ".venv/bin/award-ledger"), "serve", "--port", str(port)], port, env,
                  tmp / f"{name}.log"), tokens


def projector_process(url: str, tmp: Path) -> subprocess.Popen:
    """`award-ledger project` on the store, as compose runs it beside several API workers."""
    log = (tmp / "projector.log").open("w")
    return subprocess.Popen([str(ROOT / ".venv/bin/award-ledger"), "project"], cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT, env={**os.environ, "LEDGER_DATABASE_URL": url,
                                                           "LEDGER_LOG_LEVEL": "warning"})


def bare_server(url: str, tmp: Path, *, workers: int = 1) -> Server:
    """bench/bare_app.py: one INSERT a POST, one primary-key SELECT a GET, under the same uvicorn settings."""
    port = free_port()
    return Server([sys.executable, "-m", "uvicorn", "bench.bare_app:app", "--port", str(port), "--workers",
                   str(workers), *UVICORN], port, {"BARE_DATABASE_URL": url}, tmp / f"bare-{workers}.log")


async def drive(base: str, requests: list[tuple[str, str, dict | None, dict]], *, workers: int = 16,
                limit_s: float = 300.0) -> tuple[list[float], dict[int, int], float]:
    """Send the requests with `workers` concurrent clients; returns latencies (s), statuses, wall seconds.
    Bounded: stops taking new requests after `limit_s`."""
    import asyncio

    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue = list(reversed(requests))
    started = now()

    async def worker(client: httpx.AsyncClient) -> None:
        while queue and now() - started < limit_s:
            method, path, body, headers = queue.pop()
            t = now()
            r = await client.request(method, path, json=body, headers=headers)
            latencies.append(now() - t)
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

    limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        await asyncio.gather(*(worker(client) for _ in range(workers)))
    return latencies, statuses, now() - started


def wait_settled(url: str, timeout: float = 600.0) -> None:
    """Wait until the server's background work (the audit chain and the read models over a freshly loaded
    log) is at the head, so a figure measures requests and not the start-up catch-up running beside them."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as conn:
        head = conn.execute("SELECT MAX(notification_id) FROM awardledger_events").fetchone()[0] or 0
        while time.monotonic() < deadline:
            try:
                chained = conn.execute("SELECT MAX(position) FROM rm_audit_chain").fetchone()[0] or 0
                projected = conn.execute("SELECT MAX(notification_id) FROM rm_tracking").fetchone()[0] or 0
            except psycopg.errors.UndefinedTable:
                chained = projected = 0
            if chained >= head and projected >= head:
                return
            time.sleep(0.2)
    raise RuntimeError("the audit chain did not reach the head of the log in time")


if __name__ == "__main__" and sys.argv[1:] == ["drop-kept-worlds"]:
    dropped = drop_kept_worlds()
    print(f"dropped {len(dropped)} kept world(s){': ' + ', '.join(dropped) if dropped else ''}")

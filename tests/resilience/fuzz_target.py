"""The store a fuzzing pass runs against: a small demo district loaded by `award-ledger demo`, then a real
`award-ledger serve` on it, with a principal for every role and every bureau, and the ids the demo recorded
(so that generated requests name claims, payouts and recoveries that exist and reach the ledger's rules)."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ledger.catalogue import current
from tests.resilience.harness import CLI, ROOT, Service
from tests.resilience.traces import Traces
from tests.support import unique_id

CATALOGUE = current()
BUREAUS = sorted(b.code for b in CATALOGUE.bureaus)
LEAD = {code: p.lead for code, p in CATALOGUE.programmes.items()}
# The shared PostgreSQL is near its connection limit: the service's command pool (eventsourcing reads
# <APPLICATION>_POSTGRES_POOL_SIZE before the store's own setting) is kept to a couple of connections.
SMALL_POOL = {"AWARDLEDGER_POSTGRES_POOL_SIZE": "2", "AWARDLEDGER_POSTGRES_MAX_OVERFLOW": "2"}
BODY_ID = "FUZZ-CONS-1"


@dataclass
class Target:
    """A running service, its principals' tokens and the ids that exist in its store."""

    service: Service
    tokens: dict[str, str]
    traces: Traces
    ids: dict[str, list[str]] = field(default_factory=dict)  # path parameter name -> ids that exist
    lead: dict[str, str] = field(default_factory=dict)  # claim, certification or recovery id -> lead bureau

    def headers(self, who: str | None, content_type: str) -> dict[str, str]:
        headers = {"Idempotency-Key": unique_id("fuzz-")}
        if who is not None:
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        if content_type:
            headers["Content-Type"] = content_type
        return headers


def write_all_principals(directory: Path) -> tuple[Path, dict[str, str]]:
    """admin, finance, auditor and one principal per bureau of the catalogue, with fresh tokens."""
    who = {"admin": ("admin", None), "finance": ("finance", None), "auditor": ("auditor", None)}
    who |= {code: ("bureau", code) for code in BUREAUS}
    tokens = {name: unique_id(f"tok-{name}-") for name in who}
    principals = [{"name": f"fuzz-{name}", "role": role, **({"bureau": bureau} if bureau else {}),
                   "token_sha256": hashlib.sha256(tokens[name].encode()).hexdigest()}
                  for name, (role, bureau) in who.items()]
    path = directory / "principals.json"
    path.write_text(json.dumps({"principals": principals}))
    return path, tokens


def start_target(url: str, tmp: Path) -> Target:
    """Load the demo district into the empty store at `url`, start `serve` on it and collect its ids."""
    env = {**os.environ, "LEDGER_DATABASE_URL": url, **SMALL_POOL}
    subprocess.run([CLI, "demo", "--organisations", "12", "--bodies", "3", "--seed", "7"], env=env, cwd=ROOT,
                   check=True, capture_output=True, timeout=300)
    auth, tokens = write_all_principals(tmp)
    target = Target(Service("serve", url, auth, tmp, SMALL_POOL), tokens, Traces(url))
    rows = target.traces.conn.execute
    usccs = [u for (u,) in rows("SELECT uscc FROM rm_records WHERE kind = 'organisation' ORDER BY id").fetchall()]
    r = httpx.post(target.service.base + "/v1/innovation-bodies", headers=target.headers("admin", ""), timeout=30,
                   json={"id": BODY_ID, "name": "滨江模糊测试联合体", "kind": "consortium", "lead_uscc": usccs[0],
                         "recognised_on": "2022-10-01"})
    assert r.status_code == 201, r.text
    certs = rows("SELECT id, data FROM rm_records WHERE kind = 'certification' ORDER BY id").fetchall()
    claims = rows("SELECT id, lead FROM rm_claims ORDER BY id").fetchall()
    recoveries = rows("SELECT id, lead FROM rm_recoveries ORDER BY id").fetchall()
    target.lead = {i: LEAD[json.loads(d)["programme"]] for i, d in certs} | dict(claims) | dict(recoveries)
    target.ids = {"uscc": usccs, "body_id": [BODY_ID], "certification_id": [i for i, _ in certs],
                  "claim_id": [i for i, _ in claims], "recovery_id": [i for i, _ in recoveries],
                  "payout_id": [i for (i,) in rows("SELECT id FROM rm_payouts ORDER BY id").fetchall()],
                  "bank_ref": [b for (b,) in rows("SELECT bank_ref FROM rm_payouts ORDER BY id").fetchall()]}
    return target

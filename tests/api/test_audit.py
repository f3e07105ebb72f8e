"""The audit routes through the real app: verify, digest, and the stored events for an outside replay."""
from __future__ import annotations

import base64
import hashlib

from ledger.audit.chain import GENESIS, event_bytes
from tests.audit.conftest import Dba


def _some_history(world) -> str:
    org = world.org()
    world.certify(org)
    return org


def test_an_intact_ledger_verifies_over_http(api, world) -> None:
    """GET /v1/audit/verify recomputes the chain over every event and finds it intact."""
    _some_history(world)
    report = api.ok("GET", "/v1/audit/verify", as_="auditor")
    assert report["ok"] is True and report["first_bad_position"] is None
    assert report["events_checked"] == api.events()


def test_tampering_is_located_over_http(api, world, database_url) -> None:
    """A byte changed in a stored event behind the service's back is named by its position."""
    _some_history(world)
    digest = api.ok("GET", "/v1/audit/digest", as_="auditor")
    assert digest["position"] == api.events()
    Dba(database_url).flip_byte(3)
    report = api.ok("GET", "/v1/audit/verify", as_="admin")
    assert report["ok"] is False and report["first_bad_position"] == 3
    saved = api.ok("GET", f"/v1/audit/verify?position={digest['position']}&digest={digest['digest']}",
                   as_="auditor")
    assert saved["ok"] is False and saved["first_bad_position"] <= 3


def test_a_saved_digest_with_only_one_half_is_refused(api, world) -> None:
    """A saved digest needs both its position and its digest."""
    api.refused("GET", "/v1/audit/verify?position=3", None, "auditor", 422, "invalid_request")


def test_stored_events_page_lets_an_auditor_redo_the_chain(api, world) -> None:
    """Paging GET /v1/audit/events and hashing its bytes outside reproduces the service's digest."""
    _some_history(world)
    digest = api.ok("GET", "/v1/audit/digest", as_="auditor")
    link, after, seen = GENESIS, 0, 0
    while after is not None:
        page = api.ok("GET", f"/v1/audit/events?after={after}&limit=2", as_="auditor")
        for e in page["events"]:
            data = event_bytes(e["position"], e["aggregate_id"], e["version"], e["topic"],
                               base64.b64decode(e["state_base64"]))
            link = hashlib.sha256(link + data).digest()
            seen += 1
            if e["position"] == digest["position"]:
                assert link.hex() == digest["digest"] == e["link"]
        after = page["next_after"]
    assert seen == api.events()
    events = api.ok("GET", "/v1/audit/events?limit=1000", as_="auditor")["events"]
    registered = next(e for e in events if e["event"] == "Organisation.Registered")
    assert registered["data"]["in_district"] is True and registered["data"]["by"] == "admin-test"


def test_an_after_beyond_any_position_is_refused_not_a_crash(api) -> None:
    """A page position past 64-bit integers is a 422 refusal on both stores, never a server error."""
    api.refused("GET", "/v1/audit/events?after=9223372036854775807", None, "auditor", 422, "invalid_request")
    assert api.ok("GET", f"/v1/audit/events?after={2**62}", as_="auditor")["events"] == []

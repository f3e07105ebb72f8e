"""An event slipped into the events table by hand, without a link in the tamper-evidence chain, is never folded
into the live read models: the projector stops before it, and /readyz names it and what to do.

The audit probe inserted a copy of a real `Claim.Approved` for a rejected claim with the server stopped: `verify`
and the claim's own page called it tampering, yet the in-process projector folded it, and the awards, the
reconciliation and the work queue showed the rejected claim approved (300,000 approved became 450,000)."""
from __future__ import annotations

from tests.audit.conftest import Dba
from tests.support import readyz_failing, unique_id, unique_uscc


def test_an_event_without_a_link_stops_the_read_models_before_it(api, world, database_url) -> None:
    approved = world.approved(world.org(), "A5.voucher", basis_amount="1000000")
    dba = Dba(database_url)
    approval = dba.aggregate_positions(approved["id"])[-1]  # the claim's last event: its approval
    forged = dba.positions()[-1] + 1
    dba.forge_copy(of=approval, at=forged)  # the approval again, slipped in with no link
    api.client.post("/v1/organisations", json={"uscc": unique_uscc(), "name": unique_id("后来的单位"),
                                               "in_district": True},
                    headers={"Authorization": f"Bearer {api.tokens['admin']}"})  # its own fold meets the forged one
    answer = readyz_failing(api)
    problem = answer.json()
    assert answer.status_code == 503 and problem["failing_position"] == forged, problem
    assert "no link in the tamper-evidence chain" in problem["failing_error"], problem
    assert "award-ledger verify" in problem["failing_error"]
    assert api.client.app.state.read_models.view.position() == forged - 1  # nothing from it on folded

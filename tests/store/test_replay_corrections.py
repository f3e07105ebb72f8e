"""The replay meets claim events it does not know (other issues add them) without failing, and takes a
withdrawal or a revocation as releasing the claim, on both stores."""
from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from ledger.replay import Replay, stored_events
from tests.store.conftest import World


class Claim:
    """Stand-ins for claim events other engineers are adding (the replay reads only the class names)."""

    class _Event:
        def __init__(self, claim_id: str) -> None:
            self.originator_id = UUID(claim_id)

    class Proposed(_Event):
        pass

    class Withdrawn(_Event):
        pass

    class Revoked(_Event):
        pass


def test_unknown_claim_events_are_ignored_and_withdrawn_or_revoked_claims_released(world: World) -> None:
    """A Proposed event is passed over; a withdrawn pending claim comes to nothing; a revoked approval yields a
    row taking its amount back; afterwards neither holds anything on any account."""
    org = world.org()
    approved = world.approved(org, "A5.voucher", basis_amount="1000000")     # 300,000 of the 500,000 cap
    pending = world.claim(org, "A5.voucher", basis_amount="1000000")         # 200,000: what the cap leaves
    replay = Replay(world.ledger.catalogue_on, approved_share=True)
    rows = list(replay.run([*stored_events(world.ledger), Claim.Proposed(pending["id"]),
                            Claim.Withdrawn(pending["id"]), Claim.Revoked(approved["id"])]))
    by_status = {r.status: r for r in rows}
    assert set(by_status) == {"approved", "withdrawn", "revocation"}
    assert by_status["approved"].comes_to == Decimal("300000.00")
    assert by_status["withdrawn"].now == Decimal("200000.00") and by_status["withdrawn"].comes_to == 0
    assert by_status["revocation"].comes_to == Decimal("-300000.00")
    assert by_status["revocation"].award_year == 2023
    assert all(not e.live for state in replay.accounts.values() for e in state.entries)

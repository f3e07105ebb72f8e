"""Rule 9 at approval, both stores: a claim a better award on its subject leaves nothing is refused `superseded`,
whatever room its caps have. A rules probe re-assessed an A4 claim to nothing under rule 4 (its own unit's national
first prize on the project) and was told so at approval; once a co-undertaker filled the project's A4 cap, the same
approval was refused `cap_exceeded`, as if the claim could be paid once the cap freed."""
from __future__ import annotations

import pytest

from ledger.domain import errors
from tests.store.conftest import KJJ, World


def test_a_superseded_claim_stays_superseded_once_a_co_undertaker_fills_the_project_cap(world: World) -> None:
    ledger = world.ledger
    first, second = world.org(), world.org()
    project = f"project:K-{first[-6:]}"
    challenge = world.claim(first, "A4.challenge", subject=project, basis_amount="4000000")
    assert challenge["entitled_amount"] == "1200000.00"
    world.approved(first, "A9.national_award", tier="first", rank=1, subject=project)
    with pytest.raises(errors.Superseded):
        ledger.approve_claim(KJJ, claim_id=challenge["id"])
    with pytest.raises(errors.Superseded):  # a new claim of the unit's on the project: the same, at submission
        world.claim(first, "A4.challenge", subject=project, basis_amount="1000000")
    assert ledger.claim(challenge["id"])["entitled_amount"] == "0.00"
    world.claim(second, "A4.challenge", subject=project, basis_amount="20000000")  # takes the project's cap
    with pytest.raises(errors.Superseded):
        ledger.approve_claim(KJJ, claim_id=challenge["id"])
    with pytest.raises(errors.Superseded):  # a new claim of the unit's on the project: the same, at submission
        world.claim(first, "A4.challenge", subject=project, basis_amount="1000000")

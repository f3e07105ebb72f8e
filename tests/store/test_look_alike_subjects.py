"""Subjects that look alike are one subject to the ledger, on both stores: a per-project cap shared by
co-undertakers holds across an en dash and a hyphen, and a subject hiding a character that shows nothing is
refused before anything is recorded."""
from __future__ import annotations

from decimal import Decimal

import pytest

from ledger.domain import errors
from tests.store.conftest import World


def test_a_project_written_with_another_dash_shares_the_project_s_cap(world: World) -> None:
    """X takes the whole 5,000,000 of project "JB–7" (en dash); Y's claim for "JB-7" (hyphen) is the same
    project, so nothing is left: cap_exceeded, not a second 5,000,000."""
    x, y = world.org(), world.org()
    tag = x[-6:]
    first = world.claim(x, "A4.challenge", subject=f"project:JB–{tag}", basis_amount=Decimal("20000000"))
    assert first["entitled_amount"] == "5000000.00"
    with pytest.raises(errors.CapExceeded):
        world.claim(y, "A4.challenge", subject=f"project:JB-{tag}", basis_amount=Decimal("20000000"))


def test_a_subject_hiding_a_variation_selector_is_refused_and_writes_nothing(world: World) -> None:
    x = world.org()
    before = world.events()
    with pytest.raises(errors.InvalidInput, match="U\\+FE0F"):
        world.claim(x, "A4.challenge", subject=f"project:JB-{x[-6:]}\ufe0f", basis_amount=Decimal("1000000"))
    assert world.events() == before

"""A proposal confirmed by another process while this one decides is refused `invalid_state`, never told its slot
is taken by itself.

The races probe (two servers on one PostgreSQL store, 16 clients confirming one proposal) saw losers answered
`already_awarded`, naming the very claim they confirmed: the loser read the proposal before the winner saved and
its accounts after, each read fresh but not together. Here the winner's confirmation is made, for real, by a
second instance on the same store at the moment the first has read the claim and is about to read its accounts.
"""
from __future__ import annotations

from datetime import date

import pytest

from ledger.domain import errors
from tests.store.conftest import KJJ, World, instances
from tests.support import unique_id


def test_a_proposal_confirmed_meanwhile_elsewhere_is_invalid_state(database_url: str) -> None:
    with instances(database_url, 2) as (first, second):
        world = World(first)
        code = world.org(member=False)
        cert = first.record_certification(KJJ, uscc=code, programme="A3.erc", tier="municipal",
                                          effective_on=date(2023, 3, 1), document_ref=unique_id("DOC-"),
                                          body_id=world.body(lead=code, kind="erc", on=date(2022, 9, 6)))
        [claim_id] = cert.view["proposed_claims"]
        reading = second._open_accounts
        confirmed_elsewhere = []

        def accounts_after_the_other_confirmed(plan):
            if not confirmed_elsewhere:  # once: the winner saves between the loser's two reads
                confirmed_elsewhere.append(first.confirm_claim(KJJ, claim_id=claim_id))
            return reading(plan)

        second._open_accounts = accounts_after_the_other_confirmed
        with pytest.raises(errors.InvalidState) as refused:
            second.confirm_claim(KJJ, claim_id=claim_id)
        assert "not proposed" in refused.value.detail
        assert confirmed_elsewhere and first.claim(claim_id)["status"] == "pending"

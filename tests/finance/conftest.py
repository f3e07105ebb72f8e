"""The real app on each backend (the API tests' fixtures), and a small paid world to reconcile."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.api.conftest import Api, World, api, auth_file, serve, settings, tokens, unfunded_world, world  # noqa: F401
from tests.support import unique_id


class Books:
    """What a scenario paid and reversed, kept by the test itself to check the ledger's figures against."""

    def __init__(self, client: Api, facts: World) -> None:
        self.api, self.world = client, facts
        self.approved: dict[str, Decimal] = {}  # by programme
        self.paid: dict[str, Decimal] = {}
        self.reversed: dict[str, Decimal] = {}
        self.claims: dict[str, int] = {}
        self.payouts: list[dict[str, Any]] = []

    def approve(self, programme: str = "A5.voucher", **extra: Any) -> dict[str, Any]:
        org = self.world.org()
        if programme == "A3.erc":
            extra["certification_id"] = self.world.certify(org)
        claim = self.world.approved(org, programme, **extra)
        self.approved[programme] = self.approved.get(programme, Decimal(0)) + Decimal(claim["approved_amount"])
        self.claims[programme] = self.claims.get(programme, 0) + 1
        return claim

    def pay(self, claim: dict[str, Any], amount: str, paid_on: str = "2023-07-03",
            bank_ref: str | None = None) -> dict[str, Any]:
        payout = self.api.ok("POST", "/v1/payouts", {"claim_id": claim["id"], "amount": amount, "paid_on": paid_on,
                                                     "bank_ref": bank_ref or unique_id("ICBC-")}, as_="finance")
        self.paid[claim["programme"]] = self.paid.get(claim["programme"], Decimal(0)) + Decimal(amount)
        self.payouts.append(payout)
        return payout

    def reverse(self, payout: dict[str, Any]) -> None:
        self.api.ok("POST", f"/v1/payouts/{payout['id']}/reverse", {"reason": "银行退回"}, as_="finance", status=200)
        self.paid[payout["programme"]] -= Decimal(payout["amount"])
        self.reversed[payout["programme"]] = self.reversed.get(payout["programme"], Decimal(0)) + Decimal(
            payout["amount"])


@pytest.fixture
def books(api: Api, world: World) -> Books:  # noqa: F811 - the imported fixtures, used by name
    return Books(api, world)

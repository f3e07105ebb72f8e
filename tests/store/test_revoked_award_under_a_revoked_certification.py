"""An award revoked with part of it paid, then its certification revoked, both stores: the award stays revoked, its
recovery owed, and the certification's revocation lists it no more. A revoked award's paid part still counts on the
certification's slot (as awarded, while it is owed), and a pages probe's revocation of the certification took that
for a live award: it withdrew the revoked award again, "released" 200,000 and dropped its 150,000 to recover from the
organisation's awards while the recovery still owed it."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.store.conftest import FINANCE, KJJ, World


def test_a_revoked_and_paid_award_is_left_as_it_is_by_its_certifications_revocation(world: World) -> None:
    ledger = world.ledger
    org = world.org()
    cert = world.recognise(org, "A3.erc", "municipal")
    award = world.approved(org, "A3.erc", certification_id=cert)
    ledger.record_payout(FINANCE, claim_id=award["id"], amount=Decimal("150000.00"), paid_on=date(2023, 7, 1),
                         bank_ref="PAY-REVOKED-1")
    revoked = ledger.revoke_claim(KJJ, claim_id=award["id"], reason="材料不实", document_ref="撤〔2024〕1号").view
    before = ledger.claim(award["id"])
    ended = ledger.revoke_certification(KJJ, certification_id=cert, reason="认定撤销", effective_on=date(2024, 1, 1),
                                        document_ref="撤〔2024〕2号").view
    assert award["id"] not in [c["id"] for c in ended["claims"]], ended["claims"]
    after = ledger.claim(award["id"])
    assert after["status"] == "revoked" and after["history"] == before["history"]
    recovery = ledger.recovery(revoked["recovery_id"])
    assert (recovery["outstanding"], recovery["status"]) == ("150000.00", "open")

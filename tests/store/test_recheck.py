"""`award-ledger recheck`, both stores: a ledger booked under the pinned readings has nothing to correct; one
whose claims were booked under an older reading (written here as such a ledger wrote them) lists each with
what it was booked at, what the rules give now and both explanations, and exits 1."""
from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

from api.cli import main
from ledger.application import AwardLedger
from ledger.catalogue import current
from ledger.domain.claim import Claim
from tests.store.conftest import FGJ, KJJ, World

D = Decimal


def _booked_before_the_readings(ledger: AwardLedger, uscc: str, programme: str, amount: str, **facts) -> Claim:
    """A pending claim as the ledger booked it before issue 13 (no body, a cap taken as the default amount)."""
    prog = current().programme(programme)
    claim = Claim(uscc=uscc, programme=programme, award_year=2023, effective_on=date(2023, 6, 1),
                  tier=facts.get("tier"), rank=None, subject=facts.get("subject"), body_id=None, certification_id=None,
                  basis_amount=None, requested_amount=None, document_ref=None, gross_amount=D(amount),
                  entitled_amount=D(amount),
                  explanation=[{"rule": "tier", "article": 3, "detail": "old", "amount": amount}],
                  accounts=[], policy_version="2022.1", pays_award=prog.pays_awards, lead=prog.lead, by="kjj-clerk")
    ledger.save(claim)
    return claim


def test_nothing_to_correct_on_a_ledger_booked_under_the_readings(world: World, database_url, monkeypatch, capsys):
    """recheck replays claims, approvals and rejections in order and finds every booked amount again: exit 0."""
    org = world.org()
    world.approved(org, "A5.voucher", basis_amount="1000000")
    world.approved(org, "A5.voucher", basis_amount="1000000")
    rejected = world.claim(org, "A4.challenge", basis_amount="10000000", subject="project:RC")
    world.ledger.reject_claim(KJJ, claim_id=rejected["id"], reason="no contract")
    world.claim(world.org(), "A4.challenge", basis_amount="20000000", subject="project:RC")
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    assert main(["recheck", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_claims_booked_under_an_older_reading_are_listed(world: World, database_url, monkeypatch, capsys):
    """An A3.erc award with no body or certification and an A13 equity claim defaulted to its 20,000,000 cap are
    listed with the code the rules now refuse them with; the booked and current figures and explanations come
    with them, in JSON and CSV, and the exit is 1."""
    org = world.org()
    erc = _booked_before_the_readings(world.ledger, org, "A3.erc", "1000000.00", tier="national")
    equity = _booked_before_the_readings(world.ledger, org, "A13.equity", "20000000.00", subject="project:EQ")
    fine = world.ledger.submit_claim(FGJ, uscc=org, programme="A13.equity", award_year=2023,
                                     effective_on=date(2023, 6, 1), subject="project:EQ-2",
                                     requested_amount="5000000").view
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    assert main(["recheck", "--json"]) == 1
    listed = {row["claim_id"]: row for row in json.loads(capsys.readouterr().out)}
    assert set(listed) == {str(erc.id), str(equity.id)} and fine["id"] not in listed
    assert (listed[str(erc.id)]["booked"], listed[str(erc.id)]["now"]) == ("1000000.00", "0.00")
    assert listed[str(erc.id)]["refusal"] == "missing_field"
    assert listed[str(equity.id)]["refusal"] == "missing_field"
    assert listed[str(equity.id)]["difference"] == "-20000000.00"
    assert listed[str(erc.id)]["booked_explanation"][0]["detail"] == "old"
    assert main(["recheck", "--csv"]) == 1
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["claim_id"] for r in rows} == set(listed) and "body_id" in rows[0]["now_explanation"] + rows[1][
        "now_explanation"]

"""Credit lines of a bank statement matched to the repayments of recoveries, by bank reference and amount: a
GB18030 export in the bank's own layout, through `award-ledger reconcile` and POST /v1/finance/bank-statements."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from api.cli import main
from ledger.application import AwardLedger
from ledger.store import store_env
from projections.bank_credits import match_credits
from tests.store.conftest import FINANCE, KJJ, World
from tests.support import unique_id

HEADER = "交易日期,交易时间,借方发生额,贷方发生额,余额,对方户名,对方账号,摘要,附言"


@pytest.fixture
def ledger(database_url, monkeypatch):
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    app = AwardLedger(store_env(database_url))
    yield app
    app.close()


def _gb18030(tmp_path, rows: list[str]):
    """A statement as format A of ../shared/samples/bank/ (GB18030, debit and credit columns, ref in 附言)."""
    path = tmp_path / f"{unique_id('icbc-')}.csv"
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode("gb18030"))
    return path


def _revoked_and_repaid(ledger) -> tuple[dict, dict]:
    """A paid voucher award revoked (300,000.00 to recover) and three repayments recorded against it."""
    world = World(ledger)
    world.appropriate(2023)
    claim = world.approved(world.org(), "A5.voucher", basis_amount=Decimal("1000000.00"))
    payout = ledger.record_payout(FINANCE, claim_id=claim["id"], amount=Decimal("300000.00"),
                                  paid_on=date(2024, 7, 2), bank_ref=unique_id("PAY-")).view
    revoked = ledger.revoke_claim(KJJ, claim_id=claim["id"], reason="核查发现申报数据不实",
                                  document_ref="杭高新科〔2024〕17号").view
    refs = {name: unique_id(f"REC-{name}-") for name in ("paid", "short", "missing")}
    for name, amount, day in (("paid", "60000.00", 15), ("short", "10000.00", 16), ("missing", "5000.00", 20)):
        ledger.record_repayment(FINANCE, recovery_id=revoked["recovery_id"], amount=Decimal(amount),
                                received_on=date(2024, 7, day), bank_ref=refs[name])
    return payout, revoked | {"refs": refs}


def test_credit_lines_match_repayments_by_reference_and_amount(ledger, tmp_path, capsys):
    """The repayment on the statement matches; one for another amount, money in with no repayment and a
    repayment the bank never shows are each named, and the command exits 1 for them."""
    payout, revoked = _revoked_and_repaid(ledger)
    refs, stray = revoked["refs"], unique_id("REC-stray-")
    path = _gb18030(tmp_path, [
        f'2024-07-02,10:15:32,"300,000.00",,"1.00",杭州某科技有限公司,3301,补助款,{payout["bank_ref"]} 创新券补助',
        f'2024-07-15,09:20:45,,"60,000.00","2.00",杭州某科技有限公司,3301,退回,{refs["paid"]} 追回补助款',
        f'2024-07-16,09:20:45,,"9,000.00","3.00",杭州某科技有限公司,3301,退回,{refs["short"]} 追回补助款',
        f'2024-07-31,16:45:00,,"1,000.00","4.00",某人,3302,退回,{stray} 退款'])
    assert main(["reconcile", str(path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)["report"]
    assert [m["line"]["reference"] for m in report["matched"]] == [payout["bank_ref"]]
    [matched] = report["matched_credits"]
    assert (matched["line"]["amount"], matched["repayments"][0]["recovery_id"]) == ("60000.00", revoked["recovery_id"])
    [short] = report["credit_amount_mismatches"]
    assert (short["bank_amount"], short["repayment_amount"]) == ("9000.00", "10000.00")
    assert [ln["reference"] for ln in report["unmatched_credit_lines"]] == [stray]
    assert [(r["bank_ref"], r["amount"]) for r in report["unmatched_repayments"]] == [(refs["missing"], "5000.00")]
    assert len(report["credit_lines"]) == 3 and report["all_matched"] is False
    assert report["counts"]["matched_credits"] == 1 and report["counts"]["unmatched_credit_lines"] == 1
    assert main(["reconcile", str(path)]) == 1
    table = capsys.readouterr().out
    assert "REPAYMENT MISMATCH" in table and "MONEY IN, NO REPAYMENT" in table and revoked["recovery_id"] in table


def test_a_statement_whose_credits_all_match_exits_zero(ledger, tmp_path, capsys):
    """Every debit a payout and every credit a repayment (one reference, two repayments adding up): exit 0."""
    payout, revoked = _revoked_and_repaid(ledger)
    refs = revoked["refs"]
    ledger.record_repayment(FINANCE, recovery_id=revoked["recovery_id"], amount=Decimal("1.00"),
                            received_on=date(2024, 7, 16), bank_ref=refs["short"])
    path = _gb18030(tmp_path, [
        f'2024-07-02,10:15:32,"300,000.00",,"1.00",某公司,3301,补助款,{payout["bank_ref"]}',
        f'2024-07-15,09:20:45,,"60,000.00","2.00",某公司,3301,退回,{refs["paid"]}',
        f'2024-07-16,09:20:45,,"10,001.00","3.00",某公司,3301,退回,{refs["short"]}',
        f'2024-07-20,09:20:45,,"5,000.00","4.00",某公司,3301,退回,{refs["missing"]}'])
    assert main(["reconcile", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)["report"]
    assert [len(m["repayments"]) for m in report["matched_credits"]] == [1, 2, 1] and report["all_matched"] is True


def test_a_credit_with_the_reference_of_a_repayment_on_another_amount_is_no_match():
    """Matching is by reference and amount: the same reference with another amount is a mismatch, not a match."""
    line = {"line": 1, "date": "2024-07-15", "amount": "60000.00", "reference": "R1", "counterparty": "",
            "direction": "credit"}
    repayment = {"recovery_id": "r", "claim_id": "c", "uscc": "u", "amount": "60000.01", "received_on": "2024-07-15",
                 "bank_ref": "R1"}
    report = match_credits([line], {"r1": [repayment | {"id": "r|000002"}]}, lambda ln: True, [])
    assert report["matched_credits"] == [] and report["credit_amount_mismatches"][0]["repayment_amount"] == "60000.01"


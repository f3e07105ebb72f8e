"""A tampered store is neither served nor spread: `rebuild` and `replay` verify the chain first and refuse, a
receipt is not issued for a claim whose events no longer hash to their links, and a verification that finds
tampering logs an ERROR saying where and what to do; each in the reader's language."""
from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest

from api.cli import main
from ledger.audit import receipts
from ledger.audit.chain import AuditChain
from ledger.audit.notary import Notary
from ledger.audit.signing import Signer
from ledger.audit.tampering import Tampered
from tests.audit.conftest import Dba
from tests.store.conftest import World


@pytest.fixture
def tampered(database_url: str, world: World, dba: Dba, monkeypatch, tmp_path: Path) -> tuple[int, str]:
    """A store with history, one approved amount changed behind the ledger's back; the CLI pointed at it."""
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    monkeypatch.setenv("LEDGER_SIGNING_KEY_FILE", str(tmp_path / "key.pem"))
    monkeypatch.setenv("LEDGER_LANG", "en")
    monkeypatch.chdir(tmp_path)
    return dba.raise_an_approved_amount()


def test_rebuild_refuses_a_tampered_store_naming_the_position(tampered, capsys) -> None:
    """`rebuild` verifies the chain first (with its progress line) and refuses with exit 1, naming the first bad
    position and what to do; nothing is rebuilt."""
    position, _ = tampered
    assert main(["rebuild"]) == 1
    err = capsys.readouterr().err
    assert "chain checked" in err
    assert f"award-ledger rebuild: [tampering] TAMPERING at position {position}:" in err
    assert "restore the events from a backup" in err and "--accept-tampered" in err
    assert "events applied" not in err


def test_rebuild_goes_on_when_the_operator_accepts_the_tampering(tampered, capsys) -> None:
    """`--accept-tampered` still says where the chain breaks, then rebuilds from the events as they stand."""
    position, _ = tampered
    assert main(["rebuild", "--accept-tampered"]) == 0
    err = capsys.readouterr().err
    assert f"[tampering] TAMPERING at position {position}:" in err and "Going on as --accept-tampered" in err
    assert "events applied" in err


def test_verify_counts_the_events_it_checked_before_the_break(tampered, capsys) -> None:
    """The progress line says how many events were checked up to the break (it said 0 when the break came before
    the first page ended, a black-box probe)."""
    import re

    position, _ = tampered
    assert main(["verify"]) == 1
    err = capsys.readouterr().err
    counted = [int(n.replace(",", "")) for n in re.findall(r"events checked\D*?([\d,]+) events", err)]
    assert counted and counted[-1] == position - 1, err


def test_verify_json_carries_what_to_do_beside_the_reason(tampered, capsys) -> None:
    """`verify --json` answers as GET /v1/audit/verify does: a failure's reason with what to do (the advice was on
    stderr alone: a regression probe)."""
    import json

    position, _ = tampered
    assert main(["verify", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["first_bad_position"] == position, report
    assert report["what_to_do"] and report["what_to_do_zh"], report


def test_close_refuses_a_tampered_store_and_records_nothing(tampered, database_url: str, capsys) -> None:
    """`close` signs the figures it records: on a tampered store it refused nothing and signed the changed figures
    (a black-box probe). Now exit 1, `[tampering]` naming the position and the way out (no --accept-tampered),
    and the year stays open."""
    from ledger.application import AwardLedger
    from ledger.store import store_env

    position, _ = tampered
    assert main(["close", "--year", "2023", "--as", "finance-1"]) == 1
    err = capsys.readouterr().err
    assert f"award-ledger close: [tampering] TAMPERING at position {position}:" in err
    assert "Nothing was recorded" in err and "award-ledger verify" in err and "--accept-tampered" not in err
    ledger = AwardLedger(store_env(database_url))
    try:
        assert ledger.year_close(2023) is None
    finally:
        ledger.close()


def test_replay_refuses_a_tampered_store_and_prints_nothing(tampered, capsys) -> None:
    """`replay --json` prints no state from a tampered log: exit 1 and the `[tampering]` refusal."""
    position, _ = tampered
    assert main(["replay", "--as-of", datetime.now(UTC).isoformat(), "--json"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert f"award-ledger replay: [tampering] TAMPERING at position {position}:" in err


def test_recheck_refuses_a_tampered_store_rather_than_list_the_forgery_as_booked(tampered, capsys) -> None:
    """An operations probe: `recheck` on a store whose approval was forged listed the forged amount as "booked", to
    be corrected with new events. It checks the chain first, as replay does: `[tampering]`, nothing listed."""
    position, _ = tampered
    assert main(["recheck", "--json"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and f"award-ledger recheck: [tampering] TAMPERING at position {position}:" in err


def test_export_refuses_a_tampered_store_and_writes_no_file(tampered, tmp_path: Path, capsys) -> None:
    """`export` wrote the year's reconciliation from a changed store and said nothing, exit 0, where close, rebuild
    and replay refuse (an audit probe): it refuses with `[tampering]` and writes no file, unless the operator,
    investigating, accepts it; an intact store's export still writes (the other export tests)."""
    position, _ = tampered
    out = tmp_path / "recon.csv"
    assert main(["export", "--year", "2023", "--output", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"award-ledger export: [tampering] TAMPERING at position {position}:" in err and not out.exists()
    assert main(["export", "--year", "2023", "--output", str(out), "--accept-tampered"]) == 0
    assert "Going on as --accept-tampered asks" in capsys.readouterr().err and out.exists()


def test_replay_of_an_intact_store_still_answers(database_url: str, world: World, monkeypatch, capsys) -> None:
    """On an intact store the check passes by itself and the replay prints its state."""
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    monkeypatch.setenv("LEDGER_LANG", "en")
    assert main(["replay", "--as-of", datetime.now(UTC).isoformat(), "--json"]) == 0
    out, err = capsys.readouterr()
    assert '"organisations"' in out and "chain checked" in err


def test_verify_speaks_chinese_about_tampering(tampered, monkeypatch, capsys) -> None:
    """A Chinese reader of `verify` on a tampered store reads where and why in Chinese, no English inside."""
    position, _ = tampered
    monkeypatch.setenv("LEDGER_LANG", "zh")
    assert main(["verify"]) == 1
    err = capsys.readouterr().err
    assert f"[tampering] 在位置 {position} 发现篡改：位置 {position} 的事件与链在该处的链接不再相符" in err
    assert "no longer" not in err and "TAMPERING" not in err and "Keep the store" not in err


def test_the_receipt_command_refuses_a_tampered_claim(tampered, tmp_path: Path, capsys) -> None:
    """`receipt` for the tampered claim exits 1 with `[tampering]` and writes nothing."""
    position, claim_id = tampered
    out = tmp_path / "r.json"
    assert main(["receipt", claim_id, "--output", str(out)]) == 1
    err = capsys.readouterr().err
    assert "award-ledger receipt: [tampering]" in err and f"position {position}" in err
    assert not out.exists()


def _notary(database_url: str, tmp_path: Path) -> Notary:
    return Notary(AuditChain.open(database_url), Signer.load_or_create(tmp_path / "keys" / "key.pem")[0])


def test_a_receipt_is_refused_for_the_tampered_claim_only(database_url: str, world: World, dba: Dba,
                                                          tmp_path: Path, caplog) -> None:
    """Issuing checks only the claim's own events against their links: the tampered claim is refused as
    `tampering` (logged as an ERROR with its position), another claim of the same store still gets its receipt."""
    position, claim_id = dba.raise_an_approved_amount()
    notary = _notary(database_url, tmp_path)
    with caplog.at_level(logging.ERROR, logger="ledger.audit"), pytest.raises(Tampered) as refused:
        receipts.for_claim(world.ledger, notary, claim_id)
    assert (refused.value.code, refused.value.kind, refused.value.context) == ("tampering", "conflict",
                                                                               {"position": position})
    assert f"位置 {position}" in refused.value.zh
    assert any(f"position {position}" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)
    others = dba._query(f"SELECT originator_id FROM {dba.events} WHERE topic LIKE %s", ("%Claim.Approved",))[1:]
    other = receipts.for_claim(world.ledger, notary, str(UUID(str(others[0][0]))))
    assert receipts.check(other, notary.signer.public_pem) == []


def test_a_verification_that_finds_tampering_logs_an_error(chain: AuditChain, dba: Dba, caplog) -> None:
    """The server's verifications (the audit page's, GET /v1/audit/verify) log an ERROR naming the position and
    what to do; the command line, which says so itself, asks for none."""
    position, _ = dba.raise_an_approved_amount()
    with caplog.at_level(logging.ERROR, logger="ledger.audit"):
        assert chain.verify(logged=False)["first_bad_position"] == position
        assert not caplog.records
        chain.verify()
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert f"TAMPERING at position {position}" in record.getMessage()
    assert "restore the events from a backup" in record.getMessage()


def test_a_foreign_saved_digest_is_a_warning_not_an_error(chain: AuditChain, caplog) -> None:
    """A digest handed in that does not match an intact chain may be a mistyped one: a WARNING, no ERROR."""
    digest = chain.digest() | {"digest": "ab" * 32}
    with caplog.at_level(logging.WARNING, logger="ledger.audit"):
        assert chain.verify(digest)["failure"] == "saved_digest_mismatch"
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert "if the ledger issued it" in caplog.records[0].getMessage()


@pytest.mark.parametrize("change", ["delete the last", "delete a middle", "change the topic of a middle"])
def test_a_receipt_is_refused_when_the_claims_events_were_deleted_or_renamed(
        change: str, database_url: str, world: World, dba: Dba, tmp_path: Path) -> None:
    """A claim paid, reversed and paid again; then one of its stored events deleted or renamed behind the ledger's
    back. Deleting its last event left no gap in its versions and the receipt was signed as valid, showing the
    claim unpaid (a black-box probe); deleting or renaming a middle one failed with a 500. Each is now refused
    `tampering` at the event's position, and the verifier never sees a receipt."""
    from datetime import date

    from tests.store.conftest import FINANCE

    world.appropriate(2023)
    claim = world.approved(world.org(), "A5.voucher", basis_amount="1000000")
    pay = {"claim_id": claim["id"], "amount": "250000", "paid_on": date(2023, 8, 1)}
    first = world.ledger.record_payout(FINANCE, **pay, bank_ref="BK-T1").view
    world.ledger.reverse_payout(FINANCE, payout_id=first["id"], reason="银行退回")
    world.ledger.record_payout(FINANCE, **pay, bank_ref="BK-T2")
    notary = _notary(database_url, tmp_path)
    rows = sorted(notary.chain.aggregate_events([UUID(claim["id"])]))
    assert receipts.check(receipts.for_claim(world.ledger, notary, claim["id"]), notary.signer.public_pem) == []
    position = rows[-1][0] if change.endswith("last") else rows[-2][0]
    if change.startswith("delete"):
        dba.delete(position)
    else:
        dba.change_topic(position)
    with pytest.raises(Tampered) as refused:
        receipts.for_claim(world.ledger, notary, claim["id"], logged=False)
    assert refused.value.context == {"position": position}
    # A deleted event is the claim's for all the ledger can tell only where it leaves a gap in the claim's versions;
    # the last one left none, and the refusal says the chain breaks there, not whose event it was (a probe).
    if change.endswith("last"):
        assert f"the chain breaks at position {position}, after claim" in refused.value.detail
        assert "无从判断其归属" in refused.value.zh


def test_no_receipt_is_signed_over_a_history_changed_and_linked_over(database_url: str, world: World, dba: Dba,
                                                                     tmp_path: Path, monkeypatch, capsys) -> None:
    """An audit probe: an approval rewritten from 300,000 to 900,000 with the chain linked over it (the store
    changed by someone with SQL) got a receipt signed by the ledger, which its own checker refused as breaking rule
    6 while telling the reader the file had been altered after it was issued. The ledger now refuses to sign it
    (`tampering`, saying what to do), and the checker, given such a receipt, says the ledger's store was changed."""
    world.approved(world.org(), "A5.voucher", basis_amount="1000000")
    signer, _ = Signer.load_or_create(tmp_path / "keys" / "signing-key.pem")
    notary = Notary(AuditChain.open(database_url), signer)
    position, claim_id = dba.raise_an_approved_amount()
    raised = json.loads(dba.state(position))["amount"]["_data_"]
    before = world.ledger.claim(claim_id, with_history=False)
    assert Decimal(raised) > Decimal(before["entitled_amount"]), (raised, before)
    dba.rewrite_chain()
    with pytest.raises(Tampered) as refused:
        receipts.for_claim(world.ledger, Notary(AuditChain.open(database_url), signer), claim_id, logged=False)
    assert f"approves {raised}, above the" in refused.value.detail, refused.value.detail
    assert "verify --digest" in refused.value.detail and "核验台账" in (refused.value.in_language("zh") or "")
    # A receipt signed so (as the ledger did before): its signatures verify, the summary breaks rule 6, and the
    # reader is told the ledger's store was changed, not that the file was altered.
    signed = receipts.build(notary, before | {"approved_amount": raised},
                            notary.chain.aggregate_events([UUID(claim_id)]))
    problems = receipts.check(json.loads(json.dumps(signed)), signer.public_pem)
    assert problems and all(p["part"] == "summary" for p in problems), problems
    (tmp_path / "r.json").write_text(json.dumps(signed), encoding="utf-8")
    (tmp_path / "k.pem").write_text(signer.public_pem, encoding="utf-8")
    monkeypatch.setenv("LEDGER_LANG", "en")
    assert main(["verify-receipt", str(tmp_path / "r.json"), "--public-key", str(tmp_path / "k.pem")]) == 1
    err = capsys.readouterr().err
    assert "the ledger's store was changed before it was issued" in err and "altered after it was issued" not in err


def _revoked_and_repaid(world: World) -> dict[str, str]:
    """A voucher approved (300,000.00), 100,000.00 paid, revoked, 50,000.00 of it repaid: the ids of the claim, its
    payout and its recovery."""
    from datetime import date

    from tests.store.conftest import FINANCE, KJJ

    claim = world.approved(world.org(), "A5.voucher", basis_amount="1000000")["id"]
    payout = world.ledger.record_payout(FINANCE, claim_id=claim, amount="100000", paid_on=date(2023, 7, 1),
                                        bank_ref=f"PAY-{claim[:8]}").view["id"]
    recovery = world.ledger.revoke_claim(KJJ, claim_id=claim, reason="申报不实",
                                         document_ref="撤销〔2024〕3号").view["recovery_id"]
    world.ledger.record_repayment(FINANCE, recovery_id=recovery, amount=Decimal("50000"),
                                  received_on=date(2024, 4, 2), bank_ref=f"BACK-{claim[:8]}")
    return {"claim": claim, "payout": payout, "recovery": recovery}


# A payout's or recovery's event changed in the store, and what the refusal says of it, in English and Chinese.
UNRECORDED = {
    "payout apart from the claim's copy": ("payout", "Payout.Recorded", "200000.00",
                                           "records 200,000.00 paid, but the claim's version",
                                           "记录拨付 200,000.00 元，但申请第"),
    "repaid above the recovery": ("recovery", "Recovery.Repaid", "950000.00",
                                  "leaves -850,000.00 still owed, below zero: 950,000.00 recovered",
                                  "使尚欠金额为 -850,000.00 元，低于零"),
    "recovery opened for less than was paid": ("recovery", "Recovery.Opened", "10.00",
                                               "is opened for 10.00, but the claim had been paid 100,000.00",
                                               "应追回金额为 10.00 元，但该申请"),
}


@pytest.mark.parametrize("case", UNRECORDED)
def test_no_receipt_is_signed_over_a_payout_or_recovery_changed_and_linked_over(
        case: str, database_url: str, world: World, dba: Dba, tmp_path: Path, monkeypatch, capsys) -> None:
    """An audit probe changed, then linked the chain over, a payout's own event (200,000 where the claim's copy says
    100,000), a repayment (950,000 on a recovery of 100,000: -850,000 still owed) or a recovery's amount (10 where
    100,000 was paid), and the ledger signed a receipt of each that its checker, the CLI and the audit page called
    valid. The ledger now refuses to sign it (`tampering`, exit 1), and the checker, given such a receipt signed,
    names what breaks and says the ledger's store was changed, in either language."""
    record, event, amount, said, said_zh = UNRECORDED[case]
    ids = _revoked_and_repaid(world)
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    monkeypatch.setenv("LEDGER_SIGNING_KEY_FILE", str(tmp_path / "key.pem"))
    monkeypatch.setenv("LEDGER_LANG", "en")
    signer, _ = Signer.load_or_create(tmp_path / "key.pem")
    notary = Notary(AuditChain.open(database_url), signer)
    assert receipts.check(receipts.for_claim(world.ledger, notary, ids["claim"]), signer.public_pem) == []
    dba.change_amount(ids[record], event, amount)
    dba.rewrite_chain()
    with pytest.raises(Tampered) as refused:
        receipts.for_claim(world.ledger, Notary(AuditChain.open(database_url), signer), ids["claim"], logged=False)
    assert said in refused.value.detail and "verify --digest" in refused.value.detail, refused.value.detail
    assert said_zh in (refused.value.in_language("zh") or ""), refused.value.in_language("zh")
    assert main(["receipt", ids["claim"], "--output", str(tmp_path / "refused.json")]) == 1
    err = capsys.readouterr().err
    assert "award-ledger receipt: [tampering]" in err and said in err, err
    assert not (tmp_path / "refused.json").exists()
    # A receipt signed so (as the ledger did before): its signatures verify, and the reader is told what breaks
    # and that the ledger's store was changed, not that the file was altered.
    notary = Notary(AuditChain.open(database_url), signer)
    claim = world.ledger.claim(ids["claim"], with_history=False)
    own = notary.chain.aggregate_events([UUID(ids["claim"])])
    signed = receipts.build(notary, claim, own + notary.chain.aggregate_events(
        sorted(receipts.linked_ids(receipts.readable(bytes(row[4])) for row in own))))
    problems = receipts.check(json.loads(json.dumps(signed)), signer.public_pem)
    assert problems and all(p["part"] == "summary" for p in problems), problems
    assert any(said in p["problem"] and said_zh in p["problem_zh"] for p in problems), problems
    (tmp_path / "r.json").write_text(json.dumps(signed), encoding="utf-8")
    (tmp_path / "k.pem").write_text(signer.public_pem, encoding="utf-8")
    assert main(["verify-receipt", str(tmp_path / "r.json"), "--public-key", str(tmp_path / "k.pem")]) == 1
    err = capsys.readouterr().err
    assert said in err and "the ledger's store was changed before it was issued" in err, err
    monkeypatch.setenv("LEDGER_LANG", "zh")
    assert main(["verify-receipt", str(tmp_path / "r.json"), "--public-key", str(tmp_path / "k.pem")]) == 1
    err = capsys.readouterr().err
    assert said_zh in err and "台账的存储在出具前已被改动" in err, err

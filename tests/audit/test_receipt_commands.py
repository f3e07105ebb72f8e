"""`award-ledger receipt` refuses an --output it cannot write as `export` does, and `verify-receipt` says what
it finds in the reader's language."""
from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from api.cli import main
from ledger.audit.signing import Signer
from tests.store.conftest import World


@pytest.fixture
def cli(database_url: str, world: World, monkeypatch, tmp_path: Path) -> str:
    """The CLI on a store with history; the id of an approved claim."""
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    monkeypatch.setenv("LEDGER_SIGNING_KEY_FILE", str(tmp_path / "key.pem"))
    monkeypatch.setenv("LEDGER_LANG", "en")
    return world.approved(world.org(), "A5.voucher", basis_amount="1000000")["id"]


@pytest.mark.parametrize("where", ["missing/r.json", "."])
def test_an_unwritable_output_is_refused_not_a_traceback(cli: str, tmp_path: Path, where: str, monkeypatch,
                                                         capsys) -> None:
    """A folder that does not exist, or a folder given as the file, is `[output_unwritable]` with exit 2, in
    either language."""
    output = str(tmp_path / where)
    assert main(["receipt", cli, "--output", output]) == 2
    err = capsys.readouterr().err
    assert f"award-ledger receipt: [output_unwritable] cannot write {output}" in err
    assert "Choose another --output" in err and "Traceback" not in err
    monkeypatch.setenv("LEDGER_LANG", "zh")
    assert main(["receipt", cli, "--output", output]) == 2
    err = capsys.readouterr().err
    assert "[output_unwritable] 无法写入" in err and "请用 --output 换一个位置" in err


def _receipt_and_key(claim_id: str, tmp_path: Path) -> tuple[Path, Path]:
    out, pem = tmp_path / "r.json", tmp_path / "public.pem"
    assert main(["receipt", claim_id, "--output", str(out)]) == 0
    pem.write_text(Signer.load_or_create(tmp_path / "key.pem")[0].public_pem)
    return out, pem


def test_verify_receipt_speaks_chinese(cli: str, tmp_path: Path, monkeypatch, capsys) -> None:
    """A Chinese reader reads the verdict in Chinese: valid with its events, or each invalid part and why."""
    out, pem = _receipt_and_key(cli, tmp_path)
    monkeypatch.setenv("LEDGER_LANG", "zh")
    capsys.readouterr()
    assert main(["verify-receipt", str(out), "--public-key", str(pem)]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"有效：申请 {cli}（已批准），") and "已签名的链头位于位置" in said
    assert "提交申请、批准申请" in said and "Claim." not in said  # the events as the pages name them (a zh probe)
    assert "，创新券补助（A5.voucher），2023 年度" in said, said  # the programme by name (a regression probe)
    # its moment in Beijing time said as the pages say it, not "UTC+08:00" (an audit probe)
    assert re.search(r"出具于 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d（北京时间）：", said) and "UTC" not in said, said
    receipt = json.loads(out.read_text())
    receipt["events"][1]["state_base64"] = base64.b64encode(b'{"x": 1}').decode()
    out.write_text(json.dumps(receipt))
    assert main(["verify-receipt", str(out), "--public-key", str(pem)]) == 1
    err = capsys.readouterr().err
    assert f"无效（位置 {receipt['events'][1]['position']} 的事件）：" in err
    assert "无效（回执）：回执本身的签名未通过核验：签名与内容不符" in err
    assert "INVALID" not in err and "does not" not in err
    assert "请勿以这份回执为据" in err and "重新申请该申请的回执" in err  # what to do next (an audit probe)


def test_verify_receipt_keeps_english_for_an_english_reader(cli: str, tmp_path: Path, capsys) -> None:
    """The English verdict is as before."""
    out, pem = _receipt_and_key(cli, tmp_path)
    capsys.readouterr()
    assert main(["verify-receipt", str(out), "--public-key", str(pem)]) == 0
    said = capsys.readouterr().out
    receipt = json.loads(out.read_text())
    uscc = receipt["claim"]["uscc"]
    assert said.startswith(f"valid: claim {cli} (approved), organisation {uscc}, A5.voucher, award year 2023:"
                           " entitled 300,000.00, approved 300,000.00, paid 0.00; 2 events: Claim.Submitted,"
                           " Claim.Approved; signed head at position"), said
    # as of when: the receipt's own signed moment, in Beijing time (a trust probe: an old receipt read as current)
    assert "UTC+08:00: the claim as the ledger knew it then" in said, said


def test_a_receipt_naming_a_key_twice_is_refused(cli: str, tmp_path: Path, monkeypatch, capsys) -> None:
    """A trust probe: a genuine receipt with another organisation's code and a tenfold amount written first and the
    genuine values after them was `valid` (the checker keeps the last copy of a key, a person reads the first). A
    receipt naming a key twice is refused as unreadable, naming the key, in either language."""
    out, pem = _receipt_and_key(cli, tmp_path)
    text = out.read_text()
    assert text.count('"approved_amount": "300000.00"') == 1
    out.write_text(text.replace('"approved_amount": "300000.00"',
                                '"approved_amount": "3000000.00", "approved_amount": "300000.00"'))
    capsys.readouterr()
    assert main(["verify-receipt", str(out), "--public-key", str(pem)]) == 2
    err = capsys.readouterr().err
    assert "[receipt_unreadable]" in err and "'approved_amount' twice" in err, err
    monkeypatch.setenv("LEDGER_LANG", "zh")
    assert main(["verify-receipt", str(out), "--public-key", str(pem)]) == 2
    assert "两次出现键 'approved_amount'" in capsys.readouterr().err


def test_half_a_character_or_a_number_too_long_is_unreadable_in_either_language(cli: str, tmp_path: Path,
                                                                                  monkeypatch, capsys) -> None:
    """An input probe: a receipt holding "\\ud800" printed a traceback and exited 1 (the contract's "invalid"), and a
    10,000-digit number was told in Python's English to a Chinese reader. Both are `receipt_unreadable`, exit 2,
    worded; so is a saved digest given to `verify --digest` (`digest_unreadable`)."""
    out, pem = _receipt_and_key(cli, tmp_path)
    text = out.read_text()
    half, long = tmp_path / "half.json", tmp_path / "long.json"
    half.write_text(text.replace('"status": "', '"status": "\\ud800', 1))
    long.write_text(text.replace('"status": ', '"x": ' + "9" * 10_000 + ', "status": ', 1))
    capsys.readouterr()
    assert main(["verify-receipt", str(half), "--public-key", str(pem)]) == 2
    err = capsys.readouterr().err
    assert "[receipt_unreadable]" in err and "half a character" in err and "Traceback" not in err, err
    monkeypatch.setenv("LEDGER_LANG", "zh")
    assert main(["verify-receipt", str(long), "--public-key", str(pem)]) == 2
    err = capsys.readouterr().err
    assert "超过 4,300 位的数字" in err and "set_int_max_str_digits" not in err, err
    digest = tmp_path / "digest.json"
    digest.write_text('{"position": 1, "digest": "\\ud800", "algorithm": "sha256-chain-v1"}')
    assert main(["verify", "--digest", str(digest)]) == 2
    err = capsys.readouterr().err
    assert "[digest_unreadable]" in err and "半个字符" in err, err


def test_a_receipt_or_digest_in_utf16_or_gbk_is_worded_in_english_too(cli: str, tmp_path: Path, monkeypatch,
                                                                       capsys) -> None:
    """A regression probe: a receipt or saved digest in UTF-16 (or GBK) printed Python's "'utf-8' codec can't decode
    byte 0xff in position 0" in English, where the Chinese line and the audit page say the file is not UTF-8 text."""
    out, pem = _receipt_and_key(cli, tmp_path)
    wide, gbk = tmp_path / "wide.json", tmp_path / "gbk.json"
    wide.write_bytes(out.read_text().encode("utf-16"))
    gbk.write_bytes(out.read_text().replace('"status": "', '"status": "核', 1).encode("gbk"))
    digest = tmp_path / "digest.json"
    digest.write_bytes('{"position": 1, "digest": "00", "algorithm": "sha256-chain-v1"}'.encode("utf-16"))
    monkeypatch.setenv("LEDGER_LANG", "en")
    capsys.readouterr()
    for argv, code in ((["verify-receipt", str(wide), "--public-key", str(pem)], "receipt_unreadable"),
                       (["verify-receipt", str(gbk), "--public-key", str(pem)], "receipt_unreadable"),
                       (["verify", "--digest", str(digest)], "digest_unreadable")):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert f"[{code}]" in err and "not UTF-8 text" in err and "codec" not in err, err


def test_a_receipt_and_key_saved_with_a_byte_order_mark_are_still_checked(cli: str, tmp_path: Path, capsys) -> None:
    """An audit probe: a receipt saved by Windows Notepad (UTF-8 with a BOM) was `receipt_unreadable`, exit 2. The
    mark is no part of the JSON or the PEM: the receipt is checked, valid, and still caught when changed."""
    out, pem = _receipt_and_key(cli, tmp_path)
    out.write_bytes(b"\xef\xbb\xbf" + out.read_bytes())
    pem.write_bytes(b"\xef\xbb\xbf" + pem.read_bytes())
    capsys.readouterr()
    assert main(["verify-receipt", str(out), "--public-key", str(pem)]) == 0, capsys.readouterr().err
    assert capsys.readouterr().out.startswith(f"valid: claim {cli}")
    out.write_bytes(out.read_bytes().replace(b'"approved"', b'"rejected"', 1))
    assert main(["verify-receipt", str(out), "--public-key", str(pem)]) == 1


def test_a_revoked_awards_valid_line_says_what_became_of_its_recovery(cli: str, world: World, tmp_path: Path,
                                                                      monkeypatch, capsys) -> None:
    """A finance probe: a revoked award's receipt said "paid 100,000.00" and nothing of what was repaid or written
    off. The valid line adds the recovery as its events give it, in either language."""
    from datetime import date
    from decimal import Decimal

    from tests.store.conftest import FINANCE, KJJ
    from tests.support import unique_id

    world.appropriate(2023)
    world.ledger.record_payout(FINANCE, claim_id=cli, amount=Decimal("100000.00"), paid_on=date(2023, 7, 3),
                               bank_ref=unique_id("PAY-"))
    revoked = world.ledger.revoke_claim(KJJ, claim_id=cli, reason="核查不实", document_ref="D-9").view
    recovery = revoked["recovery_id"]
    world.ledger.record_repayment(FINANCE, recovery_id=recovery, amount=Decimal("40000.00"),
                                  received_on=date(2024, 7, 15), bank_ref=unique_id("REC-"))
    world.ledger.write_off_recovery(FINANCE, recovery_id=recovery, reason="企业注销", document_ref="D-10")
    out, pem = _receipt_and_key(cli, tmp_path)
    capsys.readouterr()
    assert main(["verify-receipt", str(out), "--public-key", str(pem)]) == 0
    said = capsys.readouterr().out
    assert ("paid 100,000.00; recovery: opened for 100,000.00, recovered 40,000.00, written off 60,000.00, still"
            " owed 0.00;") in said, said
    monkeypatch.setenv("LEDGER_LANG", "zh")
    assert main(["verify-receipt", str(out), "--public-key", str(pem)]) == 0
    said = capsys.readouterr().out
    assert "；追回：撤销时应追回 100,000.00 元，已追回 40,000.00 元，已核销 60,000.00 元，尚欠 0.00 元；" in said, said


@pytest.mark.parametrize("document", ["{}", '{"position": 3, "digest": "ab"}'])
def test_a_json_object_that_is_no_receipt_is_unreadable_not_invalid(cli: str, tmp_path: Path, document: str,
                                                                     capsys) -> None:
    """An operations probe: `{}` was "invalid" (exit 1, as a forged receipt) where `[1, 2, 3]` was unreadable (2)."""
    _, pem = _receipt_and_key(cli, tmp_path)
    other = tmp_path / "other.json"
    other.write_text(document)
    capsys.readouterr()
    assert main(["verify-receipt", str(other), "--public-key", str(pem)]) == 2
    assert "[receipt_unreadable]" in capsys.readouterr().err

"""`--as NAME` of `close` and `reconcile` is the event's `by`: it passes the API's text check for names, and,
with LEDGER_AUTH_FILE set, names a finance principal of that file; a refused name exits 2 with
`[argument_invalid]` in the reader's language and records nothing. `close` says when in Beijing time."""
from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest

from api.cli import main
from ledger.application import AwardLedger
from ledger.store import store_env
from tests.support import SETTLE, unique_id

REFUSAL = re.compile(r"^award-ledger (close|reconcile): \[argument_invalid\] (.*)$", re.MULTILINE)
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
LOCALES = ("LEDGER_LANG", "LC_ALL", "LC_MESSAGES", "LANG")
BAD_NAMES = {"a bell and a line break": "evil\x07\nname", "nothing": "", "only spaces": "   ",
             "a bidi override": "cli\u202efinance", "a flood": "x" * 100_000}


@pytest.fixture
def store(database_url: str, tmp_path: Path, monkeypatch) -> Iterator[AwardLedger]:
    """An empty store the CLI reaches through LEDGER_*, read back by the test through its own ledger."""
    for name in [*LOCALES, *(n for n in os.environ if n.startswith("LEDGER_") and n != SETTLE)]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    monkeypatch.setenv("LEDGER_SIGNING_KEY_FILE", str(tmp_path / "signing-key.pem"))
    ledger = AwardLedger(store_env(database_url))
    yield ledger
    ledger.close()


def _events(ledger: AwardLedger) -> int:
    return ledger.recorder.max_notification_id() or 0


def _statement(tmp_path: Path) -> Path:
    path = tmp_path / f"{unique_id('statement-')}.csv"
    path.write_text(f"date,amount,reference,counterparty\n2023-07-03,100.00,{unique_id('ICBC-')},某公司\n",
                    encoding="utf-8")
    return path


def _principals(tmp_path: Path) -> Path:
    people = {"finance-wang": {"role": "finance"}, "kjj-li": {"role": "bureau", "bureau": "kjj"}}
    path = tmp_path / "principals.json"
    path.write_text(json.dumps({"principals": [
        {"name": name, **who, "token_sha256": hashlib.sha256(name.encode()).hexdigest()}
        for name, who in people.items()]}))
    return path


def _run(argv: list[str], capsys, monkeypatch, lang: str = "en") -> tuple[int, str, str]:
    monkeypatch.setenv("LEDGER_LANG", lang)
    capsys.readouterr()
    code = main(argv)
    said = capsys.readouterr()
    return code, said.out, said.err


@pytest.mark.parametrize("name", BAD_NAMES)
def test_close_refuses_a_name_the_api_would_refuse_and_records_nothing(name, store, capsys, monkeypatch):
    """A control character, a bidi override, nothing, or a flood as `--as`: exit 2, [argument_invalid] saying
    what to give instead, in English and in Chinese, and no event (the year still closes afterwards)."""
    for lang in ("en", "zh"):
        code, _, err = _run(["close", "--year", "2023", "--as", BAD_NAMES[name]], capsys, monkeypatch, lang)
        (refused,) = REFUSAL.findall(err)
        assert code == 2 and refused[0] == "close", err
        assert "\x07" not in err and len(err) < 2_000  # the name is never echoed raw, nor whole
        if lang == "zh":
            assert CJK.search(refused[1]) and "请给出财政账号的名称（默认 cli-finance）" in refused[1], err
            assert refused[1].endswith("未记录任何内容")
        else:
            assert "--as " in refused[1] and "give the finance principal's name (default cli-finance)" in err
            assert not CJK.search(refused[1])
    assert _events(store) == 0 and store.year_close(2023) is None


def test_reconcile_refuses_a_flood_of_a_name_before_reading_the_statement(store, tmp_path, capsys, monkeypatch):
    """`reconcile --as` with 100,000 characters: exit 2, [argument_invalid] naming the limit, nothing imported."""
    code, out, err = _run(["reconcile", str(_statement(tmp_path)), "--as", "x" * 100_000], capsys, monkeypatch)
    (refused,) = REFUSAL.findall(err)
    assert code == 2 and refused[0] == "reconcile" and "100,000 characters long; send at most 500" in refused[1]
    assert out == "" and _events(store) == 0


def test_a_clean_name_is_recorded_trimmed_as_the_api_keeps_text(store, tmp_path, capsys, monkeypatch):
    """Without LEDGER_AUTH_FILE any clean name is taken (there is no list to check it against), NFC and trimmed."""
    code, out, _ = _run(["reconcile", str(_statement(tmp_path)), "--as", "  finance-2 ", "--json"], capsys,
                        monkeypatch)
    assert code == 1  # the line matches no payout: a discrepancy, yet imported
    [imported] = list(store.events.get(UUID(json.loads(out)["id"])))
    assert imported.by == "finance-2"


def test_with_a_principals_file_the_name_must_be_one_of_its_finance_principals(store, tmp_path, capsys,
                                                                              monkeypatch):
    """With LEDGER_AUTH_FILE: a name the file does not hold, or a bureau's, is refused (exit 2, naming the
    finance principals it does hold, nothing recorded); a finance principal of the file is recorded as `by`;
    the default, cli-finance, stays the CLI's own name."""
    monkeypatch.setenv("LEDGER_AUTH_FILE", str(_principals(tmp_path)))
    for name in ("nobody", "kjj-li"):
        for lang in ("en", "zh"):
            code, _, err = _run(["close", "--year", "2023", "--as", name], capsys, monkeypatch, lang)
            (refused,) = REFUSAL.findall(err)
            assert code == 2 and "finance-wang" in refused[1] and "kjj-li" not in refused[1].replace(name, ""), err
            assert ("不是 LEDGER_AUTH_FILE" in refused[1]) if lang == "zh" else (
                "is not a finance principal of LEDGER_AUTH_FILE" in refused[1])
    assert _events(store) == 0
    code, _, _ = _run(["close", "--year", "2023", "--as", "finance-wang"], capsys, monkeypatch)
    assert code == 0 and store.year_close(2023)["by"] == "finance-wang"
    code, _, _ = _run(["reconcile", str(_statement(tmp_path))], capsys, monkeypatch)
    assert code == 1  # imported as cli-finance, the default, with its discrepancy


def test_close_says_when_in_beijing_time_and_its_json_keeps_rfc_3339(store, capsys, monkeypatch):
    """The outcome line reads the moment as the district does (UTC+08:00), in both languages; --json keeps
    the recorded moment as RFC 3339 with its offset."""
    code, out, err = _run(["close", "--year", "2023", "--json"], capsys, monkeypatch)
    assert code == 0 and re.search(r"2023 closed as of \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC\+08:00:", err), err
    assert "+00:00" not in err
    recorded = json.loads(out[out.index("{"):])  # after the note that a signing key was made, the first time
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}", recorded["as_of"]), recorded
    code, _, err = _run(["close", "--year", "2024"], capsys, monkeypatch, "zh")
    # in Chinese, 北京时间 as the pages say it, not UTC+08:00 (an audit probe)
    assert code == 0 and re.search(r"2024 年度已结账（截至北京时间 \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}）", err), err

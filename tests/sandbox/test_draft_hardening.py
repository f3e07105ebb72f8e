"""A draft catalogue the policy sandbox cannot use is refused as `invalid_catalogue`, naming the field and its
line in English and Chinese, whatever the value written there: a number past any sensible bound (an award-year
lag of 9,999,999 made a simulation run for half an hour), a value of the wrong type (a table where a code goes,
a number of 5,000 digits), text the ledger's one text check refuses. Never a traceback, on the command line
(exit 2) or over HTTP (422), on both stores."""
from __future__ import annotations

import functools
import hashlib
import json
import re
import time
import tomllib
from collections.abc import Iterator
from datetime import date, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.app import create_app
from api.cli import main
from api.settings import Settings
from ledger.catalogue.draft import DraftError, read_draft
from ledger.catalogue.model import Catalogue
from tests.sandbox.drafts import edit, in_force

HAN = re.compile(r"[\u4e00-\u9fff]")
LAG = "award_year_lag = 1"


def _refused(text: str) -> DraftError:
    with pytest.raises(DraftError) as refused:
        read_draft(text)
    err = refused.value
    assert err.zh and HAN.search(err.zh), err.zh  # the same refusal for a Chinese reader
    return err


def _line_of(text: str, written: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(written))


# -- the bounds of the numbers that drive a simulation's work ------------------------------------------------------

@pytest.mark.parametrize("lag", [6, 1000, 9_999_999, 2**63 - 1])
def test_an_award_year_lag_past_five_years_is_refused_naming_the_field_and_line(lag: int) -> None:
    """Rule 10 books a claim in the year of its facts or the year after: a lag of 0 to 5 years is plenty. A larger
    one is refused at once (it was accepted, and the replay's time grew with it)."""
    text = in_force().replace(LAG, f"award_year_lag = {lag}", 1)
    started = time.monotonic()
    err = _refused(text)
    assert time.monotonic() - started < 5
    assert (err.field, err.line) == ("policy.award_year_lag", _line_of(text, "award_year_lag ="))
    assert "from 0 to 5" in str(err) and "0 至 5" in err.zh, (str(err), err.zh)
    assert read_draft(in_force().replace(LAG, "award_year_lag = 5", 1)).policy.award_year_lag == 5


def _term(text: str) -> str:
    return text.replace("effective_to = 2025-09-05", "effective_to = 2099-09-05", 1)


def _max_rank(text: str) -> str:
    return edit("A11.standard", r"max_rank = 3", "max_rank = 1000000", text)


def _rank_share_to(text: str) -> str:
    return edit("A9.national_award", r"to = 5", "to = 9223372036854775807", text)


def _rank_share_backwards(text: str) -> str:
    return edit("A9.national_award", r"from = 2, to = 5", "from = 5, to = 2", text)


def _rank_shares_overlap(text: str) -> str:  # rank 1 in two bands: its share depended on their order
    return edit("A9.national_award", r"from = 2, to = 5", "from = 1, to = 5", text)


def _article(text: str) -> str:
    return edit("A5.voucher", r"article = 5", "article = 9999999999", text)


def _policy_article(text: str) -> str:
    return text.replace("term_article = 16", "term_article = 0", 1)


def _many_tiers(text: str) -> str:
    tiers = ", ".join(f'{{ code = "t{i}", name_zh = "等次", name_en = "tier", amount = "1.00" }}' for i in range(101))
    return edit("A3.erc", r"tiers = \[", f"tiers = [{tiers}, ", text)


BOUNDS = [(_term, "policy.effective_to"), (_max_rank, "programmes[17].tiers[2].max_rank"),
          (_rank_share_to, "programmes[14].rank_shares[1].to"), (_rank_share_backwards,
                                                                 "programmes[14].rank_shares[1].to"),
          (_rank_shares_overlap, "programmes[14].rank_shares[1]"),
          (_article, "programmes[7].article"), (_policy_article, "policy.term_article"),
          (_many_tiers, "programmes[4].tiers")]


@pytest.mark.parametrize(("spoil", "field"), BOUNDS, ids=[b[0].__name__.strip("_") for b in BOUNDS])
def test_every_other_number_and_size_of_a_draft_is_bounded(spoil, field: str) -> None:
    """A term of 78 years, a rank of a million, a rank band ending before it starts or overlapping another, an
    article of ten digits, 101 tiers in one programme: each refused naming the field and a line that shows it (all
    were accepted)."""
    text = spoil(in_force())
    assert text != in_force()
    err = _refused(text)
    assert err.field == field, str(err)
    shown = text.splitlines()[err.line - 1] if err.line is not None else ""
    # the line naming the field, or for an item of a list (a rank band), the item's own line
    assert field.rsplit(".", 1)[-1].split("[")[0] in shown or (field.endswith("]") and "from = 1, to = 5" in shown)


# -- values of the wrong type --------------------------------------------------------------------------------------

WRONG_TYPES = [
    ('body_kind = "consortium"', "body_kind = {}", "programmes[0].body_kind"),
    ('body_kind = "consortium"', "body_kind = []", "programmes[0].body_kind"),
    ('requires_designation = "A6.chain_leader"', "requires_designation = [{}]", "programmes[10].requires_designation"),
    ('requires_designation = "A6.chain_leader"', "requires_designation = [[]]", "programmes[10].requires_designation"),
    ('ladders = [["municipal", "provincial"]]', "ladders = [[{}]]", "programmes[0].ladders[0]"),
    ('ladders = [["municipal", "provincial"]]', "ladders = [[[]]]", "programmes[0].ladders[0]"),
    ('rate = "0.20"', "rate = " + "9" * 5000, "programmes[8].rate"),
    ("award_year_lag = 1", "award_year_lag = -" + "7" * 4400, "policy.award_year_lag"),
]


@pytest.mark.parametrize(("written", "spoilt", "field"), WRONG_TYPES, ids=[w[1][:30] for w in WRONG_TYPES])
def test_a_value_of_the_wrong_type_is_refused_naming_the_field_not_a_traceback(written: str, spoilt: str,
                                                                                 field: str) -> None:
    """A table or an array where a code goes, an array in a ladder's rungs, a number past the 4,300 digits Python
    converts (tomllib's ValueError): each was a TypeError or ValueError (500 over HTTP, a traceback on the
    command line); now the field at fault and its line."""
    assert written in in_force()
    text = in_force().replace(written, spoilt, 1)
    err = _refused(text)
    assert (err.field, err.line) == (field, _line_of(text, spoilt[:12])), str(err)
    assert len(str(err)) < 1000 and len(err.zh) < 1000  # the value is not echoed in full


# -- text through the ledger's one text check ----------------------------------------------------------------------

NAME = 'name_zh = "承接科技成果转移资助"'
TEXTS = {"nul": "a\\u0000b", "rtl_override": "a\\u202eb", "control": "a\\u0001b", "zero_width": "a\\u200bb",
         "long": "x" * 200_000, "blank": "   "}


@pytest.mark.parametrize("value", TEXTS.values(), ids=TEXTS.keys())
def test_a_drafts_text_passes_the_ledgers_one_text_check(value: str) -> None:
    """NUL, a right-to-left override, a control character (which then broke the XLSX export), a zero-width space,
    a name of 200,000 characters, a blank name: refused naming the field and line, saying what to send."""
    assert NAME in in_force()
    text = in_force().replace(NAME, f'name_zh = "{value}"', 1)
    err = _refused(text)
    assert err.field is not None and err.field.endswith(".name_zh"), str(err)
    assert err.line == _line_of(text, "name_zh = \"" + value[:3])
    assert re.search("character|send|characters long|empty", str(err)), str(err)
    assert len(str(err)) < 1000


@pytest.mark.parametrize(("written", "spoilt"), [
    ('code = "A5.voucher"', 'code = "\uff215.voucher"'),  # a full-width Ａ: the twin of the real programme
    ('code = "provincial_sme"', 'code = "provincial\u2010sme"'),  # a hyphen that is not one
    ('code = "kjj"', 'code = "kj\u0458"'),  # a Cyrillic ј
    ('lead = "kjj"', 'lead = "\uff4bjj"'),  # a full-width ｋ
    ('fact = "basis_amount"', 'fact = "\uff42asis_amount"'),  # a threshold's figure: a simulation failed with 500
    ('fact = "basis_amount"', 'fact = "turnover"'),
])
def test_a_code_in_a_draft_is_ascii_not_a_look_alike(written: str, spoilt: str) -> None:
    """An inputs probe: a draft naming `Ａ5.voucher` (full-width) was simulated, the real A5.voucher dropped unseen at
    −40,000.00 beside a programme that reads the same. Programme, tier, bureau and pool codes are ASCII words;
    a look-alike is refused naming the field and its line, in both languages."""
    text = in_force()
    assert written in text, written
    spoilt_text = text.replace(written, spoilt, 1)
    err = _refused(spoilt_text)
    assert ("is not a code" in str(err) and "不是有效代码" in err.zh) or (
        "expected basis_amount or requested_amount" in str(err) and "门槛所检验" in err.zh), str(err)
    assert err.line == next(n for n, line in enumerate(spoilt_text.splitlines(), 1) if spoilt in line), err.line


def test_a_misspelt_field_with_a_control_character_in_its_key_is_refused_without_echoing_it() -> None:
    """The refusal of an unknown key repeats it escaped and cut: no control character reaches a terminal or log."""
    text = in_force().replace(LAG, LAG + '\n"lag\\u0007' + "y" * 500 + '" = 1', 1)
    err = _refused(text)
    assert "\x07" not in str(err) and "\x07" not in err.zh and len(str(err)) < 1000


# -- a random value of any type in any field: accepted, or refused as a draft; nothing else -----------------------

class Digits(int):
    """A whole number of more digits than Python converts to text, written as that many nines."""


def _string(value: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for char in value:
        point = ord(char)
        out.append("\\" + char if char in '"\\' else f"\\u{point:04X}" if point < 0x20 or point == 0x7F else char)
    return '"' + "".join(out) + '"'


def _toml(value: Any) -> str:
    """A value as inline TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Digits):
        return "9" * int(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if value != value else "inf" if value == float("inf") else "-inf" if value == -float("inf") \
            else repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, date | datetime | clock):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return "{" + ", ".join(f"{_string(k)} = {_toml(v)}" for k, v in value.items()) + "}"


def _document_text(document: dict[str, Any]) -> str:
    return "".join(f"{_string(k)} = {_toml(v)}\n" for k, v in document.items())


def _paths(value: Any, path: tuple = ()) -> Iterator[tuple]:
    """Every field, table and array of a parsed document, as the keys and indices that reach it."""
    if path:
        yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*path, i))


IN_FORCE_DOCUMENT = tomllib.loads(in_force())
PATHS = sorted(_paths(IN_FORCE_DOCUMENT), key=repr)
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
SCALARS = st.one_of(
    st.booleans(), st.integers(), st.integers(min_value=-(2**70), max_value=2**70),
    st.builds(Digits, st.integers(min_value=4301, max_value=6000)),
    st.floats(), TEXT, st.text(st.sampled_from("\x00\x01\x1f\x7f\u202e\u200b\ufeffa"), min_size=1, max_size=5),
    st.sampled_from(["", " ", "A6.chain_leader", "erc", "project", "tiered", "kjj", "0.20", "500000.00",
                     "9" * 40, "-1", "1e5", "x" * 600]),
    st.dates(), st.datetimes(), st.times())
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(TEXT, st.sampled_from(["code", "name_zh", "kind"])),
                                                  inner, max_size=4)), max_leaves=12)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), value=VALUES, second=st.none() | st.tuples(st.sampled_from(PATHS), VALUES))
def test_any_value_in_any_field_is_accepted_or_refused_as_a_draft_never_a_crash(path, value, second) -> None:
    """The catalogue in force with one (or two) fields, tables or arrays replaced by a random TOML value of any
    type (tables, arrays of tables, nested arrays, numbers past 4,300 digits, control characters, booleans,
    days and times): the reader gives a catalogue or a `DraftError` naming a field, in both languages."""
    _faithful()
    document = tomllib.loads(in_force())
    document = _replace_in(document, path, value)
    if second is not None:
        document = _replace_in(document, *second)
    text = _document_text(document)
    try:
        answer = read_draft(text)
    except DraftError as err:
        assert err.field and err.zh, (str(err), err.zh)
        assert len(str(err)) < 5000, str(err)[:300]
    else:
        assert isinstance(answer, Catalogue)


@functools.cache
def _faithful() -> None:
    """The property's serialiser is faithful: the catalogue in force, written by it, reads as the same catalogue."""
    assert read_draft(_document_text(tomllib.loads(in_force()))) == read_draft(in_force())


def _replace_in(document: Any, path: tuple, value: Any) -> Any:
    """The document with the value at `path` replaced, where the path still leads there (after a first change)."""
    node = document
    for depth, part in enumerate(path):
        if isinstance(node, dict) and isinstance(part, str):
            fits = part in node or depth == len(path) - 1
        else:
            fits = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if not fits:
            return document
        if depth == len(path) - 1:
            node[part] = value
        else:
            node = node[part]
    return document


# -- the command line and HTTP, both stores -------------------------------------------------------------------------

HUGE = in_force().replace('rate = "0.20"', "rate = " + "9" * 5000, 1)
CONTROL = in_force().replace(NAME, 'name_zh = "a\\u0001b"', 1)
LAGGED = in_force().replace(LAG, "award_year_lag = 9999999", 1)


@pytest.mark.parametrize(("draft", "field"), [(HUGE, "programmes[8].rate"), (LAGGED, "policy.award_year_lag"),
                                              (CONTROL, "programmes[13].name_zh")], ids=["huge", "lag", "control"])
def test_the_command_line_refuses_such_a_draft_with_exit_2_in_both_languages(
        draft: str, field: str, database_url: str, tmp_path: Path, monkeypatch, capsys) -> None:
    """`award-ledger simulate --catalogue huge.toml` printed a traceback and exited 1; the contract says
    `[invalid_catalogue]`, exit 2, the field and line, in the reader's language."""
    path = tmp_path / "huge.toml"
    path.write_text(draft, encoding="utf-8")
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    line = next(n for n, written in enumerate(draft.splitlines(), 1)
                if written.split("=")[0].strip() == field.rsplit(".", 1)[-1] and written not in in_force().splitlines())
    assert main(["simulate", "--catalogue", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    assert "[invalid_catalogue]" in err and f"field {field}, line {line}" in err, err
    monkeypatch.setenv("LEDGER_LANG", "zh")
    assert main(["simulate", "--catalogue", str(path)]) == 2
    err = capsys.readouterr().err
    assert "[invalid_catalogue]" in err and f"字段 {field}，第 {line} 行" in err and "未进行模拟" in err, err


def test_an_output_file_named_for_a_format_simulate_does_not_write_is_refused_before_the_replay(
        database_url: str, tmp_path: Path, monkeypatch, capsys) -> None:
    """A sandbox probe: `simulate --output x.pdf` wrote JSON into x.pdf without a word. An extension that names no
    format simulate writes is refused at once (exit 2, nothing written), in the reader's language; --format, or a
    file with no extension (JSON, as the help says), still writes."""
    path = tmp_path / "draft.toml"
    path.write_text(in_force(), encoding="utf-8")
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    pdf = tmp_path / "x.pdf"
    assert main(["simulate", "--catalogue", str(path), "--output", str(pdf)]) == 2
    err = capsys.readouterr().err
    assert "[argument_invalid]" in err and ".pdf is not a format simulate writes" in err and not pdf.exists(), err
    monkeypatch.setenv("LEDGER_LANG", "zh")
    assert main(["simulate", "--catalogue", str(path), "--output", str(pdf)]) == 2
    assert "simulate 不能写出 .pdf 格式" in capsys.readouterr().err
    capsys.readouterr()
    assert main(["simulate", "--catalogue", str(path), "--output", str(pdf), "--format", "json"]) == 0
    assert json.loads(pdf.read_text(encoding="utf-8"))
    # stdout carries nothing beside the file (a newcomer probe read the whole table after it): the line is on stderr.
    out, err = capsys.readouterr()
    assert out == "" and str(pdf) in err, (out, err)


@pytest.fixture
def auditor(database_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The real app on the test's store and an auditor's headers."""
    token = "tok-auditor-draft-hardening"
    principals = tmp_path / "principals.json"
    principals.write_text(json.dumps({"principals": [{"name": "auditor-test", "role": "auditor",
                                                      "token_sha256": hashlib.sha256(token.encode()).hexdigest()}]}))
    config = Settings(database_url=database_url, auth_file=principals, wait_timeout=5.0,
                      signing_key_file=tmp_path / "signing-key.pem")
    with TestClient(create_app(config)) as client:
        yield client, {"Authorization": f"Bearer {token}", "Content-Type": "application/toml"}


@pytest.mark.parametrize(("draft", "field"), [(HUGE, "programmes[8].rate"), (LAGGED, "policy.award_year_lag"),
                                              (CONTROL, "programmes[13].name_zh"),
                                              (in_force().replace('body_kind = "erc"', "body_kind = {}", 1),
                                               "programmes[4].body_kind")],
                         ids=["huge", "lag", "control", "body_kind_table"])
def test_post_simulations_answers_422_invalid_catalogue_at_once(draft: str, field: str, auditor) -> None:
    """Over HTTP: 422 `invalid_catalogue` with the field and line, in English and in Chinese, within seconds, for
    JSON and for the XLSX download (which a control character in a name broke with a 500); no event written."""
    client, headers = auditor
    before = client.app.state.ledger.recorder.max_notification_id()
    for query, language in (("", "en"), ("?format=xlsx", "zh-CN,zh;q=0.9")):
        started = time.monotonic()
        response = client.post(f"/v1/simulations{query}", content=draft.encode("utf-8"),
                               headers={**headers, "Accept-Language": language})
        assert time.monotonic() - started < 10
        assert response.status_code == 422, response.text[:500]
        problem = response.json()
        assert (problem["code"], problem["field"]) == ("invalid_catalogue", field), problem
        assert problem["line"] and field.rsplit(".", 1)[-1] in draft.splitlines()[problem["line"] - 1]
        assert (HAN.search(problem["detail"]) is not None) == (language != "en"), problem["detail"]
        assert len(problem["detail"]) < 1000
    assert client.app.state.ledger.recorder.max_notification_id() == before

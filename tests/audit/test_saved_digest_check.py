"""The audit page's check of uploaded saved digests (api/web/audit_digest.py), on both stores: the ledger
extends a digest it issued, and a rewritten history, a digest past the ledger's end, a forged digest or a file
that is no digest are each told apart."""
from __future__ import annotations

import json

import pytest

import api.app  # noqa: F401 - the routes first: api.web and api.routes import each other
from api.web.audit_digest import Refused, check_saved_digests, read_saved_digests
from ledger.audit.chain import AuditChain
from tests.audit.conftest import Dba, record_history
from tests.store.conftest import World


def _file(*digests: dict, name: str = "digest.json") -> list[tuple[str, bytes]]:
    body = digests[0] if len(digests) == 1 else list(digests)
    return [(name, json.dumps(body).encode())]


def test_a_digest_the_ledger_issued_is_extended_after_more_events(chain: AuditChain, world: World) -> None:
    """Saved, then more events recorded: the ledger extends it, and says how many came after."""
    saved = chain.digest()
    record_history(world, organisations=1)
    verdict = check_saved_digests(chain, read_saved_digests(_file(saved)))
    assert verdict["verdict"] == "extends" and verdict["key"] == "saved_extends"
    assert verdict["values"]["position"] == saved["position"]
    assert verdict["values"]["later"] == chain.digest()["position"] - saved["position"] > 0


def test_a_rewritten_history_differs_and_is_placed(chain: AuditChain, dba: Dba, world: World) -> None:
    """An event changed and the chain table rewritten to match: the saved digest differs, and two saved
    digests place the change between them, the earlier one still matching."""
    earlier = chain.digest()
    record_history(world, organisations=1)
    later = chain.digest()
    target = next(p for p in dba.positions() if p > earlier["position"] + 2)
    dba.flip_byte(target)
    dba.rewrite_chain()
    verdict = check_saved_digests(chain, read_saved_digests(_file(later)))
    assert (verdict["verdict"], verdict["key"]) == ("differs", "saved_differs")
    assert verdict["values"]["first"] <= target <= verdict["values"]["position"] == later["position"]
    both = check_saved_digests(chain, read_saved_digests(_file(later, earlier)))
    assert both["trusted"] == earlier["position"] and both["values"]["first"] == earlier["position"] + 1


def test_a_digest_beyond_the_ledger_or_forged_differs(chain: AuditChain) -> None:
    """A digest past the ledger's last event cannot be extended; a forged hex at a real position differs."""
    saved = chain.digest()
    beyond = check_saved_digests(chain, read_saved_digests(_file(saved | {"position": saved["position"] + 5})))
    assert (beyond["verdict"], beyond["key"]) == ("differs", "saved_beyond")
    forged = saved | {"digest": ("0" if saved["digest"][0] != "0" else "1") + saved["digest"][1:]}
    assert check_saved_digests(chain, read_saved_digests(_file(forged)))["verdict"] == "differs"


@pytest.mark.parametrize(("raw", "key"), [
    (b"", "saved_no_file"), (b"not json", "saved_not_json"), (b"\xff\xfe\x00", "saved_not_json"),
    (b"[1, 2]", "saved_not_digest"), (b"{" + b" " * 70_000 + b"}", "saved_too_big"),
])
def test_files_that_are_no_digest_are_refused_by_name(raw: bytes, key: str) -> None:
    """Each kind of wrong file is refused with the file's name and what to send instead."""
    with pytest.raises(Refused) as refused:
        read_saved_digests([("bank.csv", raw)])
    assert refused.value.key == key
    assert key == "saved_no_file" or refused.value.values["name"] == "bank.csv"


@pytest.mark.parametrize("change", [{"algorithm": "md5"}, {"position": -1}, {"position": True}, {"digest": "ab"},
                                    {"digest": "g" * 64}])
def test_a_digest_with_wrong_fields_is_refused(chain: AuditChain, change: dict) -> None:
    """A wrong algorithm, position or hex is refused, naming the field, before anything is verified."""
    with pytest.raises(Refused) as refused:
        check_saved_digests(chain, read_saved_digests(_file(chain.digest() | change, name="mine.json")))
    assert refused.value.key == "saved_not_digest" and refused.value.values["name"] == "mine.json"
    assert next(iter(change)) in refused.value.values["error"]


@pytest.mark.parametrize(("raw", "zh_error"), [
    (b"not json", "第 1 行第 1 列无法解析"), (b'{"position": 1,\n  oops}', "第 2 行第 3 列无法解析"),
    (b"\xff\xfe\x00", "不是 UTF-8 文本"), (b"[1, 2]", "内容不是 JSON 对象"),
])
def test_a_file_that_is_no_digest_is_refused_in_chinese_for_a_chinese_reader(raw: bytes, zh_error: str) -> None:
    """The page's Chinese says where the file stopped being JSON in Chinese (it quoted the parser's English)."""
    from api.web import i18n

    with pytest.raises(Refused) as refused:
        read_saved_digests([("摘要.json", raw)])
    chinese = i18n.translator("zh")(refused.value.key, **refused.value.values)
    assert zh_error in chinese and not any(w in chinese for w in ("Expecting", "line", "not a", "UTF-8 text")), chinese
    english = i18n.translator("en")(refused.value.key, **refused.value.values)
    assert "摘要.json" in english and not any("\u4e00" <= c <= "\u9fff" for c in english.replace("摘要", ""))

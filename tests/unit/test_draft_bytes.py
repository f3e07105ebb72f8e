"""A draft catalogue read from a file's bytes: UTF-8 with or without a byte-order mark is read; anything else (an
office's GBK save, UTF-16, binary) is a refusal naming the byte, in both languages, never a UnicodeDecodeError."""
from __future__ import annotations

import pytest

from ledger.catalogue.draft import DraftError, read_draft_bytes
from tests.sandbox.drafts import in_force


def test_utf8_with_or_without_a_bom_is_read() -> None:
    text = in_force()
    assert read_draft_bytes(text.encode("utf-8")).policy.id == read_draft_bytes(
        b"\xef\xbb\xbf" + text.encode("utf-8")).policy.id


@pytest.mark.parametrize("encoding", ["gbk", "utf-16"])
def test_other_encodings_are_refused_naming_the_byte(encoding: str) -> None:
    with pytest.raises(DraftError) as refused:
        read_draft_bytes(in_force().encode(encoding), "draft.toml")
    assert "not UTF-8 text (byte " in str(refused.value) and "另存为 UTF-8" in (refused.value.zh or "")

"""The edge reads a JSON body once (api/edge.py `read_json`): the document it hands a lane is what `json.loads`
gives, and a key named twice in any object, at any depth, is found."""
from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from api.edge import DEEP, UNREAD, read_json

scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                         | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=20)


@given(documents)
def test_the_document_is_what_json_loads_gives(document: object) -> None:
    text = json.dumps(document, ensure_ascii=False).encode()
    found, read = read_json(text)
    assert found is None
    assert read == json.loads(text)
    assert json.dumps(read) == json.dumps(json.loads(text))  # the same keys in the same order


@given(st.dictionaries(st.text(min_size=1, max_size=6), scalars, min_size=1, max_size=5), st.data(),
       st.integers(0, 3))
def test_a_key_named_twice_at_any_depth_is_found(document: dict, data: st.DataObject, depth: int) -> None:
    key = data.draw(st.sampled_from(sorted(document)))
    inner = json.dumps(document)[:-1] + f", {json.dumps(key)}: 1}}"
    text = ("[" * depth + inner + "]" * depth).encode()
    assert read_json(text) == (key, UNREAD)


def test_not_json_and_too_deep() -> None:
    assert read_json(b"{nope") == (None, UNREAD)
    assert read_json(b"[" * 100_000 + b"]" * 100_000) == (DEEP, UNREAD)

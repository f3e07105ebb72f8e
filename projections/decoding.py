"""Stored events straight to `EventRow`s, without making domain events on the way.

The fold wants plain rows (money and days as text, see `events.plain`), and the log stores each event's
state as JSON whose non-JSON values are eventsourcing transcodings, {"_type_": name, "_data_": text}.
Turning that into a domain event (the application's mapper) and the event back into a row cost about
40 µs an event, most of a rebuild; here the JSON is decoded once and each transcoded value goes
straight to its plain text. The result is the same row `from_domain_event(mapper.to_domain_event(n))`
gives (tests/projections/test_decoding.py holds the two equal on both stores, for every event type).

Anything this reader cannot vouch for goes through the mapper instead: a mapper that is not the plain
JSON one (a cipher or a compressor, another transcoder, a transcoding it does not know), an event class
that may upcast older states (class_version > 1), and any event whose state fails to decode here.

`Decoder.event` gives the replays (recheck, the policy sandbox) the domain event itself, exactly as the mapper
makes it, on the same conditions: orjson reads the state, and only the values the transcoder marked are
turned back into their types by the transcoder's own transcodings (about a third of the mapper's cost).
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    Notification,
    UUIDAsHex,
    find_id_convertor,
)
from eventsourcing.utils import resolve_topic

from ledger.store import DateAsISO
from projections.events import ENVELOPE, EventRow, from_domain_event, utc_text

# What the mapper leaves out of an event's attributes, beyond the envelope.
SKIPPED = (*ENVELOPE, "class_version")
# A moment already written as `utc_text` writes it: an aware UTC ISO time with microseconds.
UTC_TEXT = re.compile(r"[1-9]\d{3}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00")


def _moment(text: str) -> str:
    if len(text) == 32 and UTC_TEXT.fullmatch(text):
        return text
    return utc_text(datetime.fromisoformat(text))


# Each transcoding the reader knows, by class, and the plain text of the value it decodes to.
PLAIN: dict[type, Callable[[Any], str]] = {
    UUIDAsHex: lambda data: str(UUID(data)),
    DecimalAsStr: lambda data: str(Decimal(data)),
    DatetimeAsISO: _moment,
    DateAsISO: lambda data: date.fromisoformat(data).isoformat(),
}


class Unreadable(Exception):
    """The state holds something only the mapper can decode."""


class Decoder:
    """`decoder(page)`: a page of notifications as EventRows, directly where it can, else via `mapper`."""

    def __init__(self, mapper: Any) -> None:
        self.mapper = mapper
        self.plain = self._plain_transcodings(mapper)
        self.json = json.JSONDecoder(object_hook=_object_hook(self.plain or {}))
        self.topics: dict[tuple[str, type], tuple[str, Callable[[Any], Any]] | None] = {}

    @staticmethod
    def _plain_transcodings(mapper: Any) -> dict[str, Callable[[Any], str]] | None:
        if type(mapper) is not Mapper or mapper.cipher is not None or mapper.compressor is not None:
            return None
        transcoder = mapper.transcoder
        if type(transcoder) is not JSONTranscoder:
            return None
        return {name: PLAIN[type(t)] for name, t in transcoder.names.items() if type(t) in PLAIN}

    @property
    def direct(self) -> bool:
        """Whether events are read without the mapper (False: every event goes through it)."""
        return self.plain is not None

    def __call__(self, page: Sequence[Notification], *, only: Collection[str] | None = None) -> list[EventRow]:
        """The page's rows. Given `only`, the events named elsewhere are passed over: their rows keep
        position, aggregate, version and name, but no recorded time and no payload (nothing is decoded)."""
        if only is None or self.plain is None:
            return [self.row(n) for n in page]
        rows = []
        for n in page:
            try:
                kind = self._kind(n.topic, type(n.originator_id))
            except Exception:  # an unknown topic: `row` says so, through the mapper
                kind = None
            if kind is not None and kind[0] not in only:
                rows.append(EventRow(n.id, str(kind[1](n.originator_id)), n.originator_version, kind[0], "", {}))
            else:
                rows.append(self.row(n))
        return rows

    def event(self, n: Notification) -> Any:
        """The domain event `mapper.to_domain_event(n)` gives: read here where this reader can vouch for it."""
        if self.plain is not None:
            try:
                return self._event(n)
            except Exception:  # the mapper decides: it reads this event, or raises saying why not
                pass
        return self.mapper.to_domain_event(n)

    def _event(self, n: Notification) -> Any:
        if self._kind(n.topic, type(n.originator_id)) is None:
            raise Unreadable(n.topic)
        state = n.state if type(n.state) is bytes else bytes(n.state)
        names = self.mapper.transcoder.names
        decoded = orjson.loads(state)
        if type(decoded) is not dict:
            raise Unreadable("state")
        marked = 0
        for key, value in decoded.items():  # as the object hook would, but only where the values are marked
            if type(value) is dict and len(value) == 2 and "_type_" in value and "_data_" in value:
                decoded[key] = names[value["_type_"]].decode(value["_data_"])
                marked += 1
        if marked != state.count(b'"_type_"'):  # a marked value deeper down (rare): the whole walk, afresh
            decoded = _typed(orjson.loads(state), names)
        # As Mapper.to_domain_event does with the decoded state.
        cls = resolve_topic(n.topic)
        decoded["originator_id"] = find_id_convertor(cls, type(n.originator_id))(n.originator_id)
        decoded["originator_version"] = n.originator_version
        decoded.pop("class_version", None)
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", decoded)
        return event

    def via_mapper(self, page: Sequence[Notification]) -> list[EventRow]:
        """The same rows the long way, through domain events: what `__call__` must always equal."""
        return [self._mapped(n) for n in page]

    def row(self, n: Notification) -> EventRow:
        if self.plain is not None:
            try:
                return self._direct(n)
            except Exception:  # the mapper decides: it reads this event, or raises saying why not
                return self._mapped(n)
        return self._mapped(n)

    def _mapped(self, n: Notification) -> EventRow:
        return from_domain_event(self.mapper.to_domain_event(n), n.id)

    def _direct(self, n: Notification) -> EventRow:
        kind = self._kind(n.topic, type(n.originator_id))
        if kind is None:
            raise Unreadable(n.topic)
        name, originator_id = kind
        state = n.state
        if type(state) is not bytes:
            state = bytes(state)
        decoded = self.json.decode(state.decode("utf8"))
        timestamp = decoded["timestamp"]  # transcoded by the hook, so already utc_text
        if type(timestamp) is not str:
            raise Unreadable("timestamp")
        for envelope in SKIPPED:  # what is left is the payload, in stored order
            decoded.pop(envelope, None)
        payload = decoded
        return EventRow(n.id, str(originator_id(n.originator_id)), n.originator_version, name, timestamp, payload)

    def _kind(self, topic: str, id_type: type) -> tuple[str, Callable[[Any], Any]] | None:
        """The event's name and how its originator id is read, or None if it must go through the mapper."""
        key = (topic, id_type)
        if key not in self.topics:
            cls = resolve_topic(topic)
            upcasts = getattr(cls, "class_version", 1) != 1
            self.topics[key] = None if upcasts else (cls.__qualname__, find_id_convertor(cls, id_type))
        return self.topics[key]


def _object_hook(plain: dict[str, Callable[[Any], str]]) -> Callable[[dict[str, Any]], Any]:
    def hook(d: dict[str, Any]) -> Any:
        # As JSONTranscoder._decode_obj: exactly two keys, "_type_" and "_data_", mark a transcoded value.
        if len(d) == 2 and "_type_" in d and "_data_" in d:
            to_plain = plain.get(d["_type_"])
            if to_plain is None:
                raise Unreadable(d["_type_"])
            return to_plain(d["_data_"])
        return d
    return hook


def _typed(value: Any, names: dict[str, Any]) -> Any:
    """`value` with every marked dict, innermost first, decoded by its transcoding (JSONTranscoder.decode's
    object hook, walked after the parse)."""
    if type(value) is list:
        return [_typed(v, names) for v in value]
    if type(value) is not dict:
        return value
    for key, inner in value.items():
        if type(inner) is dict or type(inner) is list:
            value[key] = _typed(inner, names)
    if len(value) == 2 and "_type_" in value and "_data_" in value:
        return names[value["_type_"]].decode(value["_data_"])
    return value

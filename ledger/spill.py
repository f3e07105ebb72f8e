"""Mappings that keep their most recently written entries in memory and the rest in a temporary SQLite file,
so a replay's memory stays flat however many organisations the log holds (the policy sandbox, `recheck`).

A replay of the whole log keeps, per organisation, its folded aggregate, its accounts' tallies and its sums;
most of them are written while the organisation's events come by and hardly read afterwards. `Spilled` holds
at most `hot` entries in a plain dict (the order of last writing); beyond that, the oldest quarter is written
into one table of the run's `ColdStore` in one `executemany` (in a thread: SQLite releases the GIL), and a
Bloom filter remembers which keys went there, so a key that was never spilled (most misses: a new account, a
new organisation) costs no query.
A read of a spilled key brings it back into memory; its cold rows stay until it is deleted (a newer row, written
when it is spilled again, is the one read).

Why our own and not a library: `diskcache` and `sqlitedict` keep every entry on disk and pay a transaction
(or a pickle and a query) per write and per read, about 10-20 µs, where the replay reads and writes its
current organisation's entries millions of times; `cachetools` has no write-back. What is ours is a dict in
front of the stdlib's sqlite3, written to in batches.

Entries must be written back (`m[k] = v`) after a change to be kept: a value changed in place after it went
cold is lost. Keys are written as their text (str), their 16 bytes (UUID) or their pickle (int, tuples of
them: these pickle the same way every time). Values go through the mapping's `Codec`: a pickle by default;
the replays' busiest mappings (accounts, approvals, sums) give a `marshal` of plain tuples instead, four times
cheaper than pickling dataclasses of Decimals (money as its text, so it reads back exactly).

The file is written in the order of spilling (a plain insert, no unique key to keep), with an index on the
key's hash made when a key is first looked for: a key written again adds a row, and the newest row of a key is
its value. Against a unique key on the key's bytes this costs a third of the writing, in the writer thread that
shares the machine's cores.
"""
from __future__ import annotations

import itertools
import pickle
import sqlite3
from collections.abc import Callable, Iterator, MutableMapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, NamedTuple
from uuid import UUID

HOT = 12_000  # entries a mapping keeps in memory by default: 5-25 MB each for a replay's mappings
_MISSING = object()
_BLOOM_BITS = 1 << 23  # 1 MiB a spilled mapping: false positives under 0.1 % to 250,000 keys, 3 % at a million
_MASK, _M64 = _BLOOM_BITS - 1, (1 << 64) - 1


class Codec(NamedTuple):
    """How a mapping's values are written to the file and read back: `load(dump(v)) == v`."""

    dump: Callable[[Any], bytes]
    load: Callable[[bytes], Any]


PICKLED = Codec(lambda value: pickle.dumps(value, pickle.HIGHEST_PROTOCOL), pickle.loads)


class ColdStore:
    """One temporary SQLite database (SQLite's own anonymous file, deleted when closed) for a run's mappings."""

    def __init__(self, cache_mib: int = 8) -> None:
        # "" opens a private on-disk database that SQLite deletes on close; its page cache is bounded.
        self.db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "locking_mode = EXCLUSIVE",
                       f"cache_size = -{cache_mib * 1024}", "temp_store = FILE"):
            self.db.execute(f"PRAGMA {pragma}")
        self.tables = 0
        self.indexed: set[str] = set()
        # One batch at a time is written by a thread of its own: SQLite inserts with the GIL released, so the
        # replay goes on (on the other core) meanwhile. The connection is used by one thread at a time: whoever
        # reads or deletes waits for the batch in flight first (`settle`).
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spill-writer")
        self._writing: Future | None = None

    def write(self, table: str, rows: list[tuple[int, bytes, bytes]]) -> None:
        """Append these rows, in a thread, after the batch before them."""
        self.settle()
        self._writing = self._writer.submit(self._insert, table, rows)

    def _insert(self, table: str, rows: list[tuple[int, bytes, bytes]]) -> None:
        db = self.db
        db.execute("BEGIN")  # one transaction a batch: a statement of its own each costs three times as much
        db.executemany(f"INSERT INTO {table} (h, k, v) VALUES (?, ?, ?)", rows)
        db.execute("COMMIT")

    def settle(self) -> None:
        """Wait for the batch in flight (raising what it raised): then the connection is the caller's."""
        writing, self._writing = self._writing, None
        if writing is not None:
            writing.result()

    def table(self) -> str:
        self.tables += 1
        name = f"spilled_{self.tables}"
        # Rows appended in the order of spilling (rowid), found through an index on the key's hash (an integer),
        # made only when a key is first looked for (`findable`): many runs never read a spilled entry back, and
        # building the index once costs less than keeping it up insert by insert (348,000 rows: 1.0 s of plain
        # appends, 2.1 s with the index kept up, 3.3 s with a unique key on the key's bytes). The newest row of a
        # key counts.
        self.db.execute(f"CREATE TABLE {name} (h INTEGER NOT NULL, k BLOB NOT NULL, v BLOB NOT NULL)")
        return name

    def findable(self, table: str) -> sqlite3.Connection:
        """The connection, once the batch in flight is written and `table` has its index on the key's hash."""
        self.settle()
        if table not in self.indexed:
            self.db.execute(f"CREATE INDEX IF NOT EXISTS {table}_h ON {table} (h)")
            self.indexed.add(table)
        return self.db

    def close(self) -> None:
        try:
            self.settle()
        finally:
            self._writer.shutdown()
            self.db.close()

    def __enter__(self) -> ColdStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Bloom:
    """Which keys may have been spilled: three bits a key in a fixed bit array (never a false negative). Most
    keys asked about were never spilled, and the first bit looked at usually says so."""

    __slots__ = ("bits",)

    def __init__(self) -> None:
        self.bits = bytearray(_BLOOM_BITS // 8)

    def add(self, key: Any) -> None:
        h = hash(key) & _M64
        bits = self.bits
        for at in (h & _MASK, (h >> 25) & _MASK, ((h >> 39) ^ (h * 0x9E37_79B1)) & _MASK):
            bits[at >> 3] |= 1 << (at & 7)

    def __contains__(self, key: Any) -> bool:
        h = hash(key) & _M64
        bits = self.bits
        at = h & _MASK
        if not bits[at >> 3] & (1 << (at & 7)):
            return False
        at = (h >> 25) & _MASK
        if not bits[at >> 3] & (1 << (at & 7)):
            return False
        at = ((h >> 39) ^ (h * 0x9E37_79B1)) & _MASK
        return bool(bits[at >> 3] & (1 << (at & 7)))


class Spilled(MutableMapping):
    """A mapping with at most `hot` entries in memory and the rest in `cold` (none: a plain dict, never spilled)."""

    def __init__(self, cold: ColdStore | None = None, hot: int = HOT, codec: Codec = PICKLED) -> None:
        self.hot: dict[Any, Any] = {}
        self.dump, self.load = codec
        self.cold = cold
        self.limit = max(4, hot)
        self.table = cold.table() if cold is not None else ""
        self.bloom: _Bloom | None = None  # made at the first spill: a mapping that never spills pays nothing
        self.flying: dict[Any, Any] = {}  # the last batch spilled, readable here while a thread writes it
        self.spilled = 0  # entries written to the cold table (counting rewrites), for the bench

    # ------------------------------------------------------------------ reads
    def __getitem__(self, key: Any) -> Any:
        value = self.hot.get(key, _MISSING)
        if value is _MISSING:
            value = self._fetch(key)
            if value is _MISSING:
                raise KeyError(key)
        return value

    def get(self, key: Any, default: Any = None) -> Any:
        value = self.hot.get(key, _MISSING)
        if value is _MISSING:
            if self.bloom is None:
                return default
            value = self._fetch(key)
            if value is _MISSING:
                return default
        return value

    def __contains__(self, key: Any) -> bool:
        return key in self.hot or (self.bloom is not None and self._fetch(key) is not _MISSING)

    def _fetch(self, key: Any) -> Any:
        if self.bloom is None or key not in self.bloom:
            return _MISSING
        value = self.flying.get(key, _MISSING)  # newer than any row of the file
        if value is _MISSING:
            k = _key(key)
            newest = f"SELECT v FROM {self.table} WHERE h = ? AND k = ? ORDER BY rowid DESC LIMIT 1"
            row = self.cold.findable(self.table).execute(newest, (hash(k), k)).fetchone()
            if row is None:
                return _MISSING
            value = self.load(row[0])
        self._put(key, value)
        return value

    # ------------------------------------------------------------------ writes
    def __setitem__(self, key: Any, value: Any) -> None:
        self._put(key, value)

    def _put(self, key: Any, value: Any) -> None:
        hot = self.hot
        if key in hot:
            del hot[key]  # to the end: the order of the dict is the order of last writing
        hot[key] = value
        if len(hot) > self.limit and self.cold is not None:
            self._spill()

    def __delitem__(self, key: Any) -> None:
        found = self.hot.pop(key, _MISSING) is not _MISSING
        if self.bloom is not None and key in self.bloom:
            found = self.flying.pop(key, _MISSING) is not _MISSING or found
            k = _key(key)
            found = self.cold.findable(self.table).execute(
                f"DELETE FROM {self.table} WHERE h = ? AND k = ?", (hash(k), k)).rowcount > 0 or found
        if not found:
            raise KeyError(key)

    def _spill(self) -> None:
        """The oldest-written quarter of the entries in memory, into the cold table in one statement."""
        hot = self.hot
        if self.bloom is None:
            self.bloom = _Bloom()
        bloom = self.bloom
        dump, rows, flying = self.dump, [], {}
        for key in list(itertools.islice(hot, max(1, self.limit // 4))):
            value = flying[key] = hot.pop(key)
            k = _key(key)
            rows.append((hash(k), k, dump(value)))
            bloom.add(key)
        self.cold.write(self.table, rows)  # once the batch before it (this mapping's last one too) is written
        self.flying = flying
        self.spilled += len(rows)

    # ------------------------------------------------------------------ the whole mapping (rare: at the end)
    def __iter__(self) -> Iterator[Any]:
        for key, _ in self.items():
            yield key

    def items(self) -> Iterator[tuple[Any, Any]]:  # type: ignore[override]
        """Every entry: those in memory, then the cold ones not overwritten in memory (read from the file)."""
        hot = dict(self.hot)
        yield from hot.items()
        if self.bloom is not None:
            self.cold.settle()
            load = self.load
            newest = f"SELECT k, v FROM {self.table} WHERE rowid IN (SELECT max(rowid) FROM {self.table} GROUP BY k)"
            for k, v in self.cold.db.execute(newest):
                key = _unkey(k)
                if key not in hot:
                    yield key, load(v)

    def values(self) -> Iterator[Any]:  # type: ignore[override]
        return (v for _, v in self.items())

    def __len__(self) -> int:
        if self.bloom is None:
            return len(self.hot)
        return sum(1 for _ in self.items())


def _key(key: Any) -> bytes:
    """The key's bytes in the file: the same bytes for equal keys, every time (see `_unkey`)."""
    kind = type(key)
    if kind is str:
        return b"s" + key.encode("utf-8", "surrogatepass")
    if kind is UUID:
        return b"u" + key.bytes
    return b"p" + pickle.dumps(key, pickle.HIGHEST_PROTOCOL)


def _unkey(data: bytes) -> Any:
    kind, body = data[:1], data[1:]
    if kind == b"s":
        return body.decode("utf-8", "surrogatepass")
    if kind == b"u":
        return UUID(bytes=body)
    return pickle.loads(body)

"""The ledger's signing keys: every key it has signed with, kept in the store (`ledger_audit_keys`), and which key
file a process may sign with.

A store's first key is made (or taken from the key file) when the store has none. After that a key file that is
missing, or that holds a key the store has never used, is refused rather than replaced by a new key: receipts and
digests signed with a stray key fail for anyone holding the ledger's real public key, and no one keeps the stray
key with the backups. A deliberate rotation (the key file setting pointed at a new key, README) registers the new
key, and the keys used before it stay listed, so what they signed stays checkable.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from ledger import beijing
from ledger.audit import key_use
from ledger.audit.key_use import CLOCK_SKEW
from ledger.audit.signing import Signer, key_id, load_public
from ledger.audit.stores import Store, open_store
from ledger.audit.tables import KEYS_TABLE
from ledger.audit.tampering import KEYS_ADVICE, Tampered
from ledger.domain.errors import LedgerError
from ledger.store import is_postgres, sqlite_path, store_env

COLUMNS = "key_id TEXT PRIMARY KEY, public_key TEXT NOT NULL, first_used TEXT NOT NULL"

# CLOCK_SKEW: how far a key's first use may lie ahead of this clock (another machine's, a few minutes fast,
# registered it), and a document it signed before it (`key_use`).

# How a process came by its signer: a key the store knows; the store's first key, taken from the file or made
# there; a new key the store moves to (a rotation).
Outcome = Literal["known", "first", "generated", "rotated"]


@dataclass(frozen=True)
class KnownKey:
    key_id: str
    public_key: str
    first_used: str


class SigningKeyRefused(LedgerError):
    """The key file cannot sign for this store; nothing was made or written (`known`: the store's keys, oldest
    first)."""

    kind = "invalid"

    def __init__(self, detail: str, *, zh: str, known: list[KnownKey]) -> None:
        super().__init__(detail, zh=zh, key_ids=[k.key_id for k in known])


class SigningKeyMissing(SigningKeyRefused):
    code = "signing_key_missing"


class SigningKeyRetired(SigningKeyRefused):
    code = "signing_key_retired"


class SigningKeyUnknown(SigningKeyRefused):
    """A key the store never signed with, given to a command that only reads (`receipt`): registering it would
    rotate the ledger's key, which stops every server still on the old one signing (an enterprise probe)."""

    code = "signing_key_unknown"


class SignerRetired(SigningKeyRetired):
    """A running server's key, retired since it started (another process rotated the store to a new key): the
    server signs nothing more until restarted with the key in use; its other answers stand."""

    kind = "unavailable"


def still_current(db: Store, signer: Signer) -> None:
    """Nothing, while `signer`'s key is the store's latest; SignerRetired once a rotation retired it (a regression
    probe: a server running when another process rotated the store went on signing digests and receipts dated after
    its key's retirement, which checkers accepted)."""
    # Nothing is signed beside a registry that misstates its keys, nor with a key it does not list (an audit probe
    # deleted the key's row: the server signed on, and its digests were then refused as another ledger's).
    known = trusted_keys(db, using=signer.key_id)
    if (retired := _retired(signer, known)) is None:
        return
    successor, current, since = retired
    raise SignerRetired(
        f"this server signs with key {signer.key_id}, which the store retired at {since}, when key {successor.key_id}"
        f" replaced it: it signs no digest or receipt more. Restart the server with LEDGER_SIGNING_KEY_FILE set to"
        f" the file holding key {current}",
        zh=f"本服务使用密钥 {signer.key_id} 签名，而该存储已于 {since} 停用它（由密钥 {successor.key_id} 接替）："
           f"它不再为任何摘要或回执签名。请将 LEDGER_SIGNING_KEY_FILE 设为存有密钥 {current} 的文件后重新启动服务",
        known=known)


def signer_for(url: str, path: Path, *, may_rotate: bool, may_generate: bool = True,
               may_register: bool = True) -> tuple[Signer, Outcome]:
    """The signer of the key file at `path` for the store at `url`, registered there.

    A missing file named on purpose (`may_rotate`: LEDGER_SIGNING_KEY_FILE set) is SigningKeyMissing when the
    store has keys, and nothing is made; unset, a missing default file gets a new key, registered and announced,
    where `may_generate` (serve; a command only on a store with no key yet: an audit probe's `receipt`, run in
    another folder, registered a stray key for good and handed out a receipt the ledger's public key fails).
    A file holding a key the store never used is a rotation, registered and announced, unless `may_register` is
    False (a command that only reads): then SigningKeyUnknown, nothing written. A key file that cannot be read raises
    OSError or UnreadableKey before the store is touched."""
    signer = Signer.load(path) if path.exists() else None
    found = registered(url) if signer is not None else []
    if signer is not None and any(k.key_id == signer.key_id for k in found):
        return _current(signer, path, found), "known"  # the usual case: read only, no lock
    db = open_store(url)
    with db.driver_errors(), _registry(db) as conn:
        known = _rows(db, conn)
        if signer is None and path.exists():  # made meanwhile by a process starting beside this one
            signer = Signer.load(path)
        if signer is None:
            if known and may_rotate:  # a file named on purpose that is not there: a mistyped path, not a new key
                raise _missing(path, known)
            if known and not may_generate:  # a command run away from the server's folder: not a new ledger key
                raise _missing(path, known, named=False)
            # Unset, the default file is relative to where the command runs: a server started in a new folder on
            # a store that has keys (as the acceptance harness does) gets a new one, registered and announced.
            signer, made = Signer.create(path)
            outcome: Outcome = "generated" if made else "first"
        elif any(k.key_id == signer.key_id for k in known):
            return _current(signer, path, known), "known"
        elif (why := _lost(db, conn, signer, known)) is not None:
            raise why  # a key this store signed with, its row deleted: registered now, it would read as new
        elif known and not may_register:
            raise _unknown(path, signer, known)
        else:
            outcome = "rotated" if known else "first"
        _insert(db, conn, signer)
    return signer, outcome


def registered(url: str) -> list[KnownKey]:
    """The keys the store at `url` has signed with, oldest first; none for a store not created yet (read only)."""
    if not is_postgres(url):
        name = sqlite_path(url)
        if not name.startswith("file:") and not Path(name).exists():
            return []  # not created here: a store that does not exist has no key
    return known_keys(open_store(url))


def register(db: Store, signer: Signer) -> None:
    """Record `signer`'s key as one the store has signed with (nothing when it is recorded already)."""
    if any(k.key_id == signer.key_id for k in known_keys(db)):
        return
    with db.driver_errors(), _registry(db) as conn:
        if not any(k.key_id == signer.key_id for k in _rows(db, conn)):
            _insert(db, conn, signer)


def known_keys(db: Store) -> list[KnownKey]:
    """Every key recorded in the store, oldest first."""
    with db.driver_errors(), db.connect() as conn:
        return _rows(db, conn) if db.has_table(conn, KEYS_TABLE) else []


class KeysAltered(Tampered):
    """A row of the key registry whose public key is not the key its id names, or dated after now: the registry was
    changed after it was written (an audit probe swapped the public key under the ledger's own id with plain SQL,
    and `GET /v1/audit/keys` published it). Nothing is published or checked against such a registry."""


def altered(known: list[KnownKey], used: list[key_use.Used] | tuple[()] = ()) -> KeysAltered | None:
    """Why the registry `known` cannot be trusted, or None: each key's id must be its public key's (an audit probe
    swapped one), no key first used after now (a regression probe inserted a key dated later than the one in
    use: the server's own key was then "retired" and its restart told to use the intruder's), and every key `used`
    shows (the server's own, a recorded close's) listed, and first used no later than it signed (`key_use`)."""
    if (lost := key_use.missing(known, list(used))) is not None:
        return KeysAltered(f"the store's key registry ({KEYS_TABLE}) {lost[0]}. {key_use.ROW_ADVICE[0]}",
                           zh=f"存储的密钥登记表（{KEYS_TABLE}）{lost[1]}。{key_use.ROW_ADVICE[1]}", record=KEYS_TABLE)
    now = datetime.now(UTC)
    for key in known:
        try:
            first: datetime | None = datetime.fromisoformat(key.first_used)
        except ValueError:
            first = None
        if first is None or first.tzinfo is None or first > now + CLOCK_SKEW:
            when = beijing.shown(first) if first is not None and first.tzinfo is not None else repr(key.first_used)
            said = (f"says key {key.key_id} was first used at {when}, which is not a moment that has come",
                    f"称密钥 {key.key_id} 首次使用于 {when}，这一时刻尚未到来")
        else:
            try:
                actual: str | None = key_id(load_public(key.public_key))
            except ValueError:
                actual = None
            if actual == key.key_id:
                continue
            said = (f"lists key {key.key_id} with "
                    + (f"a public key whose id is {actual}" if actual else "no readable public key"),
                    f"中密钥 {key.key_id} 对应的是" + (f"一个 id 为 {actual} 的公钥" if actual else "无法读取的公钥"))
        return KeysAltered(
            f"the store's key registry ({KEYS_TABLE}) {said[0]}: the registry was changed after it was written, and"
            f" no digest or receipt is to be checked against it. {KEYS_ADVICE[0]}",
            zh=f"存储的密钥登记表（{KEYS_TABLE}）{said[1]}：登记表在写入后被改动过，不应再据此核验任何摘要或回执。"
               f"{KEYS_ADVICE[1]}",
            record=KEYS_TABLE)
    return None


def trusted_keys(db: Store, using: str | None = None) -> list[KnownKey]:
    """`known_keys`, refused (KeysAltered) when any is not the key its id names, or when the key `using` (the one
    this process signs with) is not among them."""
    known = known_keys(db)
    if (why := altered(known, [key_use.server(using)] if using else ())) is not None:
        raise why
    return known


@contextmanager
def _registry(db: Store) -> Iterator[Any]:
    """A connection holding the registry to itself, the table created if missing."""
    if not is_postgres(db.url):
        # A SQLite file's folder, made as every command makes it on a fresh machine; one that cannot be made is
        # for SQLite's opening to say (store_unreachable), not an error of the key file.
        with suppress(OSError):
            store_env(db.url)
    with db.connect() as conn, db.exclusive(conn, KEYS_TABLE):
        if not db.has_table(conn, KEYS_TABLE):  # asked first: CREATE even IF NOT EXISTS needs the schema's CREATE
            conn.execute(f"CREATE TABLE {KEYS_TABLE} ({COLUMNS})")
            # Append-only as the other side tables are (an audit probe changed the registry with plain SQL: a
            # foreign key listed as the ledger's passed its digest, deleted keys had the ledger's own refused).
            from ledger.audit.append_only import pg_guard, sqlite_guard

            for statement in [pg_guard([KEYS_TABLE])] if is_postgres(db.url) else sqlite_guard([KEYS_TABLE]):
                conn.execute(statement)
        yield conn


def _rows(db: Store, conn: Any) -> list[KnownKey]:
    rows = db.rows(conn, f"SELECT key_id, public_key, first_used FROM {KEYS_TABLE} ORDER BY first_used, key_id")
    return [KnownKey(*row) for row in rows]


def _insert(db: Store, conn: Any, signer: Signer) -> None:
    conn.execute(db.sql(f"INSERT INTO {KEYS_TABLE} (key_id, public_key, first_used) VALUES (%s, %s, %s)"),
                 (signer.key_id, signer.public_pem, datetime.now(UTC).isoformat()))


def _retired(signer: Signer, known: list[KnownKey]) -> tuple[KnownKey, str, str] | None:
    """None while `signer`'s key (one of `known`) is the latest; else the key that replaced it, the key in use,
    and when it was replaced, in Beijing time."""
    if known[-1].key_id == signer.key_id:
        return None
    successor = known[[k.key_id for k in known].index(signer.key_id) + 1]
    return successor, known[-1].key_id, beijing.shown(successor.first_used)


def _current(signer: Signer, path: Path, known: list[KnownKey]) -> Signer:
    """`signer`, when its key is the store's latest; a key a rotation retired signs nothing more (a receipts probe
    signed receipts dated after a rotation with the key it retired, which checkers took as the ledger's: a leaked
    key, rotated away, could go on vouching for the ledger). SigningKeyRetired, naming the key in use; KeysAltered
    for a registry changed by hand, rather than naming an intruder's key as the one to use."""
    if (why := altered(known)) is not None:
        raise why
    if (retired := _retired(signer, known)) is None:
        return signer
    successor, current, since = retired
    raise SigningKeyRetired(
        f"the signing key file {path.resolve()} holds key {signer.key_id}, which this store stopped signing with at"
        f" {since}, when key {successor.key_id} replaced it; it signs with key {current} now. Set"
        f" LEDGER_SIGNING_KEY_FILE to the file holding key {current} (or to a new key, to rotate again). A retired key"
        " signs nothing more: nothing was written",
        zh=f"签名密钥文件 {path.resolve()} 中是密钥 {signer.key_id}，该存储已于 {since} 停用它（由密钥"
           f" {successor.key_id} 接替）；现用密钥为 {current}。请将 LEDGER_SIGNING_KEY_FILE 设为存有密钥 {current}"
           " 的文件（或设为新密钥以再次轮换）。已停用的密钥不再签名：未写入任何内容",
        known=known)


def _lost(db: Store, conn: Any, signer: Signer, known: list[KnownKey]) -> KeysAltered | None:
    """KeysAltered where the store's recorded closes show `signer`'s key signed for it though the registry `known`
    does not list it: its row was deleted, and registering the key now would date it from now, hiding that (an audit
    probe's restart did so). A key nothing recorded shows is a rotation: what the store cannot tell apart, said
    where the rotation is announced (api/signing.py)."""
    used = [use for use in key_use.recorded(db, conn) if use.key_id == signer.key_id]
    return altered(known, used[:1]) if used else None


def _unknown(path: Path, signer: Signer, known: list[KnownKey]) -> SigningKeyUnknown:
    # The key the store lists last is not said to be the one to use: the file's key may be the one the servers sign
    # with, its row deleted, and the store's last one retired (an audit probe was sent back to the retired key).
    current, ids = known[-1].key_id, ", ".join(k.key_id for k in known)
    return SigningKeyUnknown(
        f"the key file {path.resolve()} holds key {signer.key_id}, which this store's key registry does not list (the"
        f" keys it lists: {ids}, the last, {current}, as in use). A command that only reads does not register a key:"
        " set LEDGER_SIGNING_KEY_FILE to the key file the ledger's servers sign with (their LEDGER_SIGNING_KEY_FILE)."
        f" If that holds key {signer.key_id}, the registry lost its row, which is tampering: the"
        " servers refuse to sign, and their GET /v1/audit/verify says so; keep the store as it is and put the row"
        " back from a backup. To rotate to a new key, start `award-ledger serve` with it. No key was registered and"
        " nothing was written",
        zh=f"密钥文件 {path.resolve()} 中的密钥 {signer.key_id} 不在该存储的密钥登记表中（登记表所列密钥：{ids}，"
           f"最后一个 {current} 记为在用）。只读的命令不会登记密钥：请将 LEDGER_SIGNING_KEY_FILE 设为台账服务签名"
           f"所用的密钥文件（即其 LEDGER_SIGNING_KEY_FILE）。如其中就是密钥 {signer.key_id}，说明登记表丢失了"
           "它的登记行，这属于篡改：服务会拒绝签名，其 GET /v1/audit/verify 也会指出；请保持存储原样，并从"
           "备份中放回该行。如要轮换到新密钥，请用它启动 `award-ledger serve`。未登记密钥，未写入任何内容",
        known=known)


def _missing(path: Path, known: list[KnownKey], named: bool = True) -> SigningKeyMissing:
    current, ids = known[-1].key_id, ", ".join(k.key_id for k in known)
    where = path.resolve()
    if not named:
        return SigningKeyMissing(
            f"LEDGER_SIGNING_KEY_FILE is unset and there is no {path} here ({where}), but this store already signs"
            f" with key {current} (the keys it has used: {ids}). Set LEDGER_SIGNING_KEY_FILE to the file holding key"
            f" {current} (the server's {path}, in the folder it runs in, or the copy kept with the backups), or run"
            " the command in the server's folder. A command makes no new ledger key: no key was made and nothing was"
            " written",
            zh=f"未设置 LEDGER_SIGNING_KEY_FILE，当前目录下也没有 {path}（{where}），但该存储已在使用密钥 {current}"
               f" 签名（其用过的密钥：{ids}）。请将 LEDGER_SIGNING_KEY_FILE 设为存有密钥 {current} 的文件（服务所在"
               f"目录中的 {path}，或随备份保存的副本），或在服务所在目录运行该命令。命令不会生成新的台账密钥："
               "未生成密钥，未写入任何内容",
            known=known)
    return SigningKeyMissing(
        f"the signing key file {where} does not exist, but this store already signs with key {current} (the keys"
        f" it has used: {ids}). Set LEDGER_SIGNING_KEY_FILE to the file holding key {current} (kept with the"
        " backups; a relative path is read from the working directory). No key was made and nothing was written",
        zh=f"签名密钥文件 {where} 不存在，但该存储已在使用密钥 {current} 签名（其用过的密钥：{ids}）。请将"
           f" LEDGER_SIGNING_KEY_FILE 设为存有密钥 {current} 的文件（随备份保存的那份；相对路径按当前工作目录解析）。"
           "未生成新密钥，未写入任何内容",
        known=known)



"""A signed digest whose key the store's registry does not list: what its signature proves, and what the chain says.

The signature holding under the key the digest carries shows who signed it, not that this ledger did: anyone can
sign a digest with a key of their own. So such a digest is compared with the events, never taken as the ledger's
word, and what the comparison finds is said with what the missing key may mean. A key is registered before it
signs, so a store that lacks it was copied before that (most likely a backup restored from before a rotation: the
README's restore procedure checks it with the newest digest, an audit probe's of which was refused as "another
ledger's" and never compared), or its registry lost the key's row (`ledger.audit.key_use`), or the digest is not
this ledger's. A digest the events bear out, or one whose head lies beyond them, is a finding about the store
(exit 1); one the events contradict concludes no tampering, since nothing shows it is the ledger's (exit 2).
"""
from __future__ import annotations

from ledger.audit.tampering import behind

KEEP = ("Keep the store as it is and ", "请保持存储原样，")


def _signed(key: str) -> tuple[str, str]:
    return (f"it is signed by key {key}, which this store's key registry does not list; its signature holds under the"
            " key it carries, which shows who signed it, not that this ledger did",
            f"它由密钥 {key} 签名，而该存储的密钥登记表中没有该密钥；其签名在所带公钥下成立，这只说明签名者是谁，"
            "不说明是本台账所签")


def _look_up(key: str) -> tuple[str, str]:
    return (f"check that the ledger lists key {key} (GET /v1/audit/keys of the ledger in service, or the public key"
            " handed out with the digest)",
            f"请确认台账列有密钥 {key}（在用台账的 GET /v1/audit/keys，或随摘要交付的公钥）")


def matches(path: str, position: int, key: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """A digest the events bear out, signed by an unlisted key: (reason, what to do), each (English, Chinese)."""
    signed, look = _signed(key), _look_up(key)
    return ((f"the saved digest {path} (position {position:,}) matches the chain, but {signed[0]}: this store is older"
             f" than key {key} (most likely a backup taken before the ledger rotated to it: a key is registered before"
             " it signs, so a copy made before then does not list it), or its registry lost the key's row, or the"
             " digest was signed again by someone else",
             f"保存的摘要 {path}（位置 {position:,}）与防篡改链相符，但{signed[1]}：该存储早于密钥 {key}（最可能是台账"
             "轮换到该密钥之前的备份：密钥在签名之前就已登记，之前复制的存储中没有它），或其登记表丢失了该密钥的"
             "登记行，或该摘要被他人重新签名"),
            (f"{look[0][0].upper()}{look[0][1:]}. If it does and this store is a backup, the backup holds the events as"
             f" the ledger had them at position {position:,}, and a server started on it with that key registers it"
             " then; if this store is the ledger in service, its registry lost the key's row, which is tampering: put"
             " the row back from a backup, investigate who could write to the database, and report it. If the ledger"
             " does not list it, the digest is not the ledger's: use one saved from its GET /v1/audit/digest",
             f"{look[1]}。如有，且该存储是备份，则备份中的事件与台账在位置 {position:,} 时一致，用该密钥在其上启动服务"
             "时会登记该密钥；如该存储就是在用台账，说明其登记表丢失了该密钥的登记行，这属于篡改：请从备份放回该行，"
             "调查哪些人能写入数据库，并报告此事。如台账没有列出该密钥，该摘要并非台账所签：请使用从其"
             " GET /v1/audit/digest 保存的摘要"))


def beyond(path: str, position: int, head: int, key: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """A digest past the store's last event (`head`), signed by an unlisted key: (reason, what to do). What to do is
    the ledger's own digest's (`tampering.behind`), once the key is found to be the ledger's."""
    signed, look = _signed(key), _look_up(key)
    _, todo = behind(position, head, True)
    rest = tuple(text[len(lead):] if text.startswith(lead) else text for text, lead in zip(todo, KEEP, strict=True))
    return ((f"the saved digest {path} is at position {position:,}, but the store holds events up to position"
             f" {head:,} only, and {signed[0]}: the store is older than the digest and its key, most likely a backup"
             f" taken before the ledger rotated to key {key} (a key is registered before it signs, so a copy made"
             f" before then does not list it), or the events after position {head:,} were deleted with their links",
             f"保存的摘要 {path} 位于位置 {position:,}，而存储中只有到位置 {head:,} 的事件，且{signed[1]}：该存储早于"
             f"该摘要及其密钥，最可能是台账轮换到密钥 {key} 之前的备份（密钥在签名之前就已登记，之前复制的存储中"
             f"没有它），或位置 {head:,} 之后的事件连同其链接被删除"),
            (f"{KEEP[0]}first {look[0]}: if it does not, the digest is not the ledger's and says nothing of this store;"
             f" if it does, {rest[0]}",
             f"{KEEP[1]}先{look[1].removeprefix('请')}：如没有，该摘要并非台账所签，不说明该存储的任何问题；如有，"
             f"则{rest[1]}"))


def differs(path: str, position: int, key: str) -> tuple[str, str]:
    """A digest the events contradict, signed by an unlisted key: why no tampering is concluded, and what to do."""
    signed, look = _signed(key), _look_up(key)
    return (f"the saved digest {path} (position {position:,}) does not match this store's events, and {signed[0]}:"
            " nothing shows it is this ledger's digest (it may be another ledger's, or signed again by someone else),"
            f" so no tampering is concluded from it. First {look[0]}: if it does, this store is older than that key"
            " or lost its row, and its events do not bear out the ledger's digest: keep the store as it is and check"
            " it with a digest signed by a key it lists, or on the ledger in service; if it does not, use a digest"
            " saved from this ledger's GET /v1/audit/digest",
            f"保存的摘要 {path}（位置 {position:,}）与该存储的事件不符，且{signed[1]}：没有任何迹象表明它是本台账的"
            f"摘要（可能属于另一台账，或被他人重新签名），因此不据此认定篡改。{look[1]}：如有，说明该存储早于该密钥"
            "或丢失了其登记行，且其事件与台账的摘要不符：请保持存储原样，用其登记表所列密钥签名的摘要或在在用台账上"
            "核验；如没有，请使用从本台账 GET /v1/audit/digest 保存的摘要")

"""Receipts an outsider can check: a claim's events, each with its proof of inclusion, and a signed head.

A receipt lists every stored event of the claim and of its payouts, whatever their kind (submitted,
approved, paid, reversed, and any correction later versions record), in log order. Each carries its stored
bytes (`state_base64`) and the same fields decoded for reading (`data`), the link before it and its own,
and the RFC 9162 audit path of its leaf. `head` is a signed digest (`ledger.audit.notary`); the receipt as
a whole is signed too, so its summary (`claim`, `status`) cannot be edited either.

`check(receipt, public_key)` needs nothing but the receipt and the key: no database, no ledger.
"""
from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from ledger.audit import merkle
from ledger.audit.encoding import event_bytes, link
from ledger.audit.log_tree import leaf_data
from ledger.audit.signing import check as check_signature
from ledger.audit.signing import load_public

KIND = "award-ledger claim receipt"


def build(notary: Any, claim: dict[str, Any], rows: list[tuple[int, Any, int, str, bytes]]) -> dict[str, Any]:
    """The signed receipt of a claim (`claim`: its view) from its and its payouts' stored events (`rows`)."""
    size = notary.tree.refresh()
    head = notary.signer.sign(notary.head(size))
    positions = sorted(row[0] for row in rows)
    before = {p: notary.tree.positions[i - 1] if i else None
              for p in positions if (i := notary.tree.index_of(p)) is not None}
    links = notary.chain.links([*positions, *(p for p in before.values() if p is not None)])
    events = []
    for position, originator_id, version, topic, state in sorted(rows, key=lambda r: r[0]):
        index = notary.tree.index_of(position)
        if index is None or index >= size:
            continue  # recorded after the head being signed: the next receipt will hold it
        prev = before[position]
        events.append({
            "position": position, "aggregate_id": str(originator_id), "version": version, "topic": topic,
            "event": topic.rsplit(":", 1)[-1], "state_base64": base64.b64encode(bytes(state)).decode(),
            "data": readable(bytes(state)), "previous_link": links[prev] if prev else "00" * 32,
            "link": links[position], "leaf_index": index,
            "inclusion_path": [h.hex() for h in notary.tree.inclusion(index, size)]})
    body = {"receipt": KIND, "version": 1, "claim_id": claim["id"], "status": claim.get("status"),
            "claim": claim, "events": events, "head": head,
            "issued_at": datetime.now(UTC).isoformat(timespec="seconds")}
    return notary.signer.sign(body)


def readable(state: bytes) -> Any:
    """An event's stored JSON with the transcoder's type wrappers taken off, for people to read."""
    return _unwrap(json.loads(state))


def _unwrap(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"_type_", "_data_"}:
            return _unwrap(value["_data_"])
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def check(receipt: dict[str, Any], public_key_pem: str | bytes) -> list[dict[str, str]]:
    """What is wrong with a receipt, part by part (empty when it is valid under the given public key)."""
    trusted = load_public(public_key_pem)
    problems = []
    head = receipt.get("head") if isinstance(receipt.get("head"), dict) else {}
    if receipt.get("receipt") != KIND:
        problems.append(_problem("receipt", f"this is not an {KIND}"))
    if (why := check_signature(head, trusted)) is not None:
        problems.append(_problem("head", f"the signed head does not verify: {why}"))
    if (why := check_signature(receipt, trusted)) is not None:
        problems.append(_problem("receipt", f"the receipt's own signature does not verify: {why}"))
    try:
        root, size = bytes.fromhex(head["root"]), int(head["tree_size"])
    except (KeyError, TypeError, ValueError):
        return [*problems, _problem("head", "the head has no readable tree_size and root")]
    for event in receipt.get("events") or []:
        if (why := _event_fault(event, root, size)) is not None:
            problems.append(_problem(f"event at position {event.get('position')}", why))
    return problems


def _event_fault(event: dict[str, Any], root: bytes, size: int) -> str | None:
    try:
        state = base64.b64decode(event["state_base64"], validate=True)
        data = event_bytes(event["position"], event["aggregate_id"], event["version"], event["topic"], state)
        own = link(bytes.fromhex(event["previous_link"]), data)
        path = [bytes.fromhex(h) for h in event["inclusion_path"]]
        index = int(event["leaf_index"])
        shown = readable(state)
    except (KeyError, TypeError, ValueError):
        return "it is missing a field or has one that cannot be read"
    if shown != event.get("data"):
        return "its readable data differ from its stored bytes"
    if own.hex() != event.get("link"):
        return "its stored bytes and previous link do not hash to its link"
    leaf = merkle.leaf_hash(leaf_data(event["position"], own))
    if not merkle.verify_inclusion(leaf, index, size, path, root):
        return f"its inclusion proof does not lead to the signed root of the first {size} events"
    return None


def _problem(part: str, message: str) -> dict[str, str]:
    return {"part": part, "problem": message}


def for_claim(ledger: Any, notary: Any, claim_id: str) -> dict[str, Any]:
    """The receipt of one claim, as this ledger stands now (raises the ledger's NotFound for an unknown id)."""
    from uuid import UUID

    claim = ledger.claim(claim_id, with_history=False)
    own = notary.chain.aggregate_events([UUID(claim["id"])])
    # Its payouts are named by its events (payout_id), whatever kind of event names them.
    payouts = {readable(bytes(row[4])).get("payout_id") for row in own} - {None}
    rows = own + notary.chain.aggregate_events([UUID(p) for p in sorted(payouts)])
    return build(notary, claim, rows)

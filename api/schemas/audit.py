"""What auditors read: the chain's verdict, its digest, and the stored events for an outside replay."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from api.schemas.fields import MomentText


class DigestPublic(BaseModel):
    position: int = Field(description="the notification id the digest covers up to")
    digest: str = Field(description="hex SHA-256 link of the chain at that position")
    algorithm: str = Field(description="how links are made; see GET /v1/audit/events")
    computed_at: MomentText
    tree_size: int | None = Field(None, description="leaves of the RFC 9162 Merkle tree over the links")
    root: str | None = Field(None, description="hex root of that tree")
    tree_algorithm: str | None = None
    signature_algorithm: str | None = Field(None, description="ed25519")
    key_id: str | None = Field(None, description="first 16 hex digits of SHA-256 of the raw public key")
    public_key: str | None = Field(None, description="PEM of the Ed25519 public key that signed it")
    signature: str | None = Field(None, description="base64 Ed25519 signature over the other fields as sorted,"
                                  " compact JSON in UTF-8, non-ASCII characters as they are (Python:"
                                  " json.dumps(body, sort_keys=True, separators=(',', ':'), ensure_ascii=False)"
                                  ".encode())")

    model_config = {"json_schema_extra": {"examples": [{
        "position": 14606, "digest": "5f1d0c1b6c2e4a8f9b3d7e0a1c2b3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e",
        "algorithm": "sha256-chain-v1", "computed_at": "2025-01-06T01:30:00+00:00"}]}}


class SignedDigestPublic(DigestPublic):
    """GET /v1/audit/digest: always signed, with its tree (the contract pins signature and public_key)."""
    tree_size: int = Field(description="leaves of the RFC 9162 Merkle tree over the links")
    root: str = Field(description="hex root of that tree")
    tree_algorithm: str
    signature_algorithm: str = Field(description="ed25519")
    key_id: str = Field(description="first 16 hex digits of SHA-256 of the raw public key")
    public_key: str = Field(description="PEM of the Ed25519 public key that signed it")
    signature: str = Field(description="base64 Ed25519 signature over the other fields as sorted, compact JSON in"
                           " UTF-8, non-ASCII characters as they are (Python: json.dumps(body, sort_keys=True,"
                           " separators=(',', ':'), ensure_ascii=False).encode())")

    model_config = {"json_schema_extra": {"examples": [{
        "position": 14606, "digest": "5f1d0c1b6c2e4a8f9b3d7e0a1c2b3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e",
        "algorithm": "sha256-chain-v1", "computed_at": "2025-01-06T01:30:00+00:00", "tree_size": 14606,
        "root": "0b7f3c1d2e4a5b6c7d8e9f00112233445566778899aabbccddeeff0011223344",
        "tree_algorithm": "rfc9162-sha256; leaf = position (8-byte big-endian) || link",
        "signature_algorithm": "ed25519", "key_id": "3f2a9c1e7b5d4a60",
        "public_key": "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA...\n-----END PUBLIC KEY-----\n",
        "signature": "q1Jd...=="}]}}


class ConsistencyPublic(BaseModel):
    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str] = Field(description="RFC 9162 consistency proof, hex hashes")


class KeyPublic(BaseModel):
    key_id: str
    public_key: str
    first_used: str
    retired_at: MomentText | None = Field(
        None, description="when the next key replaced it (UTC, as first_used): a retired key signs nothing more, so a"
                          " digest or receipt it signed after this moment is not the ledger's; null for the key in use")


class BadSnapshotPublic(BaseModel):
    aggregate_id: str
    version: int
    folded_position: int | None
    reason: str


class ReadModelsCheckPublic(BaseModel):
    ok: bool = Field(description="every stored read-model row and figure is what a replay of the events gives")
    differences: list[str] = Field(description="each row or figure that differs (at most 200 listed)")
    differences_zh: list[str] = Field(description="the same differences in Chinese, one for one, the tables, keys and"
                                                  " values as they are")


class VerifyPublic(BaseModel):
    ok: bool
    events_checked: int
    first_bad_position: int | None = Field(description="the first notification id whose event or link fails")
    reason: str | None = None
    what_to_do: str | None = Field(None, description="when not ok, what to do about it (keep the store as it is,"
                                                     " which backup to restore, ...); for a gap, the keys and the"
                                                     " read models, `reason` ends with it too")
    failure: str | None = Field(None, description="changed, missing, unexpected (an event without a link: slipped"
                                " in, or, where nothing after it tells, its link deleted), link_missing"
                                " (links deleted from the chain table, the events they chained as recorded),"
                                " saved_digest_mismatch, saved_beyond (a saved digest past the last event) or"
                                " snapshot, keys (a key of GET /v1/audit/keys is not the key its id names) or gap"
                                " (a record's versions do not run from 1 without a gap), or read_models (asked with"
                                " ?read_models=true)")
    chain_head: DigestPublic | None = Field(None, description="the head recomputed from the events alone")
    saved_digests_checked: int = 0
    snapshots_checked: int = 0
    bad_snapshots: list[BadSnapshotPublic] = []
    read_models: ReadModelsCheckPublic | None = Field(
        None, description="with ?read_models=true: the read models (what the pages, the queue, the awards and the"
                          " reconciliation show) compared with a replay of the events (failure read_models when they"
                          " differ); null: the events and the chain were checked, not the figures read from them")

    model_config = {"json_schema_extra": {"examples": [{
        "ok": True, "events_checked": 14606, "first_bad_position": None, "reason": None, "failure": None,
        "saved_digests_checked": 0}]}}


class StoredEventPublic(BaseModel):
    position: int
    aggregate_id: str
    version: int
    topic: str
    event: str
    recorded_at: MomentText | None = Field(description="when it was recorded (null when its stored bytes cannot be"
                                                       " read)")
    state_base64: str = Field(description="the stored bytes exactly, as the chain hashes them")
    data: dict[str, Any] | None = Field(description="the event's fields, decoded, for reading (null when its stored"
                                                    " bytes cannot be read)")
    link: str | None = Field(description="the chain's link at this position (null while not yet linked)")
    unreadable: str | None = Field(None, description="why the stored bytes cannot be read as an event, when they"
                                                     " cannot (changed in the store: GET /v1/audit/verify names where)")


class EventPagePublic(BaseModel):
    events: list[StoredEventPublic]
    next_after: int | None = Field(description="pass as ?after= for the next page; null at the head")
    encoding: str = Field(description="how a link is computed from an event, to redo the chain outside")

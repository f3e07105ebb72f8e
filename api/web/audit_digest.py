"""The audit page's check of saved digests: an auditor uploads the JSON she saved from GET /v1/audit/digest
(or from this page), and the page says whether the ledger still extends it — every event up to that position
hashes to the same digest — or where it differs.

The check is `AuditChain.verify(saved)`: the chain is recomputed from the stored events alone, so a chain
table rewritten to hide a change is caught too. The section beside it (api/web/audit.py, /ui/audit/check)
checks one signed digest's or receipt's signature; this one says, in the reader's language, whether the
ledger extends each saved position, and takes several files at once. Its own route, function and template
(audit_saved_digest.html). A saved file that carries the ledger's signature is checked with that section's
signature check first (`signed_apart`): a file changed after it was saved is said to be the file's fault, not
the ledger's; an unsigned file is checked against the chain as it is, saying either side may have changed. A
receipt sent here is named as one, pointing to the other section.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from api.json_text import loads_document as loads
from api.long_queries import long_query
from api.web import audit
from api.web.i18n import MESSAGES
from api.web.pages import PageRoute
from api.web.session import CsrfChecked
from ledger.audit.chain import ALGORITHM
from ledger.audit.receipts import KIND
from ledger.audit.tampering import behind
from ledger.audit.unlinked import spans
from ledger.domain.errors import LongQueriesBusy

router = APIRouter(route_class=PageRoute, include_in_schema=False)
MAX_BYTES = 64 * 1024  # a saved digest is about 200 bytes; a list of a few hundred still fits
MESSAGES.update({
    "saved_h": ("核对保存的摘要", "Check a saved digest"),
    "saved_intro": ("上传此前保存的摘要（GET /v1/audit/digest 或本页下载的 JSON 文件，可多选）：台账按事件重新计算，"
                    "判断截至该位置的事件是否未被改动。",
                    "Upload digests saved earlier (the JSON of GET /v1/audit/digest or this page's download; several"
                    " at once): the chain is recomputed from the events to tell whether everything up to that"
                    " position is unchanged."),
    "saved_file": ("保存的摘要文件", "Saved digest file"), "saved_check": ("核对", "Check"),
    "saved_digest_col": ("摘要", "Digest"),
    "saved_download": ("下载当前摘要（JSON）", "Download the current digest (JSON)"),
    "saved_extends": ("一致：台账仍延续保存的摘要，截至位置 {position} 的事件未被改动；此后又记录了 {later} 个事件。",
                      "Matches: the ledger still extends the saved digest; the events up to position {position}"
                      " are unchanged, and {later} more have been recorded since."),
    "saved_differs": ("不一致：截至位置 {position} 的事件与保存的摘要不符，改动在位置 {first} 至 {position} 之间。",
                      "Differs: the events up to position {position} no longer hash to the saved digest; the"
                      " change lies between positions {first} and {position}."),
    # Links deleted from the chain table, the events hashing to the saved digests (failure link_missing).
    "saved_links_missing": ("事件相符，缺失的是链的记录：截至位置 {position} 的事件仍与保存的摘要相符"
                            "（事件未被改动；此后又记录了 {later} 个事件）；但{links_zh} 的事件链自身记录（链接）"
                            "缺失：被改动的是链表，而不是事件。{todo_zh}。",
                            "The events match; the chain's records are missing: the events up to position {position}"
                            " still hash to the saved digest (they are unchanged, and {later} more have been recorded"
                            " since); but the chain's own records (its links) are missing at {links}: the chain table"
                            " was changed, not the events. {todo}."),
    "saved_trusted": ("位置 {trusted} 的摘要仍然一致（其之前的事件未被改动）。",
                      "The digest saved for position {trusted} still matches (the events before it are unchanged)."),
    # Worded by ledger.audit.tampering.behind, as `verify --digest` words it: a signed digest is this ledger's.
    "saved_beyond": ("不一致：{reason_zh}。{todo_zh}。", "Differs: {reason}. {todo}."),
    "saved_broken": ("不一致：位置 {first} 的事件与事件链不符（早于保存的位置 {position}）。详见上方核验结果。",
                     "Differs: the event at position {first} fails the chain, before the saved position"
                     " {position}. See the verification above."),
    "saved_refused": ("无法核对：{why}", "Cannot check: {why}"),
    "saved_no_file": ("请选择从 GET /v1/audit/digest 保存的 JSON 文件。",
                      "choose the JSON file saved from GET /v1/audit/digest."),
    "saved_not_json": ("文件“{name}”不是 JSON（{error_zh}）；请上传 GET /v1/audit/digest 保存的原样文件。",
                       "the file “{name}” is not JSON ({error}); upload the file GET /v1/audit/digest saved, as"
                       " it was."),
    "saved_too_big": ("文件“{name}”超过 {limit} 字节，不是保存的摘要。",
                      "the file “{name}” is over {limit} bytes: not a saved digest."),
    "saved_not_digest": ("文件“{name}”不是本台账签发的摘要：{error_zh}。需要 position（整数）、digest（64 位十六进制）"
                         "和 algorithm（sha256-chain-v1）。",
                         "the file “{name}” is not a digest this ledger issued: {error}. It needs position (a whole"
                         " number), digest (64 hex digits) and algorithm (sha256-chain-v1)."),
    "saved_receipt": ("文件“{name}”是申请回执，不是摘要：请在上方“核验摘要或回执”中核验它。",
                      "the file “{name}” is a claim's receipt, not a digest: check it with “Check a digest or a"
                      " receipt” above."),
    "saved_altered": ("文件“{name}”在保存之后被改动过（或不是本台账签发的）：{why}。这与台账是否被改动无关；"
                      "请上传原样保存的文件。",
                      "The file “{name}” was altered after it was saved (or was not signed by this ledger): {why}."
                      " This says nothing of the ledger; upload the file as it was saved."),
    "saved_unsigned": ("文件“{names}”没有签名：无法判断改动的是台账还是该文件，两者都可能被改动过。",
                       "The file “{names}” carries no signature: either the ledger or the file may have changed,"
                       " and nothing tells which."),
})
SIGNED = ("signature", "key_id", "public_key", "signature_algorithm")  # what Signer.sign adds to a digest


@dataclass(eq=False)  # not frozen: an exception's traceback is set on it as it leaves a `with` block
class Refused(Exception):
    """An uploaded file that is not a saved digest: the message key and its values."""

    key: str
    values: dict[str, Any]


def read_saved_digests(files: list[tuple[str, bytes]]) -> list[dict]:
    """The digests in the uploaded files (each one digest, or a list of them); `Refused` says which file is not."""
    found: list[dict] = []
    for name, raw in files:
        if not raw.strip():
            continue  # the browser sends an empty part when no file was chosen
        if len(raw) > MAX_BYTES:
            raise Refused("saved_too_big", {"name": name, "limit": MAX_BYTES})
        try:
            document = loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise Refused("saved_not_json", {"name": name, "error": "not UTF-8 text",
                                             "error_zh": "不是 UTF-8 文本"}) from None
        except ValueError as err:
            raise Refused("saved_not_json", _where(name, err)) from None
        items = document if isinstance(document, list) else [document]
        if not items or not all(isinstance(i, dict) for i in items):
            raise Refused("saved_not_digest", {"name": name, "error": "not a JSON object",
                                               "error_zh": "内容不是 JSON 对象"})
        if any(_is_receipt(i) for i in items):
            raise Refused("saved_receipt", {"name": name})
        found += [{**item, "source": name} for item in items]
    if not found:
        raise Refused("saved_no_file", {})
    return found


def _is_receipt(item: dict) -> bool:
    """A claim's receipt (ledger/audit/receipts.py), uploaded here rather than to the check beside this one."""
    return item.get("receipt") == KIND or ("events" in item and "head" in item)


def signed_apart(notary: Any, saved: list[dict]) -> tuple[list[dict], list[dict[str, str]]]:
    """The saved digests to check against the chain, and the files whose signature does not hold (`source`,
    `why`, `why_zh`): a file that carries the ledger's signature is checked with the signature check of the
    form beside this one first (`audit.signature_fault`), so a digest changed in the file is not blamed on the
    ledger. A file carrying no signature is kept: checked against the chain, it cannot tell which side changed."""
    kept, altered = [], []
    for item in saved:
        if not any(k in item for k in SIGNED):
            kept.append(item)
            continue
        why = audit.signature_fault(notary, {k: v for k, v in item.items() if k != "source"})
        if why is None:
            kept.append(item)
        else:
            altered.append({"source": item.get("source", ""), "why": str(why), "why_zh": why.zh})
    return kept, altered


def check_uploaded(notary: Any, chain: Any, saved: list[dict]) -> dict[str, Any]:
    """What the page says of the uploaded files: each whose signature fails (`altered`), and the verdict of
    `check_saved_digests` on the rest, noting which of them carry no signature (`unsigned`)."""
    kept, altered = signed_apart(notary, saved)
    if not kept:
        return {"verdict": "altered", "key": None, "saved": [], "altered": altered, "unsigned": [], "trusted": None}
    verdict = check_saved_digests(chain, kept)
    unsigned = [d.get("source", "") for d in kept if not any(k in d for k in SIGNED)]
    return verdict | {"altered": altered, "unsigned": unsigned if verdict["verdict"] == "differs" else []}


def _where(name: str, err: ValueError) -> dict[str, Any]:
    """Where the parser stopped, said in both languages (the parser's own message is English)."""
    line, column = getattr(err, "lineno", None), getattr(err, "colno", None)
    if line is None or column is None:
        return {"name": name, "error": str(err)[:120], "error_zh": getattr(err, "zh", "无法解析")}
    return {"name": name, "error": f"{str(getattr(err, 'msg', err))[:80]}: line {line}, column {column}",
            "error_zh": f"第 {line} 行第 {column} 列无法解析"}


def _not_digest(name: str, said: str) -> Refused:
    """A field that is not what the ledger issues: the field and its value are the same words in both languages."""
    return Refused("saved_not_digest", {"name": name, "error": said, "error_zh": said})


def _fields(item: dict, name: str) -> dict:
    # The same rules as the chain's own (ledger/audit/comparison.py), checked per file so the page names it.
    position, digest, algorithm = item.get("position"), item.get("digest"), item.get("algorithm", ALGORITHM)
    if algorithm != ALGORITHM:
        raise _not_digest(name, f"algorithm {algorithm!r}")
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        raise _not_digest(name, f"position {position!r}")
    if not isinstance(digest, str) or len(digest) != 64 or any(c not in "0123456789abcdefABCDEF" for c in digest):
        raise _not_digest(name, f"digest {str(digest)[:80]!r}")
    return {"position": position, "digest": digest.lower(), "algorithm": algorithm, "source": name,
            "signed": any(k in item for k in SIGNED)}  # kept by `signed_apart`: its signature held


def check_saved_digests(chain: Any, saved: list[dict]) -> dict[str, Any]:
    """What the page says of the saved digests: `extends`, or `differs` with where; from `chain.verify(saved)`
    (`chain` is the store's AuditChain)."""
    checked = sorted((_fields(d, d.get("source", "")) for d in saved), key=lambda d: d["position"])
    head, last = chain.digest(), checked[-1]
    said = {"saved": checked, "head": head, "trusted": None}
    if last["position"] > head["position"]:  # the ledger only grows: it cannot be behind a digest it issued
        return said | _behind(chain, checked, head["position"])
    result = chain.verify([_bare(d) for d in checked])
    first = result["first_bad_position"]
    if result["failure"] == "link_missing":
        # The events hash to every saved digest, and only the chain's own records are missing: said both, with what
        # to do, as the receipt and digest check above says it of a signed head (it said "matches" and nothing of
        # the links here, and "no longer agrees" there: an audit probe).
        return said | _links_missing(result, last["position"], head["position"])
    if result["ok"] or first > last["position"]:
        # A fault after the last saved position leaves the saved prefix intact; the verification above names it.
        return said | {"verdict": "extends", "key": "saved_extends",
                       "values": {"position": last["position"], "later": head["position"] - last["position"]}}
    mismatch = result["failure"] == "saved_digest_mismatch"
    trusted = result["chain_head"]["position"] if mismatch else 0
    at = next((d for d in checked if d["position"] >= first), last)["position"]
    return said | {"verdict": "differs", "key": "saved_differs" if mismatch else "saved_broken",
                   "values": {"position": at, "first": first}, "trusted": trusted or None,
                   "reason": result["reason"]}


def _links_missing(result: dict[str, Any], position: int, head: int) -> dict[str, Any]:
    """The verdict where the events hash to the saved digests (the last at `position`) and links are missing from
    the chain table (`result`, failure link_missing): where, and what to do (`tampering.links_advice`)."""
    where = spans([(run["first"], run["last"]) for run in result["links_missing"]])
    return {"verdict": "link_missing", "key": "saved_links_missing",
            "values": {"position": position, "later": head - position, "links": where[0], "links_zh": where[1],
                       "todo": result["what_to_do"].rstrip("."), "todo_zh": result["what_to_do_zh"].rstrip("。")}}


def _bare(digest: dict) -> dict:
    return {k: v for k, v in digest.items() if k not in ("source", "signed")}


def _behind(chain: Any, checked: list[dict], head: int) -> dict[str, Any]:
    """The verdict on saved digests the store's last event (`head`) is behind: what the store misses and what to
    do, as `verify --digest` says it (the page said "or the digest is from another ledger" of one the ledger had
    signed, and nothing more: an audit probe had restored an old backup over a newer ledger), and the last of the
    digests within the store that still matches, which bounds what is missing."""
    beyond = next(d for d in checked if d["position"] > head)
    (reason, reason_zh), (todo, todo_zh) = behind(beyond["position"], head, beyond["signed"])
    within = [_bare(d) for d in checked if d["position"] <= head]
    result = chain.verify(within) if within else None
    trusted = within[-1]["position"] if result and (result["ok"] or (
        result["first_bad_position"] or 0) > within[-1]["position"]) else None
    return {"verdict": "differs", "key": "saved_beyond", "trusted": trusted or None,
            "values": {"position": beyond["position"], "head": head, "reason": reason, "reason_zh": reason_zh,
                       "todo": todo.rstrip("."), "todo_zh": todo_zh.rstrip("。")}}


@router.get("/ui/audit/digest.json", dependencies=[audit.Verifier])
def download_digest(request: Request) -> Response:
    """The chain's current digest as the JSON file GET /v1/audit/digest answers (signed), to keep outside."""
    digest = request.app.state.notary.digest()
    name = f"award-ledger-digest-{digest['position']}.json"
    return JSONResponse(digest, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/ui/audit/digest", dependencies=[audit.Verifier, CsrfChecked])
def check_digest(request: Request, files: Annotated[list[UploadFile], File()]) -> Response:
    """The audit page with the verdict on the uploaded saved digests (422 and what to send for a wrong file)."""
    # A sync route: FastAPI runs it in a worker thread, and verification reads the whole log.
    uploaded = [(f.filename or "", f.file.read(MAX_BYTES + 1)) for f in files]
    try:
        with long_query(request).slot():
            verdict = check_uploaded(request.app.state.notary, request.app.state.audit_chain,
                                     read_saved_digests(uploaded))
    except Refused as refused:
        return audit.page(request, 422, saved_refused=refused)
    except LongQueriesBusy:
        return audit.page(request, 503)
    return audit.page(request, saved_check=verdict)

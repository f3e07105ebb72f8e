"""Who is calling: principals from LEDGER_AUTH_FILE, found by the SHA-256 of their bearer token.

The file holds token hashes only, so a leaked file grants nothing. Without a file, `serve` runs with the
development principals of api/dev_principals.py.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from api.cli_language import Worded, field_zh, os_reason_zh
from ledger.catalogue import catalogues
from ledger.principals import Principal, Role

log = logging.getLogger("award_ledger.auth")

# Scope state naming the principal an in-process request acts for (api/web/subrequest.py): the dashboard's
# session holds no token to send. Only the server writes scope state; no header or cookie reaches it.
SUBREQUEST_PRINCIPAL = "subrequest_principal"
# Scope state: (token, principal) for the request's bearer token, looked up once by api/front.py for every use.
BEARER_PRINCIPAL = "bearer_principal"


class AuthFileError(ValueError):
    """LEDGER_AUTH_FILE cannot be read as the contract's principals file; `zh`: the same for a Chinese reader."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh


class PrincipalEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    role: Literal["bureau", "finance", "auditor", "admin"]
    bureau: str | None = None
    token_sha256: str = Field(pattern=r"^[0-9a-fA-F]{64}$")

    @model_validator(mode="after")
    def _bureau_fits_role(self) -> PrincipalEntry:
        known = sorted(_bureau_codes())
        if self.role == "bureau" and self.bureau is None:
            raise Worded(f"a bureau principal needs a bureau code, one of {', '.join(known)}",
                         f"bureau 角色的主体须有部门代码，为以下之一：{'、'.join(known)}")
        if self.bureau is not None and self.bureau not in known:
            raise Worded(f"bureau {self.bureau!r} is not in the catalogue; use one of {', '.join(known)}",
                         f"部门 {self.bureau!r} 不在政策目录中；请使用以下之一：{'、'.join(known)}")
        return self


class PrincipalsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    principals: list[PrincipalEntry]

    @model_validator(mode="after")
    def _unique(self) -> PrincipalsFile:
        names = [p.name for p in self.principals]
        hashes = [p.token_sha256.lower() for p in self.principals]
        # Idempotency keys and the events' `by` are per name, so two principals may never share one.
        if len(set(names)) != len(names):
            twice = next(n for n in names if names.count(n) > 1)  # named, as every other fault names its entry
            at = [i for i, n in enumerate(names) if n == twice]
            raise Worded(f"principal names must be unique: {twice!r} names principals.{at[0]} and principals.{at[1]};"
                         " give each principal a name of its own",
                         f"主体名称不能重复：{twice!r} 同时是 principals.{at[0]} 和 principals.{at[1]} 的名称；"
                         "请为每个主体取不同的名称")
        if len(set(hashes)) != len(hashes):
            raise Worded("two principals share a token hash; give each its own token",
                         "有两个主体的令牌哈希相同；请为每个主体分配各自的令牌")
        return self


def _bureau_codes() -> set[str]:
    return {b.code for version in catalogues() for b in version.bureaus}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Principals:
    """The known principals, each beside the hash of its token."""

    entries: tuple[tuple[str, Principal], ...]

    def find(self, token: str) -> Principal | None:
        """The principal whose token this is, comparing every hash in constant time."""
        wanted = token_hash(token)
        found = None
        for digest, principal in self.entries:
            # No early exit: the time taken does not depend on which entry (if any) matched.
            if hmac.compare_digest(digest, wanted):
                found = principal
        return found

    def holder(self, digest: str) -> Principal | None:
        """The principal whose token has this SHA-256 (a dashboard session keeps the hash, not the token)."""
        found = None
        for known, principal in self.entries:
            if hmac.compare_digest(known, digest.lower()):
                found = principal
        return found

    @classmethod
    def from_document(cls, document: PrincipalsFile) -> Principals:
        return cls(tuple((p.token_sha256.lower(), Principal(p.name, Role(p.role), p.bureau))
                         for p in document.principals))


def load(path: Path) -> Principals:
    """Read and validate the contract's principals file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        msg = f"LEDGER_AUTH_FILE {str(path)!r} cannot be read ({err.strerror}); point it at the principals JSON file"
        raise AuthFileError(msg, f"LEDGER_AUTH_FILE {str(path)!r} 无法读取（{os_reason_zh(err)}）；请将它指向主体"
                                 "（principals）JSON 文件") from None
    except UnicodeDecodeError:
        raise AuthFileError(f"LEDGER_AUTH_FILE {str(path)!r} is not UTF-8 text; save the principals JSON file as"
                            " UTF-8", f"LEDGER_AUTH_FILE {str(path)!r} 不是 UTF-8 文本；请将主体（principals）JSON"
                                      " 文件另存为 UTF-8") from None
    try:
        document = PrincipalsFile.model_validate_json(text)
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}" for e in err.errors())
        problems_zh = "；".join(f"{'.'.join(map(str, e['loc'])) or '文件'}：{field_zh(e, '说明文档中的主体文件格式')}"
                               for e in err.errors())
        msg = (f"LEDGER_AUTH_FILE {str(path)!r} is not a valid principals file: {problems}. "
               'Expected {"principals": [{"name", "role", "bureau"?, "token_sha256"}]}')
        zh = (f"LEDGER_AUTH_FILE {str(path)!r} 不是有效的主体文件：{problems_zh}。"
              '应为 {"principals": [{"name", "role", "bureau"?, "token_sha256"}]}（bureau 仅部门角色需要）')
        raise AuthFileError(msg, zh) from None
    if not document.principals:
        log.warning("LEDGER_AUTH_FILE %s lists no principals: every request but /healthz will be refused", path)
    return Principals.from_document(document)

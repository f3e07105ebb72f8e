"""Development principals for `serve` without LEDGER_AUTH_FILE: one per lead bureau and per role, whose
tokens stay the same across restarts.

The tokens are kept in var/dev-tokens.json and their hashes in var/dev-principals.json, both readable by their
owner only (0600, in a 0700 folder), so a developer's curl commands and the README's keep working after a
restart. Only tokens never printed before are printed; the next start says where they are instead.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import sys
from pathlib import Path

from api.auth import Principals, PrincipalsFile, token_hash
from ledger.catalogue import catalogues

log = logging.getLogger("award_ledger.auth")

FOLDER = Path("var")
TOKENS = "dev-tokens.json"  # {name: token}: the secrets, for the developer's own curl
HASHES = "dev-principals.json"  # the contract's principals file: LEDGER_AUTH_FILE may point at it


def people() -> list[tuple[str, dict[str, str]]]:
    """Who the development file holds: a bureau principal per lead bureau of the catalogue, then each role."""
    leads = sorted({p.lead for p in catalogues()[-1].programmes.values()})
    found = [(f"dev-{code}", {"role": "bureau", "bureau": code}) for code in leads]
    return found + [(f"dev-{role}", {"role": role}) for role in ("finance", "auditor", "admin")]


def _kept_tokens(path: Path) -> dict[str, str]:
    # A missing, unreadable or hand-mangled file is no reason not to start: its principals get new tokens.
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as err:
        log.warning("%s cannot be read (%s): new development tokens are made", path, err)
        return {}
    if not isinstance(kept, dict):
        return {}
    return {k: v for k, v in kept.items() if isinstance(v, str) and v.startswith("dev-") and len(v) >= 24}


def _write_private(path: Path, document: object) -> None:
    """Write the JSON readable by the owner only: created 0600 (never briefly wider), then renamed in place."""
    part = path.with_name(path.name + ".part")
    part.unlink(missing_ok=True)
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    os.chmod(part, 0o600)  # whatever the umask
    os.replace(part, path)


def development_principals(folder: Path = FOLDER) -> tuple[Principals, dict[str, str], dict[str, str]]:
    """The development principals, reusing the tokens kept under `folder`; (principals, all tokens, new ones)."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)  # it also holds the SQLite store: the owner's alone
    kept = _kept_tokens(folder / TOKENS)
    everyone = people()
    fresh = {name: f"dev-{secrets.token_urlsafe(24)}" for name, _ in everyone if name not in kept}
    tokens = {name: kept.get(name) or fresh[name] for name, _ in everyone}
    document = {"principals": [{"name": name, **fields, "token_sha256": token_hash(tokens[name])}
                               for name, fields in everyone]}
    principals = Principals.from_document(PrincipalsFile.model_validate(document))
    if fresh or set(kept) != set(tokens):
        _write_private(folder / TOKENS, tokens)
    else:
        os.chmod(folder / TOKENS, 0o600)  # a copy left wider by hand is narrowed again
    _write_private(folder / HASHES, document)
    return principals, tokens, fresh


def announce(folder: Path, tokens: dict[str, str], fresh: dict[str, str]) -> None:
    """Say loudly that these are development principals: the new tokens once, and where all of them are kept (in
    the language of whoever started `serve`: LEDGER_LANG, else the locale)."""
    from api.cli_language import language

    rule = "!" * 78
    kept = folder / TOKENS
    unchanged = [n for n in tokens if n not in fresh]
    read_one = f"    python3 -c 'import json; print(json.load(open(\"{kept}\"))[\"dev-finance\"])'"
    if language() == "zh":
        lines = [rule, "警告：未设置 LEDGER_AUTH_FILE；正以【开发用】主体运行。"]
        if fresh:
            lines += [f"新的开发用令牌，保存在 {kept}（仅您本人可读），重启后不变：",
                      *(f"    {name:<14} Authorization: Bearer {token}" for name, token in fresh.items())]
        if unchanged:
            lines += [f"{'、'.join(unchanged)} 的令牌自上次启动以来未变，",
                      f"请在 {kept}（仅您本人可读）中查看；例如财政账号的令牌：", read_one]
        lines += ["切勿在生产环境中使用这些令牌：请编写主体文件（见 README「Principals and tokens」），",
                  f"并将 LEDGER_AUTH_FILE 指向它。删除 {kept} 可获得新的开发用令牌。", rule]
    else:
        lines = [rule, "WARNING: LEDGER_AUTH_FILE is not set; running with DEVELOPMENT principals."]
        if fresh:
            lines += [f"New development tokens, kept in {kept} (readable by you only) and the same after a restart:",
                      *(f"    {name:<14} Authorization: Bearer {token}" for name, token in fresh.items())]
        if unchanged:
            lines += [f"Tokens of {', '.join(unchanged)}: unchanged since the last start,",
                      f"read them in {kept} (readable by you only); the finance one, for instance:", read_one]
        lines += ["Never use these in production: write a principals file (README, 'Principals and tokens')",
                  f"and set LEDGER_AUTH_FILE to it. Delete {kept} for new development tokens.", rule]
    log.warning("LEDGER_AUTH_FILE is not set: development principals in %s, their tokens in %s", folder / HASHES, kept)
    print("\n".join(lines), file=sys.stderr, flush=True)

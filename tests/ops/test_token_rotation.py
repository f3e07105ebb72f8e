"""Rotating a principal's token by editing LEDGER_AUTH_FILE takes effect without restarting the app."""
from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from api import rotation


def _rewrite(path: Path, change) -> None:
    """Edit the principals file in place and give it a newer modification time."""
    document = json.loads(path.read_text())
    change(document["principals"])
    path.write_text(json.dumps(document))
    later = time.time_ns() + 2_000_000_000
    os.utime(path, ns=(later, later))


def _after_the_next_check() -> None:
    """Wait out the reload throttle, so the next request looks at the file again."""
    time.sleep(rotation.CHECK_SECONDS + 0.1)


def test_a_rotated_token_works_and_the_old_one_stops_without_a_restart(api, auth_file: Path, tokens) -> None:
    """After the auditor's hash is replaced in the file, the new token reads and the old one gets 401."""
    old, new = tokens["auditor"], "rotated-" + tokens["auditor"]
    assert api.call("GET", "/v1/programmes", as_="auditor").status_code == 200

    def rotate(principals: list[dict]) -> None:
        (auditor,) = [p for p in principals if p["name"] == "auditor-test"]
        auditor["token_sha256"] = hashlib.sha256(new.encode()).hexdigest()

    _rewrite(auth_file, rotate)
    _after_the_next_check()
    api.call("GET", "/healthz", as_=None)  # the first request after the check reloads
    assert api.call("GET", "/v1/programmes", headers={"Authorization": f"Bearer {new}"}, as_=None).status_code == 200
    assert api.call("GET", "/v1/programmes", headers={"Authorization": f"Bearer {old}"}, as_=None).status_code == 401


def test_a_broken_edit_keeps_the_principals_in_force(api, auth_file: Path, caplog) -> None:
    """A file that no longer validates is logged and ignored; the tokens that worked keep working."""
    _rewrite(auth_file, lambda principals: principals.append({"name": "x", "role": "bureau", "bureau": "nasa",
                                                               "token_sha256": "0" * 64}))
    _after_the_next_check()
    api.call("GET", "/healthz", as_=None)
    assert api.call("GET", "/v1/programmes", as_="auditor").status_code == 200
    assert any("stay in force" in r.getMessage() for r in caplog.records)


def test_an_edit_saved_in_another_encoding_keeps_the_principals_in_force(api, auth_file: Path, caplog) -> None:
    """A file re-saved as GBK (a Chinese name in it) is not UTF-8: logged as such and ignored, not a 500."""
    document = json.loads(auth_file.read_text())
    document["principals"][0]["name"] = "科技局经办人"
    auth_file.write_bytes(json.dumps(document, ensure_ascii=False).encode("gbk"))
    later = time.time_ns() + 2_000_000_000
    os.utime(auth_file, ns=(later, later))
    _after_the_next_check()
    assert api.call("GET", "/healthz", as_=None).status_code == 200
    assert api.call("GET", "/v1/programmes", as_="auditor").status_code == 200
    assert any("not UTF-8" in r.getMessage() for r in caplog.records)

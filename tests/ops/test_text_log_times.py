"""LEDGER_LOG_FORMAT=text is for people, so its times read in Beijing time with their offset; the JSON format's
`time` stays UTC (with its offset) for the machines that read it."""
from __future__ import annotations

import json
import logging
import logging.config
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from api.logs import log_config
from api.settings import Settings
from tests.support import SETTLE

ROOT = Path(__file__).resolve().parents[2]
MOMENT = datetime(2026, 12, 3, 14, 38, 10, 797_000, tzinfo=UTC)


def _formatted(log_format: str) -> str:
    """A record made at MOMENT, as the formatter `serve`'s logging config names for `log_format` writes it."""
    config = log_config(Settings(log_format=log_format))
    formatter = logging.config.DictConfigurator(config).configure_formatter(config["formatters"]["ledger"])
    record = logging.LogRecord("award_ledger.requests", logging.INFO, __file__, 1, "GET /healthz 200", (), None)
    record.created = MOMENT.timestamp()
    return formatter.format(record)


def test_the_text_format_gives_the_time_in_beijing_time_with_its_offset() -> None:
    """14:38:10.797 UTC reads `2026-12-03 22:38:10.797+08:00 INFO …`: Beijing time, milliseconds, the offset."""
    assert _formatted("text") == "2026-12-03 22:38:10.797+08:00 INFO award_ledger.requests: GET /healthz 200"


def test_the_text_format_keeps_the_request_fields_its_message_leaves_out() -> None:
    """A refused request's text line carries its request id, principal and code (the text format dropped them: a
    user quoting X-Request-ID could not be found, nor why the request was refused: an operator probe)."""
    config = log_config(Settings(log_format="text"))
    formatter = logging.config.DictConfigurator(config).configure_formatter(config["formatters"]["ledger"])
    record = logging.LogRecord("award_ledger.requests", logging.INFO, __file__, 1, "GET /v1/programmes 401 0.5 ms",
                               (), None)
    record.created = MOMENT.timestamp()
    record.request_id, record.code, record.principal = "req-1\nforged", "unauthenticated", None
    line = formatter.format(record)
    assert line.endswith("GET /v1/programmes 401 0.5 ms request_id=req-1\\nforged code=unauthenticated"), line
    assert "\n" not in line and "principal=" not in line


def test_the_json_format_keeps_utc() -> None:
    """The JSON line's `time` is the same moment in UTC, with its offset, as before."""
    assert json.loads(_formatted("json"))["time"] == "2026-12-03T14:38:10.797+00:00"


def test_a_process_logging_as_text_writes_beijing_time_on_stderr(tmp_path) -> None:
    """A command's logging (api.logs.configure with LEDGER_LOG_FORMAT=text) writes now, in Beijing time, on stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_") or k == SETTLE}
    code = ("import logging; from api.logs import configure; from api.settings import Settings;"
            " configure(Settings()); logging.getLogger('award_ledger.signing').warning('said')")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env=env | {"PYTHONPATH": str(ROOT), "LEDGER_LOG_FORMAT": "text"})
    found = re.fullmatch(r"(\S+ \S+) WARNING award_ledger\.signing: said\n", done.stderr)
    assert found, done.stderr
    said = datetime.fromisoformat(found[1])
    assert said.utcoffset() == timedelta(hours=8) and abs(datetime.now(UTC) - said) < timedelta(seconds=30)

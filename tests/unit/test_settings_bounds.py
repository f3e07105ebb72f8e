"""Settings that are durations take finite, bounded numbers: `inf` or `1e999` would make a command wait for ever
for its read models, or /readyz never notice a stalled projector (a probe had both accepted)."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.settings import Settings

DURATIONS = ["LEDGER_WAIT_TIMEOUT", "LEDGER_READY_MAX_STALL", "LEDGER_CLOSE_SETTLE", "LEDGER_BODY_SECONDS"]


@pytest.mark.parametrize("name", DURATIONS)
@pytest.mark.parametrize("value", ["inf", "1e999", "nan", "-inf", "1e9"])
def test_a_duration_setting_must_be_a_finite_bounded_number(monkeypatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert name.removeprefix("LEDGER_").lower() in str(refused.value)
    if value in ("nan", "inf", "1e999"):  # said as not finite, not as too large (a README probe: BODY_SECONDS=nan)
        assert "finite" in str(refused.value), refused.value


@pytest.mark.parametrize("name", DURATIONS)
def test_an_ordinary_duration_is_kept(monkeypatch, name: str) -> None:
    monkeypatch.setenv(name, "5.5")
    assert getattr(Settings(), name.removeprefix("LEDGER_").lower()) == 5.5


@pytest.mark.parametrize(("name", "value"), [("LEDGER_WORKERS", "65"), ("LEDGER_WORKERS", "500"),
                                             ("LEDGER_MAX_BODY_BYTES", "100000000000000000000"),
                                             ("LEDGER_MAX_BODY_BYTES", str((1 << 30) + 1))])
def test_counts_of_processes_and_bytes_have_an_upper_bound(monkeypatch, name: str, value: str) -> None:
    """500 workers on two cores were spawned and outlived SIGTERM, and a body limit of 10^20 bytes was taken (an ops
    probe): the settings are bounded, 64 workers and 1 GiB a body."""
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert name.removeprefix("LEDGER_").lower() in str(refused.value)
    monkeypatch.setenv(name, "64" if name == "LEDGER_WORKERS" else str(1 << 30))
    assert Settings()


@pytest.mark.parametrize(("name", "value", "read"), [("LEDGER_PROJECTOR", "EXTERNAL", "external"),
                                                     ("LEDGER_LOG_FORMAT", "Text", "text"),
                                                     ("LEDGER_LOG_LEVEL", "INFO", "info")])
def test_a_setting_naming_one_of_a_few_words_reads_them_in_any_case(monkeypatch, name, value, read) -> None:
    """LEDGER_LOG_LEVEL=INFO was taken and LEDGER_PROJECTOR=EXTERNAL refused (an ops probe)."""
    monkeypatch.setenv(name, value)
    assert getattr(Settings(), name.removeprefix("LEDGER_").lower()) == read

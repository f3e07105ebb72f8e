"""Settings that are durations take finite, bounded numbers: `inf` or `1e999` would make a command wait for ever
for its read models, or /readyz never notice a stalled projector (a probe had both accepted)."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.settings import Settings


@pytest.mark.parametrize("name", ["LEDGER_WAIT_TIMEOUT", "LEDGER_READY_MAX_STALL"])
@pytest.mark.parametrize("value", ["inf", "1e999", "nan", "-inf", "1e9"])
def test_a_duration_setting_must_be_a_finite_bounded_number(monkeypatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert name.removeprefix("LEDGER_").lower() in str(refused.value)


@pytest.mark.parametrize("name", ["LEDGER_WAIT_TIMEOUT", "LEDGER_READY_MAX_STALL"])
def test_an_ordinary_duration_is_kept(monkeypatch, name: str) -> None:
    monkeypatch.setenv(name, "5.5")
    assert getattr(Settings(), name.removeprefix("LEDGER_").lower()) == 5.5

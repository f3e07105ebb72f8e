"""`GET /v1/audit/verify?read_models=true`: an auditor with the API alone compares the read models (the figures
the pages, the queue, the awards and the reconciliation show) with a replay of the events. An audit probe edited
an approved figure in the rm_* tables, and the route answered `ok: true` while every list showed the forgery."""
from __future__ import annotations

from tests.audit.test_verify_read_models import _raise_a_figure


def test_read_models_edited_by_hand_fail_the_check_that_asks_for_them(api, world, database_url):
    claim = world.claim(world.org())
    api.ok("POST", f"/v1/claims/{claim['id']}/approve", None, as_="kjj", status=200)
    intact = api.ok("GET", "/v1/audit/verify?read_models=true", as_="auditor", status=200)
    assert intact["ok"] is True and intact["read_models"] == {"ok": True, "differences": []}, intact
    key = _raise_a_figure(database_url)
    chain_only = api.ok("GET", "/v1/audit/verify", as_="auditor", status=200)
    assert chain_only["ok"] is True and chain_only["read_models"] is None  # said: the figures were not compared
    found = api.ok("GET", "/v1/audit/verify?read_models=true", as_="auditor", status=200,
                   headers={"Accept-Language": "zh"})
    assert (found["ok"], found["failure"]) == (False, "read_models"), found
    assert any(d.startswith(f"rm_finance[{key}].approved: stored '900000.00'")
               for d in found["read_models"]["differences"]), found["read_models"]
    assert "读模型" in found["reason"] and "award-ledger rebuild" in found["reason"], found["reason"]
    api.refused("GET", "/v1/audit/verify?read_models=true", None, "kjj", 403, "forbidden")

"""`GET /v1/audit/verify?read_models=true`: an auditor with the API alone compares the read models (the figures
the pages, the queue, the awards and the reconciliation show) with a replay of the events. An audit probe edited
an approved figure in the rm_* tables, and the route answered `ok: true` while every list showed the forgery."""
from __future__ import annotations

from tests.audit.test_verify_read_models import _raise_a_figure


def test_read_models_edited_by_hand_fail_the_check_that_asks_for_them(api, world, database_url):
    claim = world.claim(world.org())
    api.ok("POST", f"/v1/claims/{claim['id']}/approve", None, as_="kjj", status=200)
    intact = api.ok("GET", "/v1/audit/verify?read_models=true", as_="auditor", status=200)
    assert intact["ok"] is True and intact["read_models"] == {"ok": True, "differences": [], "differences_zh": []}, \
        intact
    key = _raise_a_figure(database_url)
    chain_only = api.ok("GET", "/v1/audit/verify", as_="auditor", status=200)
    assert chain_only["ok"] is True and chain_only["read_models"] is None  # said: the figures were not compared
    found = api.ok("GET", "/v1/audit/verify?read_models=true", as_="auditor", status=200,
                   headers={"Accept-Language": "zh"})
    assert (found["ok"], found["failure"]) == (False, "read_models"), found
    assert any(d.startswith(f"rm_finance[{key}].approved: stored '900000.00'")
               for d in found["read_models"]["differences"]), found["read_models"]
    # Each in Chinese too, one for one (only English came back under zh: a regression probe)
    listed = found["read_models"]
    assert len(listed["differences_zh"]) == len(listed["differences"]), listed
    assert f"rm_finance[{key}] 的 approved：表中为 '900000.00'" in " ".join(listed["differences_zh"]), listed
    assert not any("stored" in d or "replayed" in d for d in listed["differences_zh"]), listed
    assert "读模型" in found["reason"] and "award-ledger rebuild" in found["reason"], found["reason"]
    # What to do is said on its own too, as for every other failure (it was null: a client reading it had nothing)
    assert "award-ledger rebuild" in found["what_to_do"] and "rm_* 表" in found["what_to_do"], found
    assert "事件完好" not in found["reason"] and "verify --digest" in found["what_to_do"], found
    english = api.ok("GET", "/v1/audit/verify?read_models=true", as_="auditor", status=200)
    assert english["what_to_do"].startswith("Keep the store as it is"), english
    api.refused("GET", "/v1/audit/verify?read_models=true", None, "kjj", 403, "forbidden")


def test_a_typed_column_edited_by_hand_fails_the_check_too(api, world, database_url):
    """A regression probe set an approved claim's `status` column (what the queue selects by) to rejected, leaving
    its JSON alone: the claim moved queues and the check found nothing. Each typed column is compared too."""
    import sqlite3

    import psycopg

    from ledger.store import is_postgres, postgres_conninfo, sqlite_file

    claim = world.claim(world.org())
    api.ok("POST", f"/v1/claims/{claim['id']}/approve", None, as_="kjj", status=200)
    conn = psycopg.connect(postgres_conninfo(database_url)) if is_postgres(database_url) else sqlite3.connect(
        sqlite_file(database_url))
    mark = "%s" if is_postgres(database_url) else "?"
    try:
        conn.execute(f"UPDATE rm_claims SET status = 'rejected' WHERE id = {mark}", (claim["id"],))
        conn.commit()
    finally:
        conn.close()
    found = api.ok("GET", "/v1/audit/verify?read_models=true", as_="auditor", status=200)
    assert (found["ok"], found["failure"]) == (False, "read_models"), found
    assert f"rm_claims[{claim['id']}] column status: stored 'rejected', replayed 'approved'" in found["read_models"][
        "differences"], found["read_models"]

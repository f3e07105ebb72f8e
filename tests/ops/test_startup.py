"""Several processes starting together on an empty PostgreSQL database: one sets the store up, none fails."""
from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings


@pytest.mark.postgres
def test_apps_starting_together_on_an_empty_database_all_become_ready(fresh_postgres_url: str, auth_file) -> None:
    """Four app instances (as four workers would) start at once on an empty database and each answers /readyz."""
    settings = Settings(database_url=fresh_postgres_url, auth_file=auth_file, projector="external")
    barrier, answers, errors = threading.Barrier(4), [], []

    def start() -> None:
        try:
            app = create_app(settings)
            barrier.wait()
            with TestClient(app) as client:
                answers.append(client.get("/readyz").status_code)
        except Exception as err:  # the assertion below names it
            errors.append(repr(err))

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and answers == [200] * 4


def test_a_start_refused_for_its_signing_key_writes_no_development_tokens(tmp_path, monkeypatch) -> None:
    """A key path that cannot be read refused the start, after the development tokens were written and their banner
    printed (an operator probe): the key is read first, and nothing of the principals is made."""
    from ledger.audit.signing import UnreadableKey

    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-folder").mkdir()
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    with pytest.raises(UnreadableKey):
        create_app(Settings(_env_file=None, database_url=url, signing_key_file=tmp_path / "a-folder"))
    assert not (tmp_path / "var" / "dev-tokens.json").exists()
    assert not (tmp_path / "var" / "dev-principals.json").exists()

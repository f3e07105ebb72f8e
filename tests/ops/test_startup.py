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

"""A second empty store on the same backend as `database_url`, for comparing two runs of the demo."""
from __future__ import annotations

import pytest

from ledger.store import is_postgres


@pytest.fixture
def other_database_url(database_url: str, request: pytest.FixtureRequest, tmp_path) -> str:
    """A LEDGER_DATABASE_URL for another empty store, of the same backend as `database_url`."""
    if is_postgres(database_url):
        return request.getfixturevalue("fresh_postgres_url")
    return f"sqlite:///{tmp_path}/other.sqlite3"

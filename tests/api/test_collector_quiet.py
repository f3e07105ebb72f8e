"""While the app serves, start-up's objects are frozen out of the cyclic collector's sight and its youngest
generation collected less often (ledger/collector.py `quiet`); when the last app stops, both are undone."""
from __future__ import annotations

import gc

from ledger.collector import quiet as quiet_collector


def test_quiet_while_serving_and_undone_after_the_last_app() -> None:
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    with quiet_collector():
        assert gc.get_threshold()[0] == 20_000 and gc.get_freeze_count() > frozen
        with quiet_collector():  # two apps in one process (tests)
            assert gc.get_threshold()[0] == 20_000
        assert gc.get_threshold()[0] == 20_000
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen


def test_the_served_app_is_quiet(api) -> None:
    """The real app, started by its lifespan: the collector is quieted while it serves."""
    assert api.client.get("/healthz").status_code == 200
    assert gc.get_threshold()[0] == 20_000 and gc.get_freeze_count() > 0

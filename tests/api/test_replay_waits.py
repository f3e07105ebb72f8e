"""A replayed answer (the same Idempotency-Key again) waits for the read models as the first answer did, on both
stores. A retry probe: after a crash, a replayed "confirmed: 600" was followed by a queue still listing 77 of them
as proposed, and the replay said nothing of it (no `Read-Models-Lag`); the first answer waits, or says it lags.
Here the read models stand still (an external projector that is not running): the replay says they lag, as the
first answer does; once a projector has caught up, the replay's GET right after shows the claim."""
from __future__ import annotations

import time

from fastapi.testclient import TestClient

from api.app import create_app
from ledger.application import AwardLedger
from ledger.store import store_env
from projections import Projector, ReadModels
from tests.api.conftest import Api, World


def test_a_replay_waits_for_the_read_models_or_says_they_lag(settings, tokens, database_url) -> None:
    still = settings.model_copy(update={"projector": "external", "wait_timeout": 0.5})
    with TestClient(create_app(still)) as client:
        api = Api(client, tokens)
        world = World(api)
        org = world.org()
        body = {"uscc": org, "programme": "A5.voucher", "award_year": 2023, "effective_on": "2023-06-01",
                "basis_amount": "1000000.00"}
        first = api.call("POST", "/v1/claims", body, as_="kjj", key="replay-waits-1")
        assert first.status_code == 201 and first.headers.get("Read-Models-Lag") == "true"
        again = api.call("POST", "/v1/claims", body, as_="kjj", key="replay-waits-1")
        assert again.status_code == 201 and again.json() == first.json()
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert again.headers.get("Read-Models-Lag") == "true"  # it did not show: said so, as the first did
        ledger = AwardLedger(store_env(database_url))
        projector = Projector(database_url, app=ledger, poll_interval=0.05)
        projector.start()
        try:
            models = ReadModels.open(database_url)
            deadline = time.monotonic() + 30
            while models.position() < (ledger.recorder.max_notification_id() or 0):
                assert time.monotonic() < deadline, "the projector did not catch up"
                time.sleep(0.05)
            models.close()
        finally:
            projector.stop()
            ledger.close()
        caught_up = api.call("POST", "/v1/claims", body, as_="kjj", key="replay-waits-1")
        assert caught_up.headers.get("Idempotent-Replayed") == "true" and "Read-Models-Lag" not in caught_up.headers
        listed = api.ok("GET", f"/v1/claims?uscc={org}", as_="kjj")["claims"]
        assert [c["id"] for c in listed] == [first.json()["id"]]

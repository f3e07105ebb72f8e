"""The listener for applied positions backs off while the database is away, and says so on the 1st, 2nd, 4th, 8th
... failed try, not every second (an operations probe counted 110 WARNING lines in 50 s from two workers)."""
from __future__ import annotations

import logging
import socket
import time

from projections.applied import AppliedListener
from projections.background import Background


def test_a_database_away_is_tried_less_and_less_often_and_said_less_and_less(caplog) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # nothing listens there once closed: each try is refused at once
    listener = AppliedListener(f"postgresql://nobody@127.0.0.1:{port}/x")
    with caplog.at_level(logging.WARNING, logger="projections"):
        listener.start()
        time.sleep(3.5)  # tries at 0, 1 and 3 s (1 s, then 2 s between): every second would be 4
        Background.stop(listener)  # its own stop() would notify through the database, which is not there
    said = [r.getMessage() for r in caplog.records if "listening for applied positions failed" in r.getMessage()]
    assert 2 <= len(said) <= 3, said
    assert "1 tries so far); again in 1 s" in said[0] and "2 tries so far); again in 2 s" in said[1], said

"""ledger/spill.py: a mapping that keeps its most recently written entries in memory and the rest in a
temporary SQLite file behaves exactly as a dict, whatever is written, read and deleted, and however small
its memory part is."""
from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.replay import ACCOUNTS, APPROVALS
from ledger.rules import AccountState, Entry
from ledger.sandbox.split import SUMS
from ledger.sandbox.totals import TALLIES, Tally
from ledger.spill import ColdStore, Spilled

# A small pool of keys of the kinds the replays use (account keys, USCCs, aggregate and claim ids), so keys
# are written, read and deleted again after they have gone to the file.
POOL = [*(f"cap:enterprise_year:A5.voucher:9133{n:02d}:2023" for n in range(10)), *(UUID(int=n) for n in range(10)),
        *range(-2, 3), *((n, "x") for n in range(3)), "", "é"]
KEYS = st.sampled_from(POOL)
VALUES = st.one_of(st.integers(), st.text(max_size=8), st.decimals(allow_nan=False, places=2),
                   st.lists(st.integers(), max_size=3))
OPS = st.lists(st.tuples(st.sampled_from(["set", "get", "del", "in", "pop", "items"]), KEYS, VALUES), max_size=120)


@settings(max_examples=300, deadline=None)
@given(ops=OPS, hot=st.integers(1, 9))
def test_a_spilled_mapping_answers_as_a_dict_does(ops: list, hot: int) -> None:
    with ColdStore() as cold:
        spilled, model = Spilled(cold, hot), {}
        for op, key, value in ops:
            if op == "set":
                spilled[key] = model[key] = value
            elif op == "get":
                assert spilled.get(key, "absent") == model.get(key, "absent")
            elif op == "in":
                assert (key in spilled) == (key in model)
            elif op == "pop":
                assert spilled.pop(key, "absent") == model.pop(key, "absent")
            elif op == "del":
                if key in model:
                    del spilled[key], model[key]
                else:
                    try:
                        del spilled[key]
                    except KeyError:
                        pass
                    else:
                        raise AssertionError(f"{key!r} was deleted but was never there")
            else:
                assert dict(spilled.items()) == model
        assert dict(spilled.items()) == model and len(spilled) == len(model)
        assert all(spilled.get(key, "absent") == model.get(key, "absent") for key in POOL)
        assert all((key in spilled) == (key in model) for key in POOL)
        assert sorted(map(repr, spilled)) == sorted(map(repr, model))


def test_entries_past_the_memory_limit_go_to_the_file_and_come_back() -> None:
    """With a limit of 4, a thousand entries leave at most 4 in memory; every one reads back as written."""
    with ColdStore() as cold:
        spilled = Spilled(cold, 4)
        for n in range(1_000):
            spilled[UUID(int=n)] = (2023, Decimal(n) / 100)
        assert len(spilled.hot) <= 4 and spilled.spilled >= 996
        assert all(spilled[UUID(int=n)] == (2023, Decimal(n) / 100) for n in range(1_000))
        assert UUID(int=5_000) not in spilled and spilled.get(UUID(int=5_000)) is None


def test_a_mapping_without_a_cold_store_never_spills() -> None:
    plain = Spilled(None, 4)
    for n in range(100):
        plain[n] = n
    assert len(plain.hot) == 100 and plain.spilled == 0 and plain.bloom is None


# ---------------------------------------------------------------- the replays' codecs (marshal of plain tuples)

MONEY = st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**12, max_value=10**12)
TEXT = st.text(max_size=12)
ENTRIES = st.builds(Entry, TEXT, TEXT, st.sampled_from(["pending", "approved", "rejected", "revoked"]), MONEY, MONEY,
                    st.none() | TEXT, st.none() | TEXT)


@settings(max_examples=200, deadline=None)
@given(key=TEXT, entries=st.lists(ENTRIES, max_size=4), earlier=st.none() | st.integers(0, 4),
       approval=st.tuples(st.integers(2000, 2100), MONEY, st.lists(TEXT, max_size=3).map(tuple)),
       tally=st.builds(Tally, MONEY, MONEY, st.integers(0, 10**6)), sums=st.tuples(MONEY, st.integers(0, 10**6)))
def test_each_codec_reads_back_what_it_wrote(key, entries, earlier, approval, tally, sums) -> None:
    """The same values, and money with the same exponent (its text is what answers show)."""
    state = AccountState(key, tuple(entries), earlier)
    again = ACCOUNTS.load(ACCOUNTS.dump(state))
    assert again == state and [str(e.amount) for e in again.entries] == [str(e.amount) for e in entries]
    assert again.used == state.used
    assert APPROVALS.load(APPROVALS.dump(approval)) == approval
    assert str(APPROVALS.load(APPROVALS.dump(approval))[1]) == str(approval[1])
    assert TALLIES.load(TALLIES.dump(tally)) == tally
    assert SUMS.load(SUMS.dump(sums)) == sums


def test_a_mapping_with_a_codec_spills_through_it() -> None:
    with ColdStore() as cold:
        spilled = Spilled(cold, 4, TALLIES)
        for n in range(100):
            spilled[f"9133{n:04d}"] = Tally(Decimal(n), Decimal(n) * 2, n)
        spilled["91330001"] = Tally(Decimal("7.00"), Decimal("8.00"), 1)  # written again after it went cold
        assert spilled.spilled >= 96
        assert dict(spilled.items())["91330001"] == Tally(Decimal("7.00"), Decimal("8.00"), 1)
        assert spilled["91330050"] == Tally(Decimal(50), Decimal(100), 50) and len(spilled) == 100


def test_a_folded_organisation_reads_back_whole_and_one_with_events_pending_is_pickled_whole() -> None:
    """The aggregates' codec (ledger/replay_fold.py): every attribute back as it was, times in UTC, the facts the
    rules read the same; the organisation then takes further events as the original would."""
    from datetime import UTC, date

    from ledger.domain.organisation import Organisation
    from ledger.replay_fold import AGGREGATES

    org = Organisation(uscc="91330108MB0000005H", name="杭州基准科技", in_district=True, by="kjj")
    org.join("BODY-1", "consortium", date(2022, 10, 1), date(2022, 10, 1), True, by="kjj")
    org.designate("A1.high_tech", date(2023, 1, 1), "CERT-1", by="kjj")
    org.note_certification("CERT-1", "A1.high_tech", by="kjj")
    org.change_district(False, date(2024, 3, 1), "moved", "DOC-1", by="kjj")
    pending = AGGREGATES.load(AGGREGATES.dump(org))  # events not yet collected: the whole pickle
    assert pending.__dict__.keys() == org.__dict__.keys() and len(pending.pending_events) == 5
    org.collect_events()
    again = AGGREGATES.load(AGGREGATES.dump(org))
    assert type(again) is Organisation and vars(again) == vars(org)
    assert again.created_on.tzinfo is UTC and again.modified_on == org.modified_on
    assert again.facts(date(2023, 6, 1)) == org.facts(date(2023, 6, 1))
    again.open_proposal("C-1", "A1.high_tech", None, "CERT-1", None, None, by="kjj")
    assert again.version == org.version + 1 and "C-1" in again.proposals

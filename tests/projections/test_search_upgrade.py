"""A store whose read models were made before organisations' names were kept folded for search: opened by this
version, the column is added and filled from the rows it holds, with no rebuild, on both stores."""
from __future__ import annotations

from ledger.application import AwardLedger
from ledger.principals import Principal, Role
from projections import ReadModels
from projections.rebuild import catch_up
from tests.projections.tables import query
from tests.support import unique_uscc

ADMIN = Principal("ops", Role.ADMIN)


def test_an_earlier_versions_read_models_get_the_folded_names_when_opened(ledger: AwardLedger,
                                                                         database_url: str) -> None:
    code = unique_uscc()
    ledger.register_organisation(ADMIN, uscc=code, name="ＡＢＣ智造  SOCIÉTÉ", in_district=True)
    models = ReadModels.open(database_url)
    try:
        catch_up(models.view, ledger)
    finally:
        models.close()
    query(database_url, "DROP INDEX IF EXISTS rm_records_unfolded")  # as an earlier version made them: neither
    query(database_url, "ALTER TABLE rm_records DROP COLUMN folded")
    models = ReadModels.open(database_url)
    try:
        assert query(database_url, "SELECT folded FROM rm_records WHERE uscc = %s AND kind = 'organisation'",
                     (code,)) == [("abc智造 société",)]
        found, _ = models.organisations("ａｂｃ智造 SOCIÉTÉ")
        assert [o["uscc"] for o in found] == [code]
        ledger.register_organisation(ADMIN, uscc=(other := unique_uscc()), name="Société Ａ", in_district=True)
        catch_up(models.view, ledger)  # folded by the projection as it writes the row
        assert {o["uscc"] for o in models.organisations("société")[0]} >= {code, other}
    finally:
        models.close()

"""Every command's answer carries its own moment, so `as_of` can be pinned to it (README, "Conventions")."""
from __future__ import annotations

from tests.api.conftest import Api, World


def test_a_repayment_and_a_write_off_answer_their_own_moment(api: Api, world: World) -> None:
    """A probe could not pin `as_of` to a repayment, a write-off, an upgrade or a certification's revocation: their
    answers gave only the record's first moment. Each answer now carries `updated_at`, the command's own moment;
    `as_of` set to it shows the command whole, and a microsecond before it, not at all."""
    from datetime import datetime, timedelta
    from urllib.parse import quote

    payout = world.paid(world.org())
    org = api.ok("GET", f"/v1/claims/{payout['claim_id']}", as_="auditor")["uscc"]
    revoked = api.ok("POST", f"/v1/claims/{payout['claim_id']}/revoke",
                     {"reason": "申报不实", "document_ref": "撤销〔2024〕3号"}, as_="kjj", status=200)
    recovery = revoked["recovery_id"]
    repaid = api.ok("POST", f"/v1/recoveries/{recovery}/repayments",
                    {"amount": "40000.00", "received_on": "2024-01-05", "bank_ref": "BACK-MOMENT-1"}, as_="finance")
    written = api.ok("POST", f"/v1/recoveries/{recovery}/write-off",
                     {"reason": "企业注销", "document_ref": "核销〔2024〕1号"}, as_="finance", status=200)
    for answer, field, before, after in ((repaid, "recovered", "0.00", "40000.00"),
                                         (written, "to_recover", "60000.00", "0.00")):
        moment = datetime.fromisoformat(answer["updated_at"])
        assert moment > datetime.fromisoformat(answer["opened_at"])
        earlier = (moment - timedelta(microseconds=1)).isoformat()
        totals = {at: api.ok("GET", f"/v1/organisations/{org}/awards?as_of={quote(at)}", as_="auditor")["totals"]
                  for at in (earlier, answer["updated_at"])}
        assert (totals[earlier][field], totals[answer["updated_at"]][field]) == (before, after), totals
    cert = world.certify(world.org())
    upgraded = api.ok("POST", f"/v1/certifications/{cert}/upgrades",
                      {"tier": "provincial", "effective_on": "2024-05-10", "document_ref": "浙科发〔2024〕9号"},
                      as_="kjj")
    assert upgraded["updated_at"] > upgraded["recorded_at"]

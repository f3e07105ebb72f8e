"""Issue 7's demo: a deterministic synthetic Binjiang district, written through the ledger's own commands.

Everything goes through `AwardLedger`, so every rule applies: the refusals a real district meets (caps used
up, superseded awards, an exhausted fund) are counted, never avoided. What the policy fixes (programmes, tiers,
rates, caps, thresholds, the fund's floor) is read from the catalogue; what enterprises declare and bureaus
decide is invented here. The whole district is planned from `random.Random(seed)` before anything is written,
and each command's idempotency key derives from the seed, so the same seed on the same store replays and
writes nothing.
"""
from __future__ import annotations

import hashlib
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from ledger.application import AwardLedger
from ledger.catalogue.model import CapScope, Kind, OncePer, Programme
from ledger.demo_corrections import Correction, DemoCorrections
from ledger.domain.errors import LedgerError
from ledger.domain.values import USCC_CHARS, fen_down, uscc_check_character, yuan
from ledger.principals import Principal, Role
from ledger.usecases.proposals import fixed_amount

Progress = Callable[[str, int, int], None]
ZERO = Decimal("0.00")
# GB/T 2260 division codes: Binjiang, then two neighbours whose firms take part in district bodies.
DISTRICT, NEIGHBOURS = "330108", ("330106", "330110")
BRAND = ("华睿星海云博新宇联恒安天中和嘉泰凯思启瀚", "创达辰源图信科光微芯通视锐智融拓曜航盛维")
INDUSTRY = ("智能", "数据", "芯片", "光电", "网络", "医疗器械", "物联", "视觉", "新材料", "机器人", "软件", "通信",
            "生物医药", "储能", "集成电路", "信息安全", "工业互联网", "数字孪生")
SUFFIX = ("科技有限公司", "技术有限公司", "信息技术有限公司", "股份有限公司")
PRODUCT = ("检测装备", "控制系统", "传感模组", "边缘服务器", "工业软件", "诊断设备")
REJECTION = ("申报材料不全，逾期未补正", "专项审计核定金额与申报不符", "项目未通过验收")


@dataclass
class DemoSummary:
    seed: int
    organisations: int
    bodies: int
    commands: Counter[str] = field(default_factory=Counter)  # accepted (replays included), per command
    replayed: int = 0
    refusals: Counter[str] = field(default_factory=Counter)  # by the refusal's stable code
    approved_by_programme: Counter[str] = field(default_factory=Counter)
    claim_ids: list[str] = field(default_factory=list)       # every claim the ledger accepted
    approved: Decimal = ZERO   # awards approved, charged to the special fund
    invested: Decimal = ZERO   # Art. 13 investments approved, fund money kept apart from awards
    paid: Decimal = ZERO       # paid out on standing awards, net of reversals
    paid_invested: Decimal = ZERO  # paid out on Art. 13 investments, net of reversals (kept apart, as approved)
    reversed: Decimal = ZERO
    withdrawn: int = 0         # corrections (ledger/demo_corrections.py)
    revoked: int = 0
    released: Decimal = ZERO   # the unpaid part of revoked awards, given back to the fund
    recovered: Decimal = ZERO  # paid on revoked awards and repaid
    to_recover: Decimal = ZERO  # paid on revoked awards and still owed
    listed: int = 0      # certifications recorded through the official list (免申即享)
    proposed: int = 0    # claims the list proposed; commands["confirm_claim"] of them were confirmed
    proposal_ids: list[str] = field(default_factory=list)
    events_written: int = 0
    elapsed: float = 0.0


@dataclass(eq=False)
class _Org:
    uscc: str
    name: str
    in_district: bool
    since: date | None = None  # first day it belongs to a recognised innovation body
    designated: dict[str, date] = field(default_factory=dict)


@dataclass(eq=False)
class _Body:
    id: str
    name: str
    kind: str
    lead: _Org
    on: date
    members: list[tuple[_Org, date]] = field(default_factory=list)


@dataclass(eq=False)
class _Cert:
    tag: str
    org: _Org
    programme: Programme
    on: date
    tier: str | None = None
    subject: str | None = None
    upgrade: tuple[str, date] | None = None
    id: str | None = None
    body: _Body | None = None  # the body an Art. 3 recognition recognises (rule 13)
    listed: bool = False  # recorded through the official list; its claim is the proposal, confirmed or left open
    keep_open: bool = False
    proposals: list[str] = field(default_factory=list)


@dataclass(eq=False)
class _Claim:
    tag: str
    org: _Org
    programme: Programme
    on: date
    cert: _Cert | None = None
    rank: int | None = None
    subject: str | None = None
    basis: Decimal | None = None
    requested: Decimal | None = None
    decision: str = "approve"  # approve | lower | reject | pending
    share: Decimal = Decimal(1)  # of the entitlement, when the bureau decides lower
    reason: str = ""
    instalments: tuple[tuple[Decimal, date], ...] = ()  # (share of the approved amount, paid on); 1 = the rest
    reversal: bool = False
    body: _Body | None = None  # an Art. 3 award claimed for its body directly


def generate(ledger: AwardLedger, *, organisations: int = 500, bodies: int = 40, seed: int = 2022,
             progress: Progress | None = None) -> DemoSummary:
    """Populate the ledger with a synthetic district; the same seed always writes the same facts."""
    return _Demo(ledger, organisations, bodies, seed, progress).run()


def summary_lines(summary: DemoSummary, *, zh: bool = False) -> list[str]:
    """What `award-ledger demo` prints when it is done, in English or (`zh`) in Chinese: each line in both, side
    by side."""
    s, rate = summary, summary.events_written / summary.elapsed if summary.elapsed else 0.0
    approved, programmes = sum(s.approved_by_programme.values()), len(s.approved_by_programme)
    commands, refusals = sorted(s.commands.items()), sorted(s.refusals.items())
    lines = [
        (f"demo district (seed {s.seed}): {s.organisations} organisations, {s.bodies} innovation bodies",
         f"演示辖区（种子 {s.seed}）：{s.organisations} 家企业，{s.bodies} 个创新载体"),
        ("commands: " + ", ".join(f"{k} {n}" for k, n in commands)
         + (f" ({s.replayed} replayed)" if s.replayed else ""),
         "命令：" + "，".join(f"{k} {n}" for k, n in commands)
         + (f"（其中 {s.replayed} 个为重放）" if s.replayed else "")),
        ("refusals: " + (", ".join(f"{k} {n}" for k, n in refusals) or "none"),
         "拒绝：" + ("，".join(f"{k} {n}" for k, n in refusals) or "无")),
        (f"claims: {len(s.claim_ids)} accepted, {approved} approved across {programmes} programmes",
         f"申请：受理 {len(s.claim_ids)} 笔，批准 {approved} 笔，涉及 {programmes} 个项目"),
        (f"approved: awards {yuan(s.approved)} yuan, Art. 13 investments {yuan(s.invested)} yuan",
         f"批准：奖补 {yuan(s.approved)} 元，第十三条投资 {yuan(s.invested)} 元"),
        # Awards and investments apart, as approved just above and as the reconciliation keeps them (an audit probe
        # read one paid figure, investments in it, above the awards approved).
        (f"paid: awards {yuan(s.paid)} yuan, Art. 13 investments {yuan(s.paid_invested)} yuan, net of"
         f" {yuan(s.reversed)} yuan reversed",
         f"拨付：奖补 {yuan(s.paid)} 元，第十三条投资 {yuan(s.paid_invested)} 元（已扣除冲回 {yuan(s.reversed)} 元）"),
        (f"corrections: {s.withdrawn} withdrawn, {s.revoked} revoked ({yuan(s.released)} yuan released);"
         f" recoveries: {yuan(s.recovered)} yuan recovered, {yuan(s.to_recover)} yuan still to recover",
         f"更正：撤回 {s.withdrawn} 笔，撤销 {s.revoked} 笔（释放 {yuan(s.released)} 元）；"
         f"追回：已追回 {yuan(s.recovered)} 元，待追回 {yuan(s.to_recover)} 元"),
        (f"official list: {s.listed} certifications, {s.proposed} proposals"
         f" ({s.commands['confirm_claim']} confirmed, the rest left open)",
         f"认定名单：{s.listed} 项认定，{s.proposed} 条免申即享建议"
         f"（确认 {s.commands['confirm_claim']} 条，其余待处理）"),
        (f"events written: {s.events_written:,} in {s.elapsed:.1f} s ({rate:,.0f} events/s)",
         f"写入事件：{s.events_written:,} 个，用时 {s.elapsed:.1f} 秒（每秒 {rate:,.0f} 个）"),
    ]
    return [chinese if zh else english for english, chinese in lines]


class _Demo(DemoCorrections):
    def __init__(self, ledger: AwardLedger, organisations: int, bodies: int, seed: int,
                 progress: Progress | None) -> None:
        self.ledger, self.seed, self.rng = ledger, seed, random.Random(seed)
        self.progress = progress or (lambda stage, done, total: None)
        self.catalogue = ledger.catalogue()
        self.policy = self.catalogue.policy
        self.start, self.end = self.policy.effective_from, self.policy.effective_to
        # Each programme's first claim must succeed: it falls in the first full year, funded at the floor.
        self.safe = date(self.policy.years[1], 2, 1)
        self.summary = DemoSummary(seed, organisations, bodies)
        self.by = {p.lead: Principal(f"{p.lead}-demo", Role.BUREAU, p.lead) for p in self.catalogue.programmes.values()}
        self.finance, self.admin = Principal("czj-demo", Role.FINANCE), Principal("ops-demo", Role.ADMIN)
        self.orgs: list[_Org] = []
        codes: set[str] = set()
        for i in range(organisations):
            self.orgs.append(self._org(i, codes))
        self.bodies = self._bodies(bodies)
        self.certs: list[_Cert] = []
        self.claims: list[_Claim] = []
        self.seen: set[str] = set()  # programmes that have a claim planned
        self.prizes: list[tuple[Programme, str, list[_Org], date]] = []
        self.to_pay: list[tuple[_Claim, str, Decimal]] = []
        self.reversals: list[tuple[_Claim, str, str, Decimal, date]] = []
        self.corrections: list[Correction] = []
        self._plan()

    # ------------------------------------------------------------------ writing, stage by stage

    def run(self) -> DemoSummary:
        began, before = time.perf_counter(), self._position()
        stages = (("appropriations", self._appropriations(), self._appropriate),
                  ("organisations", self.orgs, self._register), ("bodies", self.bodies, self._recognise),
                  ("official list", [self.listed] if self.listed else [], self._import_list),
                  ("certifications", self.certs, self._certify),
                  ("claims", self.claims, self._submit), ("payouts", self.to_pay, self._pay),
                  ("reversals", self.reversals, self._reverse), ("corrections", self.corrections, self._correct))
        for stage, items, write in stages:  # later stages' lists fill while earlier stages run
            self.progress(stage, 0, len(items))
            for done, item in enumerate(items, 1):
                write(item)
                self.progress(stage, done, len(items))
        self.summary.events_written = self._position() - before
        self.summary.elapsed = time.perf_counter() - began
        return self.summary

    def _do(self, command: str, tag: str, by: Principal, **args: object) -> dict | None:
        """One command under a key derived from the seed; a refusal is counted by its code, never raised."""
        try:
            outcome = getattr(self.ledger, command)(by, key=f"demo-{self.seed}-{tag}", **args)
        except LedgerError as refusal:
            self.summary.refusals[refusal.code] += 1
            return None
        self.summary.commands[command] += 1
        self.summary.replayed += outcome.replayed
        return outcome.view

    def _appropriations(self) -> list[tuple[int, Decimal]]:
        """The floor every full year, but one short of it (finance reports flag it) and a tenth for the part year."""
        floor, years = self.policy.special_fund_floor, list(self.policy.years)
        short = years[len(years) // 2]
        return [(y, fen_down(floor / 10 if i == 0 else floor * 14 / 15 if y == short else floor))
                for i, y in enumerate(years)]

    def _appropriate(self, item: tuple[int, Decimal]) -> None:
        year, amount = item
        self._do("record_appropriation", f"fund-{year}", self.finance, year=year, amount=amount,
                 document_ref=f"滨财预〔{year - 1}〕{year % 100}号")

    def _register(self, org: _Org) -> None:
        self._do("register_organisation", f"org-{org.uscc}", self.admin, uscc=org.uscc, name=org.name,
                 in_district=org.in_district)

    def _recognise(self, body: _Body) -> None:
        self._do("register_body", f"body-{body.id}", self.admin, body_id=body.id, name=body.name, kind=body.kind,
                 lead_uscc=body.lead.uscc, recognised_on=body.on)
        for org, joined in body.members:
            self._do("add_member", f"member-{body.id}-{org.uscc}", self.admin, body_id=body.id, uscc=org.uscc,
                     joined_on=joined)

    def _certify(self, cert: _Cert) -> None:
        p = cert.programme
        if cert.listed:  # recorded by the official list
            return
        view = self._do("record_certification", cert.tag, self.by[p.lead], uscc=cert.org.uscc, programme=p.code,
                        effective_on=cert.on, document_ref=self._doc(p.lead, cert.on, cert.tag), tier=cert.tier,
                        subject=cert.subject, body_id=cert.body and cert.body.id)
        cert.id = view and view["id"]
        if cert.id and cert.upgrade:  # recorded now, effective later: the claims before it keep the lower tier
            tier, on = cert.upgrade
            self._do("record_upgrade", f"{cert.tag}-up", self.by[p.lead], certification_id=cert.id, tier=tier,
                     effective_on=on, document_ref=self._doc(p.lead, on, f"{cert.tag}-2"))

    def _import_list(self, certs: list[_Cert]) -> None:
        """The bureau imports the provincial list as a CSV file (POST /v1/certifications/imports' command):
        its digest derives from the seed, so a second run finds the list imported and writes nothing."""
        p = certs[0].programme
        lines = ["uscc,programme,tier,effective_on,document_ref,body_id"]
        rows = []
        for n, cert in enumerate(certs, 2):
            doc = self._doc(p.lead, cert.on, cert.tag)
            lines.append(f"{cert.org.uscc},{p.code},{cert.tier},{cert.on},{doc},")
            rows.append((n, {"uscc": cert.org.uscc, "programme": p.code, "tier": cert.tier, "effective_on": cert.on,
                             "document_ref": doc, "body_id": None, "subject": None}))
        data = ("\n".join(lines) + "\n").encode("utf-8")
        try:
            outcome = self.ledger.import_certifications(
                self.by[p.lead], sha256=hashlib.sha256(data).hexdigest(), total=len(rows), rows=rows, refused=[],
                source=f"demo-{self.seed}-{p.code}-list.csv")
        except LedgerError as refusal:
            self.summary.refusals[refusal.code] += 1
            return
        self.summary.commands["import_certifications"] += 1
        self.summary.replayed += outcome.replayed
        for refused in outcome.view["refused"]:
            self.summary.refusals[refused["code"]] += 1
        for row in outcome.view["certifications"]:
            cert = certs[row["line"] - 2]
            cert.id, cert.proposals = row["certification_id"], list(row.get("proposed_claims", []))
            self.summary.listed += 1
            self.summary.proposed += len(cert.proposals)
            self.summary.proposal_ids += cert.proposals

    def _submit(self, c: _Claim) -> None:
        """Submit, then decide at once: a decision never waits behind later claims, so a rerun meets the same state."""
        p, by = c.programme, self.by[c.programme.lead]
        if c.cert and not c.cert.id:
            return
        if c.cert and c.cert.listed and (c.cert.keep_open or c.cert.proposals):
            if c.cert.keep_open:  # nobody has confirmed it yet: it waits on the bureau's queue
                return
            view = self._do("confirm_claim", f"{c.tag}-confirm", by, claim_id=c.cert.proposals.pop(0))
        else:
            view = self._do("submit_claim", c.tag, by, uscc=c.org.uscc, programme=p.code, award_year=c.on.year,
                            effective_on=c.on, rank=c.rank, subject=c.subject, certification_id=c.cert and c.cert.id,
                            body_id=c.body and c.body.id, basis_amount=c.basis, requested_amount=c.requested,
                            document_ref=self._doc(p.lead, c.on, c.tag))
        if view is None:
            return
        self.summary.claim_ids.append(view["id"])
        if c.decision == "pending":
            self._consider_withdrawal(c, view["id"])
        if c.decision == "reject":
            self._do("reject_claim", f"{c.tag}-reject", by, claim_id=view["id"], reason=c.reason)
        if c.decision not in ("approve", "lower"):
            return
        lower = (Decimal(view["entitled_amount"]) * c.share).quantize(Decimal(1), ROUND_DOWN)
        decided = self._do("approve_claim", f"{c.tag}-approve", by, claim_id=view["id"],
                           amount=lower if c.decision == "lower" and lower > 0 else None,
                           note="按专项审计核定金额核减" if c.decision == "lower" else None)
        if decided is None:  # the year's fund is spent: the claim waits for a further appropriation
            return
        amount = Decimal(decided["approved_amount"])
        if p.kind is Kind.INVESTMENT:
            self.summary.invested += amount
        else:
            self.summary.approved += amount
        self.summary.approved_by_programme[p.code] += 1
        self.to_pay.append((c, view["id"], amount))

    def _pay(self, item: tuple[_Claim, str, Decimal]) -> None:
        c, claim_id, approved = item
        left = approved
        for n, (share, on) in enumerate(c.instalments, 1):
            amount = left if share >= 1 else fen_down(approved * share)
            view = self._do("record_payout", f"{c.tag}-pay-{n}", self.finance, claim_id=claim_id, amount=amount,
                            paid_on=on, bank_ref=f"BJCZ{on:%Y%m%d}-{c.tag}-{n}")
            if view is None:
                return
            self._paid(c, amount)
            left -= amount
            if n == 1 and c.reversal:
                self.reversals.append((c, claim_id, view["id"], amount, on))
        self._consider_revocation(c, claim_id, approved, approved - left)

    def _reverse(self, item: tuple[_Claim, str, str, Decimal, date]) -> None:
        """The bank returns the money (the account was closed); finance reverses it and pays it again."""
        c, claim_id, payout_id, amount, on = item
        if self._do("reverse_payout", f"{c.tag}-reverse", self.finance, payout_id=payout_id,
                    reason="收款账户已注销，资金退回") is None:
            return
        self._paid(c, -amount)
        self.summary.reversed += amount
        again = on + timedelta(days=21)
        if self._do("record_payout", f"{c.tag}-repay", self.finance, claim_id=claim_id, amount=amount,
                    paid_on=again, bank_ref=f"BJCZ{again:%Y%m%d}-{c.tag}-R") is not None:
            self._paid(c, amount)

    def _paid(self, c: _Claim, amount: Decimal) -> None:
        """Money out on an award, or on an Art. 13 investment (fund money kept apart from awards)."""
        if c.programme.kind is Kind.INVESTMENT:
            self.summary.paid_invested += amount
        else:
            self.summary.paid += amount

    def _doc(self, bureau: str, on: date, tag: str) -> str:
        """A document number in the bureaus' style, 区科技局〔2023〕17号, numbered by the plan's tag."""
        name = self.catalogue.bureau(bureau)
        return f"{name.name_zh if name else bureau}〔{on.year}〕{tag.split('-', 1)[1]}号"

    def _position(self) -> int:
        return self.ledger.recorder.max_notification_id() or 0

    # ------------------------------------------------------------------ planning: pure, from the seed alone

    def _org(self, i: int, codes: set[str]) -> _Org:
        inside = i % 25 != 24  # one in twenty-five sits outside the district
        while True:
            first17 = "91" + (DISTRICT if inside else self.rng.choice(NEIGHBOURS)) + "MA" + "".join(
                self.rng.choice(USCC_CHARS) for _ in range(7))
            if first17 not in codes:
                codes.add(first17)
                name = "杭州" + "".join(self.rng.choice(words) for words in (*BRAND, INDUSTRY, SUFFIX))
                return _Org(first17 + uscc_check_character(first17), name, inside)

    def _bodies(self, count: int) -> list[_Body]:
        kinds = list(self.catalogue.body_kinds)
        leads = self.rng.sample(inside := [o for o in self.orgs if o.in_district], min(count, len(inside)))
        made = []
        for i, lead in enumerate(leads):
            kind = kinds[i] if i < len(kinds) else self.rng.choice(kinds)
            lead.since = self._day(self.start, self.start + timedelta(days=180))
            name = f"滨江{INDUSTRY[i % len(INDUSTRY)]}{self.catalogue.body_kinds[kind][0]}"
            made.append(_Body(f"bj-{kind}-{i + 1:03d}", name + (f"（{i // 90 + 1}）" if i >= 90 else ""), kind, lead,
                              lead.since))
        for org in self.orgs:
            if org.since is not None or self.rng.random() > (0.85 if org.in_district else 0.3):
                continue
            for body in self.rng.sample(made, min(len(made), 2 if self.rng.random() < 0.1 else 1)):
                joined = self._day(body.on, body.on + timedelta(days=400))
                body.members.append((org, joined))
                org.since = min(org.since or joined, joined)
        return made

    def _plan(self) -> None:
        for designation in (p for p in self.catalogue.programmes.values() if p.kind is Kind.DESIGNATION):
            for body in self.bodies[: max(2, len(self.bodies) // 3)]:
                on = self._day(self.start + timedelta(days=30), self.start + timedelta(days=300))
                body.lead.designated[designation.code] = on
                self._cert(body.lead, designation, on)
        for p in (p for p in self.catalogue.programmes.values() if p.kind is not Kind.DESIGNATION):
            if self._kind_of(p) and p.tiers:
                self._recognitions(p)
            elif p.rank_shares or any(t.max_rank for t in p.tiers):
                self._shared_awards(p)
            elif p.tiers:
                self._honours(p)
            elif p.once_per is OncePer.SUBJECT:
                self._products(p)
            else:
                self._declared(p)
        self.claims.sort(key=lambda c: c.on)  # stable: the plan's order breaks ties
        self.listed = self._official_list()

    def _official_list(self) -> list[_Cert]:
        """Honours (专精特新) of a fixed amount come on the province's list rather than one by one: all but the
        programme's first (whose claim must succeed) and those later upgraded. Every other one is left open."""
        honours = [p for p in self.catalogue.programmes.values() if fixed_amount(p) and not self._kind_of(p)]
        if not honours:
            return []
        mine = [c for c in self.certs if c.programme is honours[0]][1:]
        listed = [c for c in mine if c.upgrade is None]
        for n, cert in enumerate(listed):
            cert.listed, cert.keep_open = True, n % 2 == 0
        return listed

    def _recognitions(self, p: Programme) -> None:
        """A body recognised at a tier: its lead is certified the day it is recognised, some later upgraded."""
        for body in (b for b in self.bodies if b.kind == self._kind_of(p)):
            ladder = p.ladders[0] if p.ladders else ()
            tier = ladder[0] if ladder and self.rng.random() < 0.7 else self.rng.choice(p.tiers).code
            self._certified_claims(self._cert(body.lead, p, body.on, tier, body=body), p.ladder_of(tier))

    def _shared_awards(self, p: Programme) -> None:
        """Prizes and standards won by units of one body, ranked; a result may win a prize of another level too."""
        for _ in range(max(1, round(len(self.orgs) * 0.02))):
            tier = self.rng.choice(p.tiers)
            earlier = [a for a in self.prizes if a[0] is not p] if p.rank_shares else []
            if earlier and p.code in self.seen and self.rng.random() < 0.3:  # a programme's first is its own
                _, subject, team, on = self.rng.choice(earlier)
                on = self._day(on, self.end - timedelta(days=60))
            else:
                body = self.rng.choice(self.bodies)
                size = self.rng.randint(1, 4) if p.code in self.seen else 1  # the first: one unit, never cut
                team = self.rng.sample([body.lead] + [m for m, _ in body.members], min(1 + len(body.members), size))
                team.sort(key=lambda o: not o.in_district)  # the first responsible unit is the district's own
                team[0] = team[0] if team[0].in_district else body.lead
                on = self._day(self.start + timedelta(days=60), self.end - timedelta(days=60))
                subject = f"{p.subject_kind}:{self.rng.choice(INDUSTRY)}关键技术（{p.code}-{len(self.certs) + 1:04d}）"
            self.prizes.append((p, subject, team, on))
            paid_ranks = tier.max_rank or max((s.last for s in p.rank_shares), default=len(team))
            for rank, org in enumerate(team, 1):
                if rank <= paid_ranks or self.rng.random() < 0.3:  # ranks the policy does not reward rarely claim
                    self._certified_claims(self._cert(org, p, max(on, org.since or on), tier.code, subject), (), rank)

    def _honours(self, p: Programme) -> None:
        members = [o for o in self.orgs if o.since and o.in_district]
        bottoms = [ladder[0] for ladder in p.ladders]
        for org in self.rng.sample(members, min(len(members), max(2, round(len(self.orgs) * 0.08)))):
            tier = self.rng.choice(bottoms) if bottoms and self.rng.random() < 0.6 else self.rng.choice(p.tiers).code
            on = self._day(max(self.start, org.since), self.end - timedelta(days=90))  # type: ignore[type-var]
            self._certified_claims(self._cert(org, p, on, tier), p.ladder_of(tier))

    def _products(self, p: Programme) -> None:
        members = [o for o in self.orgs if o.since and o.in_district]
        for n in range(max(2, round(len(self.orgs) * 0.05))):
            org = self.rng.choice(members)
            product = f"{p.subject_kind}:{self.rng.choice(INDUSTRY)}{self.rng.choice(PRODUCT)} BJ-{n + 1:03d}型"
            on = self._day(max(self.start, org.since), self.end - timedelta(days=60))  # type: ignore[type-var]
            self._certified_claims(self._cert(org, p, on, subject=product), ())

    def _declared(self, p: Programme) -> None:
        """Programmes claimed on declared figures: by a body's lead, by a chain leader, or by any unit."""
        if kind := self._kind_of(p):
            for body in (b for b in self.bodies if b.kind == kind):
                self._claim(body.lead, p, self._day(body.on, body.on + timedelta(days=90)), body=body)
        elif p.requires_designation or p.requires_body_lead:
            for org in (b.lead for b in self.bodies if not p.requires_designation
                        or p.requires_designation in b.lead.designated):
                ready = max(org.since, org.designated.get(p.requires_designation or "", self.start))  # type: ignore[type-var]
                for year in self.policy.years:
                    lo, hi = max(ready, date(year, 1, 1)), min(self.end, date(year, 12, 31))
                    if lo <= hi and self.rng.random() < 0.7:
                        self._claim(org, p, self._day(lo, hi))
        else:
            self._many(p)

    def _many(self, p: Programme) -> None:
        members = [o for o in self.orgs if o.since and o.in_district]
        others = [o for o in self.orgs if o not in members]  # non-members and units outside: mostly refused
        per_firm = {CapScope.ENTERPRISE_YEAR, CapScope.ENTERPRISE_TERM} & {c.scope for c in p.caps}
        weight = 0.6 if per_firm else 0.02 if p.kind is Kind.INVESTMENT else 0.1
        projects: dict[str, list[str]] = {}
        for _ in range(max(3, round(len(self.orgs) * weight))):
            wide = p.code in self.seen and others and self.rng.random() < 0.05
            org = self.rng.choice(others if wide else members)
            subject = None
            if p.kind is Kind.INVESTMENT or any(c.scope is CapScope.PROJECT for c in p.caps):
                mine = projects.setdefault(org.uscc, [])
                if not mine or self.rng.random() > 0.25:  # a quarter come back for a further phase
                    mine.append(f"project:{self.rng.choice(INDUSTRY)}产业化项目（{p.code}-{len(self.claims) + 1:04d}）")
                subject = self.rng.choice(mine)
            self._claim(org, p, self._day(max(self.start, org.since or self.start), self.end), subject=subject)

    def _cert(self, org: _Org, p: Programme, on: date, tier: str | None = None, subject: str | None = None,
              body: _Body | None = None) -> _Cert:
        self.certs.append(_Cert(f"cert-{len(self.certs) + 1}", org, p, on, tier, subject, body=body))
        return self.certs[-1]

    def _certified_claims(self, cert: _Cert, ladder: tuple[str, ...], rank: int | None = None) -> None:
        """Claim soon after a certification, again after an upgrade, and now and then twice by mistake."""
        first = cert.programme.code not in self.seen
        self._claim(cert.org, cert.programme, self._day(cert.on + timedelta(days=15), cert.on + timedelta(days=90)),
                    cert=cert, rank=rank)
        if cert.tier in ladder[:-1] and not first and self.rng.random() < 0.35:
            on = self._day(cert.on + timedelta(days=180), cert.on + timedelta(days=600))
            if on < self.end - timedelta(days=30):
                cert.upgrade = (ladder[ladder.index(cert.tier) + 1], on)  # type: ignore[arg-type]
                self._claim(cert.org, cert.programme, self._day(on + timedelta(days=15), on + timedelta(days=90)),
                            cert=cert, rank=rank)
        if self.rng.random() < 0.03:
            self._claim(cert.org, cert.programme, self.claims[-1].on, cert=cert, rank=rank)

    def _claim(self, org: _Org, p: Programme, on: date, *, cert: _Cert | None = None, rank: int | None = None,
               subject: str | None = None, body: _Body | None = None) -> None:
        good = p.code not in self.seen  # the programme's first claim: eligible, within caps, in a funded year
        self.seen.add(p.code)
        if good:
            lo = max(on, self.safe, org.since or on, *org.designated.values())
            on = self._day(lo, lo + timedelta(days=120))
        basis = requested = None
        if p.rate is not None:
            basis = (self._part(p.caps[0].limit, 15, 90) / p.rate if p.caps
                     else Decimal(self.rng.randrange(2_000_000, 30_000_000, 10_000))).quantize(Decimal(1))
        for threshold in p.thresholds:
            basis = self._part(threshold.minimum, 110 if good else 60, 250)
        if p.decided:  # rule 6: the bureau states the amount it decided, at most the programme's ceiling
            lo_pct, hi_pct = (10, 60) if p.kind is Kind.INVESTMENT else (30, 100)
            ceiling = p.max_award or (fen_down(basis * p.rate) if basis is not None and p.rate is not None else None)
            requested = (self._part(ceiling, lo_pct, hi_pct) if ceiling
                         else Decimal(self.rng.randrange(100_000, 3_000_000, 50_000)))
            if ceiling and not good and self.rng.random() < 0.08:
                requested = ceiling * Decimal("1.2")  # asks for more than the ceiling: refused, not cut
        waiting = 0.5 if on > self.end - timedelta(days=120) else 0.05  # recent claims are still being reviewed
        roll = self.rng.random()
        decision = ("approve" if good or roll >= waiting + 0.2 else "pending" if roll < waiting
                    else "reject" if roll < waiting + 0.08 else "lower")
        paid = self._day(on + timedelta(days=20), on + timedelta(days=120))
        part, then = Decimal(self.rng.randint(40, 70)) / 100, paid + timedelta(days=self.rng.randint(60, 200))
        plans = [((Decimal(1), paid),)] * 6 + [((part, paid),), ((part, paid), (Decimal(1), then))]
        self.claims.append(_Claim(
            f"claim-{len(self.claims) + 1}", org, p, on, cert, rank, subject, basis, requested, decision,
            Decimal(self.rng.randint(60, 95)) / 100, self.rng.choice(REJECTION),
            self.rng.choice(plans) if self.rng.random() < 0.9 else (), self.rng.random() < 0.03, body))

    def _kind_of(self, p: Programme) -> str | None:
        """The body kind an Art. 3 programme rewards, when its code names one (A3.erc -> erc)."""
        kind = p.code.rsplit(".", 1)[-1]
        return kind if kind in self.catalogue.body_kinds else None

    def _part(self, limit: Decimal, lo: int, hi: int) -> Decimal:
        """A round demo amount, to the thousand yuan, between lo% and hi% of a policy figure."""
        return (limit * self.rng.randint(lo, hi) / 100_000).to_integral_value(ROUND_DOWN) * 1000

    def _day(self, lo: date, hi: date) -> date:
        """A day from lo to hi, both kept inside the policy term."""
        lo = min(lo, self.end)
        hi = max(lo, min(hi, self.end))
        return lo + timedelta(days=self.rng.randint(0, (hi - lo).days))

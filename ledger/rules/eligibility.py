"""Who may benefit (Art. 1) and the programme-specific prerequisites: district, membership of a
recognised innovation organisation, designations such as chain leader, thresholds, ranks."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger.catalogue.model import Catalogue, Programme
from ledger.domain.errors import MissingFact, NotEligible
from ledger.domain.values import a_or_an, yuan
from ledger.rules.explanation import Explanation, later
from ledger.rules.facts import ClaimFacts, OrganisationFacts
from ledger.rules.term import require_in_term


def check_eligibility(catalogue: Catalogue, programme: Programme, facts: ClaimFacts, org: OrganisationFacts,
                      why: Explanation) -> str | None:
    """Refuse an ineligible claimant; return the innovation organisation (body) the claim counts under."""
    article = catalogue.policy.eligibility_article
    if not org.in_district:
        # What to send for a unit that has moved in since (a bureau probe): the move, then a claim from its day.
        moved = f"POST /v1/organisations/{org.uscc}/district-changes"
        raise NotEligible(f"{org.uscc} is registered as outside the district on {facts.effective_on}; Art. {article}"
                          f" benefits units inside Binjiang only. If it has moved into the district, record the move"
                          f" ({moved} with in_district true, effective_on the day it moved in, and the reason and"
                          " document_ref of the record of its move) and claim from that day",
                          zh=f"{org.uscc} 于 {facts.effective_on} 登记为辖区外单位；第{article}条只惠及滨江区内单位。"
                             f"如该单位已迁入辖区，请先记录迁入（{moved}，in_district 为 true，effective_on 为迁入"
                             "之日，并填写 reason 与迁入依据文件 document_ref），再以迁入之日起的日期申请")
    body_id: str | None
    if programme.body_kind:
        body_id = _recognised_body(catalogue, programme, facts, org, why)
    elif programme.requires_membership:
        body_id = _body(programme, facts, org)
        why.add("eligibility", article, later(_member, org.uscc, body_id, facts.effective_on), key="eligibility.member",
                uscc=org.uscc, body_id=body_id, on=facts.effective_on)
    else:
        body_id = _body(programme, facts, org) if facts.body_id else None
        why.add("eligibility", article, later(_open, org.uscc, programme.code), key="eligibility.open", uscc=org.uscc,
                programme=programme.code)
    if programme.requires_designation:
        since = org.designations.get(programme.requires_designation)
        wanted = programme.requires_designation
        if since is None:  # never recorded, or its certification revoked (whatever day it was revoked from)
            raise NotEligible(f"{programme.code} requires the designation {wanted}, and {org.uscc} holds none in force"
                              " (none was recorded, or its certification was revoked); record the designation first",
                              zh=f"{programme.zh}要求 {wanted} 认定，{org.uscc} 目前没有有效的该认定（从未记录，"
                                 "或其认定已被撤销）；请先记录该认定")
        if since > facts.effective_on:
            raise NotEligible(f"{programme.code} requires the designation {wanted}, which {org.uscc} holds only from"
                              f" {since.isoformat()}, after the claim's effective date"
                              f" {facts.effective_on.isoformat()}; claim for a fact on or after {since.isoformat()}",
                              zh=f"{programme.zh}要求 {wanted} 认定，{org.uscc} 自 {since.isoformat()} 起才具备，"
                                 f"晚于申请生效日期 {facts.effective_on.isoformat()}；请申请该日期及以后的事项")
        why.add("designation", programme.article, later(_designated, programme.requires_designation, since),
                key="designation",
                designation=programme.requires_designation, since=since)
    if programme.requires_body_lead and not any(m.is_lead for m in org.bodies_on(facts.effective_on)):
        raise NotEligible(f"{programme.code} requires {org.uscc} to lead a recognised innovation organisation"
                          f" on {facts.effective_on.isoformat()}",
                          zh=f"{programme.zh}要求 {org.uscc} 于 {facts.effective_on.isoformat()}"
                             " 牵头一家已认定的创新组织")
    for threshold in programme.thresholds:
        value = getattr(facts, threshold.fact)
        if value is None:
            raise MissingFact(f"{programme.code} needs {threshold.fact} ({threshold.name_en}) to test its threshold",
                              zh=f"{programme.zh}需要 {threshold.fact}（{threshold.name_zh}）来判断门槛",
                              field=threshold.fact)
        if value < threshold.minimum:
            raise NotEligible(f"{threshold.name_en} {yuan(value)} is below the threshold {yuan(threshold.minimum)}"
                              f" of Art. {programme.article}",
                              zh=f"{threshold.name_zh} {yuan(value)} 元低于第{programme.article}条的门槛"
                                 f" {yuan(threshold.minimum)} 元")
        why.add("threshold", programme.article, later(_reaches, threshold.name_en, value, threshold.minimum),
                key="threshold",
                name_zh=threshold.name_zh, value=value, minimum=threshold.minimum)
    return body_id


def _recognised_body(catalogue: Catalogue, programme: Programme, facts: ClaimFacts, org: OrganisationFacts,
                     why: Explanation) -> str:
    """Rule 13: a recognition award is paid for a recognised body of the programme's kind, to its lead unit."""
    kind = programme.body_kind
    kind_zh, kind_en = catalogue.body_kinds.get(kind, (kind, kind))  # type: ignore[arg-type]
    if facts.body_id is None:
        raise MissingFact(f"{programme.code} (Art. {programme.article}) rewards a recognised {kind_en} ({kind_zh}):"
                          f" give body_id, or the certification_id of the body's {programme.code} certification",
                          zh=f"{programme.name_zh}（{programme.code}，第{programme.article}条）奖励已认定的{kind_zh}：请填写创新组织编号"
                             f" body_id，或该组织{programme.zh}认定的 certification_id", field="body_id")
    held = next((m for m in org.memberships if m.body_id == facts.body_id), None)
    if held is None or not held.is_lead:
        raise NotEligible(f"{org.uscc} is not the lead unit of innovation body {facts.body_id}; Art."
                          f" {programme.article} pays {a_or_an(kind_en)} ({kind_zh}) recognition award to the"
                          " body's lead unit only, once per body",
                          zh=f"{org.uscc} 不是创新组织 {facts.body_id} 的牵头单位；第{programme.article}条的{kind_zh}"
                             "认定奖励只拨付给该组织的牵头单位，每个组织一次", field="body_id")
    if held.body_kind != kind:
        have_zh, have_en = catalogue.body_kinds.get(held.body_kind, (held.body_kind, held.body_kind))
        raise NotEligible(f"innovation body {facts.body_id} is {a_or_an(have_en)} ({have_zh}), not"
                          f" {a_or_an(kind_en)} ({kind_zh}); {programme.code} rewards {kind_en}s only",
                          zh=f"创新组织 {facts.body_id} 是{have_zh}，不是{kind_zh}；{programme.zh}只奖励{kind_zh}",
                          field="body_id")
    if not held.active_on(facts.effective_on):
        raise NotEligible(f"innovation body {facts.body_id} is recognised from {held.recognised_on.isoformat()},"
                          f" after the claim's effective date {facts.effective_on.isoformat()}",
                          zh=f"创新组织 {facts.body_id} 自 {held.recognised_on.isoformat()} 起认定，晚于申请生效日期"
                             f" {facts.effective_on.isoformat()}", field="effective_on")
    if programme.tiers and facts.certification_id is None:
        raise NotEligible(f"innovation body {facts.body_id} ({kind_en}) has no {programme.code} certification: the"
                          " level of a recognition award comes from the body's certification; record it first",
                          zh=f"创新组织 {facts.body_id}（{kind_zh}）没有{programme.zh}认定：认定奖励的等次来自"
                             "该组织的认定，请先记录认定")
    if not programme.tiers:
        # A recognition award without levels (the alliance's start-up money) rewards the body's recognition, the
        # fact the claim rests on (rule 1), certification or none: an alliance recognised before the term is not
        # "新认定的" (a rules probe had one recognised in 2021 paid 300,000, then, once a certification dated in the
        # term was recorded for it, a regression probe). One with levels rests on its certification's tier, whose
        # day was checked when it was recorded (an ERC recognised before the term may reach a higher level in it).
        require_in_term(catalogue.policy, held.recognised_on, "the body's recognition date")
    why.add("recognised_body", programme.article, later(_leads, org.uscc, facts.body_id, kind_en, kind_zh),
            key="recognised_body",
            uscc=org.uscc, body_id=facts.body_id, kind_zh=kind_zh)
    return facts.body_id


def _body(programme: Programme, facts: ClaimFacts, org: OrganisationFacts) -> str:
    active = org.bodies_on(facts.effective_on)
    if facts.body_id is not None:
        if not any(m.body_id == facts.body_id for m in active):
            raise NotEligible(f"{org.uscc} is not a member of innovation organisation {facts.body_id} on"
                              f" {facts.effective_on.isoformat()}; add the membership first",
                              zh=f"{org.uscc} 于 {facts.effective_on.isoformat()} 不是创新组织 {facts.body_id} 的成员；"
                                 "请先添加成员关系", field="body_id")
        return facts.body_id
    if not active:
        raise NotEligible(f"{org.uscc} is not a member of any recognised innovation organisation on"
                          f" {facts.effective_on.isoformat()}; {programme.code} (Art. {programme.article})"
                          " benefits members of such organisations only",
                          zh=f"{org.uscc} 于 {facts.effective_on.isoformat()} 不是任何已认定创新组织的成员；"
                             f"{programme.name_zh}（{programme.code}，第{programme.article}条）只惠及创新组织成员")
    leads = [m for m in active if m.is_lead]
    return (leads or sorted(active, key=lambda m: m.joined_on))[0].body_id


# The steps' sentences, written only when a step is read (ledger/rules/explanation.py: `later`).
def _member(uscc: str, body_id: str | None, on: date) -> str:
    return f"{uscc} is inside the district and a member of innovation organisation {body_id} on {on.isoformat()}"


def _open(uscc: str, programme: str) -> str:
    return f"{uscc} is inside the district; {programme} does not require membership of an innovation organisation"


def _designated(designation: str, since: date) -> str:
    return f"designated {designation} since {since.isoformat()}"


def _reaches(name_en: str, value: Decimal, minimum: Decimal) -> str:
    return f"{name_en} {yuan(value)} reaches the threshold {yuan(minimum)}"


def _leads(uscc: str, body_id: str, kind_en: str, kind_zh: str) -> str:
    return (f"{uscc} leads innovation body {body_id}, a recognised {kind_en} ({kind_zh}), inside the district:"
            " the award belongs to the body and is paid to its lead unit")

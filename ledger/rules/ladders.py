"""One time means once (rule 2) and upgrade top-ups (rule 3, Art. 16: 晋升到高等次时补足差额部分)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from ledger.catalogue.model import Policy, Programme
from ledger.domain.errors import AlreadyAwarded, CapExceeded, Conflict, Superseded
from ledger.domain.values import yuan
from ledger.messages import SCOPES_ZH, status_zh
from ledger.rules.caps import SCOPE_TEXT
from ledger.rules.explanation import Explanation
from ledger.rules.facts import AccountState, ClaimFacts, Entry

ZERO = Decimal("0.00")
ONCE_ZH = {"per organisation": "每个单位", "per body": "每个创新组织", "per subject": "每个事项",
           "per award_year": "每个奖补年度",
           "per certification and rung": "每项认定每个等次"}


def tier_zh(programme: Programme, tier: str | None) -> str:
    """A tier as the pages name it in Chinese (国家级), in quotes; its code only where it has no name: the code read
    as English (a zh probe), and beside the name as a code in Chinese text (a clerk's probe)."""
    found = programme.tier(tier) if tier else None
    return f"“{found.name_zh}”" if found and found.name_zh else str(tier)


def tier_en(programme: Programme, tier: str | None) -> str:
    found = programme.tier(tier) if tier else None
    return f"{found.name_en} ({tier})" if found and found.name_en and found.name_en != tier else str(tier)


def top_up(policy: Policy, programme: Programme, tier: str, ladder: AccountState, amount: Decimal,
           standing: Decimal, why: Explanation) -> tuple[Decimal, Decimal]:
    """Refuse a rung already reached on this ladder; otherwise owe only the difference over earlier rungs.

    Returns what is owed now and the claim's standing on the ladder. Only what was awarded on a lower rung
    is deducted (a rejected lower rung deducts nothing; one approved for less deducts what was approved), so
    the ladder never pays more, nor less, than its highest rung reached."""
    rungs = programme.ladder_of(tier)
    here = rungs.index(tier)
    earlier = [e for e in ladder.live_before if e.tier in rungs]
    # A higher rung revoked whose paid part is still owed back (or written off) is no rung reached: the organisation
    # never stood there. Its kept part counts as awarded, so a lower rung it holds tops up over it (a first prize
    # revoked as really a second, 500,000 of it kept: the second pays 500,000; a corrections probe had it refused
    # for good once the part was written off). The same rung stays refused until the part comes back.
    reached = [e for e in earlier if (rungs.index(e.tier) > here and not e.kept)  # type: ignore[arg-type]
               or e.tier == tier]
    if reached:
        # A standing claim is named before a revoked one whose paid part holds the rung (as supersession names it)
        e = next((r for r in reached if not r.kept), reached[0])
        if e.kept:
            raise _held_by_kept(e, f"{programme.code} {tier_en(programme, tier)} is held on this ladder by"
                                f" claim {e.claim_id}, revoked", f"{programme.zh}{tier_zh(programme, tier)}仍由已撤销的"
                                f"申请 {e.claim_id} 占用", "a tiered award is paid once", "同一等次只奖励一次")
        # A pending claim holds its rung as an approved one does (rule 3), but it was not "awarded" (a rules probe).
        done, done_zh = (("awarded", "奖励") if e.status == "approved" else
                         ("claimed (pending; it holds the rung until decided)", "申请（待审批，审批前占用该等次）"))
        if e.tier != tier:  # rule 3: a lower rung after a higher one is paid nothing; it is no "same tier"
            raise AlreadyAwarded(f"{programme.code}: a higher rung, {tier_en(programme, e.tier)}, was already {done}"
                                 f" on this ladder by claim {e.claim_id}; {tier_en(programme, tier)} is lower, and a"
                                 " lower or equal rung after a higher one is paid nothing",
                                 zh=f"{programme.zh}更高等次{tier_zh(programme, e.tier)}已由申请 {e.claim_id} "
                                    f"{done_zh}；本申请的{tier_zh(programme, tier)}低于该等次，不再奖励",
                                 earlier_claim=e.claim_id)
        raise AlreadyAwarded(f"{programme.code} {e.tier} was already {done} on this ladder by claim {e.claim_id};"
                             " a tiered award is paid once, and only a higher rung tops it up",
                             zh=f"{programme.zh}{tier_zh(programme, e.tier)}已由申请 {e.claim_id} {done_zh}；"
                                "同一等次只奖励一次，只有晋升到更高等次才补足差额",
                             earlier_claim=e.claim_id)
    if not earlier:
        return amount, standing
    awarded = sum((e.amount for e in earlier), ZERO)
    counted = sum((e.gross for e in earlier), ZERO)
    owed = amount - awarded
    # Over a revoked higher rung's kept part it is no upgrade: said as what it is (a regression probe read "upgrade
    # from a lower rung (first prize …)" of a second prize).
    above = next((e for e in earlier if e.kept and rungs.index(e.tier) > here), None)  # type: ignore[arg-type]
    if owed <= 0:
        if above is not None:
            refused = AlreadyAwarded(f"{programme.code}: claim {above.claim_id}, revoked at the higher rung"
                                     f" {tier_en(programme, above.tier)}, keeps {yuan(above.amount)} paid on this"
                                     f" ladder until it is repaid, and this ladder already counts {yuan(awarded)}, as"
                                     f" much as {tier_en(programme, tier)}: nothing is owed now; claim again once it is"
                                     " repaid",
                                     zh=f"{programme.zh}：已撤销的较高等次{tier_zh(programme, above.tier)}（申请"
                                        f" {above.claim_id}）已拨付的 {yuan(above.amount)} 元在退回前仍计入本序列，"
                                        f"本序列已计 {yuan(awarded)} 元，不低于{tier_zh(programme, tier)}的额度："
                                        "现无可奖励；退回后可再申请",
                                     earlier_claim=above.claim_id)
            # Written off, it is never repaid: "claim again once it is repaid" could not happen (a regression probe)
            refused.if_written_off = AlreadyAwarded(  # type: ignore[attr-defined]
                f"{programme.code}: claim {above.claim_id}, revoked at the higher rung"
                f" {tier_en(programme, above.tier)}, keeps {yuan(above.amount)} paid on this ladder, which was written"
                f" off: it counts for good, and this ladder already counts {yuan(awarded)}, as much as"
                f" {tier_en(programme, tier)}: nothing is owed. It frees only if the write-off is reversed and that"
                " part repaid in full",
                zh=f"{programme.zh}：已撤销的较高等次{tier_zh(programme, above.tier)}（申请 {above.claim_id}）"
                   f"已拨付未退回的 {yuan(above.amount)} 元已核销，将一直计入本序列；本序列已计 {yuan(awarded)} 元，"
                   f"不低于{tier_zh(programme, tier)}的额度：无可奖励。只有冲回核销并全额退回后才会释放",
                earlier_claim=above.claim_id)
            raise refused
        raise AlreadyAwarded(f"earlier rungs of {programme.code} already awarded {yuan(awarded)}, as much as {tier}",
                             zh=f"{programme.zh}较低等次已奖励 {yuan(awarded)} 元，"
                                f"不低于{tier_zh(programme, tier)}的额度",
                             earlier_claim=earlier[0].claim_id)
    lower = ", ".join(f"{e.tier} {yuan(e.amount)} (claim {e.claim_id}{', revoked: its paid part' if e.kept else ''})"
                      for e in earlier)
    key, said = (("kept_rung_top_up", f"claims on this ladder already count {yuan(awarded)} ({lower}; a revoked"
                  " award's paid part counts until it is repaid)") if above is not None else
                 ("upgrade_top_up", f"upgrade from a lower rung already awarded ({lower})"))
    why.add("upgrade_top_up", policy.upgrade_article,
            f"{said}: only the difference {yuan(amount)} - {yuan(awarded)} = {yuan(owed)} is owed", owed, key=key,
            rung=amount,
            awarded=awarded, owed=owed,
            lower=[{"tier": e.tier, "amount": e.amount, "claim": e.claim_id,
                    **({"tier_zh": found.name_zh} if (found := programme.tier(e.tier)) and found.name_zh else {})}
                   for e in earlier])
    return owed, max(standing - counted, ZERO)


def _held_by_kept(e: Entry, held: str, held_zh: str, rule: str, rule_zh: str) -> AlreadyAwarded:
    """A rung or one-time slot held by a revoked award's kept part (`e`: paid, not repaid), refused saying so and when
    it frees: once that part is repaid in full; written off (`if_written_off`, which the application gives where the
    claim's recovery was: the rules do not know), for good unless the write-off is reversed. It read "already
    awarded by claim X", with no word that X was revoked (a regression probe; as 0ae866d and 39db81d say it)."""
    kept = yuan(e.amount)
    refused = AlreadyAwarded(f"{held}: it keeps {kept} paid until that is repaid in full, and {rule}. Claim again once"
                             " it is repaid in full",
                             zh=f"{held_zh}：其已拨付的 {kept} 元在全额退回前仍计入，{rule_zh}；全额退回后可再申请",
                             earlier_claim=e.claim_id)
    refused.if_written_off = AlreadyAwarded(  # type: ignore[attr-defined]
        f"{held}: the {kept} it kept of what it was paid was written off, so it stays held (that money stayed with"
        f" the organisation), and {rule}. It frees only if the write-off is reversed and that part repaid in full",
        zh=f"{held_zh}：其已拨付未退回的 {kept} 元已核销，将一直占用（该款项留在本单位），{rule_zh}；只有冲回核销"
           "并全额退回后才会释放",
        earlier_claim=e.claim_id)
    return refused


def once_only(programme: Programme, slot: AccountState, what: str) -> None:
    """A one-time slot (per organisation, body, subject, year or certification) already held is refused."""
    if slot.live:
        # A standing claim is named before a revoked one whose paid part holds the slot (as supersession names it)
        e = next((x for x in slot.live if not x.kept), slot.live[0])
        once_zh = f"{programme.zh}{ONCE_ZH.get(what.split(' (')[0], what)}只奖励一次"
        if e.kept:
            raise _held_by_kept(e, f"{programme.code} is paid once {what}, and claim {e.claim_id}, revoked,"
                                " still holds it", f"{once_zh}，已撤销的申请 {e.claim_id} 仍占用该名额",
                                "a one-time award is not paid twice while it is held", "占用期间不再奖励")
        raise AlreadyAwarded(f"{programme.code} is paid once {what}, and claim {e.claim_id} already holds it",
                             zh=f"{programme.zh}{ONCE_ZH.get(what.split(' (')[0], what)}只奖励一次，"
                                f"申请 {e.claim_id} 已获得",
                             earlier_claim=e.claim_id)


def rank_slot(programme: Programme, slot: AccountState, uscc: str, rank: int, subject: str) -> None:
    """Rule 11: a rank of one prize or standard already claimed by another unit is refused `conflict`."""
    held = [e for e in slot.live if e.uscc not in (None, uscc)]
    if held:
        e = held[0]
        raise Conflict(f"rank {rank} of {programme.code} for {subject} is already claimed by {e.uscc} (claim"
                       f" {e.claim_id}, {e.status}); each rank is held by one unit. Check the rank, or reject or"
                       " withdraw that claim first",
                       zh=f"{programme.zh}事项 {subject} 的第 {rank} 名已由 {e.uscc} 申请（申请 {e.claim_id}，"
                          f"{status_zh(e.status)}）；每个排名只属于一个单位。请核对排名，或先驳回、撤回该申请",
                       earlier_claim=e.claim_id)


def _cap_words(key: str, facts: ClaimFacts, lang: str) -> str:
    """A cap account's key (`cap:<scope>:<programme>:<owner>`) in words: its scope, and a project's subject as the
    claim writes it (the key folds it)."""
    scope = key.split(":")[1] if key.count(":") >= 2 else ""
    said = SCOPES_ZH.get(scope, "上限") if lang == "zh" else SCOPE_TEXT.get(scope, "cap")
    if scope == "project" and facts.subject:
        return f"{said}：{facts.subject}" if lang == "zh" else f"{said}: {facts.subject}"
    return said


def _superseding(why: Explanation) -> tuple[str, Decimal, str, str] | None:
    """The better award on the subject that the supersession step just deducted: its programme, its standing, a
    claim of it and the subject; None where no such step cut the award."""
    step = next((s for s in reversed(why.steps) if s.key == "supersession"), None)
    if step is None or not step.given:
        return None
    best = str(step.given["best"])
    claim = next((str(c["claim"]) for c in step.given["counted"] if c["programme"] == best), "")  # type: ignore[index, union-attr]
    return best, step.given["best_standing"], claim, str(step.given["subject"])  # type: ignore[return-value]


def completes(policy: Policy, facts: ClaimFacts, states: Iterable[AccountState], amount: Decimal, standing: Decimal,
              why: Explanation, *, before_caps: Decimal, caps: tuple[str, ...] = (),
              after_caps: Decimal | None = None, names_zh: Mapping[str, str] | None = None
              ) -> tuple[Decimal, Decimal]:
    """A top-up of an approved award (`facts.tops_up`): the rules gave the award `amount` just now, assessed in its
    place (it and its earlier top-ups left out of every tally); owed is what that passes what they were entitled to
    (rule 3: "only what was awarded on a lower rung is deducted", so a lower rung revoked after the award was
    approved net of it leaves the award owed the rest). Nothing short is refused with the code of the rule that
    brought it there (rule 9): `cap_exceeded` where its caps left no more (`after_caps`, before a better award on its
    subject was deducted), `superseded` where the better award did, else `already_awarded`."""
    held = facts.topped_amount or ZERO
    owed = amount - held
    with_top_ups = len(facts.topping) > 1
    after_caps = amount if after_caps is None else after_caps
    if owed <= 0 < after_caps - held and (step := _superseding(why)) is not None:
        # Its caps left room for more: a better award on its subject took it (an A4 award approved net of a
        # provincial prize on its project was told its project cap, 4,900,000 of 5,000,000 left, had no room: a
        # corrections probe). Said with that award's claim, and what would free it.
        best, standing_of, claim, subject = step
        raise Superseded(f"the rules give claim {facts.tops_up}'s award {yuan(after_caps)} within its caps, but"
                         f" subject {subject!r} already stands at {yuan(standing_of)} under {best} (claim {claim}),"
                         f" so the award is owed the difference {yuan(amount)}, no more than the {yuan(held)} it was"
                         f" entitled to: nothing is short. Art. {policy.supersession_article} pays the best, highest"
                         " award once; top up again once that award no longer stands (revoked, and what it was paid"
                         " repaid)",
                         zh=f"按现行规则，申请 {facts.tops_up} 的奖励计入上限后为 {yuan(after_caps)} 元，但事项"
                            f" {subject!r} 已在{(names_zh or {}).get(best, f' {best} ')}下计得 {yuan(standing_of)} 元"
                            f"（申请 {claim}），"
                            f"该奖励只应得差额 {yuan(amount)} 元，未超过其原核定的 {yuan(held)} 元：没有差额可补。"
                            f"按第{policy.supersession_article}条从优、从高、不重复；待该奖励不再计入（被撤销且已付款项"
                            "退回）后可再次补足",
                         earlier_claim=claim)
    if owed <= 0 < before_caps - held:
        # Its caps brought it there, not the award (rule 9: the code of the rule that did; a top-up probe read
        # "nothing is short" of an award the rules owed more but a cap had no room for).
        # Each cap by its scope in words (a project's by the claim's subject as written), its key kept in `cap`; where
        # to read the caps' use said as a place, not an API path; and what the caps leave said as the award's most,
        # not as a cap's headroom, which its own award fills (a clerk read a key, a path and "只余 2,500,000" beside
        # a bar at 0.00 on a page: two probes).
        named = ", ".join(dict.fromkeys(_cap_words(c, facts, "en") for c in caps)) or "its caps"
        named_zh = "、".join(dict.fromkeys(_cap_words(c, facts, "zh") for c in caps)) or "上限"
        raise CapExceeded(f"the rules give claim {facts.tops_up}'s award {yuan(before_caps)} before its caps, more than"
                          f" the {yuan(held)} it was entitled to, but its caps ({named}) hold it to {yuan(amount)}"
                          f" (what other claims leave there): no headroom is left for the difference. The"
                          f" organisation {facts.uscc}'s awards show each cap's use (its page's cap headroom); top up"
                          " again once a claim there frees room",
                          zh=f"按现行规则，申请 {facts.tops_up} 的奖励在计上限前为 {yuan(before_caps)} 元，"
                             f"高于其原应享的 {yuan(held)} 元，但计入上限（{named_zh}）后最多为 {yuan(amount)} 元"
                             f"（其他申请占用之外的余额）：差额已无额度可补。各上限的使用情况见企业 {facts.uscc} 的"
                             "奖补情况页“限额余量”；待有申请释放额度后可再次补足", earlier_claim=facts.tops_up,
                          **({"cap": caps[0]} if caps else {}))
    if owed <= 0:
        # Said of what it was entitled to, not "核定" (approved): an approval lowered to 100,000 of 200,000 was told
        # it was 核定 at 200,000, and nothing said how a lowered approval is corrected (a clerk's probe).
        # What the rules give before its caps where they hold it to less (a decided amount, A13's, approved below
        # its request, the room it left taken since): nothing is short of that either (an oracle probe).
        given, given_zh = yuan(amount), f"{yuan(amount)} 元"
        if before_caps > amount:
            given = f"{yuan(before_caps)} before its caps and other awards ({yuan(amount)} after)"
            given_zh = f"计上限及其他奖励前 {yuan(before_caps)} 元（计入后 {yuan(amount)} 元）"
        raise AlreadyAwarded(f"claim {facts.tops_up} was entitled to {yuan(held)}"
                             f"{' with its earlier top-ups' if with_top_ups else ''}, and the rules give that award"
                             f" {given} now: nothing is short. A top-up pays what the award is owed beyond what"
                             " it was entitled to (after a lower rung or a better award it was approved net of was"
                             " revoked, say); an amount lowered at approval is not topped up: if it was lowered in"
                             " error, revoke the award and submit the claim again, to be approved at the right amount",
                             zh=f"申请 {facts.tops_up}{' 连同此前的补足申请' if with_top_ups else ''} 原应享"
                                f" {yuan(held)} 元，按现行规则该奖励为 {given_zh}：没有差额可补。"
                                "补足只支付该奖励现应得、"
                                "超出原应享金额的部分（例如其核定时扣除的较低等次或更优奖励此后被撤销）；审批时调低的"
                                "批准金额不以补足更正：如系误调低，请撤销该奖补后重新提交申请，按正确金额审批",
                             earlier_claim=facts.tops_up)
    # What the award already stands at on its subject and ladder: this claim stands only for the rest. The award
    # and its top-ups stand at what the bureau decided (an approval it lowered lost the cut, rule 6): the cut is not
    # stood for again here, or the top-up brought it back on the subject, and a lower prize on the project was paid
    # the 400,000 the bureau cut from an A4 award (an oracle probe: 828,000 approved where rule 4 gives 500,000).
    stood: dict[str, Decimal] = {}
    awarded: dict[str, Decimal] = {}
    for state in states:
        for e in state.entries:
            if e.claim_id in facts.topping and e.claim_id not in stood:
                stood[e.claim_id], awarded[e.claim_id] = e.gross, e.amount
    # `held` is what they were entitled to (a revoked one's kept part), each entry holds what was approved (or is
    # reserved): the difference is what approvals cut.
    cut = max(held - sum(awarded.values(), ZERO), ZERO) if set(awarded) == set(facts.topping) else ZERO
    why.add("award_top_up", policy.upgrade_article,
            f"top-up of claim {facts.tops_up}: the rules give that award {yuan(amount)} now, and it"
            f"{' with its earlier top-ups' if with_top_ups else ''} was entitled to {yuan(held)}, so only the"
            f" difference {yuan(amount)} - {yuan(held)} = {yuan(owed)} is owed", owed, key="award_top_up",
            award=amount, held=held, owed=owed, claim=facts.tops_up, claims=list(facts.topping))
    return owed, max(standing - sum(stood.values(), ZERO) - cut, ZERO)

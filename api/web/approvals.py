"""What an approval from a claim's page must not book unseen: an entitlement the rules re-assessed since the page
showed it (rule 12 runs again at approval), or a lowered amount with no reason given. Both are read from the
approval's dry run and sent back to the clerk; the JSON API's approval books what it is sent, as its contract says."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from api.web import i18n
from api.web.amounts import plain_amount, yuan
from api.web.correction_forms import FormState

i18n.MESSAGES.update({
    "reassessed_title": ("应享金额已重新核定", "The entitlement was re-assessed"),
    "reassessed": ("应享已重新核定为 {now}（页面显示为 {shown}），请核对后再批准；本次未记录任何内容。",
                   "The entitlement was re-assessed at {now} (the page showed {shown}); check it, then approve"
                   " again. Nothing was recorded."),
    "lowered_title": ("调低金额须说明理由", "A lowered amount needs its reason"),
    "fix_lowered_note": ("批准金额 {amount}低于应享金额 {entitled}：请在“审批意见”中写明调低的理由；"
                         "本次未记录任何内容。",
                         "The amount, {amount}, is below the entitlement of {entitled}: give the reason for lowering"
                         " it in the note. Nothing was recorded."),
    "decided_approved": ("审批已记录：已批准 {amount}。", "The decision is recorded: {amount} approved."),
})


def _figure(text: str) -> Decimal | None:
    try:
        return Decimal(plain_amount(text))
    except InvalidOperation:
        return None


def approval_held(dry_run: FormState, shown: str, note: str, lang: str) -> FormState | None:
    """The approval's dry run sent back to the clerk, as typed, when the entitlement it would book is not the
    figure the page `shown`, or when it lowers the amount with no `note`; None when it may be booked."""
    t = i18n.translator(lang)
    view = dry_run.preview or {}
    entitled, approved = Decimal(view["entitled_amount"]), Decimal(view["approved_amount"])
    if _figure(shown) != entitled:
        dry_run.status = 409
        dry_run.refusal = {"code": "conflict", "title": t("reassessed_title"),
                           "detail": t("reassessed", now=yuan(entitled, lang), shown=yuan(_figure(shown), lang))}
        return dry_run
    if approved < entitled and not note.strip():
        said = t("fix_lowered_note", amount=yuan(approved, lang), entitled=yuan(entitled, lang))
        dry_run.status, dry_run.errors = 422, {"note": said}
        dry_run.refusal = {"code": "missing_field", "title": t("lowered_title"), "detail": said}
        return dry_run
    return None

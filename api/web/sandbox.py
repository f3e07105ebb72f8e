"""The sandbox page: a draft catalogue (uploaded, pasted, or the catalogue in force with numbers edited) is
simulated over the recorded ledger; the deltas as a table and bars, and the same answer as CSV or XLSX."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import LedgerDep
from api.long_queries import long_query
from api.problems import chinese_detail
from api.reports import simulation as report
from api.reports.sheet import MEDIA_TYPES
from api.routes.simulations import named_simulation
from api.web.i18n import MESSAGES, language, translator
from api.web.pages import PageRoute, render
from api.web.sandbox_form import PREFIX, NumberError, draft_from, numbers
from api.web.session import CsrfChecked, allowing
from ledger.catalogue.draft import DraftError
from ledger.domain.errors import InvalidUscc, LongQueriesBusy
from ledger.domain.values import Uscc
from ledger.principals import Role

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Simulator = allowing(Role.AUDITOR, Role.ADMIN, Role.BUREAU, doing="simulate a draft catalogue")
MESSAGES.update({
    "sandbox": ("政策沙盘", "Policy sandbox"),
    "sandbox_intro": ("用草案政策重放全部已记录的申请（不写入账本），与现行政策对比。",
                      "Replays every recorded claim under a draft catalogue (nothing is written) beside the one"
                      " in force."),
    "draft_file": ("上传草案（TOML 文件）", "Upload a draft (TOML file)"),
    "draft_text": ("或粘贴草案全文", "or paste the draft"),
    "draft_pasted": ("粘贴的草案", "The pasted draft"), "draft_uploaded": ("上传的草案", "The uploaded draft"),
    "draft_numbers": ("或修改现行政策的金额、比例与上限", "or edit the amounts, rates and limits in force"),
    "uscc_explain": ("逐笔说明某单位（统一社会信用代码，可留空）",
                     "Explain one organisation's claims (USCC, optional)"),
    "simulate": ("测算", "Simulate"), "baseline": ("现行政策", "In force"), "simulated": ("草案", "Draft"),
    "delta": ("差额", "Delta"), "gaining": ("增加最多的单位", "Gaining most"),
    "losing": ("减少最多的单位", "Losing most"),
    "draft_refused": ("草案未通过校验", "The draft does not validate"), "field": ("字段", "Field"),
    "uscc_refused": ("统一社会信用代码有误，未测算", "The USCC is not valid: nothing was simulated"),
    "simulation_busy": ("系统繁忙，暂未测算", "Busy: nothing was simulated"),
    "simulation_busy_detail": ("本进程同时运行的政策模拟与按时点对账已达上限；请稍后再点“测算”。",
                               "This process already runs as many simulations and reconciliations as of a moment"
                               " as it runs at once; press Simulate again in a moment."),
    "line": ("行", "Line"), "fund_years": ("专项资金（已批准奖励）", "Special fund (approved awards)"),
    "over_appropriation": ("超出预算", "over the appropriation"), "dropped": ("草案已删除", "dropped by the draft"),
    "by_bureau": ("按牵头部门", "By lead bureau"), "by_year": ("按奖励年度", "By award year"),
})


@router.get("/ui/sandbox", dependencies=[Simulator])
def sandbox(request: Request) -> Response:
    """The draft form."""
    return render(request, "sandbox.html", numbers=numbers(), answer=None, error=None, form={})


@router.post("/ui/sandbox", dependencies=[Simulator, CsrfChecked])
async def simulate(request: Request, ledger: LedgerDep) -> Response:
    """Simulate the draft; answer the page, or the CSV or XLSX file when that button was pressed."""
    form = await request.form()
    upload = form.get("file")
    data = b"" if upload is None or isinstance(upload, str) else await upload.read()
    edited = {k[len(PREFIX):]: str(v) for k, v in form.items() if k.startswith(PREFIX)}
    pasted, uscc, fmt = (str(form.get(k) or "") for k in ("draft", "uscc", "format"))
    kept = {"draft": pasted, "uscc": uscc, **{f"{PREFIX}{k}": v for k, v in edited.items()}}
    try:
        # Reading a draft takes up to seconds of CPU, a bad one too: in a long query's slot, off the loop.
        with long_query(request).slot():
            try:
                draft = await run_in_threadpool(draft_from, data, pasted, edited, language(request))
                who = str(Uscc.parse(uscc)) if uscc.strip() else None
            except DraftError as err:
                said = err.zh if language(request) == "zh" and err.zh else str(err)  # the reader's own words
                whole = {"toml": "draft_uploaded" if data.strip() else "draft_pasted", "file": "draft_uploaded"}
                label = err.label(language(request)) if isinstance(err, NumberError) else \
                    translator(language(request))(whole[err.field]) if err.field in whole else None
                others = [{"field": o.field, "label": o.label(language(request)),
                           "detail": o.zh if language(request) == "zh" and o.zh else str(o)}
                          for o in getattr(err, "others", ())]
                error = {"detail": said, "field": err.field, "line": err.line, "label": label,
                         "code": "invalid_catalogue", "others": others,
                         "fields": [err.field, *(o["field"] for o in others)]}
                return render(request, "sandbox.html", 422, numbers=numbers(), answer=None, error=error, form=kept)
            except InvalidUscc as err:
                # The draft is fine: the organisation's code is what to fix (a sandbox probe was told the draft did
                # not validate).
                error = {"detail": chinese_detail(err) if language(request) == "zh" else err.detail, "field": "uscc",
                         "line": None, "heading": "uscc_refused", "label": translator(language(request))("uscc"),
                         "code": err.code}
                return render(request, "sandbox.html", 422, numbers=numbers(), answer=None, error=error, form=kept)
            answer = await run_in_threadpool(named_simulation, ledger, draft, who)
    except LongQueriesBusy:
        error = {"detail": translator(language(request))("simulation_busy_detail"), "field": None, "line": None,
                 "busy": True, "code": "busy"}
        return render(request, "sandbox.html", 503, numbers=numbers(), answer=None, error=error, form=kept)
    if fmt in report.RENDERERS:
        return Response(report.RENDERERS[fmt](answer), media_type=MEDIA_TYPES[fmt],
                        headers={"Content-Disposition": f'attachment; filename="simulation.{fmt}"'})
    return render(request, "sandbox.html", numbers=numbers(), answer=answer, error=None, form=kept,
                  bureaus={b.code: b for b in ledger.catalogue().bureaus})  # names in the page's language

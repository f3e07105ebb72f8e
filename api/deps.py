"""The dependencies routes declare, as `Annotated` aliases: the ledger, the read models, who is calling."""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth import BEARER_PRINCIPAL, SUBREQUEST_PRINCIPAL, Principals
from api.field_messages import KEY_PATTERN
from api.problems import InvalidBody, Unauthenticated
from api.settings import Settings
from ledger.application import AwardLedger, Outcome
from ledger.domain.errors import Forbidden, InvalidInput
from ledger.principals import Principal, Role, role_refusal_zh
from ledger.refused_keys import FormKey
from projections.readmodels import ReadModels
from projections.replica import Replica
from projections.runner import Projector

log = logging.getLogger("award_ledger.api")

SIGNAL_WAIT = 0.5  # seconds a command trusts the in-process projector's signal before asking the read models

bearer = HTTPBearer(auto_error=False, description="a token whose SHA-256 is in LEDGER_AUTH_FILE")


# Every dependency that does no I/O is `async def`: FastAPI runs a plain `def` one in a worker thread, and
# handing a request to a thread and back cost more than what these do (bench/RESULTS.md, issue 17, third pass).
async def _settings(request: Request) -> Settings:
    return request.app.state.settings


async def _ledger(request: Request) -> AwardLedger:
    return request.app.state.ledger


async def _read_models(request: Request) -> ReadModels:
    return request.app.state.read_models


SettingsDep = Annotated[Settings, Depends(_settings)]
LedgerDep = Annotated[AwardLedger, Depends(_ledger)]
ReadModelsDep = Annotated[ReadModels, Depends(_read_models)]


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def _principal(request: Request, credentials: Credentials) -> Principal:
    return _named(request, credentials)


def _named(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    state = request.scope.get("state") or {}
    acting_for = state.get(SUBREQUEST_PRINCIPAL)
    if acting_for is not None:
        return acting_for
    if credentials is None:
        raise Unauthenticated("this resource needs a principal: send Authorization: Bearer <token>",
                              zh="此资源需要身份凭证：请在请求头中发送 Authorization: Bearer <令牌>")
    token, found = state.get(BEARER_PRINCIPAL) or (None, None)
    if token != credentials.credentials:  # not looked up by api/front.py for this very token: look it up
        principals: Principals = request.app.state.principals
        found = principals.find(credentials.credentials)
    if found is None:
        raise Unauthenticated("the bearer token matches no principal in LEDGER_AUTH_FILE; check the token, or ask"
                              " the ledger's operator to add its SHA-256 to the principals file",
                              zh="该 Bearer 令牌与 LEDGER_AUTH_FILE 中的任何主体都不匹配；请核对令牌，或请台账运维人员"
                                 "将其 SHA-256 登记到主体文件中")
    return found


PrincipalDep = Annotated[Principal, Depends(_principal)]


def requires(*roles: Role, doing: str) -> Callable[..., Any]:
    """A dependency refusing principals whose role the contract's table does not list for a route.

    It runs before the body is read, so a wrong role hears 403 whatever it sent. For commands the
    application checks again (and checks the bureau); reads rely on this alone.
    """
    allowed = " or ".join(r.value for r in roles)

    async def gate(request: Request, credentials: Credentials) -> Principal:
        by = _named(request, credentials)  # not through PrincipalDep: a level of dependencies fewer to solve
        if by.role not in roles:
            raise Forbidden(f"{by.name} ({by.role.value}) may not {doing}; that needs {allowed}",
                            zh=role_refusal_zh(by.name, by.role.value, doing, tuple(r.value for r in roles)))
        return by

    return gate


KEY_MAX = 200  # KEY_PATTERN: printable ASCII, no spaces: what a header can carry
KEY_PATTERN_RE = re.compile(KEY_PATTERN)


def checked_key(key: str) -> str | None:
    """A key from a form (the dashboard's), held to the header's own limits; empty means none."""
    if not key:
        return None
    if len(key) > KEY_MAX or not KEY_PATTERN_RE.fullmatch(key):
        raise InvalidInput(f"the form's idempotency key must be 1 to {KEY_MAX} printable ASCII characters without"
                           " spaces; reload the page for a fresh form",
                           zh=f"表单的幂等键应为 1 至 {KEY_MAX} 个可打印 ASCII 字符且不含空格；"
                              "请刷新页面后重新填写提交")
    return FormKey(key)


async def _idempotency_key(key: Annotated[str | None, Header(
        alias="Idempotency-Key", min_length=1, max_length=KEY_MAX, pattern=KEY_PATTERN,
        description="resending a command with the same key and body returns the first answer and writes nothing;"
                    " the same key with another body is 409",
        examples=["9b1f0c2e-5a8d-4e61-b7c3-2f4a6d8e0b13"])] = None) -> str | None:
    return key


IdempotencyKeyDep = Annotated[str | None, Depends(_idempotency_key)]


async def _not_null(request: Request) -> None:
    """FastAPI takes a JSON `null` for an optional body as no body at all; a route whose fields are all optional
    declares this after its principal, so that a role that may not act is refused (403) before its body is."""
    if (await request.body()).strip() == b"null":
        raise InvalidBody("the JSON body is null; send an object (`{}` where every field is optional)",
                          "JSON 请求体为 null；请发送对象（各字段均可省略时发送 {}）")


NotNullBody = Annotated[None, Depends(_not_null)]


class Settle:
    """Turns a command's outcome into its answer, once the read models show the command's own events."""

    def __init__(self, request: Request, response: Response) -> None:
        self.state = request.app.state
        self.request = request
        self.response = response

    def __call__(self, outcome: Outcome) -> dict[str, Any]:
        # Recorded, whatever happens next: a store error while answering must not say "nothing was written".
        self.request.state.recorded = outcome.position is not None or outcome.replayed
        if outcome.replayed:
            self.response.headers["Idempotent-Replayed"] = "true"
            # The first answer's events were saved before this one read it, and a retry comes when the projector
            # may be behind (after a crash, a timeout): wait, as that answer did, until the read models show
            # everything the log holds now, or say they lag (a retry probe: a replayed "confirmed: 600" and then a
            # queue still listing 77 of them as proposed, and no Read-Models-Lag).
            self.wait_for_head()
        elif outcome.position is not None:
            self._wait(outcome.position)
        return outcome.view

    def wait_for_head(self) -> None:
        """Wait, as a command's answer does, until the read models show everything the log holds now (bounded by
        LEDGER_WAIT_TIMEOUT; past it the answer says `Read-Models-Lag`): for an answer whose events another
        request saved."""
        self._wait(self.request.app.state.ledger.recorder.max_notification_id() or 0)

    def _wait(self, position: int) -> None:
        projector: Projector | None = self.state.projector
        timeout = self.state.settings.wait_timeout
        deadline = time.monotonic() + timeout
        read_models: ReadModels = self.state.primary_models  # the projector writes them on the primary
        if projector is not None:
            # In-process: the command folds its own events in this thread (Projector.fold_own), with whatever
            # was committed before them. If it cannot (the projector not yet started, or failing), it waits for
            # the projector's signal; another follower (`award-ledger project`, a demo catch-up) may apply it
            # first and this one never sees it, so after a short while it asks the read models themselves, once
            # a period: polling the tracking table every few milliseconds from every request thread took a sixth
            # of the server's samples (py-spy, bench/RESULTS.md) and slowed the projector it waited for.
            reached = projector.fold_own(position, deadline - time.monotonic())
            if not reached:
                projector.wake()
            while not reached:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                reached = (projector.wait(position, min(remaining, SIGNAL_WAIT))
                           or read_models.position() >= position)
        elif (applied := getattr(self.state, "applied", None)) is not None:
            # An external projector on PostgreSQL announces each position it commits (projections/applied.py):
            # wait to hear it, with one look at the tracking table a period in case the listener is down.
            reached = False
            while not reached and (remaining := deadline - time.monotonic()) > 0:
                reached = (applied.wait(position, min(remaining, SIGNAL_WAIT))
                           or read_models.position() >= position)
        else:
            reached = read_models.wait(position, timeout)
        replica: Replica | None = self.state.replica
        if reached and replica is not None:  # queries read the replica: wait until it has replayed that too
            reached = replica.wait_caught_up(max(0.0, deadline - time.monotonic()))
        if not reached:
            # The command is recorded; only the read models lag. Saying so beats failing a success.
            log.warning("read models did not reach position %s within %ss", position,
                        self.state.settings.wait_timeout)
            self.response.headers["Read-Models-Lag"] = "true"


async def _settle(request: Request, response: Response) -> Settle:
    return Settle(request, response)  # made on the event loop; its waiting happens in the route's thread


SettleDep = Annotated[Settle, Depends(_settle)]

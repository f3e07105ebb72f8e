"""Stateful property-based test: schemathesis' OpenAPI state machine drives sequences of calls on each store,
later calls using what earlier answers gave (register an organisation → recognise a body it leads → certify
→ claim → approve or reject → pay → reverse, with appropriations and reads in between).

Every step must hold these properties:

* no 5xx (the one allowed is a declared 501 `not_implemented`);
* the answer matches the document: status code, media type, headers, body schema, and a resource that
  answered 2xx to its POST is there for the next call (schemathesis' `ensure_resource_availability`);
* a refusal writes nothing: for every 4xx answer to a POST the event store's notification count is unchanged;
* idempotency: every 2xx POST is sent again with the same Idempotency-Key, and must answer the same bytes
  (marked `Idempotent-Replayed: true` when the first call wrote), writing nothing.

At the end the read models must equal a replay of the log, and the run must have reached deep states
(approvals, payouts, reversals recorded in the store), or it proved little.

How the run is steered, all inside this test (the app's own /openapi.json is left as it is):

* Links. Schemathesis infers links only from ids in paths (POST /v1/claims → /v1/claims/{claim_id}/...);
  it cannot see that a claim's `uscc`, a payout's `claim_id` or an approval's amount come from earlier
  answers. The test adds OpenAPI links to its copy of the document (see LINKS; most put values into a
  request body, which schemathesis merges field by field) and turns inference off, so that the
  transitions are exactly those listed.
* Data. Custom string formats (uscc, programme, tier, body-kind, date) draw from the catalogue; a
  `flatmap_body` hook gives most claims the facts their programme needs (a basis for a rate, a tier for a
  ladder, ...), most new organisations and bodies fresh ids, most new members an organisation that exists;
  award years are narrowed to the term ± one year. Generation is positive-only:
  schema-violating requests are the stateless test's job (test_schemathesis.py); here the refusals come
  from the ledger's rules given what earlier steps wrote (not a member, superseded, already decided, over
  the approved amount, fund exhausted, ...). About one POST in eight goes out as a principal that may not
  act (or with no token), and must be refused.
* Pacing. Schemathesis' transition controller lets each source → target pair fire twice per scenario and
  gives roots a fixed alphabetical preference, which spends most steps on POST /v1/appropriations; here
  an organisation may always start a new chain, other roots at most twice per scenario, and each
  transition five times. Operations with an id in their path are reached through links only (as roots they
  would only send made-up ids). A store gets at most SCENARIOS scenarios, started within BUDGET_SECONDS.
* Shared store. Scenarios run one after another on one store, so an answer can differ between
  Hypothesis' replays of a prefix; like schemathesis' own engine, the run starts again with a fresh seed
  when Hypothesis reports such inconsistent data (not a failure of the app). Ids are kept fresh (USCCs,
  body ids, idempotency keys) so that this stays rare.
"""
from __future__ import annotations

import copy
import hashlib
import json
import time
import unicodedata
import uuid
import zlib
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.errors import FlakyStrategyDefinition
from schemathesis import GenerationMode
from schemathesis.engine.errors import is_inconsistent_replay
from schemathesis.generation.stateful.control import TransitionController
from schemathesis.generation.stateful.state_machine import normalize_name
from schemathesis.python.asgi import ASGIClient
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ensure_resource_availability,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.formats import unregister_string_format

from ledger import beijing
from ledger.catalogue import current
from projections.runner import check
from tests.support import make_uscc, unique_id, unique_uscc

pytestmark = pytest.mark.slow

CATALOGUE = current()
TERM = CATALOGUE.policy
LEADS = {code: programme.lead for code, programme in CATALOGUE.programmes.items()}
BUREAUS = sorted(set(LEADS.values()))
CHECKS = [status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, ensure_resource_availability]

# Organisations registered before the run (inside the district or not), that generated USCCs often name.
SHARED = {make_uscc(1): True, make_uscc(2): True, make_uscc(3): False}
SCENARIOS = 40          # at most this many scenarios per store (about 50 s) ...
BUDGET_SECONDS = 45.0   # ... and no new chunk of them after this long,
EXTRA_SECONDS = 135.0   # unless the floors below are not reached yet: then chunks go on for at most this long
                        # (a CI run on a busy machine once ended at 45 s more with one reversal short of the floor)
CHUNK = 5               # scenarios per Hypothesis run
STEPS = 100             # steps per scenario, at most
PER_SOURCE = 5          # times one source operation may feed one target operation in a scenario
# Events a run must have recorded, below what one reaches on either store (typically 50-120 claims, 12-35
# approvals, 8-35 payouts, 1-20 reversals, 7-13 rejections). Four appropriations are the seed. A reversal follows
# only a payout the run happened to make and then chose to reverse: two CI runs of this stop, on an idle and on
# a loaded machine, made 8 and 13 payouts and reversed 1 and 0, so the floor asks one (the transition is reached).
AT_LEAST = {"Organisation.Registered": 20, "InnovationBody.MemberAdded": 3, "Certification.Recorded": 5,
            "Claim.Submitted": 15, "Claim.Approved": 8, "Claim.Rejected": 2, "FundYear.Appropriated": 4 + 3,
            "Payout.Recorded": 5, "Payout.Reversed": 1}


# ---------------------------------------------------------------------------------------------- principals

@pytest.fixture
def tokens() -> dict[str, str]:
    """Every bureau that leads a programme, so that any programme's claims can be decided."""
    return {name: unique_id(f"tok-{name}-") for name in [*BUREAUS, "finance", "auditor", "admin"]}


@pytest.fixture
def auth_file(tmp_path: Path, tokens: dict[str, str]) -> Path:
    def entry(name: str) -> dict[str, str]:
        role = {"role": "bureau", "bureau": name} if name in BUREAUS else {"role": name}
        return {"name": f"{name}-stateful", **role, "token_sha256": hashlib.sha256(tokens[name].encode()).hexdigest()}

    path = tmp_path / "principals.json"
    path.write_text(json.dumps({"principals": [entry(name) for name in tokens]}))
    return path


def _mix(case: Any) -> int:
    """A number fixed by what the case sends, to pick principals without a draw Hypothesis cannot replay."""
    body = case.body if isinstance(case.body, dict | list | str | int | None) else repr(case.body)
    text = json.dumps([case.formatted_path, body], sort_keys=True, default=str, ensure_ascii=False)
    return zlib.crc32(text.encode())


def _payouts_as_finance_records_them(case: Any) -> None:
    """Seven payouts in eight carry a bank reference of their own and are dated when the bank paid (not in the
    future, not before the claim's facts), as finance records them; the eighth keeps what it was drawn with, so
    reused references and impossible dates are still sent and refused (ledger/payout_checks.py)."""
    body = case.body
    if case.operation.label != "POST /v1/payouts" or not isinstance(body, dict) or _mix(case) % 8 == 7:
        return
    if isinstance(body.get("bank_ref"), str):  # as a bank prints it: no full-width look-alikes (refused since stop 50)
        drawn = unicodedata.normalize("NFKC", body["bank_ref"])[:40]
        body["bank_ref"] = f"{drawn}-{uuid.uuid4().hex[:12]}"
    if isinstance(body.get("paid_on"), str):
        body["paid_on"] = beijing.today().isoformat()


def _appropriations_on_documents_of_their_own(case: Any) -> None:
    """Seven appropriations in eight are made on a budget document of their own, as finance books a supplementary
    budget; the eighth keeps what it was drawn with, so a document booked again is still sent and refused
    (`conflict`, one document a year since stop 54)."""
    body = case.body
    if case.operation.label != "POST /v1/appropriations" or not isinstance(body, dict) or _mix(case) % 8 == 7:
        return
    if isinstance(body.get("document_ref"), str):
        body["document_ref"] = f"{unicodedata.normalize('NFKC', body['document_ref'])[:40]}-{uuid.uuid4().hex[:12]}"


def _award_year_follows(case: Any) -> None:
    """Seven claims in eight book their award in the year of the facts or the next (rule 10), as a clerk
    does; the eighth keeps the year it was drawn with, so mismatches are still sent and refused."""
    body = case.body
    if case.operation.label != "POST /v1/claims" or not isinstance(body, dict) or _mix(case) % 8 == 7:
        return
    try:
        day = date.fromisoformat(str(body.get("effective_on")))
    except ValueError:
        return
    if isinstance(body.get("award_year"), int) and TERM.effective_from <= day <= TERM.effective_to:
        body["award_year"] = day.year + _mix(case) % 2 if day.year + 1 in TERM.years else day.year


def _principal(case: Any, leads: dict[str, str]) -> tuple[str | None, int | None]:
    """Who sends the case, and the refusal the contract then owes (None: none is owed; 400: some 4xx).

    Mostly a principal the contract lets through; one POST in eight goes with no token (401), as a role that
    may not act (403, whatever the body), or as a bureau that does not lead the programme (a 4xx: 403
    `not_lead_bureau`, unless the body is refused first)."""
    method, path = case.method.upper(), case.operation.path
    body = case.body if isinstance(case.body, dict) else {}
    mix = _mix(case)
    if method == "GET":
        if path.startswith(("/v1/finance", "/v1/audit")):
            return "auditor", None
        return ["auditor", "admin", "finance", *BUREAUS][mix % (3 + len(BUREAUS))], None
    other_bureaus: list[str] = []
    if path.startswith(("/v1/appropriations", "/v1/payouts", "/v1/finance")):
        right, other_roles = "finance", ["kjj", "auditor", "admin"]
    elif path.startswith(("/v1/organisations", "/v1/innovation-bodies")):
        right, other_roles = ["admin", *BUREAUS][mix % (1 + len(BUREAUS))], ["finance", "auditor"]
    else:  # certifications and claims: the programme's (or the claim's, the certification's) lead bureau
        programme = body.get("programme")
        right = LEADS.get(programme, "kjj") if isinstance(programme, str) else "kjj"
        if path.startswith(("/v1/claims/", "/v1/certifications/")):
            made = case.path_parameters.get("claim_id") or case.path_parameters.get("certification_id")
            right = leads.get(str(made), "kjj")
        other_roles, other_bureaus = ["finance", "admin", "auditor"], [b for b in BUREAUS if b != right]
    if mix % 8:
        return right, None
    refused: list[tuple[str | None, int]] = [(None, 401), *((r, 403) for r in other_roles),
                                             *((b, 400) for b in other_bureaus)]
    return refused[(mix // 8) % len(refused)]


# ---------------------------------------------------------------------------------------------- data

@pytest.fixture(autouse=True)
def ledger_formats():
    """The schema's own formats drawn from the catalogue: fresh USCCs (and a few shared ones), real codes,
    days mostly inside the term and sometimes just outside it."""
    around = st.dates(TERM.effective_from - timedelta(days=20), TERM.effective_to + timedelta(days=20))
    inside = st.dates(TERM.effective_from, TERM.effective_to)
    formats = {
        "uscc": st.one_of(st.builds(unique_uscc), st.sampled_from(sorted(SHARED))),
        "programme": st.sampled_from(sorted(CATALOGUE.programmes)),
        "tier": st.sampled_from(sorted({t.code for p in CATALOGUE.programmes.values() for t in p.tiers})),
        "body-kind": st.sampled_from(sorted(CATALOGUE.body_kinds)),
        "date": st.one_of(inside, inside, around).map(date.isoformat),
    }
    for name, strategy in formats.items():
        schemathesis.openapi.format(name, strategy)
    yield
    for name in formats:
        unregister_string_format(name)


MONEY = st.one_of(st.integers(1, 4_000_000).map(lambda n: f"{n}.00"),
                  st.integers(1, 10**8).map(lambda n: f"{n // 100}.{n % 100:02d}"))
CLAIM_FACTS = ("programme", "award_year", "basis_amount", "requested_amount", "tier", "rank", "subject",
               "certification_id", "body_id")


def _within(ceiling: Any) -> st.SearchStrategy[str]:
    """A decided amount: mostly inside the programme's ceiling (rule 6), sometimes any amount at all."""
    if ceiling is None:
        return MONEY
    return st.one_of(st.integers(1, int(ceiling * 100)).map(lambda n: f"{n // 100}.{n % 100:02d}"), MONEY)


def _facts(code: str) -> st.SearchStrategy[dict[str, Any]]:
    """What a claim under this programme states: a basis for a rate, a stated amount for a decided award
    (rule 6), a tier (and a rank) for a ladder, a subject of the kind the programme pays for from a small
    pool, so that supersession, once-only and per-project caps bite (and now and then one of another kind)."""
    programme = CATALOGUE.programmes[code]
    kind = programme.subject_kind
    pool = [f"{kind}:P-1", f"{kind}:P-2"] if kind else ["project:P-1", "project:P-2", "product:X-1"]
    fields: dict[str, st.SearchStrategy[Any]] = {
        "programme": st.just(code), "award_year": st.sampled_from(list(TERM.years)),
        "subject": st.one_of(st.sampled_from(pool), st.sampled_from(pool), st.just("product:X-1"))}
    if programme.rate is not None:
        fields["basis_amount"] = MONEY
    if programme.kind.value in ("capped", "as_required", "investment"):
        fields["requested_amount"] = _within(programme.max_award)
    if programme.tiers:
        fields["tier"] = st.sampled_from([t.code for t in programme.tiers])
        fields["rank"] = st.integers(1, 6)
    return st.fixed_dictionaries(fields)


# Hypothesis tries a one_of's first branches most: the programmes most claims can reach come first.
FIRST = ["A5.voucher", "A8.tech_transfer", "A5.computing", "A3.alliance", "A4.matching", "A9.national_award",
         "A11.standard", "A6.honour", "A3.erc"]
PLAUSIBLE_CLAIM = st.one_of(*(_facts(code) for code in FIRST + sorted(set(CATALOGUE.programmes) - set(FIRST))))


def plausible_bodies(context: Any, body: Any) -> st.SearchStrategy[Any]:
    """`flatmap_body` hook, three times in four: a claim states its programme's facts (the generated body's
    other fields stay); an organisation is a new one inside the district, with a printable name; a body gets
    an id no run used before; a member is one of the shared organisations. Links then overwrite the fields
    they carry (uscc, body_id, certification_id, ...)."""
    if not isinstance(body, dict):
        return st.just(body)
    label = context.operation.label
    if label == "POST /v1/claims":
        kept = {k: v for k, v in body.items() if k not in CLAIM_FACTS}
        return st.one_of(PLAUSIBLE_CLAIM.map(lambda facts: {**kept, **facts}), st.just(body))
    if label == "POST /v1/organisations":
        name = "".join(c for c in str(body.get("name", "")) if c.isprintable()) or "杭州某某科技有限公司"
        fresh = st.builds(unique_uscc).map(lambda uscc: {**body, "uscc": uscc, "name": name, "in_district": True})
        return st.one_of(fresh, fresh, fresh, st.just(body))
    if label == "POST /v1/innovation-bodies":
        fresh = st.builds(unique_id, st.just("CONS-")).map(lambda body_id: {**body, "id": body_id})
        return st.one_of(fresh, fresh, fresh, st.just(body))
    if label == "POST /v1/innovation-bodies/{body_id}/members":
        member = st.sampled_from(sorted(SHARED)).map(lambda uscc: {**body, "uscc": uscc})
        return st.one_of(member, member, member, st.just(body))
    return st.just(body)


# ---------------------------------------------------------------------------------------------- links

def _link(path: str, method: str, parameters: dict[str, str] | None = None,
          body: dict[str, str] | None = None) -> dict[str, Any]:
    link: dict[str, Any] = {"operationRef": "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method}
    if parameters:
        link["parameters"] = parameters
    if body:
        link["requestBody"] = body  # merged into the generated body, field by field
    return link


def _reads(claim: str | None = None, payout: str | None = None, uscc: str | None = None) -> dict[str, Any]:
    links = {}
    if claim:
        links["ReadClaim"] = _link("/v1/claims/{claim_id}", "get", {"path.claim_id": claim})
    if payout:
        links["ReadPayout"] = _link("/v1/payouts/{payout_id}", "get", {"path.payout_id": payout})
    if uscc:
        links["ReadAwards"] = _link("/v1/organisations/{uscc}/awards", "get", {"path.uscc": uscc})
    return links


ID = "$response.body#/id"
LINKS: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = {
    ("/v1/organisations", "post", "201"): {
        "ReadOrganisation": _link("/v1/organisations/{uscc}", "get", {"path.uscc": "$response.body#/uscc"}),
        "ReadHistory": _link("/v1/organisations/{uscc}/history", "get", {"path.uscc": "$response.body#/uscc"}),
        "LeadABody": _link("/v1/innovation-bodies", "post", body={"lead_uscc": "$response.body#/uscc"}),
        **_reads(uscc="$response.body#/uscc"),
    },
    ("/v1/innovation-bodies", "post", "201"): {
        "AddMember": _link("/v1/innovation-bodies/{body_id}/members", "post", {"path.body_id": ID}),
        "ClaimAsLead": _link("/v1/claims", "post", body={
            "uscc": "$response.body#/lead_uscc", "body_id": ID, "effective_on": "$response.body#/recognised_on"}),
        "CertifyTheLead": _link("/v1/certifications", "post", body={
            "uscc": "$response.body#/lead_uscc", "body_id": ID}),
    },
    ("/v1/innovation-bodies/{body_id}/members", "post", "201"): {
        "ClaimAsMember": _link("/v1/claims", "post", body={
            "uscc": "$request.body#/uscc", "body_id": ID, "effective_on": "$request.body#/joined_on"}),
    },
    ("/v1/certifications", "post", "201"): {
        "ReadCertification": _link("/v1/certifications/{certification_id}", "get", {"path.certification_id": ID}),
        "Upgrade": _link("/v1/certifications/{certification_id}/upgrades", "post", {"path.certification_id": ID}),
        "ClaimOnCertification": _link("/v1/claims", "post", body={
            "uscc": "$response.body#/uscc", "programme": "$response.body#/programme", "certification_id": ID,
            "effective_on": "$response.body#/effective_on", "tier": "$response.body#/tier"}),
    },
    ("/v1/certifications/{certification_id}/upgrades", "post", "201"): {
        "ClaimTheTopUp": _link("/v1/claims", "post", body={
            "uscc": "$response.body#/uscc", "programme": "$response.body#/programme", "certification_id": ID,
            "effective_on": "$request.body#/effective_on", "tier": "$request.body#/tier"}),
    },
    ("/v1/claims", "post", "201"): {
        "ApproveTheEntitlement": _link("/v1/claims/{claim_id}/approve", "post", {"path.claim_id": ID},
                                       body={"amount": "$response.body#/entitled_amount"}),
        "Approve": _link("/v1/claims/{claim_id}/approve", "post", {"path.claim_id": ID}),
        "Reject": _link("/v1/claims/{claim_id}/reject", "post", {"path.claim_id": ID}),
        # Generated reasons are mostly refused by the one text check (control characters); a printable reason
        # keeps rejections of pending claims in every run.
        "RejectNamingTheProgramme": _link("/v1/claims/{claim_id}/reject", "post", {"path.claim_id": ID},
                                          body={"reason": "$response.body#/programme"}),
        **_reads(claim=ID, uscc="$response.body#/uscc"),
    },
    ("/v1/claims/{claim_id}/approve", "post", "200"): {
        "PayTheApproved": _link("/v1/payouts", "post", body={
            "claim_id": ID, "amount": "$response.body#/approved_amount"}),
        "Pay": _link("/v1/payouts", "post", body={"claim_id": ID}),
        "RejectTheApproved": _link("/v1/claims/{claim_id}/reject", "post", {"path.claim_id": ID}),
        **_reads(claim=ID, uscc="$response.body#/uscc"),
    },
    ("/v1/claims/{claim_id}/reject", "post", "200"): {
        "ApproveTheRejected": _link("/v1/claims/{claim_id}/approve", "post", {"path.claim_id": ID}),
        "PayTheRejected": _link("/v1/payouts", "post", body={"claim_id": ID}),
        **_reads(claim=ID),
    },
    ("/v1/payouts", "post", "201"): {
        "Reverse": _link("/v1/payouts/{payout_id}/reverse", "post", {"path.payout_id": ID}),
        # A reference that was good enough for the payout is a printable reason for its reversal.
        "ReverseGivingTheBankRef": _link("/v1/payouts/{payout_id}/reverse", "post", {"path.payout_id": ID},
                                         body={"reason": "$response.body#/bank_ref"}),
        **_reads(claim="$response.body#/claim_id", uscc="$response.body#/uscc"),
    },
    ("/v1/payouts/{payout_id}/reverse", "post", "200"): {
        "PayAgain": _link("/v1/payouts", "post", body={
            "claim_id": "$response.body#/claim_id", "amount": "$response.body#/amount"}),
        "ReverseAgain": _link("/v1/payouts/{payout_id}/reverse", "post", {"path.payout_id": ID}),
        **_reads(claim="$response.body#/claim_id", payout=ID),
    },
    ("/v1/appropriations", "post", "201"): {
        "ReadFundYear": _link("/v1/appropriations/{year}", "get", {"path.year": "$response.body#/year"}),
        "Reconcile": _link("/v1/finance/reconciliation", "get", {"query.year": "$response.body#/year"}),
    },
    ("/v1/finance/bank-statements", "post", "201"): {
        "ReadStatement": _link("/v1/finance/bank-statements/{statement_id}", "get", {"path.statement_id": ID}),
    },
}


def _linked(raw: dict[str, Any]) -> dict[str, Any]:
    """The app's document with the links above, and award years narrowed to the term and a year either side
    (the stateless test sends the full range)."""
    raw = copy.deepcopy(raw)
    for (path, method, status), links in LINKS.items():
        raw["paths"][path][method]["responses"][status].setdefault("links", {}).update(links)
    years = {"minimum": TERM.years.start - 1, "maximum": TERM.years.stop}
    schemas = raw["components"]["schemas"]
    schemas["ClaimCreate"]["properties"]["award_year"].update(years)
    schemas["AppropriationCreate"]["properties"]["year"].update(years)
    return raw


class Pacing(TransitionController):
    """An organisation may always start a new chain; other roots at most twice per scenario."""

    def allow_root_transition(self, source: str, bundles: Any) -> bool:
        if source == "POST /v1/organisations":
            return True
        return self._root_calls(source) < 2 and super().allow_root_transition(source, bundles)


# ---------------------------------------------------------------------------------------------- the run

def _media(response: Any) -> str:
    return (response.headers.get("content-type") or [""])[0]


def test_sequences_keep_the_properties_and_reach_payouts(api, database_url):
    """Sequences of calls built from earlier answers: no 5xx, answers as documented, nothing written on a
    refusal or an idempotent replay; read models equal a replay; approvals, payouts and reversals reached."""
    app = api.client.app
    recorder = app.state.ledger.recorder
    for year in TERM.years:  # the special fund, so that approvals get as far as the fund's rule
        api.ok("POST", "/v1/appropriations", {"year": year, "amount": "30000000.00",
                                              "document_ref": f"杭高新财〔{year}〕1号"}, as_="finance")
    for uscc, inside in SHARED.items():
        api.ok("POST", "/v1/organisations", {"uscc": uscc, "name": f"杭州共享测试{uscc[-4:]}有限公司",
                                             "in_district": inside})

    schema = schemathesis.openapi.from_dict(_linked(api.client.get("/openapi.json").json()))
    schema.app = app
    schema.config.generation.update(modes=[GenerationMode.POSITIVE])
    schema.config.phases.stateful.inference.algorithms = []
    schema.hooks.register_hook_with_name(plausible_bodies, "flatmap_body")
    # Never entered: the app's lifespan is the one the `api` fixture started, not a second one.
    session = ASGIClient(app)
    tokens = api.tokens
    leads: dict[str, str] = {}  # claim or certification id -> its programme's lead bureau, from the answers
    seen: Counter[tuple[str, int, str]] = Counter()
    tally = Counter()

    def events() -> int:
        return recorder.max_notification_id() or 0

    base = schema.as_state_machine()
    # Roots that need an id in their path only ever send made-up ids: they start from links instead.
    hidden = {name for name in base.root_rules
              if any(normalize_name(f"RANDOM -> {label}") == name for label in base._root_labels if "{" in label)}

    class Ledger(base):  # type: ignore[misc, valid-type]
        root_rules = base.root_rules - hidden
        _root_labels = frozenset(label for label in base._root_labels if "{" not in label)

        def __init__(self) -> None:
            super().__init__()
            self.control = Pacing(self._transitions, self._root_labels)
            self.control.max_operations_per_source = PER_SOURCE

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"session": session}

        def call(self, case: Any, **kwargs: Any) -> Any:
            who, owed = _principal(case, leads)
            _award_year_follows(case)
            _payouts_as_finance_records_them(case)
            _appropriations_on_documents_of_their_own(case)
            headers = {"Authorization": f"Bearer {tokens[who]}"} if who else {}
            if case.headers:
                case.headers.pop("Authorization", None)
            post = case.method.upper() == "POST"
            if post:  # a fresh key: a key generated for another body would be a (correct) 409
                case.headers = {**(case.headers or {}), "Idempotency-Key": uuid.uuid4().hex}
            before = events()
            response = case.call(headers=headers, **kwargs)
            status, label = response.status_code, case.operation.label
            problem = response.json() if "json" in _media(response) and status >= 400 else {}
            seen[(label, status, problem.get("code", ""))] += 1
            assert status < 500 or (status == 501 and problem.get("code") == "not_implemented"), response.text
            if owed is not None:
                assert status == owed or (owed == 400 and 400 <= status < 500), f"{label} as {who}: {response.text}"
            if post and status >= 400:
                tally["refusals"] += 1
                assert events() == before, f"{label} was refused ({status} {problem.get('code')}) but wrote events"
            if post and status < 300:
                written = events()
                replay = case.call(headers=headers, **kwargs)
                tally["replays"] += 1
                assert replay.status_code == status, (response.text, replay.text)
                assert replay.content == response.content, (response.text, replay.text)
                if written > before:
                    assert replay.headers.get("idempotent-replayed") == ["true"], replay.headers
                assert events() == written, f"{label} replayed with its Idempotency-Key wrote events"
            if status < 300 and _media(response).startswith("application/json"):
                answer = response.json()
                if isinstance(answer, dict) and answer.get("programme") in LEADS and "id" in answer:
                    leads[answer["id"]] = LEADS[answer["programme"]]
            return response

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs, recorder=self.recorder)

        def teardown(self) -> None:
            tally["scenarios"] += 1
            super().teardown()

    for name in hidden:
        setattr(Ledger, name, None)

    def reached() -> Counter[str]:
        return Counter(n.topic.rsplit(":", 1)[-1] for n in recorder.select_notifications(start=1, limit=10**6))

    def shallow() -> dict[str, int]:
        counts = reached()
        return {topic: counts[topic] for topic, least in AT_LEAST.items() if counts[topic] < least}

    def go_on() -> bool:
        # The budget, then, on a slow or busy machine, more chunks until the floors are reached (at most
        # EXTRA_SECONDS more): depth is what the run is for, and a run cut short by the clock is not a finding.
        spent = time.monotonic() - started
        if tally["scenarios"] < SCENARIOS and spent < BUDGET_SECONDS:
            return True
        return spent < BUDGET_SECONDS + EXTRA_SECONDS and bool(shallow())

    started = time.monotonic()
    while go_on():
        try:
            Ledger.run(settings=settings(max_examples=CHUNK, stateful_step_count=STEPS, deadline=None,
                                         database=None, phases=[Phase.generate],
                                         suppress_health_check=list(HealthCheck)))
        except FlakyStrategyDefinition:
            tally["restarts"] += 1  # an answer differed on a replayed prefix: the shared store moved on
        except AssertionError as exc:
            if not is_inconsistent_replay(exc):
                raise
            tally["restarts"] += 1
    elapsed = time.monotonic() - started

    state = app.state
    assert state.read_models.wait(events(), 10.0)
    assert check(database_url) == []
    summary = (f"{tally['scenarios']} scenarios, {sum(seen.values())} calls in {elapsed:.1f}s"
               f" ({tally['restarts']} restarts); {tally['refusals']} refused POSTs, {tally['replays']} replays;"
               f" events: {dict(sorted(reached().items()))}")
    print(summary)
    short = shallow()
    assert not short, f"the run stayed shallow: {short}; {summary}; answers: {sorted(seen.items())}"

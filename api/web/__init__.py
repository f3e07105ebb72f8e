"""Server-rendered pages under /ui/: the same principals, commands and refusals as the JSON API."""
from fastapi import APIRouter

from api.web import (
    audit,
    audit_digest,
    certifications,
    claims,
    corrections,
    finance,
    finance_forms,
    home,
    not_found,
    organisations,
    proposals,
    recoveries,
    sandbox,
    sign_in,
)

router = APIRouter(include_in_schema=False)
# proposals before claims and corrections: its fixed paths (/ui/claims/confirm, /ui/certifications/imports)
# would otherwise be taken for ids by their /ui/claims/{id} and /ui/certifications/{id}; certifications
# (/ui/certifications/new) before corrections for the same reason.
for _pages in (sign_in, home, organisations, proposals, certifications, claims, corrections, recoveries, finance,
               finance_forms, audit, audit_digest, sandbox):
    router.include_router(_pages.router)
    not_found.PAGES.append(_pages.router)
router.include_router(not_found.router)  # last: it takes every /ui/ address no page above took

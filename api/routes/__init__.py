"""One router per resource of the contract; `ROUTERS` is the order they appear in the docs."""
from api.routes import (
    appropriations,
    audit,
    awards,
    bodies,
    certifications,
    claims,
    finance,
    health,
    organisations,
    payouts,
    programmes,
    queues,
    receipts,
)

ROUTERS = [health.router, programmes.router, organisations.router, bodies.router, certifications.router,
           claims.router, queues.router, receipts.router, appropriations.router, payouts.router, awards.router,
           finance.router, audit.router]
from api.web import router as pages  # noqa: E402 - the server-rendered pages (api/web/) come after the API

ROUTERS.append(pages)

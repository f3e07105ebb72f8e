"""One router per resource of the contract; `ROUTERS` is the order they appear in the docs."""
from api.routes import (
    appropriations,
    audit,
    awards,
    bodies,
    certifications,
    claims,
    corrections,
    finance,
    health,
    organisations,
    payouts,
    programmes,
    proposals,
    queues,
    receipts,
    simulations,
)

ROUTERS = [health.router, programmes.router, organisations.router, bodies.router, certifications.router,
           proposals.router, claims.router, queues.router, receipts.router, corrections.router, appropriations.router,
           payouts.router, awards.router, finance.router, audit.router, simulations.router]

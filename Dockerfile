# The award-ledger service image: `award-ledger serve` by default; `award-ledger project` for the projector,
# `award-ledger demo` to load the demo district.
# Kept correct by reading and by tests/test_deployment_files.py (no Docker engine runs in CI).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY ledger ./ledger
COPY projections ./projections
COPY api ./api
# The compose file's named volumes mount at /keys (the shared signing key); a fresh named volume takes the owner
# of the folder it mounts on, so each mount point is made here, owned by the user the image runs as (else Docker
# makes it root's and that user cannot write the key). tests/test_deployment_files.py checks every mount is.
RUN pip install . \
    && useradd --system --create-home --uid 10001 ledger \
    && mkdir -p /app/var /keys \
    && chown ledger /app/var /keys \
    && chmod 0700 /keys

USER ledger
# The embedded store by default; docker-compose.yml points this at PostgreSQL.
ENV LEDGER_DATABASE_URL=sqlite:////app/var/ledger.sqlite3 \
    LEDGER_LOG_FORMAT=json
EXPOSE 8000
# No HEALTHCHECK here: the same image runs the projector and the demo, which serve no HTTP. The compose file
# checks the api service on /readyz (store reachable, read models caught up); /healthz is plain liveness.
CMD ["award-ledger", "serve", "--host", "0.0.0.0", "--port", "8000"]

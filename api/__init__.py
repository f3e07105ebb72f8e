"""The ledger's edge: the FastAPI app, its auth and problem+json, and the `award-ledger` command line."""
import os as _os
import signal as _signal
import sys as _sys

# The `award-ledger` command (or `python -m api.cli`): Ctrl-C while it loads is said as any interruption is, not a
# traceback of the imports (api/cli_language.py `interrupted_while_starting`; `main` takes over from there).
if _os.path.basename(_sys.argv[0] if _sys.argv else "") in ("award-ledger", "cli.py") and \
        _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler:
    from api.cli_language import interrupted_while_starting as _interrupted

    _signal.signal(_signal.SIGINT, _interrupted)

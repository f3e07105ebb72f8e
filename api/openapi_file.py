"""The published `openapi.json`: what the server serves, written at the repository root for integrators to diff.

`make openapi` (python -m api.openapi_file) rewrites it; tests/api/test_openapi_document.py fails while it differs.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

PUBLISHED = Path(__file__).resolve().parents[1] / "openapi.json"


def served() -> dict[str, Any]:
    """The document the app serves at /openapi.json (built without a store or principals)."""
    from api.app import build_app  # here, not at the top: api.app imports api.openapi

    return build_app().openapi()


def render(document: dict[str, Any]) -> str:
    """Stable text: two-space indent, Chinese kept readable, a final newline (a diff shows only real changes)."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else PUBLISHED
    target.write_text(render(served()), encoding="utf-8")
    print(f"wrote {target} ({len(served()['paths'])} paths)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Every regular expression of the service takes time in proportion to the text it reads.

Python's `re` backtracks: `\\s+X$` tried from each space of a run, or `\\s*(万)?\\s*` giving spaces back one at a
time, is quadratic in the run, and a field of 30,000 spaces held a worker 15 s (a date, an amount written with a
unit, a sandbox draft's quoted text: a regression probe, after five such patterns had been fixed one at a time).
Rather than find them one by one, this reads them all: every pattern a module of `api`, `ledger` or `projections`
holds (as a global, in a class, a tuple or a dict), and every pattern written as a literal in a call of `re`, is run
by `search` and `fullmatch` over long runs of the characters such patterns repeat (spaces, digits, letters, dots,
escaped quotes, Chinese), begun and ended by characters that end no match. Each run must finish within a CPU
allowance (SIGPROF) thousands of times what a linear pass takes: a bound for the service not to stall, not a speed
figure. A quadratic pattern needs seconds to minutes for these runs; the shipped ones need about a millisecond.

A pattern made in a function from parts (an f-string) is not seen here; those are anchored at their start (`^`)."""
from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("api", "ledger", "projections")
CALLS = {"compile": 1, "match": 2, "fullmatch": 2, "search": 2, "findall": 2, "finditer": 2, "sub": 4, "subn": 4,
         "split": 3}  # re's functions, and where their flags go
RUNS = (" ", "1", "a", ".", '\\"', "元", "中", "-", "_", "\t", ":", "\u3000", "0.", "a.", "1 ", ", ")
BEFORE, AFTER = ("", "1", '"', "x"), ("\x01", "x", "元")
LENGTH = 50_000
ALLOWANCE = 2.0  # seconds of CPU for one search over one text of LENGTH characters (a linear one takes about 1 ms)


def _module_patterns() -> dict[re.Pattern, str]:
    found: dict[re.Pattern, str] = {}
    for package in PACKAGES:
        for info in pkgutil.walk_packages(importlib.import_module(package).__path__, package + "."):
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                held = (vars(value).items() if isinstance(value, type) and value.__module__ == module.__name__
                        else value.items() if isinstance(value, dict)
                        else enumerate(value) if isinstance(value, (tuple, list)) else [("", value)])
                for part, item in held:
                    if isinstance(item, re.Pattern):
                        found.setdefault(item, f"{info.name}.{name}{f'[{part}]' if part != '' else ''}")
    return found


def _folded(node: ast.AST) -> str | bytes | None:
    """A pattern written as a literal, or literals joined by +; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _folded(node.left), _folded(node.right)
        return left + right if left is not None and type(left) is type(right) else None  # type: ignore[operator]
    return None


def _literal_patterns() -> dict[re.Pattern, str]:
    listed = subprocess.run(["git", "ls-files", *(f"{p}/*.py" for p in PACKAGES)], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.split()
    found: dict[re.Pattern, str] = {}
    for name in listed:
        for node in ast.walk(ast.parse((ROOT / name).read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in CALLS and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "re" and node.args):
                continue
            pattern = _folded(node.args[0])
            if pattern is None:
                continue
            flags_at = [kw.value for kw in node.keywords if kw.arg == "flags"] or node.args[CALLS[node.func.attr]:][:1]
            flags = eval(compile(ast.Expression(flags_at[0]), name, "eval"), {"re": re}) if flags_at else 0
            found.setdefault(re.compile(pattern, flags), f"{name}:{node.lineno}")
    return found


def _patterns() -> dict[re.Pattern, str]:
    return _module_patterns() | {p: w for p, w in _literal_patterns().items()}


def _texts(pattern: re.Pattern) -> Iterator[str | bytes]:
    for run in RUNS:
        for before in BEFORE:
            for after in AFTER:
                text = before + run * (LENGTH // len(run)) + after
                yield text.encode() if isinstance(pattern.pattern, bytes) else text


class _Stalled(Exception):
    pass


def _stalled(signum, frame):
    raise _Stalled


def test_the_scan_sees_the_service_patterns():
    """The collection itself: it finds the patterns this file is about (a scan that finds none passes anything)."""
    from api.reports.table import MONEY
    from ledger.bank_files.reading import _MARK_AFTER
    from ledger.catalogue.draft import _DIGIT_CHAIN, _QUOTED
    from ledger.domain.statement_fields import _TIME_AFTER

    found = _patterns()
    assert len(found) > 80, len(found)
    for pattern in (_TIME_AFTER, _QUOTED, MONEY, _MARK_AFTER, _DIGIT_CHAIN):
        assert pattern in found, pattern
    assert any(where.startswith("api/schemas/fields.py:") for where in found.values())  # one written in a call


def _first_stall(pattern: re.Pattern) -> str | None:
    """How the pattern first outlasts the allowance over one of the long runs (by which read, over what), or None."""
    previous = signal.signal(signal.SIGPROF, _stalled)
    try:
        for text in _texts(pattern):
            for read in (pattern.search, pattern.fullmatch):
                signal.setitimer(signal.ITIMER_PROF, ALLOWANCE)
                try:
                    read(text)
                except _Stalled:
                    return f"by {read.__name__} over {text[:4]!r}…{text[-4:]!r}"
                finally:
                    signal.setitimer(signal.ITIMER_PROF, 0)
        return None
    finally:
        signal.signal(signal.SIGPROF, previous)


def test_every_pattern_reads_a_long_run_within_a_bounded_cpu():
    slow = [f"{where}: {pattern.pattern!r} {said}" for pattern, where in _patterns().items()
            if (said := _first_stall(pattern)) is not None]
    assert not slow, "\n".join(slow)


@pytest.mark.parametrize("pattern", [r"\s*x$", r"([0-9]+)\s*(万)?\s*(元)?", r'"(?:[^"\\\n]|\\.)*"'])
def test_the_allowance_catches_a_quadratic_pattern(pattern):
    """The check can fail: a pattern of each kind the probes found is stopped by the allowance."""
    assert _first_stall(re.compile(pattern)) is not None

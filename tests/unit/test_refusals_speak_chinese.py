"""Every refusal the code can make carries its Chinese: a scan of api/, ledger/ and projections/ for each
construction of a refusal class (a LedgerError, an HTTP EdgeProblem, a catalogue reader's CatalogueError) that
gives no Chinese detail. A Chinese reader of such a refusal would read "<title>：<the English detail>", so adding
one fails here, naming its file and line.

The classes are resolved as each module names them (imported, `errors.NotFound` through its module, a name
imported inside a function through the classes' own names), so an alias cannot slip past the scan."""
from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path
from types import ModuleType

import pytest

from api.problems import EdgeProblem
from ledger.catalogue.load import CatalogueError
from ledger.domain.errors import LedgerError
from ledger.principals import DOING_ZH

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("api", "ledger", "projections")
REFUSALS = (LedgerError, EdgeProblem, CatalogueError)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> list[tuple[Path, ModuleType]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found.append((path, importlib.import_module(_module_name(path))))
    return found


def _every_subclass(base: type) -> dict[str, type]:
    named, todo = {}, [base]
    while todo:
        cls = todo.pop()
        named.setdefault(cls.__name__, cls)
        todo.extend(cls.__subclasses__())
    return named


def _resolve(func: ast.expr, module: ModuleType, by_name: dict[str, type]) -> type | None:
    """The class a call's callee names in `module` (`X` or `mod.X`), or None when it names no refusal class."""
    parts: list[str] = []
    while isinstance(func, ast.Attribute):
        parts.insert(0, func.attr)
        func = func.value
    if not isinstance(func, ast.Name):
        return None  # super().__init__(...), a call's result called: not a construction by name
    parts.insert(0, func.id)
    found: object = module
    for part in parts:
        found = getattr(found, part, None)
        if found is None:
            break
    if found is None and len(parts) == 1:
        found = by_name.get(parts[0])  # imported inside a function: known by its name
    return found if inspect.isclass(found) and issubclass(found, REFUSALS) else None


def _speaks_chinese(call: ast.Call, cls: type) -> bool:
    keywords = {k.arg for k in call.keywords}
    if getattr(cls, "replayed", False):  # a refusal given again (ledger/refused_keys.py): the first one's words
        return True
    if getattr(cls, "own_words", False):  # its constructor words it in both languages (ledger/audit/tampering.py)
        return True
    if issubclass(cls, EdgeProblem):  # its Chinese as `zh=`, or (as before) `zh_detail=` or the second argument
        return bool(keywords & {"zh", "zh_detail"}) or len(call.args) >= 2
    return "zh" in keywords


def english_only(source: str, module: ModuleType, by_name: dict[str, type], where: str) -> tuple[list[str], int]:
    """The constructions of refusal classes in `source` that give no Chinese (as `where:line Class`), and how many
    constructions were looked at."""
    missing, seen = [], 0
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        cls = _resolve(node.func, module, by_name)
        if cls is None:
            continue
        seen += 1
        if not _speaks_chinese(node, cls):
            missing.append(f"{where}:{node.lineno} {cls.__name__}")
    return missing, seen


@pytest.fixture(scope="module")
def sources() -> list[tuple[Path, ModuleType]]:
    return _sources()


@pytest.fixture(scope="module")
def by_name(sources) -> dict[str, type]:
    named: dict[str, type] = {}
    for base in REFUSALS:
        named.update(_every_subclass(base))
    return named


def test_every_refusal_gives_its_chinese_detail(sources, by_name) -> None:
    """Each `raise X(...)` (and each refusal built to be raised elsewhere) of a refusal class passes `zh=`."""
    missing, seen = [], 0
    for path, module in sources:
        found, looked = english_only(path.read_text(encoding="utf-8"), module, by_name,
                                     str(path.relative_to(ROOT)))
        missing += found
        seen += looked
    assert seen > 150, f"the scan found only {seen} refusals: it no longer sees them"
    assert not missing, "refusals without a Chinese detail (give each `zh=`):\n" + "\n".join(missing)


def test_the_scan_sees_an_english_only_refusal_however_it_is_named(by_name) -> None:
    """The scan itself: a bare name, a module attribute and a function-local import are each caught; a refusal
    with its `zh=` (or an EdgeProblem with its second argument) is not."""
    import api.routes.queues as queues
    from ledger.usecases import common

    source = '''
def f(x):
    from ledger.domain.errors import NotFound
    raise NotFound("no such thing")
def g(x):
    raise errors.InvalidState("already done")
def h(x):
    raise errors.InvalidState("already done", zh="已办理")
def i(x):
    raise InvalidQuery("cursor: bad")
def j(x):
    raise InvalidQuery("cursor: bad", "游标有误")
'''
    missing, seen = english_only(source, common, by_name, "m.py")
    assert seen == 5 and missing == ["m.py:4 NotFound", "m.py:6 InvalidState", "m.py:10 InvalidQuery"], missing
    assert english_only("raise InvalidQuery('x')", queues, by_name, "q.py")[0] == ["q.py:1 InvalidQuery"]


def test_every_role_check_says_in_chinese_what_it_guards(sources) -> None:
    """A refusal for a role reads "无权<what>": every `doing=` a role check names has its Chinese in DOING_ZH."""
    doings = set()
    for path, _ in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "doing" and isinstance(node.value, ast.Constant):
                doings.add(node.value.value)
    assert len(doings) > 20
    assert not doings - DOING_ZH.keys(), sorted(doings - DOING_ZH.keys())
    # `_pending_claim` and `_claim_to_correct` name their `doing` + " claims"
    assert {f"{verb} claims" for verb in ("approve", "reject", "withdraw", "revoke")} <= DOING_ZH.keys()

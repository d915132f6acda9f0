"""Imports run one way: app_pages → layers → reports → store → landuse → display → zones →
export → io → labels/crs/gcj02/_errors/roles.

The test reads the imports of every module — ``import`` and ``from … import`` anywhere in the
file (including inside functions), and ``importlib.import_module("…")`` / ``__import__("…")``
calls with a constant module name — and fails on any arrow that runs back up the chain.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.paths import ROOT

#: Layers from the top down; a module may import its own layer and any layer below it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("streamlit_app", "app_pages"),
    ("geo.cli", "geo.__main__"),
    ("layers",),
    ("geo.reports",),
    ("geo.store",),
    ("geo.landuse", "geo.raster", "geo.tiles"),
    ("geo.display", "geo.display_format"),
    ("geo.zones",),
    ("geo.export",),
    ("geo.io",),
    ("geo.labels", "geo.crs", "geo.gcj02", "geo._errors", "geo.roles"),
)


def _rank(module: str) -> int | None:
    for rank, group in enumerate(LAYERS):
        if any(module == g or module.startswith(g + ".") for g in group):
            return rank
    return None


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(package: str, level: int, name: str | None) -> str:
    """The absolute module of ``from {'.' * level}{name} import …`` inside ``package``."""
    if not level:
        return name or ""
    parts = package.split(".")
    base = parts[: len(parts) - level + 1]
    return ".".join(base + ([name] if name else []))


def _with_names(target: str, names: list[str]) -> list[str]:
    """``target`` and, when it is a package without a layer (``geo``), its imported rooms."""
    subs = [f"{target}.{n}" if target else n for n in names]
    return [target, *(s for s in subs if _rank(target) is None and _rank(s) is not None)]


def _const(node: ast.expr | None) -> object:
    return node.value if isinstance(node, ast.Constant) else None


def _arg(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    if len(call.args) > index:
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def _import_module_aliases(tree: ast.Module) -> set[str]:
    """Local names of ``importlib.import_module`` (``from importlib import import_module as x``)."""
    return {a.asname or a.name for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and n.module == "importlib" and not n.level
            for a in n.names if a.name == "import_module"}


def _dynamic_import(call: ast.Call, package: str, aliases: set[str]) -> list[str]:
    """Modules named by ``import_module("…")`` or ``__import__("…")`` with a constant name."""
    func = call.func
    called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    name = _const(_arg(call, 0, "name"))
    if not isinstance(name, str):
        return []
    if called == "__import__":
        level = _const(_arg(call, 4, "level"))
        fromlist = _arg(call, 3, "fromlist")
        names = [n for e in getattr(fromlist, "elts", []) if isinstance(n := _const(e), str)]
        return _with_names(_resolve(package, level if isinstance(level, int) else 0, name),
                           names)
    if called == "import_module" or (isinstance(func, ast.Name) and func.id in aliases):
        base = _const(_arg(call, 1, "package"))
        level = len(name) - len(name.lstrip("."))
        return [_resolve(base if isinstance(base, str) else package, level, name[level:] or None)]
    return []


def _imports(path: Path, module: str) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    aliases = _import_module_aliases(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(package, node.level, node.module)
            found += [(node.lineno, t) for t in _with_names(target, [a.name for a in node.names])]
        elif isinstance(node, ast.Call):
            found += [(node.lineno, t) for t in _dynamic_import(node, package, aliases)]
    return found


def _upward(path: Path, module: str) -> list[str]:
    """The imports of ``path`` (read as ``module``) that run up the chain, as "line N: target".

    A module without a layer (the package facade ``geo/__init__.py``) may import no room at all.
    """
    own = _rank(module)
    return [f"line {line}: {target}" for line, target in _imports(path, module)
            if (r := _rank(target)) is not None and (own is None or r < own)]


def _modules() -> list[Path]:
    paths = [ROOT / "streamlit_app.py"]
    for folder in ("geo", "layers", "app_pages"):
        paths += sorted((ROOT / folder).rglob("*.py"))
    return paths


def test_every_module_has_a_layer():
    unplaced = [_module_name(p) for p in _modules()
                if _rank(_module_name(p)) is None and _module_name(p) != "geo"]
    assert unplaced == [], "give these modules a layer in LAYERS (or move them into a room)"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_run_one_way(path):
    module = _module_name(path)
    assert _upward(path, module) == [], f"{module} imports from a layer above it"


_UPWARD_PROBE = """\
from geo.zones.catalog import BELTS
import geo.landuse.model as model
from geo import display
from .. import zones
from ..landuse import pipeline


def later():
    import layers.map
    return layers.map, model, display, zones, pipeline, BELTS
"""

_DYNAMIC_PROBE = """\
import importlib
from importlib import import_module as load

importlib.import_module("geo.zones.catalog")
load("geo.landuse")
importlib.import_module(".zones.build", "geo")
importlib.import_module("..display", package="geo.io")
__import__("geo.zones")
__import__("geo", globals(), None, ["landuse", "crs"])
__import__("zones", level=2)
importlib.import_module(NAME)
"""

_CLEAN_PROBE = """\
import importlib
import os

from geo.crs import NINGBO_BOUNDS
from geo.io.tables import read_table
from . import tables
from .. import labels

importlib.import_module("geo.io.quantities")
__import__("geo", fromlist=["crs"])
"""


def test_the_checker_sees_an_upward_import(tmp_path):
    probe = tmp_path / "probe_for_test.py"
    probe.write_text(_UPWARD_PROBE, encoding="utf-8")
    assert _upward(probe, "geo.io.probe_for_test") == [
        "line 1: geo.zones.catalog", "line 2: geo.landuse.model", "line 3: geo.display",
        "line 4: geo.zones", "line 5: geo.landuse", "line 9: layers.map"]


def test_the_checker_sees_a_dynamic_upward_import(tmp_path):
    probe = tmp_path / "probe_for_test.py"
    probe.write_text(_DYNAMIC_PROBE, encoding="utf-8")
    assert _upward(probe, "geo.io.probe_for_test") == [
        "line 4: geo.zones.catalog", "line 5: geo.landuse", "line 6: geo.zones.build",
        "line 7: geo.display", "line 8: geo.zones", "line 9: geo.landuse",
        "line 10: geo.zones"]


def test_the_checker_passes_a_downward_import(tmp_path):
    probe = tmp_path / "probe_for_test.py"
    probe.write_text(_CLEAN_PROBE, encoding="utf-8")
    assert _upward(probe, "geo.io.probe_for_test") == []
    # the same file read as the package facade (no layer) may import no room at all
    facade = tmp_path / "__init__.py"
    facade.write_text("from geo.crs import NINGBO_BOUNDS\n", encoding="utf-8")
    assert _upward(facade, "geo") == ["line 1: geo.crs"]

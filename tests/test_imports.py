"""Imports run one way: app_pages → layers → landuse → zones → export → io → crs/gcj02/_errors.

The test reads the imports of every module (``import`` and ``from … import`` anywhere in the
file, including inside functions) and fails on any arrow that runs back up the chain.
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
    ("geo.landuse",),
    ("geo.display",),
    ("geo.zones",),
    ("geo.export",),
    ("geo.io",),
    ("geo.labels", "geo.crs", "geo.gcj02", "geo._errors"),
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


def _imports(path: Path, module: str) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            found += [(node.lineno, f"{target}.{a.name}") for a in node.names
                      if _rank(f"{target}.{a.name}") is not None and target in ("geo", "")]
    return found


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
    own = _rank(module)
    if own is None:  # the package facade geo/__init__.py imports nothing from the rooms
        assert not [t for _, t in _imports(path, module) if t.startswith("geo.")], module
        return
    upward = [f"line {line}: {target}" for line, target in _imports(path, module)
              if (r := _rank(target)) is not None and r < own]
    assert upward == [], f"{module} imports from a layer above it"


def test_the_checker_sees_an_upward_import():
    probe = ROOT / "geo" / "io" / "probe_for_test.py"
    assert not probe.exists()
    probe.write_text("from geo.zones.catalog import BELTS\n", encoding="utf-8")
    try:
        bad = [t for _, t in _imports(probe, "geo.io.probe_for_test")
               if (r := _rank(t)) is not None and r < _rank("geo.io.probe_for_test")]
    finally:
        probe.unlink()
    assert bad == ["geo.zones.catalog"]

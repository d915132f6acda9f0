"""One vocabulary: Chinese labels are defined in geo/labels.py only (issue 9).

A label dictionary anywhere else lets a page and its download drift apart (区县 on the page,
所在区县（市） in the Excel). The checks read every module of geo/, layers/ and app_pages/ and
fail on

* a dict literal that maps English identifiers to two or more Chinese texts;
* a string literal that equals a label of :mod:`geo.labels` (a hard-coded copy of it);
* a ``rename(columns={...})`` whose dict gives Chinese headers.

Exemptions are exact: a (file, line content) pair, and each must still match a line.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from geo import labels
from geo.io.quantities import CANONICAL_UNITS, UNIT_FACTORS
from geo.labels import COLUMNS, labelled
from geo.landuse.model import ENTERPRISE_FIELDS, PARCEL_FIELDS
from tests.support.paths import ROOT

_CJK = re.compile(r"[\u4e00-\u9fff]")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FOLDERS = ("geo", "layers", "app_pages")
#: Dicts that are not labels, with why: (file, content of the dict's first line).
_NOT_LABELS = {
    # units of measure (the quantities' own words)
    ("geo/io/quantities.py",
     'CANONICAL_UNITS = {"area": "平方米", "money": "万元", "energy": "吨标准煤", "mass": "吨",'),
    # one audit line's values, not headers
    ("geo/landuse/register.py",
     'audit.append({"when": stamp, "who": who, "parcel_id": pid, "field": "(新增)",'),
}
#: Files whose literals are header words officials type (alias lists), not our labels.
_ALIAS_FILES = {"geo/landuse/headers.py"}
#: Lines that may repeat a label, with why: (file, line content).
_COPIES_ALLOWED = {
    # header words a boundary file may use for its id and name columns (aliases, like headers.py)
    ("geo/zones/boundaries.py", '_ID_CANDIDATES = ("id", "ID", "编号", "code")'),
    ("geo/zones/boundaries.py",
     '_NAME_CANDIDATES = ("name", "NAME", "名称", "园区名称", "分片名称")'),
}


def _modules():
    """(path relative to the root, path) of every module checked, geo/labels.py excepted."""
    for folder in _FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel != "geo/labels.py":
                yield rel, path


def _line(path: Path, lineno: int) -> str:
    return path.read_text(encoding="utf-8").splitlines()[lineno - 1].strip()


def _label_dicts(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    assigned = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Assign)}
    for node in ast.walk(tree):
        if id(node) in assigned:
            continue  # seen with its name through the Assign
        targets = []
        if isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
        for d in [node.value] if isinstance(node, ast.Assign) else [node]:
            if not isinstance(d, ast.Dict) or not d.keys:
                continue
            keys = [k.value for k in d.keys if isinstance(k, ast.Constant)
                    and isinstance(k.value, str)]
            values = [v.value for v in d.values if isinstance(v, ast.Constant)
                      and isinstance(v.value, str)]
            if (len(keys) == len(d.keys) and all(_KEY.match(k) for k in keys)
                    and sum(bool(_CJK.search(v)) for v in values) >= 2):
                found.append((targets[0] if targets else f"line {d.lineno}", d.lineno))
    return found


def _units() -> set[str]:
    """Units of measure (亩, 平方公里 …): the quantities' own words, not labels."""
    return set(CANONICAL_UNITS.values()) | {u for table in UNIT_FACTORS.values() for u in table}


def _vocabulary() -> dict[str, str]:
    """Every Chinese label of geo.labels → the name of the dict, tuple or text holding it."""
    found: dict[str, str] = {}
    for name, value in vars(labels).items():
        if not name.isupper():
            continue
        items = (value.values() if isinstance(value, dict) else value
                 if isinstance(value, tuple) else [value] if isinstance(value, str) else [])
        for text in items:
            if isinstance(text, str) and _CJK.search(text) and text not in _units():
                found.setdefault(text, name)
    return found


def _docstrings(tree: ast.Module) -> set[int]:
    """ids of the string statements (docstrings of modules, classes, functions, attributes)."""
    return {id(n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
            and isinstance(n.value.value, str)}


def _label_copies(path: Path, vocabulary: dict[str, str]) -> list[tuple[str, int]]:
    """(text, line) of each string literal in ``path`` equal to a label of ``vocabulary``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    return sorted(((n.value, n.lineno) for n in ast.walk(tree)
                   if isinstance(n, ast.Constant) and isinstance(n.value, str)
                   and id(n) not in docs and n.value in vocabulary), key=lambda t: t[1])


def _chinese(node: ast.expr) -> bool:
    """Whether ``node`` is a string literal or f-string with Chinese text."""
    if isinstance(node, ast.JoinedStr):
        return any(_chinese(v) for v in node.values)
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(
        _CJK.search(node.value))


def _chinese_renames(path: Path) -> list[int]:
    """Lines of ``….rename(columns={...})`` calls whose literal dict gives Chinese headers."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "rename"):
            continue
        mappings = [k.value for k in node.keywords if k.arg in ("columns", "mapper")]
        mappings += node.args[:1]
        values = [v for m in mappings if isinstance(m, ast.Dict) for v in m.values]
        values += [m.value for m in mappings if isinstance(m, ast.DictComp)]
        if any(_chinese(v) for v in values):
            found.append(node.lineno)
    return found


def test_chinese_labels_are_defined_only_in_geo_labels():
    offenders = []
    for rel, path in _modules():
        offenders += [f"{rel}:{line} {name}" for name, line in _label_dicts(path)
                      if (rel, _line(path, line)) not in _NOT_LABELS]
    assert offenders == [], "move these labels into geo/labels.py"


def test_no_label_is_copied_outside_geo_labels():
    vocabulary = _vocabulary()
    offenders = [f"{rel}:{line} {text!r} (geo.labels.{vocabulary[text]})"
                 for rel, path in _modules() if rel not in _ALIAS_FILES
                 for text, line in _label_copies(path, vocabulary)
                 if (rel, _line(path, line)) not in _COPIES_ALLOWED]
    assert offenders == [], "take these labels from geo.labels instead of repeating them"


def test_no_rename_gives_chinese_headers_of_its_own():
    offenders = [f"{rel}:{line}" for rel, path in _modules() for line in _chinese_renames(path)]
    assert offenders == [], "rename with a dict of geo.labels (e.g. labelled(..., extra=...))"


def test_exemptions_are_current():
    stale = [f"{rel}: {text}" for rel, text in sorted(_NOT_LABELS | _COPIES_ALLOWED)
             if text not in {ln.strip() for ln in
                             (ROOT / rel).read_text(encoding="utf-8").splitlines()}]
    assert stale == [], "these exemptions match no line any more: delete them"


def test_the_checker_finds_a_label_dict(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('HEADERS = {"district": "区县", "name": "名称"}\n', encoding="utf-8")
    assert _label_dicts(probe) == [("HEADERS", 1)]


def test_the_checker_finds_a_copied_label(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(f'"""{COLUMNS["district"]}"""\n'  # a docstring may name a label
                     "def f():\n"
                     f'    """{COLUMNS["name"]}"""\n'
                     f'    return "{COLUMNS["district"]}", "{COLUMNS["district"]}（附注）"\n'
                     f'NAME = {{"name": "{labels.MAP_LAYERS["district"]}"}}\n'
                     'AREA = "亩"\n',  # a unit, not a label
                     encoding="utf-8")
    assert _label_copies(probe, _vocabulary()) == [(COLUMNS["district"], 4),
                                                   (labels.MAP_LAYERS["district"], 5)]


def test_the_checker_finds_a_chinese_rename(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("a = t.rename(columns={'x': '当前'})\n"
                     "b = t.rename(columns={'x': f'{year} 年目标'})\n"
                     "c = t.rename(columns={c: '值' for c in t})\n"
                     "d = t.rename(columns=COLUMNS)\n"
                     "e = t.rename(columns={'x': 'y'})\n"
                     "f = t.rename({'x': '当前'}, axis=1)\n", encoding="utf-8")
    assert _chinese_renames(probe) == [1, 2, 3, 6]


def test_field_headers_come_from_geo_labels():
    """The input/sample headers of the data model are the two dicts of geo.labels, in order."""
    assert [(f.name, f.label) for f in PARCEL_FIELDS] == list(
        labels.PARCEL_FIELD_HEADERS.items())
    assert [(f.name, f.label) for f in ENTERPRISE_FIELDS] == list(
        labels.ENTERPRISE_FIELD_HEADERS.items())


def test_labelled_uses_the_export_vocabulary():
    import pandas as pd

    table = pd.DataFrame({"district": ["北仑区"], "tax_per_mu": [1.0], "geometry_quality":
                          ["schematic"]})
    shown = labelled(table)
    assert list(shown.columns) == [COLUMNS["district"], COLUMNS["tax_per_mu"],
                                   COLUMNS["geometry_quality"]]
    assert shown.iloc[0, 2] == labels.QUALITY["schematic"]
    assert list(labelled(table, ["tax_per_mu"], extra={"tax_per_mu": "x"}).columns) == ["x"]

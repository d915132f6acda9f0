"""One vocabulary: Chinese labels are defined in geo/labels.py only (issue 9).

A label dictionary anywhere else lets a page and its download drift apart (区县 on the page,
所在区县（市） in the Excel). The check reads every module of geo/, layers/ and app_pages/ and
fails on a dict literal that maps English identifiers to two or more Chinese texts.
"""

from __future__ import annotations

import ast
import re

from geo import labels
from geo.labels import COLUMNS, labelled
from tests.support.paths import ROOT

_CJK = re.compile(r"[\u4e00-\u9fff]")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: Dicts that are not labels, with why.
_NOT_LABELS = {
    ("geo/io/quantities.py", "CANONICAL_UNITS"),  # units of measure (the quantities' own words)
    ("geo/landuse/register.py", "audit row"),     # one audit line's values, not headers
}


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
                found.append((targets[0] if targets else "audit row" if "who" in keys
                              else f"line {d.lineno}", d.lineno))
    return found


def test_chinese_labels_are_defined_only_in_geo_labels():
    offenders = []
    for folder in ("geo", "layers", "app_pages"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = str(path.relative_to(ROOT))
            if rel == "geo/labels.py":
                continue
            offenders += [f"{rel}:{line} {name}" for name, line in _label_dicts(path)
                          if (rel, name) not in _NOT_LABELS]
    assert offenders == [], "move these labels into geo/labels.py"


def test_the_checker_finds_a_label_dict(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('HEADERS = {"district": "区县", "name": "名称"}\n', encoding="utf-8")
    assert _label_dicts(probe) == [("HEADERS", 1)]


def test_labelled_uses_the_export_vocabulary():
    import pandas as pd

    table = pd.DataFrame({"district": ["北仑区"], "tax_per_mu": [1.0], "geometry_quality":
                          ["schematic"]})
    shown = labelled(table)
    assert list(shown.columns) == [COLUMNS["district"], COLUMNS["tax_per_mu"],
                                   COLUMNS["geometry_quality"]]
    assert shown.iloc[0, 2] == labels.QUALITY["schematic"]
    assert list(labelled(table, ["tax_per_mu"], extra={"tax_per_mu": "x"}).columns) == ["x"]

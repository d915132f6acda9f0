"""One of each thing (issue 9): one profile class per meaning, one Ningbo box, one atomic write,
one year rule, errors that say what failed, typed low-efficiency rules, and page caches keyed
by their real inputs."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest

from geo._errors import CatalogValidationError, ProfileError, RegisterError
from geo.io.quantities import YEAR_MAX, YEAR_MIN, parse_year
from geo.landuse.register import load_register, read_audit, save_register, update_register
from geo.landuse.scoring import LowlandRules, ScoringProfile, load_profile
from geo.landuse.tables import UNCLASSED, filter_enterprises
from tests.support.paths import ROOT


def _modules(*folders: str) -> list[Path]:
    return [p for f in folders for p in sorted((ROOT / f).rglob("*.py"))]


def _top_level_names(path: Path) -> list[tuple[str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            out.append(("class", node.name))
        elif isinstance(node, ast.Assign):
            out += [("name", t.id) for t in node.targets if isinstance(t, ast.Name)
                    and isinstance(node.value, ast.Tuple | ast.Dict | ast.Constant)]
    return out


def test_no_two_classes_share_a_name():
    seen: dict[str, str] = {}
    clashes = []
    for path in _modules("geo", "layers"):
        for kind, name in _top_level_names(path):
            if kind == "class":
                if name in seen:
                    clashes.append(f"{name}: {seen[name]} and {path.relative_to(ROOT)}")
                seen[name] = str(path.relative_to(ROOT))
    assert clashes == []
    assert ScoringProfile.__module__ == "geo.landuse.scoring"


def test_ningbo_bounds_are_defined_once():
    where = [str(p.relative_to(ROOT)) for p in _modules("geo", "layers", "app_pages")
             if ("name", "NINGBO_BOUNDS") in _top_level_names(p)]
    assert where == ["geo/crs.py"]
    from geo.crs import NINGBO_BOUNDS, NINGBO_VIEW

    west, south, east, north = NINGBO_BOUNDS
    v_west, v_south, v_east, v_north = NINGBO_VIEW
    assert west < v_west < v_east < east
    assert south < v_south < v_north < north


def test_one_atomic_write():
    writers = [str(p.relative_to(ROOT)) for p in _modules("geo", "layers", "app_pages")
               if "os.replace(" in p.read_text(encoding="utf-8")
               or "mkstemp(" in p.read_text(encoding="utf-8")]
    assert writers == ["geo/io/atomic.py"]


@pytest.mark.parametrize("year", [YEAR_MIN - 1, YEAR_MIN, 1960, 1989, 2025, YEAR_MAX,
                                  YEAR_MAX + 1])
def test_one_year_rule_for_imports_and_the_register(tmp_path, year):
    imported, _ = parse_year(str(year))
    path = tmp_path / "register.csv"
    path.write_text(f"宗地编号,状态,面积（亩）,年度\nA,已盘活,3,{year}\n", encoding="utf-8")
    try:
        load_register(path)
        registered = True
    except RegisterError:
        registered = False
    assert (imported is not None) == registered == (YEAR_MIN <= year <= YEAR_MAX)


def test_register_and_profile_errors_say_what_failed(tmp_path):
    bad = tmp_path / "register.csv"
    bad.write_text("宗地编号,状态,面积（亩）\nA,完成了,3\n", encoding="utf-8")
    with pytest.raises(RegisterError) as err:
        load_register(bad)
    assert not isinstance(err.value, CatalogValidationError)
    toml = tmp_path / "p.toml"
    toml.write_text("[tracks]\n", encoding="utf-8")
    with pytest.raises(ProfileError) as err2:
        load_profile(toml)
    assert not isinstance(err2.value, CatalogValidationError)
    with pytest.raises(RegisterError):
        update_register(load_register(tmp_path / "none.csv"),
                        [{"parcel_id": "A", "status": "已完成"}], who="x")


def test_lowland_rules_are_typed():
    rules = load_profile().lowland
    assert isinstance(rules, LowlandRules)
    assert isinstance(rules.tax_per_mu_below, float)
    assert rules.idle_statuses
    assert isinstance(rules.idle_statuses, tuple)
    assert not hasattr(rules, "get")


def test_audit_log_is_read_by_geo_newest_first(tmp_path):
    reg, audit = update_register(load_register(tmp_path / "none.csv"),
                                 [{"parcel_id": "A", "status": "待整治", "area_mu": 3}],
                                 who="王五")
    save_register(reg, tmp_path / "r.csv", audit=audit, audit_path=tmp_path / "a.csv")
    reg2, audit2 = update_register(reg, [{"parcel_id": "A", "note": "=1+1"}], who="李四")
    save_register(reg2, tmp_path / "r.csv", audit=audit2, audit_path=tmp_path / "a.csv")
    log = read_audit(tmp_path / "a.csv")
    assert log.iloc[0]["who"] == "李四"
    assert log.iloc[0]["new"] == "=1+1"  # inert in the file, the text itself when read
    assert read_audit(tmp_path / "missing.csv").empty


def test_enterprise_filter_rule_lives_in_geo():
    table = pd.DataFrame({"class": ["A", None, "D", "D"], "track": ["规上", None, "规下", "规上"],
                          "district": ["北仑区", "北仑区", "鄞州区", "北仑区"]})
    assert filter_enterprises(table, classes=["D"], tracks=["规上"]).index.tolist() == [3]
    assert filter_enterprises(table, classes=[UNCLASSED], tracks=[]).index.tolist() == [1]
    assert filter_enterprises(table, classes=["A", "D"], tracks=["规上", "规下"],
                              district="北仑区").index.tolist() == [0, 3]


_SESSION_READERS = {"current_analysis", "get_catalog", "get_selection", "data_key",
                    "current_filters", "analysis_key", "session_state"}


def _cached_functions(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(
                "cache_" in ast.unparse(d) for d in node.decorator_list):
            yield node


def test_page_caches_are_keyed_by_their_real_inputs():
    """A cached page function reads nothing but its arguments, and uses every argument."""
    faults = []
    for path in [ROOT / "streamlit_app.py", *_modules("app_pages")]:
        for fn in _cached_functions(path):
            used = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)}
            used |= {n.attr for n in ast.walk(fn) if isinstance(n, ast.Attribute)}
            readers = sorted(used & _SESSION_READERS)
            if readers:
                faults.append(f"{path.name}:{fn.name} reads {readers}")
            args = [a.arg for a in fn.args.args]
            body_names = {n.id for stmt in fn.body for n in ast.walk(stmt)
                          if isinstance(n, ast.Name)}
            unused = [a for a in args if a not in body_names and a != "key"]
            if unused:
                faults.append(f"{path.name}:{fn.name} ignores {unused}")
    assert faults == []


def test_pages_do_not_read_files_themselves():
    for path in [ROOT / "streamlit_app.py", *_modules("app_pages")]:
        text = path.read_text(encoding="utf-8")
        assert "read_csv(" not in text, path.name
        assert "read_file(" not in text, path.name

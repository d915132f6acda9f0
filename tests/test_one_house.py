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


def _top_level_classes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.name for node in tree.body if isinstance(node, ast.ClassDef)]


def _module_scope(node: ast.AST):
    """The nodes evaluated in the module's own scope: everything but function and class bodies
    (so ``if``/``try``/``with`` blocks at module level are included)."""
    for child in ast.iter_child_nodes(node):
        yield child
        if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
                          | ast.Lambda):
            yield from _module_scope(child)


def _module_level_bindings(path: Path) -> list[tuple[int, str]]:
    """Names a module binds at module level, with their line: any assignment target (plain,
    annotated, augmented, tuple, walrus, ``for``/``with`` targets), ``def``/``class`` names and
    imports under another name (``from m import X as NAME``). A plain re-import of a name
    (``from geo.crs import NINGBO_BOUNDS``) uses the definition, it is not one."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in _module_scope(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.append((node.lineno, node.id))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out.append((node.lineno, node.name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            out += [(node.lineno, a.asname) for a in node.names
                    if a.asname and a.asname != a.name.rpartition(".")[2]]
    return out


def _defines(path: Path, name: str) -> list[int]:
    """The lines where ``path`` binds ``name`` at module level."""
    return [line for line, bound in _module_level_bindings(path) if bound == name]


def test_no_two_classes_share_a_name():
    seen: dict[str, str] = {}
    clashes = []
    for path in _modules("geo", "layers"):
        for name in _top_level_classes(path):
            if name in seen:
                clashes.append(f"{name}: {seen[name]} and {path.relative_to(ROOT)}")
            seen[name] = str(path.relative_to(ROOT))
    assert clashes == []
    assert ScoringProfile.__module__ == "geo.landuse.scoring"


def test_ningbo_bounds_are_defined_once():
    where = [f"{p.relative_to(ROOT)}:{line}" for p in _modules("geo", "layers", "app_pages")
             for line in _defines(p, "NINGBO_BOUNDS")]
    assert [w.rpartition(":")[0] for w in where] == ["geo/crs.py"], where
    from geo.crs import NINGBO_BOUNDS, NINGBO_VIEW

    west, south, east, north = NINGBO_BOUNDS
    v_west, v_south, v_east, v_north = NINGBO_VIEW
    assert west < v_west < v_east < east
    assert south < v_south < v_north < north


_BOUNDS_PROBES = {
    "plain.py": "NINGBO_BOUNDS = (120.7, 28.7, 122.5, 30.7)\n",
    "annotated.py": "NINGBO_BOUNDS: tuple[float, ...] = (120.7, 28.7, 122.5, 30.7)\n",
    "from_name.py": "from geo.crs import NINGBO_VIEW\nNINGBO_BOUNDS = NINGBO_VIEW\n",
    "from_call.py": "NINGBO_BOUNDS = tuple(map(float, '1 2 3 4'.split()))\n",
    "in_if.py": "import os\nif os.name:\n    NINGBO_BOUNDS = 1\nelse:\n    pass\n",
    "in_try.py": "try:\n    X = 1\nexcept ImportError:\n    BOX, NINGBO_BOUNDS = 1, 2\n",
    "renamed.py": "from geo.crs import NINGBO_VIEW as NINGBO_BOUNDS\n",
    "walrus.py": "print(NINGBO_BOUNDS := (1, 2, 3, 4))\n",
}


def test_the_bounds_check_sees_a_second_definition(tmp_path):
    for name, text in _BOUNDS_PROBES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert _defines(tmp_path / name, "NINGBO_BOUNDS"), name
    uses = tmp_path / "uses.py"
    uses.write_text("from geo.crs import NINGBO_BOUNDS\n\n\ndef f(b=NINGBO_BOUNDS):\n"
                    "    NINGBO_BOUNDS = b\n    return NINGBO_BOUNDS\n\n\nclass C:\n"
                    "    NINGBO_BOUNDS = None\n", encoding="utf-8")
    assert _defines(uses, "NINGBO_BOUNDS") == []  # a use, a local and a class attribute


#: Calls that replace or create a file under another name: the atomic write's own steps.
_ATOMIC_CALLS = frozenset({"os.replace", "os.rename", "os.renames", "shutil.move",
                           "tempfile.mkstemp", "tempfile.NamedTemporaryFile",
                           "pathlib.Path.replace", "pathlib.Path.rename"})
#: Expressions that give a path: ``Path(…)``, ``a / b``, ``p.with_suffix(…)``, ``p.parent``.
_PATH_CALLS = frozenset({"Path", "PurePath", "PosixPath", "WindowsPath"})
_PATH_METHODS = frozenset({"with_suffix", "with_name", "with_stem", "joinpath", "resolve",
                           "absolute", "expanduser"})
_LITERALS = (ast.Constant, ast.JoinedStr, ast.Dict, ast.List, ast.Tuple, ast.Set, ast.Lambda,
             ast.DictComp, ast.ListComp, ast.SetComp, ast.GeneratorExp)


def _import_aliases(tree: ast.Module) -> dict[str, str]:
    """Local name → dotted origin, for every import in the file (``import os as _os``: _os → os;
    ``from shutil import move``: move → shutil.move)."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):  # import os.path binds os; import os.path as p, p
            out |= {a.asname: a.name for a in node.names if a.asname}
            out |= {(top := a.name.partition(".")[0]): top for a in node.names if not a.asname}
        elif isinstance(node, ast.ImportFrom) and not node.level:
            out |= {a.asname or a.name: f"{node.module}.{a.name}" for a in node.names}
    return out


def _dotted(node: ast.expr, aliases: dict[str, str]) -> str | None:
    """``os.replace`` for ``_os.replace`` after ``import os as _os``; None for ``f().x``."""
    if isinstance(node, ast.Name):
        return aliases.get(node.id, node.id)
    if isinstance(node, ast.Attribute) and (base := _dotted(node.value, aliases)):
        return f"{base}.{node.attr}"
    return None


def _is_path(node: ast.expr, names: set[str], aliases: dict[str, str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in names
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, ast.Div)
    if isinstance(node, ast.Attribute):
        return node.attr == "parent"
    if isinstance(node, ast.Call):
        called = _dotted(node.func, aliases) or ""
        return (called.rpartition(".")[2] in _PATH_CALLS
                or getattr(node.func, "attr", None) in _PATH_METHODS)
    return False


def _path_names(tree: ast.AST, aliases: dict[str, str]) -> set[str]:
    """Names assigned a path (``tmp = path.with_suffix(…)``) or annotated as one."""
    names: set[str] = set()
    for _ in range(3):  # names assigned from names: a few rounds reach the fixpoint here
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and _is_path(node.value, names, aliases):
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
            elif isinstance(node, ast.AnnAssign | ast.arg):
                note = node.annotation
                target = node.target if isinstance(node, ast.AnnAssign) else node
                name = getattr(target, "id", None) or getattr(target, "arg", None)
                if name and note is not None and "Path" in ast.unparse(note):
                    names.add(name)
    return names


def _is_path_move(call: ast.Call, discarded: set[int], paths: set[str],
                  aliases: dict[str, str]) -> bool:
    """``tmp.replace(target)`` / ``p.rename(q)``: ``.replace``/``.rename`` with exactly one
    argument (``Path.replace(target)``), not a literal, and either its result is thrown away
    or the receiver is a path.

    ``str.replace`` takes two arguments; pandas' ``.rename``/``.replace`` are called with
    keywords (``columns=``) or a literal mapping, and a one-argument pandas call whose result
    is thrown away would do nothing — so neither is taken for a file move.
    """
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in ("replace", "rename"):
        return False
    given = [*call.args, *(k.value for k in call.keywords if k.arg == "target")]
    if len(given) != 1 or len(call.args) + len(call.keywords) != 1:
        return False
    if isinstance(given[0], _LITERALS):
        return False
    return id(call) in discarded or _is_path(func.value, paths, aliases)


def _atomic_writes(path: Path) -> list[str]:
    """The calls in ``path`` that write a file under one name and move it to another."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases = _import_aliases(tree)
    paths = _path_names(tree, aliases)
    discarded = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if _dotted(node.func, aliases) in _ATOMIC_CALLS or _is_path_move(node, discarded, paths,
                                                                         aliases):
            found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_one_atomic_write():
    writers = {str(p.relative_to(ROOT)): found for p in _modules("geo", "layers", "app_pages")
               if (found := _atomic_writes(p))}
    assert list(writers) == ["geo/io/atomic.py"], (
        f"write files with geo.io.atomic.write_atomic, not by hand: {writers}")


_ATOMIC_PROBE = """\
import os as _os
import shutil
import tempfile
from os import rename
from pathlib import Path
from shutil import move as shift
from tempfile import NamedTemporaryFile


def save(path: Path, text, df, mapping):
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(path)
    _os.replace(tmp, path)
    rename(tmp, path)
    shutil.move(tmp, path)
    shift(tmp, path)
    fd, name = tempfile.mkstemp()
    with NamedTemporaryFile() as fh:
        fh.write(b"")
    moved = tmp.rename(path)
    Path(name).replace(target=path)
    Path.replace(tmp, path)
    path.rename(str(tmp))
    (path.parent / "x").replace(path)
    return moved, fd
"""

_NOT_ATOMIC_PROBE = """\
import pandas as pd


def clean(text, df, mapping, sep, value):
    a = text.replace(",", ";")
    b = text.replace(sep, ";")
    c = df.rename(columns=mapping)
    d = df.replace(mapping)
    e = value.replace(year=2020)
    f = df.rename(mapping)
    df.rename(columns=mapping, inplace=True)
    df.replace({"a": "b"})
    text.replace(",", "")
    return a, b, c, d, e, f, pd
"""


def test_the_atomic_write_check_sees_a_hand_made_one(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(_ATOMIC_PROBE, encoding="utf-8")
    lines = [int(f.split(":")[1]) for f in _atomic_writes(probe)]
    assert sorted(lines) == [13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 24, 25]
    clean = tmp_path / "clean.py"
    clean.write_text(_NOT_ATOMIC_PROBE, encoding="utf-8")
    assert _atomic_writes(clean) == []


_YEAR_TEXTS = ["2023", "2023年", "2023年度", "2023.0", " 2023 ", "23", "2023-01", "", "—"]


def _import_accepts(text: str) -> bool:
    """The import rule: a year, or an empty cell (``(None, "")``); a problem text rejects."""
    _, problem = parse_year(text)
    return not problem


def _register_accepts(tmp_path: Path, text: str) -> bool:
    path = tmp_path / "register.csv"
    path.write_text(f"宗地编号,状态,面积（亩）,年度\nA,已盘活,3,{text}\n", encoding="utf-8")
    try:
        load_register(path)
    except RegisterError:
        return False
    return True


@pytest.mark.parametrize("year", [YEAR_MIN - 1, YEAR_MIN, 1960, 1989, 2025, YEAR_MAX,
                                  YEAR_MAX + 1])
def test_one_year_rule_for_imports_and_the_register(tmp_path, year):
    imported, _ = parse_year(str(year))
    registered = _register_accepts(tmp_path, str(year))
    assert (imported is not None) == registered == (YEAR_MIN <= year <= YEAR_MAX)


@pytest.mark.parametrize("text", _YEAR_TEXTS)
def test_one_year_rule_for_year_texts(tmp_path, text):
    """Whatever parse_year accepts (or refuses), the register's 年度 column does too."""
    assert _import_accepts(text) == _register_accepts(tmp_path, text), (
        f"parse_year({text!r}) and the register's 年度 disagree")


def test_the_year_rule_check_sees_both_answers(tmp_path):
    # each side both accepts and refuses, so agreement is not two helpers that always say no
    assert _import_accepts("2023")
    assert not _import_accepts("abcd")
    assert _register_accepts(tmp_path, "2023")
    assert not _register_accepts(tmp_path, "abcd")
    assert not _register_accepts(tmp_path, f"{YEAR_MAX + 1}")


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


#: What a cached function must not read: it is not part of the cache key.
_STATE = frozenset({"session_state", "query_params", "environ", "getenv"})


def _pages() -> list[Path]:
    return [ROOT / "streamlit_app.py", *_modules("app_pages")]


def _state_aliases(tree: ast.Module) -> set[str]:
    """Module names that stand for session or environment state: ``from os import environ``,
    ``from streamlit import session_state as ss``, ``state = st.session_state``."""
    names = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
             for a in n.names if a.name in _STATE}
    for _ in range(3):  # aliases of aliases
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None \
                    and _state_reads(stmt.value, names):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def _state_reads(node: ast.AST, aliases: set[str]) -> set[str]:
    """``st.session_state``, ``st.query_params``, ``os.environ``, ``os.getenv`` (under any
    module alias), a name standing for one of them, or ``getattr(x, "session_state")``."""
    found = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Attribute) and n.attr in _STATE:
            found.add(ast.unparse(n))
        elif isinstance(n, ast.Name) and n.id in aliases:
            found.add(n.id)
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "getattr" \
                and len(n.args) > 1 and getattr(n.args[1], "value", None) in _STATE:
            found.add(ast.unparse(n))
    return found


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _called(node: ast.AST) -> set[str]:
    """Names of the functions ``node`` calls (``f(…)`` and ``module.f(…)``)."""
    return {n.func.id if isinstance(n.func, ast.Name) else n.func.attr for n in ast.walk(node)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name | ast.Attribute)}


def _state_readers(paths: list[Path]) -> set[str]:
    """Functions defined in ``paths`` that read session or environment state, directly or
    through another such function (to the fixpoint, which covers "one level")."""
    calls, readers = {}, set()
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = _state_aliases(tree)
        for fn in _functions(tree):
            calls.setdefault(fn.name, set()).update(_called(fn))
            if _state_reads(fn, aliases):
                readers.add(fn.name)
    while grown := {f for f, c in calls.items() if c & readers} - readers:
        readers |= grown
    return readers


def _cached_functions(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Functions decorated with ``st.cache_data``/``st.cache_resource`` (any decorator whose
    text contains ``cache_``), or wrapped by one (``f = st.cache_data(_f)``)."""
    wrapped = {n.args[0].id for n in ast.walk(tree) if isinstance(n, ast.Call) and n.args
               and isinstance(n.args[0], ast.Name) and "cache_" in ast.unparse(n.func)}
    return [fn for fn in _functions(tree) if fn.name in wrapped
            or any("cache_" in ast.unparse(d) for d in fn.decorator_list)]


def _unused_arguments(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """Arguments the body never reads; ``key`` may be one only beside an unhashed ``_data``."""
    a = fn.args
    names = [x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg) if x]
    read = {n.id for stmt in fn.body for n in ast.walk(stmt)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    keyed = any(n.startswith("_") for n in names)
    return [n for n in names if n not in read and not (n == "key" and keyed)]


def _cache_faults(path: Path, readers: set[str]) -> list[str]:
    """What a cached function of ``path`` reads besides its arguments, or ignores of them."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases = _state_aliases(tree)
    readers = readers | {a.asname for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                         for a in n.names if a.asname and a.name in readers}
    faults = []
    for fn in _cached_functions(tree):
        where = f"{path.name}:{fn.name}"
        if reads := sorted(_state_reads(fn, aliases)):
            faults.append(f"{where} reads {reads}")
        if calls := sorted(_called(fn) & readers):
            faults.append(f"{where} calls {calls}, which read session or environment state")
        if unused := _unused_arguments(fn):
            faults.append(f"{where} ignores {unused}")
    return faults


def test_page_caches_are_keyed_by_their_real_inputs():
    """A cached page function reads nothing but its arguments, and uses every argument."""
    readers = _state_readers(_pages())
    assert {"data_key", "current_filters", "get_catalog", "current_analysis"} <= readers
    faults = [f for path in _pages() for f in _cache_faults(path, readers)]
    assert faults == []


_CACHE_PROBE = """\
import os
from os import getenv as env

import streamlit as st
import streamlit as stl
from app_pages.common import data_key as folder
from streamlit import session_state

STATE = st.session_state


def helper():
    return stl.query_params.get("x")


@st.cache_data
def via_session(x):
    return st.session_state.get(x)


@st.cache_resource(show_spinner=False)
def via_alias(x):
    return STATE.get(x), session_state.get(x)


@st.cache_data()
def via_env(x):
    return os.environ.get(x), os.getenv(x), env(x), getattr(os, "environ")


@st.cache_data
def via_helpers(x):
    return helper(), folder(), x


@st.cache_data
def unused_key(key, level):
    return level


@st.cache_data
def unused_data(key, level, _analysis):
    return level


def _plain(x, y):
    return x


wrapped = st.cache_data(_plain)


@st.cache_data
def fine(key, level, _analysis, *, fmt="csv"):
    return _analysis.table(level, fmt)
"""


def test_the_cache_check_sees_hidden_inputs(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(_CACHE_PROBE, encoding="utf-8")
    readers = _state_readers([*_modules("app_pages"), probe])
    assert _cache_faults(probe, readers) == [
        "probe.py:via_session reads ['st.session_state']",
        "probe.py:via_alias reads ['STATE', 'session_state']",
        "probe.py:via_env reads ['env', \"getattr(os, 'environ')\", 'os.environ', 'os.getenv']",
        "probe.py:via_helpers calls ['folder', 'helper'], which read session or environment state",
        "probe.py:unused_key ignores ['key']",
        "probe.py:unused_data ignores ['_analysis']",
        "probe.py:_plain ignores ['y']",
    ]


#: Calls that read a file: pages hand paths to geo/ (which opens them guarded), never read.
_FILE_READS = frozenset({"open", "read_csv", "read_file", "read_excel", "read_dataframe",
                         "load_workbook", "read_text", "read_bytes", "read_parquet",
                         "read_feather", "read_fwf"})
#: Reads under a name geo/ also uses (geo.io.tables.read_table is the guarded one).
_QUALIFIED_READS = frozenset({"pandas.read_table", "pandas.read_json", "geopandas.read_parquet"})


def _file_reads(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases = _import_aliases(tree)
    local = {name for name, origin in aliases.items()
             if origin.rpartition(".")[2] in _FILE_READS or origin in _QUALIFIED_READS}
    found = []
    for n in ast.walk(tree):
        if not isinstance(n, ast.Call):
            continue
        name = n.func.id if isinstance(n.func, ast.Name) else getattr(n.func, "attr", None)
        if name in _FILE_READS or name in local or _dotted(n.func, aliases) in _QUALIFIED_READS:
            found.append(f"{path.name}:{n.lineno}: {ast.unparse(n.func)}")
    return found


@pytest.mark.parametrize("path", _pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_pages_do_not_read_files_themselves(path):
    assert _file_reads(path) == []


_READ_PROBE = """\
import io
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
from pandas import read_excel as excel

from geo.io.tables import read_table
from geo.landuse.ingest import read_source

with open("x.csv") as fh:
    pass
pd.read_csv("x.csv")
gpd.read_file("x.gpkg")
excel("x.xlsx")
pyogrio.read_dataframe("x.gpkg")
openpyxl.load_workbook("x.xlsx")
Path("x").read_text(encoding="utf-8")
Path("x").read_bytes()
Path("x").open()
io.open("x")
pd.read_table("x.tsv")
read_table(Path("x"))
read_source(Path("x"))
Path("x").write_bytes(b"")
"""


def test_the_file_read_check_sees_a_page_reading(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(_READ_PROBE, encoding="utf-8")
    assert sorted(int(f.split(":")[1]) for f in _file_reads(probe)) == [13, *range(15, 25)]


def _cache_decorators(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    names = []
    for dec in node.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        if isinstance(target, ast.Attribute) and target.attr in ("cache_data", "cache_resource"):
            names.append(target.attr)
    return names


def test_a_page_function_is_cached_once():
    """Two cache decorators on one function (a decorator left behind when a function was moved
    below it) cache the wrong thing and leave the intended one uncached."""
    twice = [f"{p.relative_to(ROOT)}:{node.lineno} {node.name}"
             for p in _modules("app_pages") + [ROOT / "streamlit_app.py"]
             for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
             if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
             and len(_cache_decorators(node)) > 1]
    assert not twice, twice

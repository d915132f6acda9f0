"""The boundary between pure logic and UI: geo/ and layers/ never import Streamlit."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import pytest

from tests.support.paths import ROOT

PURE = ["geo", "layers"]


@pytest.mark.parametrize("module", ["streamlit", "streamlit_folium"])
def test_ruff_bans_streamlit_in_geo_and_layers(module):
    code = f"import {module}\n"
    for folder in PURE:
        proc = subprocess.run(
            [sys.executable, "-m", "ruff", "check", "--stdin-filename", f"{folder}/probe.py", "-"],
            input=code, capture_output=True, text=True, cwd=ROOT)
        assert proc.returncode == 1, proc.stdout
        assert "TID251" in proc.stdout, proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--stdin-filename", "streamlit_app.py", "-"],
        input=code, capture_output=True, text=True, cwd=ROOT)
    assert "TID251" not in proc.stdout


def test_no_pure_module_imports_streamlit():
    for folder in PURE:
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                assert not any(n.split(".")[0] in ("streamlit", "streamlit_folium")
                               for n in names), path


def test_no_data_reaches_the_page_as_raw_html():
    """``unsafe_allow_html`` is never used: data is shown as text or escaped by layers.text."""
    for path in [ROOT / "streamlit_app.py", *(ROOT / "app_pages").rglob("*.py"),
                 *(ROOT / "layers").rglob("*.py"), *(ROOT / "geo").rglob("*.py")]:
        assert "unsafe_allow_html" not in path.read_text(encoding="utf-8"), path


def test_layers_build_but_never_render():
    for path in (ROOT / "layers").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert ".render(" not in text, path
        assert "_repr_html_" not in text, path


def test_pages_stay_thin():
    """No page function grows into the 1,000-line page: logic lives in geo/ and layers/."""
    for path in [ROOT / "streamlit_app.py", *(ROOT / "app_pages").glob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert len(path.read_text(encoding="utf-8").splitlines()) < 200, path
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                assert node.end_lineno - node.lineno < 60, f"{path}:{node.name}"


def test_page_icons_come_from_the_font_the_app_serves():
    """Material Symbols ship with Streamlit; an emoji icon needs a colour-emoji font that
    many office Linux desktops lack, and shows there as an empty box."""
    source = (ROOT / "streamlit_app.py").read_text(encoding="utf-8")
    icons = re.findall(r'\bicon="([^"]*)"', source)  # the pages' (not page_icon: see the app)
    assert len(icons) >= 11
    assert all(re.fullmatch(r":material/[a-z_]+:", icon) for icon in icons), icons
    assert not re.search(r'page_icon=":material/', source)  # that one comes from a CDN


def test_no_code_of_a_session_saves_and_restores_the_warning_filters():
    """``warnings.catch_warnings`` (and ``np.seterr``) change state the whole process shares;
    every session runs in its own thread, so one session's restore undoes another's filter."""
    calls = []
    paths = [p for folder in [*PURE, "app_pages"] for p in (ROOT / folder).rglob("*.py")]
    for path in [*paths, ROOT / "streamlit_app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("catch_warnings", "seterr"):
                calls.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.attr}")
    assert not calls, calls

"""The boundary between pure logic and UI: geo/ and layers/ never import Streamlit."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest
from conftest import ROOT

PURE = ["geo", "layers"]


@pytest.mark.parametrize("module", ["streamlit", "streamlit_folium"])
def test_ruff_bans_streamlit_in_geo_and_layers(module):
    code = f"import {module}\n"
    for folder in PURE:
        proc = subprocess.run(
            [sys.executable, "-m", "ruff", "check", "--stdin-filename", f"{folder}/probe.py", "-"],
            input=code, capture_output=True, text=True, cwd=ROOT)
        assert proc.returncode == 1 and "TID251" in proc.stdout, proc.stdout
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

"""Fixtures of the AppTest tests: a work folder of their own for every test."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit.testing.v1.app_test as app_test_module

from app_pages.analysis_state import WORK_DIR_ENV
from app_pages.common import DATA_DIR_ENV
from tests.support.apptest import RecordingStorage


@pytest.fixture
def work(tmp_path, monkeypatch) -> Path:
    """A fresh register folder, the bundled catalogue, and download bytes kept for reading."""
    folder = tmp_path / "work"
    monkeypatch.setenv(WORK_DIR_ENV, str(folder))
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)
    return folder

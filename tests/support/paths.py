"""Where the project's files are, for tests that read them or start the app."""

from __future__ import annotations

from pathlib import Path

#: The repository root (the folder holding streamlit_app.py).
ROOT = Path(__file__).resolve().parents[2]
#: The app's entry point, for AppTest and the browser test.
APP = str(ROOT / "streamlit_app.py")

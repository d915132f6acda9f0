"""Session state of the 亩均 pages: which analysis is shown (bundled 示例数据 or the user's
upload), its cache key, the register files, and the banner that says what the data are."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import streamlit as st

from app_pages.common import APP_DIR, catalog_at, data_key

# --- land efficiency --------------------------------------------------------------------
#: Session-state key of an analysis built from uploaded files (else the sample is shown).
UPLOADED = "uploaded_analysis"
UPLOADED_KEY = "uploaded_analysis_key"
#: Environment variable naming the folder where the clearance register and audit log live.
WORK_DIR_ENV = "NINGBO_WORK_DIR"


def work_dir() -> Path:
    """Folder of the clearance register and its audit log (default ``./work``)."""
    return Path(os.environ.get(WORK_DIR_ENV) or APP_DIR / "work")


@st.cache_resource(show_spinner="正在计算示例数据的亩均效益…")
def _sample_analysis(data_dir: str, profile_path: str):
    from geo.landuse.pipeline import analyse, load_sample
    from geo.landuse.scoring import load_profile

    sample = load_sample()
    return analyse(sample.parcels, sample.enterprises, catalog_at(data_dir),
                   load_profile(profile_path or None), data_label=sample.data_label,
                   year=sample.year)


def set_uploaded(analysis) -> None:
    """Make ``analysis`` this session's data, under a fresh cache key."""
    st.session_state[UPLOADED] = analysis
    st.session_state[UPLOADED_KEY] = uuid.uuid4().hex


def clear_uploaded() -> None:
    """Go back to the bundled 示例数据."""
    st.session_state.pop(UPLOADED, None)
    st.session_state.pop(UPLOADED_KEY, None)


def current_analysis():
    """The uploaded analysis of this session, or the bundled 示例数据 analysis."""
    return st.session_state.get(UPLOADED) or _sample_analysis(data_key(), "")


def analysis_key() -> str:
    """A key that changes whenever the analysis does (for caches of derived tables)."""
    return st.session_state.get(UPLOADED_KEY) or f"sample:{data_key()}"


def register_paths(analysis) -> tuple[Path, Path]:
    """Register and audit-log files for the analysis' data.

    The 示例数据 keep their own register (seeded from ``data/sample``), so a synthetic register
    is never mixed with one kept for real parcels.
    """
    prefix = "sample_" if analysis.is_sample else ""
    folder = work_dir()
    return folder / f"{prefix}clearance_register.csv", folder / f"{prefix}clearance_audit.csv"


def data_banner(analysis) -> None:
    """State what the figures rest on — 示例数据 is never shown as real."""
    year = f" · 数据年度 {analysis.year}" if analysis.year else ""
    if analysis.is_sample:
        st.warning(f"⚠ {analysis.data_label}：本页所有数值均为程序合成，仅用于演示功能；"
                   f"请在“数据导入”页导入真实宗地与企业数据。{year}")
    else:
        st.info(f"数据：{analysis.data_label}{year} · 评价方案：{analysis.profile.name}")

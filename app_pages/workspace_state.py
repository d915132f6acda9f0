"""The workspace as the pages see it: the store, the dataset in use, the active profile.

Datasets an official with the 经办 or 管理 role imports are kept in the store
(:mod:`geo.store`) and survive reloads and restarts; the dataset shown is the one named in the
page address (``?dataset=…``, so a reload shows it again), else the newest stored one, else the
示例数据. The analysis of a stored dataset is computed once per dataset and profile and shared
by every session.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from app_pages.common import APP_DIR
from geo._errors import RegisterError, user_message
from geo.io.atomic import write_bytes_atomic
from geo.store import DATABASE_URL_ENV, open_workspace

#: Query parameter naming the dataset in use.
DATASET_PARAM = "dataset"
#: Register scopes: the 示例数据 keep a register of their own, never mixed with real parcels.
SAMPLE_SCOPE, IMPORTED_SCOPE = "sample", "imported"
SAMPLE_REGISTER = APP_DIR / "data" / "sample" / "clearance_register.csv"


#: Environment variable naming the work folder (the SQLite store, roles file, old registers).
WORK_DIR_ENV = "NINGBO_WORK_DIR"


def work_dir() -> Path:
    """The work folder (default ``./work``; ``NINGBO_WORK_DIR``)."""
    return Path(os.environ.get(WORK_DIR_ENV) or APP_DIR / "work")


@st.cache_resource(show_spinner="正在打开工作区…")
def _workspace_at(folder: str, url: str):
    """The store and what could not be migrated from the old CSV files (file left as it was)."""
    ws = open_workspace(folder, url or None)
    old = Path(folder)
    sample_csv = old / "sample_clearance_register.csv"
    problems = []
    for scope, reg, log in (
            (SAMPLE_SCOPE, sample_csv if sample_csv.exists() else SAMPLE_REGISTER,
             old / "sample_clearance_audit.csv"),
            (IMPORTED_SCOPE, old / "clearance_register.csv", old / "clearance_audit.csv")):
        try:
            ws.migrate_csv(scope, reg, log)
        except RegisterError as err:
            problems.append(f"旧整治台账文件无法读取，未迁入工作区，文件未作任何修改："
                            f"{user_message(err)}")
    return ws, problems


#: When a store last failed to open, per (folder, URL), and why: a run asks for the store
#: several times, and an unreachable server costs its connect timeout on every attempt.
_FAILED: dict[tuple[str, str], tuple[float, str]] = {}
#: Seconds before a store that failed to open is tried again.
_RETRY_AFTER_S = 30.0


def _opened():
    """(store, migration problems, why the store cannot be opened) — the store None if so.

    A store that cannot be opened (server unreachable, a damaged file, a read-only folder) is
    tried again after :data:`_RETRY_AFTER_S` seconds; meanwhile pages show the 示例数据
    read-only and say why.
    """
    where = (str(work_dir()), os.environ.get(DATABASE_URL_ENV, ""))
    failed = _FAILED.get(where)
    if failed is not None and time.monotonic() - failed[0] < _RETRY_AFTER_S:
        return None, [], failed[1]
    try:
        ws, problems = _workspace_at(*where)
    except (SQLAlchemyError, OSError, ValueError) as err:
        said = (f"工作区数据库无法打开（{type(err).__name__}），本页只显示示例数据，"
                "任何修改都不可用。处理办法：请管理员检查 NINGBO_DATABASE_URL "
                "所指的数据库是否可连接，或工作文件夹中的 workspace.sqlite 是否完好、可写")
        _FAILED[where] = (time.monotonic(), said)
        return None, [], said
    _FAILED.pop(where, None)
    return ws, problems, ""


def get_workspace():
    """The workspace store of this server, or None when it cannot be opened (see above)."""
    return _opened()[0]


def workspace_problem() -> str:
    """Why the workspace store cannot be opened ("" when it can)."""
    return _opened()[2]


def migration_problems() -> list[str]:
    """Why an old CSV register could not be migrated (shown on the 整治台账 tab)."""
    return _opened()[1]


def register_scope(analysis) -> str:
    """The register an analysis' parcels belong to."""
    return SAMPLE_SCOPE if analysis.is_sample else IMPORTED_SCOPE


def _profile_file(name: str, toml: str) -> Path:
    """The active profile's TOML as a file the profile reader opens (written once per text)."""
    digest = hashlib.sha256(toml.encode("utf-8")).hexdigest()[:16]
    path = work_dir() / "profiles" / f"active_{digest}.toml"
    if not path.exists():  # written whole or not at all: another session may read it now
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, toml.encode("utf-8"))
    return path


def active_profile_path() -> str:
    """Path of the scoring profile in use ("" = the bundled default)."""
    ws = get_workspace()
    active = None if ws is None else ws.active_profile()
    return "" if active is None else str(_profile_file(active[0], active[1]))


def chosen_dataset() -> str | None:
    """The stored dataset in use: this session's choice, else the one in the address, else the
    newest stored one; None = 示例数据. The address is kept in step, so a reload shows it again.

    A dataset named in the address that is no longer stored is never replaced silently by
    another: the 示例数据 are shown and :func:`dataset_gone` says so.
    """
    ws = get_workspace()
    if ws is None:
        return None
    wanted = st.session_state.get(_CHOICE) or st.query_params.get(DATASET_PARAM)
    known = [d.id for d in ws.datasets()]
    if wanted and wanted != SAMPLE_SCOPE and wanted not in known:
        st.session_state[_GONE] = wanted
        chosen = None
    else:
        chosen = (None if wanted == SAMPLE_SCOPE else wanted if wanted in known
                  else known[0] if known else None)
    use_dataset(chosen)
    return chosen


def forget_dataset(ds_id: str) -> None:
    """Stop using a dataset that is no longer stored (and say so, see :func:`dataset_gone`)."""
    st.session_state[_GONE] = ds_id
    use_dataset(None)


def dataset_gone() -> bool:
    """Whether the dataset this session (or its address) asked for has been deleted."""
    return bool(st.session_state.get(_GONE))


def use_dataset(ds_id: str | None, *, chosen: bool = False) -> None:
    """Show ``ds_id`` (None: the 示例数据) from now on, also after a reload.

    ``chosen``: the official picked it (any note that a dataset was deleted is then done).
    """
    if chosen:
        st.session_state.pop(_GONE, None)
    value = ds_id or SAMPLE_SCOPE
    st.session_state[_CHOICE] = value
    if st.query_params.get(DATASET_PARAM) != value:
        st.query_params[DATASET_PARAM] = value


_CHOICE = "workspace_dataset"
_GONE = "workspace_dataset_gone"

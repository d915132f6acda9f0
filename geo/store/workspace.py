"""One interface over the workspace database: datasets, the 整治台账, its audit log, profiles.

:func:`open_workspace` opens (and creates) the store: ``NINGBO_DATABASE_URL`` when set, else a
SQLite file ``workspace.sqlite`` in the work folder. Everything a user changes goes through
one transaction:

* :meth:`Workspace.save_register` writes the changed register rows *and* their audit rows
  together; a failure anywhere leaves both exactly as before. Each row carries a ``version``;
  a save whose rows someone else changed since they were read is refused with
  :class:`StaleRegisterError`, which names those rows, who changed them and when.
* Saves of one register scope are serialised: on SQLite by ``BEGIN IMMEDIATE`` (the write lock
  is taken before anything is read), on PostgreSQL by ``SELECT … FOR UPDATE`` on the scope's
  row — two processes saving at once never lose a change, and the later one is told.

Datasets are immutable snapshots of an import (parcels as GeoParquet, enterprises and the
validation report as Parquet) with their name, 数据年度, who imported them and when, and the
official's import choices. Beside a dataset the store may keep its last analysis, a cache
under the key of the code, catalogue and profile it was computed with
(:mod:`geo.store.analyses`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from geo._errors import RegisterError, StoreError
from geo.landuse.register import AUDIT_COLUMNS, REGISTER_COLUMNS, load_register, read_audit
from geo.store import schema as t

__all__ = ["DATABASE_URL_ENV", "DatasetInfo", "StoredDataset", "StaleRegisterError",
           "Workspace", "open_workspace"]

#: Environment variable with the database URL (default: a SQLite file in the work folder).
DATABASE_URL_ENV = "NINGBO_DATABASE_URL"
#: File name of the default SQLite store inside the work folder.
SQLITE_FILE = "workspace.sqlite"
#: Seconds a SQLite writer waits for another to finish before giving up.
_SQLITE_TIMEOUT = 30.0
#: Seconds to wait for a PostgreSQL server before saying it cannot be reached.
_PG_CONNECT_TIMEOUT = 5
#: Largest serialised table of a dataset the store keeps (SQLite and PostgreSQL cap a value
#: at 1 GB); larger imports are refused with a message rather than failing mid-write.
MAX_FRAME_BYTES = 900 * 2**20


def open_workspace(work_dir: str | os.PathLike[str], url: str | None = None) -> Workspace:
    """Open the workspace: ``url``, else ``NINGBO_DATABASE_URL``, else a SQLite file.

    The SQLite file is ``<work_dir>/workspace.sqlite``.

    The tables are created when missing. The work folder is created for the SQLite file.
    """
    url = url or os.environ.get(DATABASE_URL_ENV) or ""
    if not url:
        folder = Path(work_dir)
        folder.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{(folder / SQLITE_FILE).resolve()}"
    return Workspace(url)


@dataclass(frozen=True)
class DatasetInfo:
    """What the store says of one dataset (without its frames)."""

    id: str
    name: str
    data_year: int | None
    data_label: str
    imported_by: str
    imported_at: str
    choices: str
    parcels: int
    enterprises: int
    report_lines: int


@dataclass(frozen=True)
class StoredDataset:
    """A dataset as imported: its frames and what the store says of it."""

    info: DatasetInfo
    parcels: gpd.GeoDataFrame
    enterprises: pd.DataFrame
    report: pd.DataFrame
    #: Further tables stored with it (e.g. ``townships``: the 乡镇（街道）→ 区县 table used).
    extra: Mapping[str, pd.DataFrame] = field(default_factory=dict)


class StaleRegisterError(RegisterError):
    """A register save was based on rows someone else has changed since; nothing was saved."""

    def __init__(self, changed: pd.DataFrame) -> None:
        self.changed = changed
        rows = "；".join(f"{r.parcel_id}（{r.updated_by or '—'}，{r.updated_at or '—'}）"
                        for r in changed.itertuples(index=False))
        super().__init__(
            f"{len(changed)} register row(s) were changed by someone else since you opened "
            f"them: {rows}", fix="reload the register and apply your changes again",
            zh=(f"您打开台账后，以下 {len(changed)} 宗已被他人修改，本次修改未保存：{rows}",
                "请重新载入台账，核对后再次修改并保存"))


def _on_connect(dbapi_connection: object, _record: object) -> None:
    """SQLite: let us issue BEGIN ourselves, wait for writers, and read while one writes."""
    dbapi_connection.isolation_level = None  # type: ignore[attr-defined]
    cur = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cur.execute(f"PRAGMA busy_timeout={int(_SQLITE_TIMEOUT * 1000)}")
    _wal(cur)
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _wal(cur: sqlite3.Cursor) -> None:
    """Put the file in WAL mode (once: it stays so), waiting for a lock as long as a writer.

    Switching the journal mode does not always wait for the busy timeout: two servers
    starting on a new store at once failed with "database is locked".
    """
    deadline = time.monotonic() + _SQLITE_TIMEOUT
    while True:
        try:
            if str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _on_begin(conn: Connection) -> None:
    """SQLite: writers take the write lock at BEGIN, so a save reads what it will replace."""
    write = conn.get_execution_options().get("ningbo_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Workspace:
    """The store; see the module docstring. Safe to share between threads and sessions."""

    def __init__(self, url: str) -> None:
        self.url = url
        sqlite = url.startswith("sqlite")
        if sqlite:
            engine: Engine = sa.create_engine(url, connect_args={"timeout": _SQLITE_TIMEOUT})
            sa.event.listen(engine, "connect", _on_connect)
            sa.event.listen(engine, "begin", _on_begin)
        else:  # READ COMMITTED whatever the server's default: saves never fail to serialise
            engine = sa.create_engine(url, connect_args={"connect_timeout": _PG_CONNECT_TIMEOUT},
                                      pool_pre_ping=True, isolation_level="READ COMMITTED")
        self._engine = engine
        self._writer = engine.execution_options(ningbo_write=True)
        with self._write() as conn:  # several processes may start on a new database at once
            self._lock(conn, "schema")
            t.metadata.create_all(conn)
            if conn.execute(sa.select(t.meta.c.value).where(
                    t.meta.c.key == "schema_version")).scalar() is None:
                conn.execute(t.meta.insert().values(key="schema_version",
                                                    value=t.SCHEMA_VERSION))

    def _lock(self, conn: Connection, name: str) -> None:
        """Serialise writers of ``name`` for the rest of the transaction.

        SQLite writers already hold the database's write lock (``BEGIN IMMEDIATE``); on
        PostgreSQL a transaction-level advisory lock.
        """
        if not self.is_sqlite:
            key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big")
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})

    @property
    def is_sqlite(self) -> bool:
        """Whether the store is a SQLite file (else a PostgreSQL server)."""
        return self._engine.dialect.name == "sqlite"

    def describe(self, *, detail: bool = True) -> str:
        """Say where the store is, for the page (never the password; no host unless ``detail``)."""
        url = self._engine.url
        if self.is_sqlite:
            return f"SQLite 文件 {url.database}" if detail else "本机 SQLite 文件"
        return f"PostgreSQL {url.host}:{url.port or 5432}/{url.database}" if detail \
            else "PostgreSQL 数据库"

    def dispose(self) -> None:
        """Close the store's connections."""
        self._engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._writer.begin() as conn:
            yield conn

    # --- datasets ---------------------------------------------------------------------
    def add_dataset(self, *, name: str, parcels: gpd.GeoDataFrame, enterprises: pd.DataFrame,
                    report: pd.DataFrame, data_label: str, year: int | None, choices: str,
                    who: str, when: dt.datetime | None = None,
                    extra: Mapping[str, pd.DataFrame] | None = None) -> str:
        """Store one imported dataset in one transaction; return its id.

        ``extra`` holds further tables kept with it (by kind, e.g. ``townships``).
        """
        ds_id = uuid.uuid4().hex
        frames = {"parcels": _parquet(parcels), "enterprises": _parquet(enterprises),
                  "report": _parquet(report)}
        frames |= {kind: _parquet(frame) for kind, frame in (extra or {}).items()
                   if kind not in frames}
        biggest = max(frames, key=lambda k: len(frames[k]))
        if len(frames[biggest]) > MAX_FRAME_BYTES:
            mb = len(frames[biggest]) / 2**20
            raise StoreError(
                f"the dataset's {biggest} take {mb:,.0f} MB, more than the store keeps "
                f"({MAX_FRAME_BYTES / 2**20:,.0f} MB per table)", field=biggest,
                fix="split the data (e.g. by district or year) and import the parts",
                zh=(f"数据集的{biggest}压缩后为 {mb:,.0f} MB，超过工作区单表上限 "
                    f"{MAX_FRAME_BYTES / 2**20:,.0f} MB，未保存",
                    "请按区县或年度拆分后分别导入"))
        with self._write() as conn:
            conn.execute(t.datasets.insert().values(
                id=ds_id, name=name, data_year=year, data_label=data_label, imported_by=who,
                imported_at=_stamp(when), choices=choices, parcels=len(parcels),
                enterprises=len(enterprises), report_lines=len(report)))
            conn.execute(t.dataset_frames.insert(), [
                {"dataset_id": ds_id, "kind": k, "parquet": v} for k, v in frames.items()])
        return ds_id

    def datasets(self) -> list[DatasetInfo]:
        """Return every stored dataset, newest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(sa.select(t.datasets).order_by(
                t.datasets.c.imported_at.desc(), t.datasets.c.id)).mappings().all()
        return [DatasetInfo(**dict(r)) for r in rows]

    def load_dataset(self, ds_id: str) -> StoredDataset:
        """Return a dataset's frames. Raises :class:`KeyError` for an unknown id."""
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(t.datasets).where(t.datasets.c.id == ds_id)
                               ).mappings().first()
            if row is None:
                raise KeyError(ds_id)
            frames = dict(conn.execute(sa.select(t.dataset_frames.c.kind,
                                                 t.dataset_frames.c.parquet).where(
                t.dataset_frames.c.dataset_id == ds_id)).all())
        parcels = gpd.read_parquet(io.BytesIO(frames["parcels"]))
        if parcels.crs is not None and parcels.crs.to_epsg() is not None:
            parcels = parcels.set_crs(parcels.crs.to_epsg(), allow_override=True)
        tables = {k: pd.read_parquet(io.BytesIO(v)) for k, v in frames.items()
                  if k != "parcels"}
        return StoredDataset(DatasetInfo(**dict(row)), parcels, tables.pop("enterprises"),
                             tables.pop("report"), tables)

    def dataset_report(self, ds_id: str) -> pd.DataFrame:
        """Return a dataset's validation report alone; :class:`KeyError` for an unknown id."""
        with self._engine.connect() as conn:
            data = conn.execute(sa.select(t.dataset_frames.c.parquet).where(
                t.dataset_frames.c.dataset_id == ds_id,
                t.dataset_frames.c.kind == "report")).scalar()
        if data is None:
            raise KeyError(ds_id)
        return pd.read_parquet(io.BytesIO(data))

    def save_analysis_frames(self, ds_id: str, key: str,
                             frames: Mapping[str, tuple[bytes, str]]) -> bool:
        """Keep the analysis frames of a dataset under ``key``, replacing what it had.

        ``frames`` maps a kind to (Parquet bytes, layout) of :func:`geo.store.frames.exact_bytes`.
        Returns False, writing nothing, when the dataset is no longer stored or a frame is over
        :data:`MAX_FRAME_BYTES`.
        """
        if any(len(data) > MAX_FRAME_BYTES for data, _ in frames.values()):
            return False
        with self._write() as conn:
            self._lock(conn, f"analysis:{ds_id}")
            if conn.execute(sa.select(t.datasets.c.id).where(t.datasets.c.id == ds_id)
                            ).first() is None:
                return False
            conn.execute(t.analysis_frames.delete().where(
                t.analysis_frames.c.dataset_id == ds_id))
            conn.execute(t.analysis_frames.insert(), [
                {"dataset_id": ds_id, "kind": kind, "key": key, "layout": layout,
                 "parquet": data} for kind, (data, layout) in frames.items()])
        return True

    def analysis_frames(self, ds_id: str, key: str) -> dict[str, tuple[bytes, str]]:
        """Return the analysis frames kept for ``ds_id`` under ``key`` ({} when none are)."""
        with self._engine.connect() as conn:
            rows = conn.execute(sa.select(t.analysis_frames.c.kind, t.analysis_frames.c.parquet,
                                          t.analysis_frames.c.layout).where(
                t.analysis_frames.c.dataset_id == ds_id, t.analysis_frames.c.key == key)).all()
        return {kind: (bytes(data), layout) for kind, data, layout in rows}

    def delete_dataset(self, ds_id: str) -> None:
        """Delete a dataset and its frames (the register, kept per scope, is not touched)."""
        with self._write() as conn:
            conn.execute(t.analysis_frames.delete().where(
                t.analysis_frames.c.dataset_id == ds_id))
            conn.execute(t.dataset_frames.delete().where(t.dataset_frames.c.dataset_id == ds_id))
            conn.execute(t.datasets.delete().where(t.datasets.c.id == ds_id))

    # --- register ---------------------------------------------------------------------
    def register(self, scope: str) -> pd.DataFrame:
        """Return a scope's register (:data:`REGISTER_COLUMNS` and ``version``)."""
        with self._engine.connect() as conn:
            rows = conn.execute(sa.select(t.register_rows).where(
                t.register_rows.c.scope == scope).order_by(t.register_rows.c.parcel_id)
            ).mappings().all()
        frame = pd.DataFrame([dict(r) for r in rows],
                             columns=["scope", *REGISTER_COLUMNS, "version"])
        frame = frame.drop(columns="scope").astype({"area_mu": float})
        return frame.astype({c: object for c in frame.columns if c not in ("area_mu",
                                                                             "version")})

    def save_register(self, scope: str, base: pd.DataFrame, new: pd.DataFrame,
                      audit: pd.DataFrame) -> pd.DataFrame:
        """Save the rows ``audit`` names, as they are in ``new``, with their audit rows.

        Parameters
        ----------
        scope : str
            Which register ("sample" for the 示例数据, "imported" for the officials' data).
        base : DataFrame
            The register as it was read (:meth:`register`, with ``version``).
        new : DataFrame
            The register after the official's changes
            (:func:`geo.landuse.register.update_register` applied to ``base``).
        audit : DataFrame
            The audit rows of those changes (:data:`AUDIT_COLUMNS`).

        Returns
        -------
        DataFrame
            The register as saved (with the new versions).

        Raises
        ------
        StaleRegisterError
            Someone else changed (or added) one of these rows since ``base`` was read;
            nothing is saved.
        """
        changed = list(dict.fromkeys(audit["parcel_id"].astype(str)))
        if not changed:
            return self.register(scope)
        was = dict(zip(base["parcel_id"].astype(str), base["version"], strict=True)) \
            if len(base) else {}
        rows = new.set_index(new["parcel_id"].astype(str))
        self._ensure_scope(scope)
        with self._write() as conn:
            conn.execute(sa.select(t.register_scopes.c.saves).where(
                t.register_scopes.c.scope == scope).with_for_update())
            self._refuse_stale(conn, scope, changed, was)
            for pid in changed:
                self._write_row(conn, scope, pid, rows.loc[pid], was.get(pid))
            conn.execute(t.audit.insert(), [
                {"scope": scope, **{c: str(a[c]) for c in AUDIT_COLUMNS}}
                for _, a in audit.iterrows()])
            conn.execute(t.register_scopes.update().where(
                t.register_scopes.c.scope == scope).values(
                saves=t.register_scopes.c.saves + 1))
        return self.register(scope)

    def _ensure_scope(self, scope: str) -> None:
        try:
            with self._write() as conn:
                if conn.execute(sa.select(t.register_scopes.c.scope).where(
                        t.register_scopes.c.scope == scope)).first() is None:
                    conn.execute(t.register_scopes.insert().values(scope=scope, saves=0))
        except sa.exc.IntegrityError:
            pass  # another process created it first

    @staticmethod
    def _refuse_stale(conn: Connection, scope: str, changed: list[str],
                      was: Mapping[str, object]) -> None:
        now = conn.execute(sa.select(
            t.register_rows.c.parcel_id, t.register_rows.c.version,
            t.register_rows.c.updated_by, t.register_rows.c.updated_at).where(
            t.register_rows.c.scope == scope, t.register_rows.c.parcel_id.in_(changed))
        ).mappings().all()
        stale = [dict(r) for r in now if _version(was.get(r["parcel_id"])) != r["version"]]
        if stale:
            raise StaleRegisterError(pd.DataFrame(stale))

    @staticmethod
    def _write_row(conn: Connection, scope: str, pid: str, row: pd.Series,
                   base_version: object) -> None:
        values: dict[str, object] = {c: _cell(row.get(c)) for c in REGISTER_COLUMNS
                                     if c != "parcel_id"}
        values["area_mu"] = float(row["area_mu"])
        version = _version(base_version)
        if version is None:
            conn.execute(t.register_rows.insert().values(scope=scope, parcel_id=pid,
                                                         version=1, **values))
            return
        done = conn.execute(t.register_rows.update().where(
            t.register_rows.c.scope == scope, t.register_rows.c.parcel_id == pid,
            t.register_rows.c.version == version).values(version=version + 1, **values))
        if done.rowcount != 1:  # deleted or changed under us: the scope lock makes this rare
            raise StaleRegisterError(pd.DataFrame([{"parcel_id": pid, "updated_by": "",
                                                    "updated_at": ""}]))

    def audit_log(self, scope: str) -> pd.DataFrame:
        """Return a scope's audit rows, newest first (:data:`AUDIT_COLUMNS`)."""
        with self._engine.connect() as conn:
            rows = conn.execute(sa.select(*(t.audit.c[c] for c in AUDIT_COLUMNS)).where(
                t.audit.c.scope == scope).order_by(t.audit.c.id.desc())).all()
        return pd.DataFrame(rows, columns=list(AUDIT_COLUMNS), dtype=object)

    def migrate_csv(self, scope: str, register_path: str | os.PathLike[str],
                    audit_path: str | os.PathLike[str]) -> int | None:
        """Bring an old CSV register and audit log into the store, once per scope.

        The files are read with :func:`geo.landuse.register.load_register` and
        :func:`~geo.landuse.register.read_audit` (so a damaged file is refused with its
        Chinese message) and left in place. Returns the number of register rows brought in,
        or None when this scope was migrated before (or has rows already) or there is no file.
        """
        key = f"migrated:{scope}"
        with self._engine.connect() as conn:  # cheap check first; re-checked under the lock
            if conn.execute(sa.select(t.meta.c.value).where(t.meta.c.key == key)).first():
                return None
        if not Path(register_path).exists() or len(self.register(scope)):
            return None
        reg = load_register(Path(register_path))
        log = read_audit(Path(audit_path)).iloc[::-1]  # oldest first, as they happened
        with self._write() as conn:
            self._lock(conn, key)
            if conn.execute(sa.select(t.meta.c.value).where(t.meta.c.key == key)).first():
                return None  # another process did it meanwhile
            if len(reg):
                conn.execute(t.register_rows.insert(), [
                    {"scope": scope, "version": 1, "parcel_id": str(r["parcel_id"]),
                     **{c: _cell(r[c]) for c in REGISTER_COLUMNS if c != "parcel_id"},
                     "area_mu": float(r["area_mu"])} for _, r in reg.iterrows()])
            if len(log):
                conn.execute(t.audit.insert(), [
                    {"scope": scope, **{c: str(a[c]) for c in AUDIT_COLUMNS}}
                    for _, a in log.iterrows()])
            conn.execute(t.meta.insert().values(key=key, value=f"{register_path}"))
        return len(reg)

    # --- profiles ---------------------------------------------------------------------
    def set_active_profile(self, name: str, toml: str, *, who: str,
                           when: dt.datetime | None = None) -> None:
        """Store a scoring profile's TOML and make it the one in use."""
        with self._write() as conn:
            conn.execute(t.profiles.update().values(active=False))
            conn.execute(t.profiles.delete().where(t.profiles.c.name == name))
            conn.execute(t.profiles.insert().values(name=name, toml=toml, active=True,
                                                    set_by=who, set_at=_stamp(when)))

    def clear_active_profile(self) -> None:
        """Go back to the bundled default profile."""
        with self._write() as conn:
            conn.execute(t.profiles.update().values(active=False))

    def active_profile(self) -> tuple[str, str, str, str] | None:
        """Return (name, TOML, set by, set at) of the profile in use, or None (the default)."""
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(t.profiles.c.name, t.profiles.c.toml,
                                         t.profiles.c.set_by, t.profiles.c.set_at).where(
                t.profiles.c.active.is_(True))).first()
        return None if row is None else (row[0], row[1], row[2], row[3])


def _stamp(when: dt.datetime | None) -> str:
    return (when or dt.datetime.now()).isoformat(timespec="seconds")


def _version(value: object) -> int | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    return int(value)  # type: ignore[call-overload]


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def _parquet(frame: pd.DataFrame) -> bytes:
    """Serialise a frame losslessly (GeoParquet for a GeoDataFrame, with its CRS)."""
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()

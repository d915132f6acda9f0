"""Tables of the workspace store (SQLAlchemy Core; the same on SQLite and PostgreSQL).

* ``datasets`` — one imported dataset: its name, 数据年度, who imported it and when, its data
  label and the official's import choices; its frames (parcels, enterprises, validation
  report) in ``dataset_frames`` as (Geo)Parquet — an immutable snapshot of what was imported.
* ``register_rows`` — the 整治台账, one row per (scope, 宗地编号), with a ``version`` that every
  save increments; a save based on a stale version is refused.
* ``audit`` — the append-only log of register changes (who, when, field, old, new).
* ``profiles`` — the scoring profiles in use (TOML text), one of them active.
* ``analysis_frames`` — the last analysis of a dataset (scored parcels and enterprises, its own
  report lines), under the key of what it was computed with (code, catalogue, profile), so a
  restarted server loads it instead of computing it again; a cache, never the record.
* ``meta`` — the schema version and what was migrated from the old CSV files.
"""

from __future__ import annotations

import sqlalchemy as sa

SCHEMA_VERSION = "1"

metadata = sa.MetaData()

datasets = sa.Table(
    "datasets", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("data_year", sa.Integer),
    sa.Column("data_label", sa.Text, nullable=False),
    sa.Column("imported_by", sa.Text, nullable=False),
    sa.Column("imported_at", sa.Text, nullable=False),
    sa.Column("choices", sa.Text, nullable=False, default=""),
    sa.Column("parcels", sa.Integer, nullable=False),
    sa.Column("enterprises", sa.Integer, nullable=False),
    sa.Column("report_lines", sa.Integer, nullable=False),
)

dataset_frames = sa.Table(
    "dataset_frames", metadata,
    sa.Column("dataset_id", sa.String(32), sa.ForeignKey("datasets.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("parquet", sa.LargeBinary, nullable=False),
)

analysis_frames = sa.Table(
    "analysis_frames", metadata,
    sa.Column("dataset_id", sa.String(32), sa.ForeignKey("datasets.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("key", sa.String(64), nullable=False),
    sa.Column("layout", sa.Text, nullable=False),
    sa.Column("parquet", sa.LargeBinary, nullable=False),
)

register_rows = sa.Table(
    "register_rows", metadata,
    sa.Column("scope", sa.String(32), primary_key=True),
    sa.Column("parcel_id", sa.Text, primary_key=True),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("area_mu", sa.Float, nullable=False),
    sa.Column("year", sa.Text, nullable=False, default=""),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("data_label", sa.Text, nullable=False, default=""),
    sa.Column("updated_by", sa.Text, nullable=False, default=""),
    sa.Column("updated_at", sa.Text, nullable=False, default=""),
    sa.Column("version", sa.Integer, nullable=False),
)

#: One row per register scope: the row a save locks, so saves of one scope run one at a time.
register_scopes = sa.Table(
    "register_scopes", metadata,
    sa.Column("scope", sa.String(32), primary_key=True),
    sa.Column("saves", sa.Integer, nullable=False, default=0),
)

audit = sa.Table(
    "audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("scope", sa.String(32), nullable=False, index=True),
    sa.Column("when", sa.Text, nullable=False),
    sa.Column("who", sa.Text, nullable=False),
    sa.Column("parcel_id", sa.Text, nullable=False),
    sa.Column("field", sa.Text, nullable=False),
    sa.Column("old", sa.Text, nullable=False),
    sa.Column("new", sa.Text, nullable=False),
)

profiles = sa.Table(
    "profiles", metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("toml", sa.Text, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=False),
    sa.Column("set_by", sa.Text, nullable=False),
    sa.Column("set_at", sa.Text, nullable=False),
)

meta = sa.Table(
    "meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

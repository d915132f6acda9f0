"""The workspace store: what officials import and decide, kept in a transactional database.

A SQLite file under ``NINGBO_WORK_DIR`` by default (nothing to install); PostgreSQL/PostGIS when
``NINGBO_DATABASE_URL`` is set (``postgresql+psycopg://user:password@host/db``), for a
department that runs the app on more than one machine. See :mod:`geo.store.workspace`.
"""

from geo.store.workspace import (
    DATABASE_URL_ENV,
    DatasetInfo,
    StaleRegisterError,
    StoredDataset,
    Workspace,
    open_workspace,
)

__all__ = ["DATABASE_URL_ENV", "DatasetInfo", "StaleRegisterError", "StoredDataset",
           "Workspace", "open_workspace"]

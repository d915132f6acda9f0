"""The store tests run against SQLite and against a real PostgreSQL + PostGIS server.

The server's URL comes from ``NINGBO_TEST_DATABASE_URL`` (``.ci/run`` starts the Debian cluster
with ``scripts/start_test_postgres.sh`` and sets it). Each test gets a database of its own,
created and dropped around it. Where no server is configured or reachable the PostgreSQL
cases skip, saying why.
"""

from __future__ import annotations

import os
import time
import uuid

import pytest
import sqlalchemy as sa

from geo.store import open_workspace

TEST_URL_ENV = "NINGBO_TEST_DATABASE_URL"


def _postgres_url() -> str:
    url = os.environ.get(TEST_URL_ENV, "")
    if not url:
        pytest.skip(f"{TEST_URL_ENV} is not set: no PostgreSQL server for the store tests "
                    "(.ci/run starts one with scripts/start_test_postgres.sh)")
    return url


@pytest.fixture
def postgres_url():
    """A fresh, empty PostgreSQL database (with PostGIS where installed), dropped afterwards."""
    admin_url = sa.engine.make_url(_postgres_url())
    name = f"ningbo_t_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as err:
        admin.dispose()
        pytest.skip(f"PostgreSQL at {admin_url.host}:{admin_url.port} not reachable: {err}")
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    yield url
    _drop(admin, name)
    admin.dispose()


def _drop(admin: sa.Engine, name: str) -> None:
    """Drop a test database; an autovacuum worker on it is ended or, without the right to end
    it (pg_signal_backend, granted by scripts/start_test_postgres.sh), waited for."""
    for attempt in range(20):
        try:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except sa.exc.ProgrammingError:  # InsufficientPrivilege: a worker is on it
            if attempt == 19:
                raise
            time.sleep(0.5)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """The URL of an empty store of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'workspace.sqlite'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def workspace(store_url, tmp_path):
    ws = open_workspace(tmp_path, store_url)
    yield ws
    ws.dispose()

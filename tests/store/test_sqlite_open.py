"""Opening the SQLite store while another process holds it (the journal-mode switch to WAL
does not wait for a lock by itself: several servers starting at once failed with "database is
locked")."""

from __future__ import annotations

import sqlite3
import threading
import time

from geo.store import open_workspace


def test_the_store_opens_while_another_connection_holds_the_file(tmp_path):
    path = tmp_path / "workspace.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")  # as a second server creating the store at that moment
    result: list[object] = []

    def open_it() -> None:
        try:
            ws = open_workspace(tmp_path)
            result.append(ws.datasets())
            ws.dispose()
        except Exception as err:  # noqa: BLE001 - the test reports it
            result.append(err)

    worker = threading.Thread(target=open_it)
    worker.start()
    time.sleep(0.5)
    holder.execute("ROLLBACK")
    holder.close()
    worker.join(60)
    assert result == [[]]
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

"""A SQLite store opened by several processes at once."""

from __future__ import annotations

import sqlite3
import threading

from sqlalchemy import text

from aggregator.store.engine import create_store_engine


def test_a_new_file_locked_by_another_process_is_waited_for_not_refused(tmp_path):
    # A new file is not in WAL mode yet: switching it takes a lock SQLite does not wait for,
    # so a second scheduler opening the same new store failed at once ("database is locked")
    path = tmp_path / "store.sqlite3"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE t (x)")
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t VALUES (1)")
    done = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    done.start()
    try:
        engine = create_store_engine(f"sqlite:///{path}")
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1
        engine.dispose()
    finally:
        done.join()
        other.close()

"""The SQLite journal of a study: one row per trial, written as trials happen.

It is the single source of truth for resuming. Every write is its own transaction in
WAL mode with synchronous=NORMAL: a committed row survives the process being killed at
any moment (it is in the WAL file), without an fsync per trial.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from vaenas.errors import JournalError
from vaenas.study.storage import Storage, TrialRecord, TrialStatus

SCHEMA = """
CREATE TABLE IF NOT EXISTS study (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trials (
    number INTEGER PRIMARY KEY,
    arch_key TEXT NOT NULL UNIQUE,
    arch TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'failed')),
    value REAL,
    metrics TEXT NOT NULL DEFAULT '{}',
    attempts INTEGER NOT NULL DEFAULT 1,
    started_at REAL NOT NULL,
    finished_at REAL
);
"""


class Journal(Storage):
    """Reads and appends the trials of one study in `path` (an SQLite file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.location = str(path.parent)
        try:
            self._db = sqlite3.connect(path, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise JournalError(
                f"{path} is not a readable study journal ({exc}); "
                "move it away or choose another --out"
            ) from None

    def close(self) -> None:
        self._db.close()

    def stored_config(self) -> dict[str, Any]:
        return {k: json.loads(v) for k, v in self._db.execute("SELECT key, value FROM study")}

    def _record_config(self, config: dict[str, Any]) -> None:
        with self._transaction():
            self._db.executemany(
                "INSERT INTO study (key, value) VALUES (?, ?)", [(k, json.dumps(v)) for k, v in config.items()]
            )

    def start_trial(self, arch_key: str, arch: str) -> int:
        """Adds a running trial and returns its number."""
        with self._transaction():
            cursor = self._db.execute(
                "INSERT INTO trials (number, arch_key, arch, status, started_at) "
                "VALUES ((SELECT COALESCE(MAX(number) + 1, 0) FROM trials), ?, ?, 'running', ?)",
                (arch_key, arch, time.time()),
            )
            return int(cursor.lastrowid or 0)

    def restart_trial(self, number: int) -> None:
        """Marks an unfinished trial as started again (after a crash or a lost worker)."""
        with self._transaction():
            self._db.execute(
                "UPDATE trials SET attempts = attempts + 1, started_at = ? WHERE number = ?",
                (time.time(), number),
            )

    def finish_trial(self, number: int, status: TrialStatus, value: float | None, metrics: dict[str, Any]) -> None:
        with self._transaction():
            self._db.execute(
                "UPDATE trials SET status = ?, value = ?, metrics = ?, finished_at = ? "
                "WHERE number = ?",
                (TrialStatus(status).value, value, json.dumps(metrics), time.time(), number),
            )

    def trials(self) -> list[TrialRecord]:
        return self._select("ORDER BY number")

    def trial(self, number: int) -> TrialRecord:
        return self._select("WHERE number = ?", number)[0]

    def _select(self, clause: str, *parameters: object) -> list[TrialRecord]:
        rows = self._db.execute(
            "SELECT number, arch_key, arch, status, value, metrics, attempts, started_at, "
            f"finished_at FROM trials {clause}",
            parameters,
        )
        return [
            TrialRecord(n, key, arch, TrialStatus(status), value, json.loads(metrics), attempts, start, end)
            for n, key, arch, status, value, metrics, attempts, start, end in rows
        ]

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on error."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")

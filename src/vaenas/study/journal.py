"""The SQLite journal of a study: one row per trial, written as trials happen.

It is the single source of truth for resuming. Every write is its own transaction in
WAL mode with synchronous=NORMAL: a committed row survives the process being killed at
any moment (it is in the WAL file), without an fsync per trial.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vaenas.errors import JournalError, StudyConfigMismatchError

FORMAT_VERSION = 1

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


@dataclass(frozen=True)
class TrialRecord:
    number: int
    arch_key: str
    arch: str
    status: str
    value: float | None
    metrics: dict[str, Any]
    attempts: int
    started_at: float
    finished_at: float | None

    @property
    def finished(self) -> bool:
        return self.status != "running"


class Journal:
    """Reads and appends the trials of one study in `path` (an SQLite file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
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

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ensure_config(self, config: dict[str, Any]) -> None:
        """Records the configuration of a new study, or checks it against the stored one."""
        wanted = {"format_version": FORMAT_VERSION, **config}
        stored = {k: json.loads(v) for k, v in self._db.execute("SELECT key, value FROM study")}
        if not stored:
            with self._transaction():
                self._db.executemany(
                    "INSERT INTO study (key, value) VALUES (?, ?)",
                    [(k, json.dumps(v)) for k, v in wanted.items()],
                )
            return
        diff = [
            f"{k}={stored.get(k)!r} (asked {wanted.get(k)!r})"
            for k in sorted(set(stored) | set(wanted))
            if stored.get(k) != wanted.get(k)
        ]
        if diff:
            raise StudyConfigMismatchError(
                f"{self.path.parent} holds a study with another configuration: {', '.join(diff)}; "
                "use another --out or the same options to resume it"
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

    def finish_trial(
        self, number: int, status: str, value: float | None, metrics: dict[str, Any]
    ) -> None:
        with self._transaction():
            self._db.execute(
                "UPDATE trials SET status = ?, value = ?, metrics = ?, finished_at = ? "
                "WHERE number = ?",
                (status, value, json.dumps(metrics), time.time(), number),
            )

    def trials(self) -> list[TrialRecord]:
        rows = self._db.execute(
            "SELECT number, arch_key, arch, status, value, metrics, attempts, started_at, "
            "finished_at FROM trials ORDER BY number"
        )
        return [
            TrialRecord(n, key, arch, status, value, json.loads(metrics), attempts, start, end)
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

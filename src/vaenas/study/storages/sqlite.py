"""The SQLite journal of a study: one row per trial, written as trials happen.

It is the single source of truth for resuming. Every write is its own transaction in
WAL mode with synchronous=NORMAL: a committed row survives the process being killed at
any moment (it is in the WAL file), without an fsync per trial.
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from pathlib import Path
from typing import Any

from vaenas.errors import JournalError
from vaenas.study.storages.base import Storage, TrialRecord, TrialStatus, raise_report_refused

STUDY_TABLE = "CREATE TABLE IF NOT EXISTS study (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
TRIALS_TABLE = """CREATE TABLE IF NOT EXISTS trials (
    number INTEGER PRIMARY KEY,
    arch_key TEXT NOT NULL UNIQUE,
    arch TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'failed', 'pruned')),
    value REAL,
    metrics TEXT NOT NULL DEFAULT '{}',
    attempts INTEGER NOT NULL DEFAULT 1,
    started_at REAL NOT NULL,
    finished_at REAL
)"""
INTERMEDIATE_TABLE = """CREATE TABLE IF NOT EXISTS intermediate (
    number INTEGER NOT NULL REFERENCES trials (number),
    step INTEGER NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (number, step)
)"""
QUEUE_TABLE = """CREATE TABLE IF NOT EXISTS queue (
    position INTEGER PRIMARY KEY,
    arch_key TEXT NOT NULL UNIQUE,
    arch TEXT NOT NULL
)"""
SCHEMA = ";\n".join((STUDY_TABLE, TRIALS_TABLE, INTERMEDIATE_TABLE, QUEUE_TABLE)) + ";"


EXPECTED_COLUMNS = {
    "study": ["key", "value"],
    "trials": ["number", "arch_key", "arch", "status", "value", "metrics", "attempts", "started_at", "finished_at"],
    "intermediate": ["number", "step", "value"],
    "queue": ["position", "arch_key", "arch"],
}
ADDED_LATER = ("intermediate", "queue")
"""Tables that journals of older versions lack (before pruning, before the journaled
queue): added when such a journal is opened for writing."""


class SQLiteStorage(Storage):
    """Reads and appends the trials of one study in `path` (an SQLite file).

    A journal that is damaged (not SQLite, a table or column missing, trials without the
    configuration that says whose they are, a row that does not read back) is refused with
    a JournalError naming the file and the problem, before anything is written to it: a
    damaged journal is never adopted by another study nor started over.

    `read_only` opens it for reading alone (SQLite's mode=ro: nothing is ever written,
    not even a schema), as `load_study` does while the study's own process writes; an
    empty or half-created journal is then refused with one line."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        self.path, self.read_only = path, read_only
        self.location = str(path.parent)
        try:
            if read_only:
                self._db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, isolation_level=None)
            else:
                self._db = sqlite3.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise JournalError(f"{path} cannot be opened ({exc}); move it away or choose another --out") from None
        try:
            self._open_checked()
        except BaseException:
            self._db.close()
            raise

    def _open_checked(self) -> None:
        with self._reading("is not a readable study journal"):
            tables = {name for (name,) in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables and self.read_only:
                self._refuse_unfinished()
            if not tables:
                self._db.executescript(f"BEGIN; {SCHEMA} COMMIT;")  # all tables or none: a kill here leaves no half journal
                tables = set(EXPECTED_COLUMNS)
            self._check_schema(tables)
            if not self.read_only:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._upgrade(tables)
                self._db.execute("PRAGMA synchronous=NORMAL")
                tables |= set(ADDED_LATER)
            self._tables = tables
            has_trials = self._db.execute("SELECT EXISTS (SELECT 1 FROM trials)").fetchone()[0]
        config = self.stored_config()
        if has_trials and not config:
            self._refuse("holds trials but not the configuration of their study (its study table is empty)")
        if self.read_only and not config:
            self._refuse_unfinished()

    def _refuse_unfinished(self) -> None:
        raise JournalError(
            f"{self.path} holds no study yet: it is empty, as a study killed while it was being created leaves "
            "it; rerun the command (or create_study) that creates it, which starts the study there"
        )

    def _check_schema(self, tables: set[str]) -> None:
        for table, columns in EXPECTED_COLUMNS.items():
            if table not in tables and table in ADDED_LATER and {"study", "trials"} <= tables:
                continue
            if table not in tables:
                self._refuse(f"lacks its {table} table")
            found = [row[1] for row in self._db.execute(f"PRAGMA table_info({table})")]
            if found != columns:
                self._refuse(f"has columns {', '.join(found)} in its {table} table, not {', '.join(columns)}")

    def _upgrade(self, tables: set[str]) -> None:
        """A journal written before pruning: its trials table admits no 'pruned' status
        and it has no intermediate table. Both are added in one transaction, rows kept."""
        (trials_sql,) = self._db.execute("SELECT sql FROM sqlite_master WHERE name = 'trials'").fetchone()
        if "'pruned'" in trials_sql and set(ADDED_LATER) <= tables:
            return
        with self._transaction():
            if "'pruned'" not in trials_sql:
                self._db.execute("ALTER TABLE trials RENAME TO trials_before_pruning")
                self._db.execute(TRIALS_TABLE)
                self._db.execute("INSERT INTO trials SELECT * FROM trials_before_pruning")
                self._db.execute("DROP TABLE trials_before_pruning")
            self._db.execute(INTERMEDIATE_TABLE)
            self._db.execute(QUEUE_TABLE)

    def _refuse(self, problem: str) -> None:
        raise JournalError(
            f"{self.path} {problem}: it is damaged, and nothing was written to it; "
            "restore it from a copy, or move it away (or choose another --out) to start a new study"
        )

    def _reading(self, what: str) -> _Reading:
        return _Reading(self, what)

    def close(self) -> None:
        self._db.close()

    def stored_config(self) -> dict[str, Any]:
        config = {}
        with self._reading("cannot be read"):
            rows = list(self._db.execute("SELECT key, value FROM study"))
        for key, value in rows:
            if not isinstance(key, str):
                self._refuse(f"holds a configuration entry whose key is not text ({key!r})")
            try:
                config[key] = json.loads(value)
            except (TypeError, ValueError):
                self._refuse(f"holds a configuration entry {key!r} that is not JSON ({value!r})")
        return config

    def _record_config(self, entries: dict[str, Any]) -> None:
        with self._transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO study (key, value) VALUES (?, ?)", [(k, json.dumps(v)) for k, v in entries.items()]
            )

    def start_trial(self, arch_key: str, arch: str) -> int:
        """Adds a running trial and returns its number; an enqueued architecture leaves
        the queue in the same transaction."""
        with self._transaction():
            cursor = self._db.execute(
                "INSERT INTO trials (number, arch_key, arch, status, started_at) "
                "VALUES ((SELECT COALESCE(MAX(number) + 1, 0) FROM trials), ?, ?, 'running', ?)",
                (arch_key, arch, time.time()),
            )
            self._db.execute("DELETE FROM queue WHERE arch_key = ?", (arch_key,))
            return int(cursor.lastrowid or 0)

    def enqueue(self, arch_key: str, arch: str) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT OR IGNORE INTO queue (position, arch_key, arch) "
                "VALUES ((SELECT COALESCE(MAX(position) + 1, 0) FROM queue), ?, ?)",
                (arch_key, arch),
            )

    def queued(self) -> list[tuple[str, str]]:
        if "queue" not in self._tables:  # a journal of an older version, read-only
            return []
        with self._reading("cannot be read"):
            rows = list(self._db.execute("SELECT arch_key, arch FROM queue ORDER BY position"))
        if not all(isinstance(key, str) and isinstance(arch, str) for key, arch in rows):
            self._refuse("holds a damaged row in its queue table")
        return rows

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

    def trials(self, first: int = 0) -> list[TrialRecord]:
        return self._select("WHERE number >= ? ORDER BY number", first)

    def report(self, number: int, step: int, value: float) -> None:
        with self._transaction():
            written = self._db.execute(
                "INSERT OR REPLACE INTO intermediate (number, step, value) "
                "SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM trials WHERE number = ? AND status = 'running')",
                (number, step, value, number),
            ).rowcount
        if not written:
            raise_report_refused(number)

    def intermediate_values(self, first: int = 0) -> dict[int, dict[int, float]]:
        if "intermediate" not in self._tables:  # a journal from before pruning, read-only
            return {}
        with self._reading("cannot be read"):
            rows = list(self._db.execute(
                "SELECT number, step, value FROM intermediate WHERE number >= ? ORDER BY number, step", (first,)))
        values: dict[int, dict[int, float]] = {}
        for number, step, value in rows:
            try:
                values.setdefault(int(number), {})[int(step)] = _finite(value)
            except (TypeError, ValueError) as exc:
                self._refuse(f"holds a damaged intermediate value of trial {number!r} ({exc})")
        return values

    def trial(self, number: int) -> TrialRecord:
        return self._select("WHERE number = ?", number)[0]

    def _select(self, clause: str, *parameters: object) -> list[TrialRecord]:
        with self._reading("cannot be read"):
            rows = list(self._db.execute(
                "SELECT number, arch_key, arch, status, value, metrics, attempts, started_at, "
                f"finished_at FROM trials {clause}",
                parameters,
            ))
        return [self._record(row) for row in rows]

    def _record(self, row: tuple[Any, ...]) -> TrialRecord:
        """One trial row, checked field by field: a damaged row is named with the way to
        remove it, never half read."""
        number, key, arch, status, value, metrics, attempts, start, end = row
        try:
            record = TrialRecord(
                int(number), _text(key), _text(arch), TrialStatus(status), _number_or_none(value),
                _metrics(metrics), int(attempts), float(start), _number_or_none(end),
            )
        except (TypeError, ValueError) as exc:
            raise JournalError(
                f"{self.path}: trial row {number!r} is damaged ({exc}); nothing was written; remove the row with "
                f"sqlite3 {self.path} 'DELETE FROM trials WHERE number = {number!r}' to resume without it"
            ) from None
        return record

    def _transaction(self) -> _Transaction:
        return _Transaction(self)


class _Reading:
    """Turns an SQLite error while reading (a damaged page, a missing table) into one
    JournalError naming the file."""

    def __init__(self, journal: SQLiteStorage, what: str) -> None:
        self._journal, self._what = journal, what

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if isinstance(exc, (sqlite3.Error, UnicodeDecodeError)):  # text columns decode as UTF-8
            raise JournalError(
                f"{self._journal.path} {self._what} ({exc}); nothing was written to it; "
                "restore it from a copy, or move it away (or choose another --out) to start a new study"
            ) from None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not text")
    return value


def _number_or_none(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, (bytes, str)) or not math.isfinite(float(value)):
        raise ValueError(f"{value!r} is not a finite number")
    return float(value)


def _finite(value: Any) -> float:
    number = _number_or_none(value)
    if number is None:
        raise ValueError("no value")
    return number


def _metrics(text: Any) -> dict[str, Any]:
    metrics = json.loads(text)
    if not isinstance(metrics, dict):
        raise ValueError(f"metrics {text!r} are not a JSON object")
    return metrics


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on error; an SQLite error (a damaged file
    or schema: the study never writes a row its own schema refuses) becomes one
    JournalError naming the file."""

    def __init__(self, journal: SQLiteStorage) -> None:
        self._journal = journal

    def __enter__(self) -> None:
        with self._journal._reading("cannot be written"):
            self._journal._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        with self._journal._reading("cannot be written"):
            self._journal._db.execute("ROLLBACK" if exc_type else "COMMIT")
        if isinstance(exc, (sqlite3.Error, UnicodeDecodeError)):
            raise JournalError(f"{self._journal.path} cannot be written ({exc}); nothing of this write was kept") from None

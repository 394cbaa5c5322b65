"""Saved exams, answers and practice sessions: one SQLite file in the per-user data directory.

Where: $MLQUIZ_HOME if set, else platformdirs' user data directory for "mlquiz".
Every answer is committed the moment it is entered, so a closed terminal or `kill -9` loses
nothing typed. WAL mode and a busy timeout let two processes record at once without losing a
row. A file that is not an mlquiz database, or one written by a newer mlquiz, is never touched:
the user gets one line saying what to do.
"""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from mlquiz.errors import UserError
from mlquiz.paths import data_dir
from mlquiz.text import msg

SCHEMA_VERSION = 3
DB_NAME = "mlquiz.sqlite3"
HISTORY_FORMAT = "mlquiz-history"  # the "format" of an exported history file
BUSY_SECONDS = 10.0  # how long to wait for another mlquiz that is writing

# Version 2: an exam's paper holds each question as asked (its given data and generator version, not
# only a seed) and its result the marks of every part; practice is stored per problem (item) with
# what was asked and per part (outcome) with what happened. Version 1 databases are migrated.
# Version 3: settings of the student's schedule (setting: the exam date, the target retention) and an
# index on when each problem was practised; the review state of each skill is replayed from the
# stored attempts (mlquiz.skills), so it needs no table of its own.
SCHEMA = """
CREATE TABLE IF NOT EXISTS exam (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    blueprint TEXT NOT NULL,
    title TEXT NOT NULL,
    seed INTEGER NOT NULL,
    minutes REAL NOT NULL,
    paper TEXT NOT NULL,
    started_at REAL NOT NULL,
    deadline REAL NOT NULL,
    finished_at REAL,
    score REAL,
    max_score REAL,
    result TEXT,
    abandoned_at REAL
);
CREATE TABLE IF NOT EXISTS answer (
    exam_id INTEGER NOT NULL REFERENCES exam(id),
    question INTEGER NOT NULL,
    part TEXT NOT NULL,
    text TEXT NOT NULL,
    saved_at REAL NOT NULL,
    PRIMARY KEY (exam_id, question, part)
);
CREATE TABLE IF NOT EXISTS flag (
    exam_id INTEGER NOT NULL REFERENCES exam(id),
    question INTEGER NOT NULL,
    PRIMARY KEY (exam_id, question)
);
CREATE TABLE IF NOT EXISTS item (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    topic TEXT NOT NULL,
    kind TEXT NOT NULL,
    difficulty TEXT NOT NULL,
    seed INTEGER,
    source TEXT NOT NULL,
    version INTEGER NOT NULL,
    given TEXT NOT NULL,
    parts_right INTEGER NOT NULL,
    parts_asked INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS outcome (
    item_id INTEGER NOT NULL REFERENCES item(id),
    position INTEGER NOT NULL,
    part TEXT NOT NULL,
    status TEXT NOT NULL,
    tries INTEGER NOT NULL,
    hints INTEGER NOT NULL,
    misconception TEXT NOT NULL,
    seconds REAL NOT NULL,
    answer TEXT NOT NULL,
    PRIMARY KEY (item_id, position)
);
CREATE TABLE IF NOT EXISTS setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS item_at ON item(at);
"""


class Store:
    def __init__(self, path: Path | None = None):
        self.path = path or data_dir() / DB_NAME
        self._connection: sqlite3.Connection | None = None

    # -- connection ------------------------------------------------------------------------
    def _fail(self, key: str, **values: Any) -> UserError:
        return UserError(msg(f"ui.store.{key}", path=str(self.path), **values))

    def connect(self) -> sqlite3.Connection:
        if self._connection is not None:
            return self._connection
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._fail("no_directory", reason=exc.strerror or str(exc)) from None
        if self.path.exists() and not self.path.is_file():
            raise self._fail("not_a_file")
        try:
            connection = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
            connection.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                connection.close()
                raise self._fail("newer", version=version, ours=SCHEMA_VERSION)
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if tables and version == 0 and "exam" not in tables:
                connection.close()
                raise self._fail("foreign")
            if version < SCHEMA_VERSION:
                self._initialise(connection, version if tables else 0)
        except sqlite3.DatabaseError as exc:
            raise self._database_error(exc) from None
        self._connection = connection
        return connection

    @staticmethod
    def _initialise(connection: sqlite3.Connection, version: int) -> None:
        """Create the tables, or migrate an older database forward, once. Two processes may race
        here: switching to WAL can answer "locked" at once instead of waiting, so retry for a
        bounded time."""
        deadline = time.monotonic() + 10
        while True:
            try:
                connection.execute("BEGIN IMMEDIATE")
                current = connection.execute("PRAGMA user_version").fetchone()[0]
                if current < SCHEMA_VERSION:  # another process may have done it meanwhile
                    if version in (1, 2) and current in (1, 2):
                        from mlquiz.migrations import from_v1, from_v2

                        if current == 1:
                            from_v1(connection)
                        from_v2(connection)
                    else:
                        for statement in SCHEMA.split(";"):
                            if statement.strip():
                                connection.execute(statement)
                    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                connection.execute("COMMIT")
                connection.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _database_error(self, exc: sqlite3.DatabaseError) -> UserError:
        message = str(exc)
        if "readonly" in message or "unable to open" in message:
            return self._fail("read_only")
        if "locked" in message or "busy" in message:
            return self._fail("locked")
        if "disk" in message and "full" in message:
            return self._fail("disk_full")
        return self._fail("damaged", reason=message)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        connection = self.connect()
        try:
            connection.execute("BEGIN IMMEDIATE")
            yield connection
            connection.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            try:
                connection.execute("ROLLBACK")
            except sqlite3.DatabaseError:
                pass
            raise self._database_error(exc) from None

    def _read(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        connection = self.connect()
        connection.row_factory = sqlite3.Row
        try:
            return connection.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._database_error(exc) from None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    # -- exams -----------------------------------------------------------------------------
    def new_exam(self, blueprint: str, title: str, seed: int, minutes: float, paper: str) -> int:
        """A new exam; `paper` is the JSON of its questions as asked (exam.paper_json)."""
        now = time.time()
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO exam (blueprint, title, seed, minutes, paper, started_at, deadline) VALUES (?,?,?,?,?,?,?)",
                (blueprint, title, seed, minutes, paper, now, now + minutes * 60))
            return int(cursor.lastrowid)

    def save_answer(self, exam_id: int, question: int, part: str, text: str) -> None:
        with self._write() as db:
            if text:
                db.execute("INSERT INTO answer VALUES (?,?,?,?,?) ON CONFLICT(exam_id, question, part) "
                           "DO UPDATE SET text = excluded.text, saved_at = excluded.saved_at",
                           (exam_id, question, part, text, time.time()))
            else:
                db.execute("DELETE FROM answer WHERE exam_id=? AND question=? AND part=?", (exam_id, question, part))

    def set_flag(self, exam_id: int, question: int, flagged: bool) -> None:
        with self._write() as db:
            if flagged:
                db.execute("INSERT OR IGNORE INTO flag VALUES (?,?)", (exam_id, question))
            else:
                db.execute("DELETE FROM flag WHERE exam_id=? AND question=?", (exam_id, question))

    def answers(self, exam_id: int) -> dict[tuple[int, str], str]:
        rows = self._read("SELECT question, part, text FROM answer WHERE exam_id=?", (exam_id,))
        return {(row["question"], row["part"]): row["text"] for row in rows}

    def flags(self, exam_id: int) -> set[int]:
        return {row["question"] for row in self._read("SELECT question FROM flag WHERE exam_id=?", (exam_id,))}

    def open_exam(self) -> sqlite3.Row | None:
        rows = self._read("SELECT * FROM exam WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1")
        return rows[0] if rows else None

    def exam(self, exam_id: int) -> sqlite3.Row | None:
        rows = self._read("SELECT * FROM exam WHERE id=?", (exam_id,))
        return rows[0] if rows else None

    def finish_exam(self, exam_id: int, score: float, max_score: float, result: dict[str, Any]) -> None:
        with self._write() as db:
            db.execute("UPDATE exam SET finished_at=?, score=?, max_score=?, result=? WHERE id=? AND finished_at IS NULL",
                       (time.time(), score, max_score, json.dumps(result), exam_id))

    def exams(self) -> list[sqlite3.Row]:
        return self._read("SELECT * FROM exam ORDER BY id")

    def abandon_exam(self, exam_id: int) -> None:
        with self._write() as db:
            db.execute("UPDATE exam SET abandoned_at=? WHERE id=? AND finished_at IS NULL", (time.time(), exam_id))

    # -- practice --------------------------------------------------------------------------
    def record_practice(self, problem: Any, outcomes: list[Any], at: float | None = None) -> int:
        """One practised problem as it was asked (its given data and generator version) and what
        happened on each part answered; `at` is when (default now; a test clock may move it)."""
        from mlquiz.questions import record_of

        record = record_of(problem)
        right = sum(1 for o in outcomes if o.status == "right")
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO item (at, topic, kind, difficulty, seed, source, version, given, parts_right, parts_asked) "
                "VALUES (?,?,?,?,?,?,?,?,?,?)",
                (time.time() if at is None else at, record["topic"], record["kind"], record["difficulty"], record["seed"], record["source"],
                 record["version"], json.dumps(record["given"]), right, len(outcomes)))
            item = int(cursor.lastrowid)
            db.executemany("INSERT INTO outcome VALUES (?,?,?,?,?,?,?,?,?)",
                           [(item, i, o.part, o.status, o.tries, o.hints, o.misconception, o.seconds, o.answer)
                            for i, o in enumerate(outcomes)])
            return item

    def practice_rows(self) -> list[sqlite3.Row]:
        return self._read("SELECT * FROM item ORDER BY id")

    def outcomes(self, item_id: int) -> list[sqlite3.Row]:
        return self._read("SELECT * FROM outcome WHERE item_id=? ORDER BY position", (item_id,))

    def setting(self, key: str) -> str | None:
        rows = self._read("SELECT value FROM setting WHERE key=?", (key,))
        return rows[0]["value"] if rows else None

    def set_setting(self, key: str, value: str) -> None:
        with self._write() as db:
            db.execute("INSERT INTO setting VALUES (?,?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                       (key, value))

    # -- moving a record to another machine ------------------------------------------------
    def export_history(self) -> dict[str, Any]:
        """Every practised problem with its outcomes, every exam with its answers and flags, and
        the settings, as one JSON-able object (the format `import_history` reads)."""
        items = [dict(row) for row in self._read("SELECT * FROM item ORDER BY id")]
        outcomes: dict[int, list[dict[str, Any]]] = {}
        for row in self._read("SELECT * FROM outcome ORDER BY item_id, position"):
            outcomes.setdefault(row["item_id"], []).append({k: row[k] for k in row.keys() if k != "item_id"})
        for item in items:
            item["outcomes"] = outcomes.get(item.pop("id"), [])
        exams = []
        for row in self._read("SELECT * FROM exam ORDER BY id"):
            record = dict(row)
            number = record.pop("id")
            record["answers"] = [{"question": a["question"], "part": a["part"], "text": a["text"],
                                  "saved_at": a["saved_at"]}
                                 for a in self._read("SELECT * FROM answer WHERE exam_id=?", (number,))]
            record["flags"] = sorted(self.flags(number))
            exams.append(record)
        settings = {row["key"]: row["value"] for row in self._read("SELECT key, value FROM setting")}
        return {"format": HISTORY_FORMAT, "schema": SCHEMA_VERSION, "items": items, "exams": exams,
                "settings": settings}

    def import_history(self, data: Any) -> tuple[int, int]:
        """Merge an exported history: a problem or exam already here (same moment, topic or paper,
        seed) is skipped, so importing twice adds nothing; a setting already here is kept.
        Returns how many problems and exams were added."""
        if not isinstance(data, dict) or data.get("format") != HISTORY_FORMAT:
            raise UserError(msg("ui.transfer.not_history"))
        try:
            with self._write() as db:
                added_items = added_exams = 0
                for item in data.get("items", []):
                    if db.execute("SELECT 1 FROM item WHERE at=? AND topic=? AND source=? AND seed IS ?",
                                  (item["at"], item["topic"], item["source"], item["seed"])).fetchone():
                        continue
                    cursor = db.execute(
                        "INSERT INTO item (at, topic, kind, difficulty, seed, source, version, given, parts_right, "
                        "parts_asked) VALUES (?,?,?,?,?,?,?,?,?,?)",
                        (item["at"], item["topic"], item["kind"], item["difficulty"], item["seed"], item["source"],
                         item["version"], item["given"], item["parts_right"], item["parts_asked"]))
                    db.executemany("INSERT INTO outcome VALUES (?,?,?,?,?,?,?,?,?)",
                                   [(cursor.lastrowid, o["position"], o["part"], o["status"], o["tries"], o["hints"],
                                     o["misconception"], o["seconds"], o["answer"]) for o in item["outcomes"]])
                    added_items += 1
                columns = ("blueprint", "title", "seed", "minutes", "paper", "started_at", "deadline", "finished_at",
                           "score", "max_score", "result", "abandoned_at")
                for record in data.get("exams", []):
                    if db.execute("SELECT 1 FROM exam WHERE started_at=? AND blueprint=? AND seed=?",
                                  (record["started_at"], record["blueprint"], record["seed"])).fetchone():
                        continue
                    cursor = db.execute(f"INSERT INTO exam ({', '.join(columns)}) VALUES ({','.join('?' * len(columns))})",
                                        tuple(record.get(c) for c in columns))
                    number = cursor.lastrowid
                    db.executemany("INSERT INTO answer VALUES (?,?,?,?,?)",
                                   [(number, a["question"], a["part"], a["text"], a["saved_at"])
                                    for a in record.get("answers", [])])
                    db.executemany("INSERT INTO flag VALUES (?,?)", [(number, q) for q in record.get("flags", [])])
                    added_exams += 1
                for key, value in dict(data.get("settings", {})).items():
                    db.execute("INSERT OR IGNORE INTO setting VALUES (?,?)", (str(key), str(value)))
        except (KeyError, TypeError, AttributeError) as exc:
            raise UserError(msg("ui.transfer.damaged", reason=str(exc))) from None
        return added_items, added_exams

    def practice_by_topic(self) -> list[sqlite3.Row]:
        return self._read("SELECT topic, kind, COUNT(*) AS sessions, SUM(parts_right) AS right, "
                          "SUM(parts_asked) AS asked, MAX(at) AS last FROM item GROUP BY topic, kind "
                          "ORDER BY kind != 'calculation', kind, topic")

"""Moving a database written by an older mlquiz forward (called once, inside one transaction).

Version 1 kept an exam's paper as seeds and a practice session as a topic, seed and a score. Those
seeds are turned into the problems they stood for now, while the generators are still the ones
that made them (the generators' output is pinned by the tests), and finished exams are marked once
more from their saved answers so that their stored result holds every part's mark.

Version 2 gains the schedule's settings table and an index; nothing stored changes.
"""

from __future__ import annotations

import json
import sqlite3

from mlquiz.store import SCHEMA


def from_v1(db: sqlite3.Connection) -> None:
    from mlquiz import engine, exam
    from mlquiz.questions import record_of

    db.execute("ALTER TABLE exam ADD COLUMN abandoned_at REAL")
    for statement in SCHEMA.split(";"):
        if "CREATE TABLE IF NOT EXISTS item" in statement or "CREATE TABLE IF NOT EXISTS outcome" in statement:
            db.execute(statement)
    for at, topic, difficulty, seed, source, right, asked in db.execute(
            "SELECT at, topic, difficulty, seed, source, parts_right, parts_asked FROM practice ORDER BY id").fetchall():
        problem = engine.from_bank(topic, seed) if source.startswith("bank:") else \
            engine.generate(topic, seed, difficulty)
        record = record_of(problem)
        db.execute("INSERT INTO item (at, topic, kind, difficulty, seed, source, version, given, parts_right, "
                   "parts_asked) VALUES (?,?,?,?,?,?,?,?,?,?)",
                   (at, topic, record["kind"], difficulty, seed, source, record["version"], json.dumps(record["given"]),
                    right, asked))
    db.execute("DROP TABLE practice")
    for exam_id, paper_text, finished in db.execute("SELECT id, paper, finished_at FROM exam").fetchall():
        paper = [exam.Question(**row) for row in json.loads(paper_text)]
        problems = exam.problems_for(paper)
        db.execute("UPDATE exam SET paper=? WHERE id=?", (exam.paper_json(paper, problems), exam_id))
        if finished is None:
            continue
        answers = {(q, part): text for q, part, text in
                   db.execute("SELECT question, part, text FROM answer WHERE exam_id=?", (exam_id,)).fetchall()}
        results = [exam.mark_question(q, p, {part.name: answers.get((q.number, part.name), "") for part in p.parts})
                   for q, p in zip(paper, problems)]
        db.execute("UPDATE exam SET result=? WHERE id=?", (json.dumps(exam.result_json(results)), exam_id))


def from_v2(db: sqlite3.Connection) -> None:
    for statement in SCHEMA.split(";"):
        if "setting" in statement or "INDEX IF NOT EXISTS item_at" in statement:
            db.execute(statement)

"""Skills and their review state: what the student has practised, how it went, and when to review.

A skill is a topic × difficulty for a calculation (`pca/medium`), a topic × kind for any other kind
of question, and a named misconception once the student has shown it twice (`pca!covariance_n`).
Every practised problem and every exam question is one attempt at its skill; the attempts are
replayed in time order through the FSRS scheduler (the `fsrs` package, fuzzing off, so the replay
is deterministic) to give each skill its review state: stability, difficulty, due date and the
predicted recall (retrievability) at any moment. The state is derived from the stored attempts, so
it is never out of step with them and nothing but the attempts needs moving to another machine.

Ratings: every part right on the first try without a hint is Good (Easy when also fast), all
right but after a hint or a retry is Hard, anything wrong or skipped is Again. An exam part is
right or not (no hints, one try): right everywhere is Good, else Again.
"""

from __future__ import annotations

import json
import os
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from mlquiz.errors import UserError
from mlquiz.text import msg

FAST_SECONDS = 30.0  # a part answered right within this (median) counts as fast: Easy, not Good
TARGET = 0.9  # the recall every skill should have on the exam day (`plan --target` changes it for one plan)
RECENT = 5  # attempts in the "recent" window of the trend
MISCONCEPTION_SKILL_AFTER = 2  # a misconception shown this often becomes its own skill


@dataclass
class Attempt:
    at: float  # epoch seconds
    topic: str
    difficulty: str
    kind: str
    source: str  # practice or exam
    statuses: list[str]
    tries: list[int]
    hints: list[int]
    seconds: list[float]
    misconceptions: list[str]

    @property
    def skill(self) -> str:
        return skill_name(self.topic, self.difficulty, self.kind)

    @property
    def first_try_right(self) -> int:
        return sum(1 for s, t, h in zip(self.statuses, self.tries, self.hints)
                   if s == "right" and t <= 1 and h == 0)


@dataclass
class Skill:
    name: str
    topic: str
    level: str
    attempts: list[Attempt] = field(default_factory=list)
    misconceptions: Counter = field(default_factory=Counter)
    card: Any = None


def skill_name(topic: str, difficulty: str, kind: str) -> str:
    return f"{topic}/{difficulty}" if kind == "calculation" else f"{topic}/{kind}"


def misconception_skill(topic: str, misconception: str) -> str:
    return f"{topic}!{misconception}"


def rating_of(attempt: Attempt) -> int:
    """The FSRS rating (1 Again, 2 Hard, 3 Good, 4 Easy) of one attempt."""
    if not attempt.statuses or any(s != "right" for s in attempt.statuses):
        return 1
    if any(t > 1 for t in attempt.tries) or any(h > 0 for h in attempt.hints):
        return 2
    timed = [s for s in attempt.seconds if s > 0]
    if attempt.source == "practice" and timed and statistics.median(timed) <= FAST_SECONDS:
        return 4
    return 3


# --------------------------------------------------------------------------- the clock

def now(value: str | None = None) -> datetime:
    """The moment the schedule is read at: `value` (from --now), else MLQUIZ_NOW, else the clock.
    Accepts YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] (UTC) or epoch seconds (a test hook)."""
    value = value if value is not None else os.environ.get("MLQUIZ_NOW")
    if not value:
        return datetime.now(timezone.utc)
    return parse_moment(value)


def parse_moment(value: str) -> datetime:
    text = value.strip()
    try:
        return datetime.fromtimestamp(float(text), timezone.utc)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UserError(msg("ui.stats.bad_moment", value=repr(value))) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _utc(stamp: float) -> datetime:
    return datetime.fromtimestamp(stamp, timezone.utc)


# --------------------------------------------------------------------------- attempts

def attempts(store: Any) -> list[Attempt]:
    """Every practised problem and every marked exam question, oldest first."""
    connection = store.connect()
    out: list[Attempt] = []
    by_item: dict[int, Attempt] = {}
    for item_id, at, topic, kind, difficulty in connection.execute(
            "SELECT id, at, topic, kind, difficulty FROM item ORDER BY at, id"):
        attempt = Attempt(at, topic, difficulty, kind, "practice", [], [], [], [], [])
        by_item[item_id] = attempt
        out.append(attempt)
    for item_id, status, tries, hints, misconception, seconds in connection.execute(
            "SELECT item_id, status, tries, hints, misconception, seconds FROM outcome ORDER BY item_id, position"):
        attempt = by_item.get(item_id)
        if attempt is None:
            continue
        attempt.statuses.append(status)
        attempt.tries.append(tries)
        attempt.hints.append(hints)
        attempt.seconds.append(seconds)
        if misconception:
            attempt.misconceptions.append(misconception)
    for paper_text, result_text, finished in connection.execute(
            "SELECT paper, result, finished_at FROM exam WHERE finished_at IS NOT NULL AND result IS NOT NULL"):
        paper = {row["number"]: row for row in json.loads(paper_text)}
        for question in json.loads(result_text)["questions"]:
            asked = paper.get(question["number"], {})
            parts = question["parts"]
            out.append(Attempt(finished, question["topic"], asked.get("difficulty", "medium"),
                               asked.get("kind", "calculation"), "exam",
                               ["right" if _counts_right(p) else "wrong" for p in parts],
                               [1] * len(parts), [0] * len(parts), [0.0] * len(parts),
                               [p["misconception"] for p in parts if p.get("misconception")]))
    out.sort(key=lambda a: a.at)
    return out


def _counts_right(part: dict[str, Any]) -> bool:
    """A marked exam part as right or wrong: a self-marked part counts as right when at least half
    its key points were ticked."""
    if part.get("by") == "self":
        return part["status"] == "self" and part["points"] > 0 and 2 * part["earned"] >= part["points"]
    return part["status"] == "right"


def scheduler() -> Any:
    from fsrs import Scheduler

    return Scheduler(enable_fuzzing=False)


def skills(history: list[Attempt]) -> dict[str, Skill]:
    """Each skill with its attempts and its FSRS card after replaying them in order."""
    from fsrs import Card, Rating

    fsrs = scheduler()
    found: dict[str, Skill] = {}
    shown: dict[str, Counter] = defaultdict(Counter)  # per topic: how often each misconception was shown
    for attempt in history:
        when = _utc(attempt.at)
        rating = rating_of(attempt)
        skill = found.get(attempt.skill)
        if skill is None:
            skill = found[attempt.skill] = Skill(attempt.skill, attempt.topic, attempt.skill.split("/", 1)[1])
            skill.card = Card(card_id=len(found))
        skill.attempts.append(attempt)
        skill.misconceptions.update(attempt.misconceptions)
        skill.card, _ = fsrs.review_card(skill.card, Rating(rating), when)
        # A misconception's own skill: born when it is shown the second time; reviewed by every
        # later attempt of its topic (Again when it is shown once more).
        mine = set(attempt.misconceptions)
        counts = shown[attempt.topic]
        counts.update(mine)
        for name, count in counts.items():
            if count < MISCONCEPTION_SKILL_AFTER:
                continue
            key = misconception_skill(attempt.topic, name)
            own = found.get(key)
            if own is None:
                own = found[key] = Skill(key, attempt.topic, "!" + name)
                own.card = Card(card_id=len(found))
            own.attempts.append(attempt)
            own.misconceptions.update(m for m in attempt.misconceptions if m == name)
            own.card, _ = fsrs.review_card(own.card, Rating(1 if name in mine else rating), when)
    return found


# --------------------------------------------------------------------------- stats

def _accuracy(items: list[Attempt]) -> float | None:
    parts = sum(len(a.statuses) for a in items)
    return round(sum(a.first_try_right for a in items) / parts, 4) if parts else None


def skill_stats(skill: Skill, moment: datetime) -> dict[str, Any]:
    fsrs = scheduler()
    card = skill.card
    recent = skill.attempts[-RECENT:]
    before = skill.attempts[-2 * RECENT:-RECENT]
    recent_accuracy, before_accuracy = _accuracy(recent), _accuracy(before)
    trend = None if recent_accuracy is None or before_accuracy is None else round(recent_accuracy - before_accuracy, 4)
    seconds = [s for a in skill.attempts for s in a.seconds if s > 0]
    return {
        "skill": skill.name, "topic": skill.topic, "level": skill.level,
        "attempts": len(skill.attempts),
        "parts": sum(len(a.statuses) for a in skill.attempts),
        "first_try_accuracy": _accuracy(skill.attempts),
        "recent_accuracy": recent_accuracy, "trend": trend,
        "median_seconds_per_part": round(statistics.median(seconds), 1) if seconds else None,
        "misconceptions": dict(skill.misconceptions.most_common()),
        "last": _utc(skill.attempts[-1].at).isoformat() if skill.attempts else None,
        "fsrs": {"state": card.state.name.lower(), "stability": round(card.stability, 4) if card.stability else None,
                 "difficulty": round(card.difficulty, 4) if card.difficulty else None,
                 "due": card.due.isoformat(), "last_review": card.last_review.isoformat() if card.last_review else None},
        "due": card.due <= moment,
        "recall": round(fsrs.get_card_retrievability(card, moment), 4),
    }


def stats(store: Any, moment: datetime, since: datetime | None = None, topic: str | None = None) -> dict[str, Any]:
    """Everything `mlquiz stats` shows, as data. The FSRS state always replays the whole history
    (a filter must not change the schedule); the counts and charts use the filtered attempts."""
    history = attempts(store)
    states = skills(history)
    cutoff = since.timestamp() if since else None
    shown = [a for a in history if (cutoff is None or a.at >= cutoff) and (topic is None or a.topic == topic)]
    rows = []
    for name in sorted(states):
        skill = states[name]
        chosen = [a for a in skill.attempts if (cutoff is None or a.at >= cutoff)]
        if (topic is not None and skill.topic != topic) or not chosen:
            continue
        view = Skill(skill.name, skill.topic, skill.level, chosen,
                     skill.misconceptions if cutoff is None else
                     Counter(m for a in chosen for m in a.misconceptions
                             if not skill.level.startswith("!") or m == skill.level[1:]),
                     skill.card)
        rows.append(skill_stats(view, moment))
    days: dict[str, list[Attempt]] = defaultdict(list)
    for attempt in shown:
        days[_utc(attempt.at).date().isoformat()].append(attempt)
    return {
        "now": moment.isoformat(),
        "attempts": len(shown),
        "skills": rows,
        "days": [{"day": day, "attempts": len(items), "first_try_accuracy": _accuracy(items)}
                 for day, items in sorted(days.items())],
    }


def day_start(day: str) -> datetime:
    """The start (UTC) of a YYYY-MM-DD day given on the command line."""
    try:
        return datetime.fromisoformat(day.strip()).replace(tzinfo=timezone.utc)
    except ValueError:
        raise UserError(msg("ui.stats.bad_day", value=repr(day))) from None



# --------------------------------------------------------------------------- review

LEVELS = ("easy", "medium", "hard")


@dataclass
class Due:
    skill: str
    topic: str
    difficulty: str
    overdue_days: float  # how long past its due moment (new skills: 0)
    new: bool = False


def review_queue(states: dict[str, Skill], topics: list[str], moment: datetime,
                 planned: frozenset[str] = frozenset(), chapters: tuple[str, ...] = ()) -> list[Due]:
    """What a review session asks, in order: the due skills, most overdue first but never the same
    topic twice in a row when another due topic can come between; then the skills never tried
    (each topic at easy, then the concept chapters, then each topic at medium, then at hard). A
    misconception's skill is asked as a problem of its topic at the level it was last shown; a
    concept skill (`svm/concept`) as a concept question of its chapter (difficulty "concept").
    `planned` skills (today's part of the exam plan) count as due."""
    due: list[Due] = []
    for skill in states.values():
        if skill.card.due > moment and skill.name not in planned:
            continue
        if skill.level.startswith("!"):
            last = skill.attempts[-1]
            level = last.difficulty if last.kind == "calculation" and last.difficulty in LEVELS else "medium"
        elif skill.level in LEVELS or skill.level == "concept":
            level = skill.level
        else:
            continue  # a bank level or the design question: not drawn at random
        due.append(Due(skill.name, skill.topic, level, max(0.0, (moment - skill.card.due).total_seconds() / 86400)))
    due.sort(key=lambda d: (-d.overdue_days, d.skill))
    ordered: list[Due] = []
    while due:
        pick = next((i for i, d in enumerate(due) if not ordered or d.topic != ordered[-1].topic), 0)
        ordered.append(due.pop(pick))
    for level in LEVELS:
        for topic in topics:
            name = skill_name(topic, level, "calculation")
            if name not in states:
                ordered.append(Due(name, topic, level, 0.0, new=True))
        if level == LEVELS[0]:
            for chapter in chapters:
                name = skill_name(chapter, "", "concept")
                if name not in states:
                    ordered.append(Due(name, chapter, "concept", 0.0, new=True))
    return ordered


def used_seeds(states: dict[str, Skill], store: Any) -> set[tuple[str, str, int]]:
    """The (topic, difficulty, seed) of every problem practised, so a review never repeats one."""
    rows = store.connect().execute("SELECT topic, difficulty, seed FROM item WHERE seed IS NOT NULL").fetchall()
    return {(topic, difficulty, seed) for topic, difficulty, seed in rows}


# --------------------------------------------------------------------------- plan

MAX_PLAN_DAYS = 400  # an exam further away than this is not planned day by day
MAX_SAME_DAY = 6  # at most this many reviews of one skill on the last day


def make_plan(states: dict[str, Skill], moment: datetime, exam_day: str, target: float) -> dict[str, Any]:
    """What to review each day until the exam so that every practised skill's predicted recall on
    the exam day is at least `target`, assuming each planned review goes well (Good). Day k's
    reviews are at `moment` + k days; the exam is at the same time of day on its date. A skill is
    reviewed when FSRS (asked for `target` retention) says it is due, and on the last day before
    the exam as often as needed to lift its recall on the day above the target."""
    from fsrs import Rating, Scheduler

    start = day_start(exam_day)
    days = (start.date() - moment.date()).days
    if days < 1:
        raise UserError(msg("ui.plan.past", day=exam_day))
    if days > MAX_PLAN_DAYS:
        raise UserError(msg("ui.plan.too_far", day=exam_day, days=MAX_PLAN_DAYS))
    fsrs = Scheduler(desired_retention=target, enable_fuzzing=False)
    exam_moment = moment + timedelta(days=days)
    cards = {name: skill.card for name, skill in states.items()}
    before = {name: fsrs.get_card_retrievability(card, exam_moment) for name, card in cards.items()}
    plan: list[dict[str, Any]] = []
    for k in range(days):
        when = moment + timedelta(days=k)
        end_of_day = when + timedelta(days=1)
        todo: Counter = Counter()
        for name in sorted(cards):
            if cards[name].due < end_of_day:
                cards[name], _ = fsrs.review_card(cards[name], Rating.Good, when)
                todo[name] += 1
            if k == days - 1:
                while fsrs.get_card_retrievability(cards[name], exam_moment) < target and todo[name] < MAX_SAME_DAY:
                    cards[name], _ = fsrs.review_card(cards[name], Rating.Good, when)
                    todo[name] += 1
        if todo:
            plan.append({"day": when.date().isoformat(), "at": when.isoformat(), "reviews": dict(sorted(todo.items()))})
    return {
        "now": moment.isoformat(), "exam_day": start.date().isoformat(), "exam_at": exam_moment.isoformat(),
        "target": target,
        "skills": [{"skill": name, "recall_now": round(fsrs.get_card_retrievability(states[name].card, moment), 4),
                    "recall_on_exam_day_without_review": round(before[name], 4),
                    "recall_on_exam_day_with_plan": round(fsrs.get_card_retrievability(cards[name], exam_moment), 4)}
                   for name in sorted(cards)],
        "days": plan,
    }


def planned_today(store: Any, states: dict[str, Skill], moment: datetime) -> frozenset[str]:
    """The skills the stored exam plan reviews today (none when no exam date is set or it is past)."""
    day = store.setting("exam_date")
    if day is None or not 1 <= (day_start(day).date() - moment.date()).days <= MAX_PLAN_DAYS:
        return frozenset()
    days = make_plan(states, moment, day, TARGET)["days"]
    today = moment.date().isoformat()
    return frozenset(days[0]["reviews"]) if days and days[0]["day"] == today else frozenset()

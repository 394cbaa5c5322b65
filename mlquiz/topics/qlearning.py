"""Tabular Q-learning updates (and DQN targets from a separate target table).

Q(s,a) ← Q(s,a) + α·[r + γ·max_a' Q(s',a') − Q(s,a)]; a terminal s' contributes 0.
With a target table (DQN): y = r + γ·max_a' Q_target(s',a') (r alone at a terminal state).
The greedy policy picks argmax_a Q(s,a) in each state (ties: the first action).

given = {"states": [names], "actions": [names], "q": [[Q(s,a)]], "alpha", "gamma",
         "transitions": [[s, a, r, s' or None]] (indices; None = terminal),
         "target_q": [[…]] or None, "policy_states": [state indices whose greedy action is asked]
                                                     ([] when none is asked, None for the user's data)}
Answers: td_targets[i], td_errors[i], q_tables[i] (the table after transition i), q_table (the
final table) and greedy_policy[s]; step ids target/i, error/i, update/i (i from 1) and policy.
"""

from __future__ import annotations

import random
from typing import Any

from mlquiz.answers import AnswerError, parse_number
from mlquiz.derivation import Derivation
from mlquiz.errors import UserError, short
from mlquiz.model import Part, Solution, Tolerance, answer_at
from mlquiz.text import Msg, Texts
from mlquiz.topics.common import attempts, fmt, fmtp, number_rows, split_rows

T = Texts("qlearning")

TOLERANCE = Tolerance(relative=0.006, absolute=0.0015)
MAX_STATES, MAX_ACTIONS, MAX_TRANSITIONS = 50, 10, 200
TERMINAL_WORDS = ("end", "terminal", "none")  # how a terminal next state may be typed


# --------------------------------------------------------------------------- texts of the data

def _transition(given: dict, t: list) -> Msg:
    """(s, a, r, s') with the state and action names; a terminal s' reads `end`."""
    s, a, r, nxt = t
    states = given["states"]
    return T("transition", state=states[s], action=given["actions"][a], reward=r,
             next=T("end") if nxt is None else states[nxt])


def _joined(items: list[Msg]) -> Msg:
    """Transitions one after another, `; ` between them (nested in halves, so it stays shallow)."""
    if len(items) == 1:
        return items[0]
    middle = len(items) // 2
    return T("sequence", first=_joined(items[:middle]), rest=_joined(items[middle:]))


# --------------------------------------------------------------------------- solving

def _applies(given: dict, i: int, mistake: str) -> bool:
    """Whether the wrong method changes the TD target of transition i (it never does at a terminal s')."""
    s, _, _, nxt = given["transitions"][i]
    if nxt is None:
        return False  # r alone is right at a terminal state, whatever the method
    if mistake == "sarsa":
        following = given["transitions"][i + 1] if i + 1 < len(given["transitions"]) else None
        return following is not None and following[0] == nxt
    if mistake == "current_state":
        return nxt != s
    return True


def _wrong_target(given: dict, i: int, source: list[list[float]], mistake: str) -> float:
    """The TD target a misconception gives (SARSA's next action, no γ, the row of s, no bootstrap)."""
    transitions, gamma = given["transitions"], given["gamma"]
    s, _, r, nxt = transitions[i]
    if mistake == "sarsa":
        return r + gamma * source[nxt][transitions[i + 1][1]]
    if mistake == "no_gamma":
        return r + max(source[nxt])
    if mistake == "current_state":
        return r + gamma * max(source[s])
    return float(r)  # no_bootstrap


def solve(given: dict, override: dict[tuple, Any] | None = None) -> Solution:
    """Every TD target, TD error and table in order, then the greedy policy; `override` (the
    student's own values) is carried forward through the derivation."""
    return _run(given, override, None)


def _run(given: dict, override: dict[tuple, Any] | None, mistake: str | None) -> Solution:
    """The derivation, by the right method or (for VARIANTS) with one misconception throughout."""
    d = Derivation(override)
    q = [list(map(float, row)) for row in given["q"]]
    target_q = given.get("target_q")
    alpha, gamma = given["alpha"], given["gamma"]
    states, actions = given["states"], given["actions"]
    transitions = given["transitions"]
    for i, t in enumerate(transitions):
        s, a, r, nxt = t
        number = i + 1
        source = target_q if target_q is not None else q
        if nxt is None:
            target = float(r)
            line: Any = T("line.terminal", r=r)
        else:
            best = max(source[nxt])
            target = r + gamma * best
            line = (f"{fmt(r)} + {fmt(gamma)}·max({', '.join(fmt(v) for v in source[nxt])}) "
                    f"= {fmt(r)} + {fmt(gamma)}·{fmtp(best)}")
        if mistake not in (None, "no_alpha") and _applies(given, i, mistake):
            target = _wrong_target(given, i, source, mistake)
        target = float(d.step(f"target/{number}", T("title.target", i=number),
                              T("formula.target", q="Q_target" if target_q is not None else "Q"),
                              line, target, answer=("td_targets", i)))
        error = float(d.step(f"error/{number}", T("title.error", i=number), T("formula.error"),
                             f"{fmt(target)} − {fmtp(q[s][a])}", target - q[s][a], answer=("td_errors", i)))
        old = q[s][a]
        q[s][a] = target if mistake == "no_alpha" else old + alpha * error
        computed = [row[:] for row in q]
        table = d.step(f"update/{number}", T("title.update", i=number, transition=_transition(given, t)),
                       T("formula.update"),
                       f"Q({states[s]}, {actions[a]}) ← {fmt(old)} + {fmt(alpha)}·{fmtp(error)} = {fmt(q[s][a])}",
                       computed, answer=("q_tables", i), marked=((s, a),))
        if i == len(transitions) - 1:
            d.answer(("q_table",), computed)  # the final table is the last update's
        q = [list(map(float, row)) for row in table]  # the student's table, when carried forward
    policy = []
    asked = given.get("policy_states")  # None for the user's own data: every state's action counts
    for s, row in enumerate(q):
        best_action = max(range(len(row)), key=lambda k: (row[k], -k))
        tied = sum(1 for v in row if abs(v - row[best_action]) < 1e-12) > 1
        if tied and s in (range(len(q)) if asked is None else asked):
            d.note(T("note.tie", state=states[s]))
        policy.append(actions[best_action])
    d.step("policy", T("title.policy"), T("formula.policy"),
           "; ".join(f"{states[s]}: {policy[s]}" for s in range(len(q))), policy, answer=("greedy_policy",))
    return d.solution()


# --------------------------------------------------------------------------- the problem text

def statement(given: dict) -> list[Msg]:
    terminal = any(t[3] is None for t in given["transitions"])
    text = [T("statement.updates_terminal" if terminal else "statement.updates", states=given["states"],
              actions=given["actions"], alpha=given["alpha"], gamma=given["gamma"])]
    if given.get("target_q") is not None:
        text.append(T("statement.target"))
    asked = given.get("policy_states") or []
    if asked:
        text.append(T("statement.policy", states=[given["states"][s] for s in asked]))
    text.append(T("statement.transitions",
                  transitions=_joined([_transition(given, t) for t in given["transitions"]])))
    return text


def table(given: dict) -> tuple[list, list[list[str]]]:
    headers = ["Q", *given["actions"]]
    rows = [[state, *(fmt(v) for v in row)] for state, row in zip(given["states"], given["q"])]
    if given.get("target_q") is not None:
        rows += [[f"{state} (Q_target)", *(fmt(v) for v in row)]
                 for state, row in zip(given["states"], given["target_q"])]
    return headers, rows


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    answers = solution.answers
    out: list[Part] = []
    transitions = given["transitions"]
    for i, t in enumerate(transitions):
        number = i + 1
        out.append(Part(("td_targets", i), T("prompt.td_target", i=number, transition=_transition(given, t)),
                        "number", answers["td_targets"][i], TOLERANCE, step=f"target/{number}"))
        if len(transitions) == 1:
            out.append(Part(("td_errors", i), T("prompt.td_error", i=number), "number", answers["td_errors"][i],
                            TOLERANCE, step=f"error/{number}"))
            s, a = t[0], t[1]
            out.append(Part(("q_table", s, a), T("prompt.q_cell", state=given["states"][s],
                                                 action=given["actions"][a], i=number),
                            "number", answers["q_table"][s][a], TOLERANCE, step=f"update/{number}"))
    if len(transitions) > 1:
        out.append(Part(("q_table",), T("prompt.q_table"), "matrix", answers["q_table"], TOLERANCE,
                        step=f"update/{len(transitions)}"))
    for s in given.get("policy_states") or []:
        out.append(Part(("greedy_policy", s), T("prompt.policy", state=given["states"][s]), "choice",
                        answers["greedy_policy"][s], choices=tuple(given["actions"]), step="policy"))
    return out


def well_posed(problem: Any) -> None:
    """Tables of the stated shape; the greedy action asked is never a near-tie; each difficulty has
    the transitions it promises (easy: one; medium: ≥ 3 with a reward; hard: ≥ 3 with a terminal
    state or a target table)."""
    g, a, level = problem.given, problem.solution.answers, problem.difficulty
    assert all(len(row) == len(g["actions"]) for row in g["q"])
    assert len(g["q"]) == len(g["states"]) and all(len(row) == len(g["actions"]) for row in a["q_table"])
    for s in g.get("policy_states") or []:
        best = sorted(a["q_table"][s], reverse=True)
        assert best[0] - best[1] > 0.05  # the greedy action asked is not a tie
    if level == "easy":
        assert len(g["transitions"]) == 1
    elif level == "medium":
        assert len(g["transitions"]) >= 3 and any(t[2] for t in g["transitions"]) and g["policy_states"]
    elif level == "hard":
        assert len(g["transitions"]) >= 3 and g["policy_states"]
        assert g["target_q"] is not None or any(t[3] is None for t in g["transitions"])


# --------------------------------------------------------------------------- generating

ROOMS = ["A", "B", "C", "D", "E"]
MOVES = ["left", "right"]
EASY_ACTIONS = (["left", "right"], ["up", "down", "stay"])


def _easy(rng: random.Random) -> dict:
    n_states = rng.randint(2, 4)
    actions = EASY_ACTIONS[0] if rng.random() < 0.5 else EASY_ACTIONS[1][: rng.choice((2, 3))]
    q = [[rng.choice((0, 0, 1, 2, 3, 4, 5, -1, 0.5, 1.5, 2.5)) for _ in actions] for _ in range(n_states)]
    s, a = rng.randrange(n_states), rng.randrange(len(actions))
    nxt = rng.choice([x for x in range(n_states) if x != s] or [s])
    r = rng.choice((-1, 0, 1, 2, 5, 10))
    return {"states": [f"s{i}" for i in range(n_states)], "actions": actions, "q": q,
            "alpha": rng.choice((0.1, 0.5, 0.5, 1.0)), "gamma": rng.choice((0.9, 0.8, 0.5)),
            "transitions": [[s, a, r, nxt]], "target_q": None, "policy_states": []}


def _episode(rng: random.Random, n_states: int, length: int, terminal: bool) -> list[list]:
    """A walk along a chain of rooms: left/right moves, a reward at the right end."""
    s = rng.randrange(n_states - 1)
    out = []
    for _ in range(length):
        a = 1 if rng.random() < 0.65 else 0
        nxt = min(max(s + (1 if a else -1), 0), n_states - 1)
        r = 10 if nxt == n_states - 1 else rng.choice((0, 0, -1))
        done = terminal and nxt == n_states - 1
        out.append([s, a, r, None if done else nxt])
        if done:
            break
        s = nxt if nxt != n_states - 1 else rng.randrange(n_states - 1)
    return out


def _table(rng: random.Random, n_states: int, zero: bool) -> list[list[float]]:
    if zero:
        return [[0.0, 0.0] for _ in range(n_states)]
    return [[float(rng.choice((0, 1, 2, 3, 4))) for _ in range(2)] for _ in range(n_states)]


def _with_policy(given: dict) -> dict | None:
    """Ask the greedy action only in visited states whose best action is clear."""
    final = solve(given).answers["q_table"]
    visited = sorted({t[0] for t in given["transitions"]})
    clear = [s for s in visited if abs(final[s][0] - final[s][1]) > 0.05]
    if not clear:
        return None
    given["policy_states"] = clear
    return given


def _medium(rng: random.Random) -> dict:
    for _ in attempts():
        n_states = rng.randint(3, 4)
        given = {"states": ROOMS[:n_states], "actions": MOVES, "q": _table(rng, n_states, rng.random() < 0.5),
                 "alpha": rng.choice((0.5, 0.5, 0.1, 1.0)), "gamma": rng.choice((0.9, 0.8)),
                 "transitions": _episode(rng, n_states, rng.randint(3, 5), terminal=False), "target_q": None}
        rewarded = any(t[2] for t in given["transitions"])
        changed = sum(1 for row in solve(given).answers["q_table"] for v in row if v) >= 2
        if len(given["transitions"]) >= 3 and rewarded and changed and _with_policy(given):
            return given


def _hard(rng: random.Random) -> dict:
    for _ in attempts():
        n_states = rng.randint(3, 5)
        given = {"states": ROOMS[:n_states], "actions": MOVES, "q": _table(rng, n_states, False),
                 "alpha": rng.choice((0.5, 0.1, 0.2)), "gamma": rng.choice((0.9, 0.8)),
                 "transitions": _episode(rng, n_states, rng.randint(3, 5), terminal=True), "target_q": None}
        if rng.random() < 0.5:
            given["target_q"] = _table(rng, n_states, False)
        has_terminal = any(t[3] is None for t in given["transitions"])
        if len(given["transitions"]) >= 3 and (has_terminal or given["target_q"]) and _with_policy(given):
            return given


def generate(rng: random.Random, difficulty: str) -> dict:
    return {"easy": _easy, "medium": _medium, "hard": _hard}[difficulty](rng)


# --------------------------------------------------------------------------- the user's data

def parse_data(values: dict) -> dict:
    """--q "0,0;0,0" (or --data) --transitions "0,1,5,1; 1,0,-1,end" --alpha 0.5 --gamma 0.9 [--target-q …]."""
    q = values.get("q")
    if q is None and values.get("data") is not None:
        data = values["data"]
        q = number_rows(data.text, data.origin)
    transitions_text = values.get("transitions")
    if q is None or not transitions_text:
        raise UserError(T("error.missing"))
    n_states, n_actions = len(q), len(q[0])
    if n_states > MAX_STATES or n_actions > MAX_ACTIONS or transitions_text.count(";") >= MAX_TRANSITIONS:
        raise UserError(T("error.too_big", states=MAX_STATES, actions=MAX_ACTIONS, transitions=MAX_TRANSITIONS))
    states = _names(values.get("states"), n_states, "--states")
    actions = _names(values.get("actions"), n_actions, "--actions")
    transitions = [_read_transition(i, row, states, actions)
                   for i, row in enumerate(split_rows(transitions_text, "--transitions"), start=1)]
    target_q = values.get("target_q")
    if target_q is not None and (len(target_q), len(target_q[0])) != (n_states, n_actions):
        raise UserError(T("error.target_shape", states=n_states, actions=n_actions))
    return {"states": states, "actions": actions, "q": q, "alpha": values["alpha"], "gamma": values["gamma"], "transitions": transitions,
            "target_q": target_q, "policy_states": None}


def from_bank(entry: dict) -> dict:
    """One problem of bank.toml, spelled like the options: `q` (and `target_q`) as tables, `transitions`
    as --transitions text, `states`/`actions` as comma-separated names, `alpha`, `gamma`, and `policy`:
    the states whose greedy action is asked. A malformed entry is a bug in the shipped data: ValueError."""
    where = f"qlearning/bank.toml [{entry.get('id')}]"
    q = entry.get("q")
    if not isinstance(q, list) or not q or not all(isinstance(row, list) and len(row) == len(q[0]) > 0 for row in q) \
            or not isinstance(entry.get("transitions"), str) \
            or not all(isinstance(entry.get(k), (int, float)) for k in ("alpha", "gamma")):
        raise ValueError(f"{where}: q = [[…]], transitions = '…', alpha = …, gamma = …")
    values = {key: entry.get(key) for key in ("q", "transitions", "alpha", "gamma", "target_q", "states", "actions")}
    try:
        given = parse_data(values)
    except UserError as exc:
        raise ValueError(f"{where}: {exc}") from None
    asked = entry.get("policy", [])
    if not isinstance(asked, list) or not all(name in given["states"] for name in asked):
        raise ValueError(f"{where}: policy ⊄ {given['states']}")
    given["policy_states"] = [given["states"].index(name) for name in asked]
    return given


def as_options(given: dict) -> dict[str, str | None]:
    """The `solve qlearning` options that pose this problem again (states and actions by number)."""
    def rows(table: list[list[float]]) -> str:
        return "; ".join(",".join(repr(v) for v in row) for row in table)

    transitions = "; ".join(f"{s},{a},{r!r},{TERMINAL_WORDS[0] if nxt is None else nxt}"
                            for s, a, r, nxt in given["transitions"])
    target_q = given.get("target_q")
    return {"q": rows(given["q"]), "transitions": transitions, "alpha": repr(given["alpha"]),
            "gamma": repr(given["gamma"]), "target_q": None if target_q is None else rows(target_q),
            "states": ",".join(given["states"]), "actions": ",".join(given["actions"])}


def _names(text: str | None, count: int, flag: str) -> list[str]:
    """--states / --actions: one name per row / column of the Q-table (default 0, 1, 2, …)."""
    if text is None:
        return [str(i) for i in range(count)]
    names = [name.strip() for name in text.replace("，", ",").split(",")]
    if len(names) != count or "" in names or len(set(names)) != count:
        raise UserError(T("error.names", flag=flag, count=count))
    return names


def _index(cell: str, names: list[str]) -> int:
    """A state or action given by its name or its number."""
    return names.index(cell) if cell in names else int(cell)


def _read_transition(i: int, row: list[str], states: list[str], actions: list[str]) -> list:
    """`s,a,r,s'` with states and actions by name or number; s' may be `end` (terminal)."""
    n_states, n_actions = len(states), len(actions)
    if len(row) != 4:
        raise UserError(T("error.transition_length", i=i, count=len(row)))
    try:
        s, a = _index(row[0], states), _index(row[1], actions)
        nxt = None if row[3].lower() in TERMINAL_WORDS else _index(row[3], states)
    except ValueError:
        raise UserError(T("error.transition", i=i, text=short(",".join(row)))) from None
    try:
        r = parse_number(row[2])
    except AnswerError as exc:
        raise UserError(T("error.reward", i=i, cell=short(row[2]), reason=exc.message)) from None
    if not 0 <= s < n_states or (nxt is not None and not 0 <= nxt < n_states):
        raise UserError(T("error.state_range", i=i, last=n_states - 1))
    if not 0 <= a < n_actions:
        raise UserError(T("error.action_range", i=i, last=n_actions - 1))
    return [s, a, r, nxt]


# --------------------------------------------------------------------------- misconceptions
# Each returns the value the wrong method gives at the checkpoint `path` (ids and applies_to in
# problems/qlearning/misconceptions.toml, texts in text.<lang>.toml): the whole run is redone with
# the mistake, carrying the student's own earlier values forward like the right derivation does.

def _variant(mistake: str):
    def variant(given: dict, path: tuple, student: Any, override: dict) -> Any:
        if path[0] == "td_targets" and not _applies(given, path[1], mistake):
            return None  # the wrong method gives the right target here: nothing to name
        return answer_at(_run(given, override, mistake).answers, path)
    return variant


VARIANTS = {mistake: _variant(mistake)
            for mistake in ("sarsa", "no_gamma", "current_state", "no_alpha", "no_bootstrap")}

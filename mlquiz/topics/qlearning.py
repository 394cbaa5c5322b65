"""Tabular Q-learning updates (and DQN targets from a separate target table).

Q(s,a) ← Q(s,a) + α·[r + γ·max_a' Q(s',a') − Q(s,a)]; a terminal s' contributes 0.
With a target table (DQN): y = r + γ·max_a' Q_target(s',a') (r alone at a terminal state).
The greedy policy picks argmax_a Q(s,a) in each state (ties: the first action).

given = {"states": [names], "actions": [names], "q": [[Q(s,a)]], "alpha", "gamma",
         "transitions": [[s, a, r, s' or None]] (indices; None = terminal),
         "target_q": [[…]] or None, "policy_states": [state indices whose greedy action is asked]}
"""

from __future__ import annotations

import random
from typing import Any

from mlquiz.errors import UserError, short
from mlquiz.model import Part, Solution, Step, Tolerance
from mlquiz.topics.common import answer_at, fmt, fmtp, number_rows, split_name, split_rows

TEXT = {
    "statement": "A Q-table has states {states} (rows) and actions {actions} (columns). With learning rate "
                 "α = {alpha} and discount γ = {gamma}, apply the Q-learning update for each transition "
                 "(s, a, r, s') in order{terminal}.",
    "statement_target": " The TD target uses a separate, frozen target table Q_target (as in DQN).",
    "statement_policy": " Then give the greedy action in {policy_states}.",
    "terminal_note": "; 'end' marks a terminal next state",
    "prompt_td_target": "the TD target of transition {i}: {transition}",
    "prompt_td_error": "the TD error of transition {i}",
    "prompt_q_cell": "Q({state}, {action}) after transition {i}",
    "prompt_q_table": "the final Q-table (rows: states, columns: actions)",
    "prompt_policy": "the greedy action in state {state}",
    "title_update": "Transition {i}: {transition}",
    "title_target": "TD target of transition {i}",
    "title_error": "TD error of transition {i}",
    "title_policy": "Greedy policy",
    "note_tie": "State {state} has equal best values; the first action is taken.",
}

OPTIONS = {"q": "the Q-table, rows = states", "transitions": "s,a,r,s' per transition ('end' = terminal)",
           "alpha": "learning rate", "gamma": "discount", "target_q": "a separate target table (DQN)"}
TOLERANCE = Tolerance(relative=0.006, absolute=0.0015)


def _transition_text(given: dict, t: list) -> str:
    s, a, r, nxt = t
    states = given["states"]
    return f"({states[s]}, {given['actions'][a]}, {fmt(r)}, {'end' if nxt is None else states[nxt]})"


def solve(given: dict, override: dict[str, Any] | None = None) -> Solution:
    override = override or {}
    q = [list(map(float, row)) for row in given["q"]]
    target_q = given.get("target_q")
    alpha, gamma = given["alpha"], given["gamma"]
    states, actions = given["states"], given["actions"]
    steps: list[Step] = []
    targets, errors, tables = [], [], []
    for i, t in enumerate(given["transitions"]):
        s, a, r, nxt = t
        label = _transition_text(given, t)
        source = target_q if target_q is not None else q
        name_q = "Q_target" if target_q is not None else "Q"
        if nxt is None:
            target = float(r)
            sub = f"s' is terminal, so y = r = {fmt(r)}"
        else:
            best = max(source[nxt])
            target = r + gamma * best
            sub = (f"{fmt(r)} + {fmt(gamma)}·max({', '.join(fmt(v) for v in source[nxt])}) "
                   f"= {fmt(r)} + {fmt(gamma)}·{fmtp(best)}")
        targets.append(target)
        target = float(override.get(f"td_targets[{i}]", target))
        steps.append(Step(TEXT["title_target"].format(i=i + 1),
                          f"y = r + γ·max_a' {name_q}(s',a')  (r alone if s' is terminal)", sub, targets[-1],
                          answer=f"td_targets[{i}]"))
        error = target - q[s][a]
        errors.append(error)
        error = float(override.get(f"td_errors[{i}]", error))
        steps.append(Step(TEXT["title_error"].format(i=i + 1), "δ = y − Q(s,a)",
                          f"{fmt(target)} − {fmtp(q[s][a])}", errors[-1], answer=f"td_errors[{i}]"))
        old = q[s][a]
        q[s][a] = old + alpha * error
        tables.append([row[:] for row in q])
        steps.append(Step(TEXT["title_update"].format(i=i + 1, transition=label),
                          "Q(s,a) ← Q(s,a) + α·δ",
                          f"Q({states[s]}, {actions[a]}) ← {fmt(old)} + {fmt(alpha)}·{fmtp(error)} = {fmt(q[s][a])}",
                          [row[:] for row in q], answer=f"q_tables[{i}]", marked=((s, a),)))
        if f"q_tables[{i}]" in override:
            q = [list(map(float, row)) for row in override[f"q_tables[{i}]"]]
    policy, notes = [], []
    for s, row in enumerate(q):
        best = max(range(len(row)), key=lambda a: (row[a], -a))
        asked = given.get("policy_states")  # None for the user's own data: every state's action counts
        if sum(1 for v in row if abs(v - row[best]) < 1e-12) > 1 and s in (range(len(q)) if asked is None else asked):
            notes.append(TEXT["note_tie"].format(state=states[s]))
        policy.append(actions[best])
    steps.append(Step(TEXT["title_policy"], "π(s) = argmax_a Q(s,a)",
                      "; ".join(f"{states[s]}: {policy[s]}" for s in range(len(q))), policy, answer="greedy_policy"))
    answers = {"td_targets": targets, "td_errors": errors, "q_tables": tables, "q_table": tables[-1],
               "greedy_policy": policy}
    return Solution(steps=steps, answers=answers, notes=notes)


def statement(given: dict) -> str:
    terminal = any(t[3] is None for t in given["transitions"])
    text = TEXT["statement"].format(states=", ".join(given["states"]), actions=", ".join(given["actions"]),
                                    alpha=fmt(given["alpha"]), gamma=fmt(given["gamma"]),
                                    terminal=TEXT["terminal_note"] if terminal else "")
    if given.get("target_q") is not None:
        text += TEXT["statement_target"]
    asked = given.get("policy_states") or []
    if asked:
        text += TEXT["statement_policy"].format(policy_states=", ".join(given["states"][s] for s in asked))
    text += "\nTransitions: " + "; ".join(_transition_text(given, t) for t in given["transitions"])
    return text


def table(given: dict) -> tuple[list[str], list[list[str]]]:
    headers = ["Q", *given["actions"]]
    rows = [[state, *(fmt(v) for v in row)] for state, row in zip(given["states"], given["q"])]
    if given.get("target_q") is not None:
        rows += [[f"{state} (target)", *(fmt(v) for v in row)] for state, row in zip(given["states"], given["target_q"])]
    return headers, rows


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    answers = solution.answers
    out: list[Part] = []
    transitions = given["transitions"]
    for i, t in enumerate(transitions):
        out.append(Part(f"td_targets[{i}]", TEXT["prompt_td_target"].format(i=i + 1, transition=_transition_text(given, t)),
                        "number", answers["td_targets"][i], TOLERANCE, step=TEXT["title_target"].format(i=i + 1)))
        if len(transitions) == 1:
            out.append(Part(f"td_errors[{i}]", TEXT["prompt_td_error"].format(i=i + 1), "number",
                            answers["td_errors"][i], TOLERANCE, step=TEXT["title_error"].format(i=i + 1)))
            s, a = t[0], t[1]
            out.append(Part(f"q_table[{s}][{a}]", TEXT["prompt_q_cell"].format(
                state=given["states"][s], action=given["actions"][a], i=i + 1), "number",
                answers["q_table"][s][a], TOLERANCE, step=TEXT["title_update"].format(i=i + 1, transition=_transition_text(given, t))))
    if len(transitions) > 1:
        out.append(Part("q_table", TEXT["prompt_q_table"], "matrix", answers["q_table"], TOLERANCE,
                        step=TEXT["title_update"].format(i=len(transitions), transition=_transition_text(given, transitions[-1]))))
    for s in given.get("policy_states") or []:
        out.append(Part(f"greedy_policy[{s}]", TEXT["prompt_policy"].format(state=given["states"][s]), "choice",
                        answers["greedy_policy"][s], choices=tuple(given["actions"]), step=TEXT["title_policy"]))
    return out


# --------------------------------------------------------------------------- generating

ROOMS = ["A", "B", "C", "D", "E"]
MOVES = ["left", "right"]


def _easy(rng: random.Random) -> dict:
    n_states = rng.randint(2, 4)
    actions = ["left", "right"] if rng.random() < 0.5 else ["up", "down", "stay"][: rng.choice((2, 3))]
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
    while True:
        n_states = rng.randint(3, 4)
        given = {"states": ROOMS[:n_states], "actions": MOVES, "q": _table(rng, n_states, rng.random() < 0.5),
                 "alpha": rng.choice((0.5, 0.5, 0.1, 1.0)), "gamma": rng.choice((0.9, 0.8)),
                 "transitions": _episode(rng, n_states, rng.randint(3, 5), terminal=False), "target_q": None}
        rewarded = any(t[2] for t in given["transitions"])
        changed = sum(1 for row in solve(given).answers["q_table"] for v in row if v) >= 2
        if len(given["transitions"]) >= 3 and rewarded and changed and _with_policy(given):
            return given


def _hard(rng: random.Random) -> dict:
    while True:
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


# --------------------------------------------------------------------------- parsing the options

def _table_option(text: str, what: str) -> list[list[float]]:
    return number_rows(text, what, "0,0;0,0;0,0")


def parse_data(text: str, options: dict) -> dict:
    """--q "0,0;0,0" --transitions "0,1,5,1; 1,0,-1,end" --alpha 0.5 --gamma 0.9 [--target-q …]."""
    q_text = options.get("q") or (text if options.get("has_data") else None)
    if not q_text or not options.get("transitions"):
        raise UserError('qlearning needs --q "0,0;0,0;0,0" (rows: states, columns: actions) and '
                        '--transitions "0,1,5,1; 1,0,-1,end"')
    q = _table_option(q_text, "--q")
    n_states, n_actions = len(q), len(q[0])
    if n_states > 50 or n_actions > 10 or options["transitions"].count(";") >= 200:
        raise UserError("at most 50 states, 10 actions and 200 transitions (this is for hand-sized tables)")
    transitions = []
    for i, row in enumerate(split_rows(options["transitions"], "--transitions", "0,1,5,1; 1,0,-1,end"), start=1):
        if len(row) != 4:
            raise UserError(f"--transitions: transition {i} has {len(row)} values; each is s,a,r,s' (s' may be 'end')")
        try:
            s, a = int(row[0]), int(row[1])
            r = float(number_rows(row[2], "--transitions", "0,1,5,1")[0][0])
            nxt = None if row[3].lower() in ("end", "terminal", "none") else int(row[3])
        except ValueError:
            raise UserError(f"--transitions: transition {i} ({short(','.join(row))}) needs whole state and action "
                            "numbers, a reward, and a next state or 'end'") from None
        if not 0 <= s < n_states or (nxt is not None and not 0 <= nxt < n_states):
            raise UserError(f"--transitions: transition {i} names a state outside 0..{n_states - 1}")
        if not 0 <= a < n_actions:
            raise UserError(f"--transitions: transition {i} names an action outside 0..{n_actions - 1}")
        transitions.append([s, a, r, nxt])
    alpha = _unit_option(options.get("alpha"), "--alpha", 0.5)
    gamma = _unit_option(options.get("gamma"), "--gamma", 0.9)
    target_q = None
    if options.get("target_q"):
        target_q = _table_option(options["target_q"], "--target-q")
        if (len(target_q), len(target_q[0])) != (n_states, n_actions):
            raise UserError(f"--target-q must have the same shape as --q ({n_states}×{n_actions})")
    return {"states": [str(i) for i in range(n_states)], "actions": [str(a) for a in range(n_actions)], "q": q,
            "alpha": alpha, "gamma": gamma, "transitions": transitions, "target_q": target_q, "policy_states": None}


def _unit_option(value: Any, flag: str, default: float) -> float:
    if value is None:
        return default
    number = number_rows(str(value), flag, "0.5")[0]
    if len(number) != 1 or not 0 <= number[0] <= 1:
        raise UserError(f"{flag} must be one number from 0 to 1")
    return number[0]


# --------------------------------------------------------------------------- misconceptions
# Each returns the value the wrong method gives at the checkpoint `name` (texts in
# problems/qlearning/misconceptions.toml), starting from the student's own earlier tables.

def _index(name: str) -> int:
    path = split_name(name)[1]
    return int(path[0]) if path else -1


def _table_before(given: dict, i: int, override: dict) -> list[list[float]]:
    if i == 0:
        return given["q"]
    key = f"q_tables[{i - 1}]"
    return override.get(key, solve(given).answers["q_tables"][i - 1])


def _target_variant(bootstrap):
    def variant(given: dict, name: str, student: Any, override: dict) -> Any:
        i = _index(name)
        s, a, r, nxt = given["transitions"][i]
        table = given.get("target_q") or _table_before(given, i, override)
        extra = bootstrap(given, i, table, s, nxt)
        return None if extra is None else r + extra
    return variant


def _sarsa(given: dict, i: int, table: list, s: int, nxt: int | None) -> float | None:
    following = given["transitions"][i + 1] if i + 1 < len(given["transitions"]) else None
    if nxt is None or following is None or following[0] != nxt:
        return None
    return given["gamma"] * table[nxt][following[1]]


def _no_alpha(given: dict, name: str, student: Any, override: dict) -> Any:
    count = len(given["transitions"])
    i = _index(name) % count if split_name(name)[0] == "q_tables" else count - 1
    table = [row[:] for row in _table_before(given, i, override)]
    s, a = given["transitions"][i][:2]
    table[s][a] = override.get(f"td_targets[{i}]", solve(given).answers["td_targets"][i])
    path = split_name(name)[1][1:] if split_name(name)[0] == "q_tables" else split_name(name)[1]
    return answer_at({"t": table}, "t" + "".join(f"[{p}]" for p in path))


VARIANTS = {
    "sarsa": _target_variant(_sarsa),
    "no_gamma": _target_variant(lambda given, i, table, s, nxt: None if nxt is None else max(table[nxt])),
    "current_state": _target_variant(lambda given, i, table, s, nxt: None if nxt is None or nxt == s
                                     else given["gamma"] * max(table[s])),
    "no_alpha": _no_alpha,
}

"""Returns, the softmax policy's REINFORCE step and the Monte Carlo estimate, in the course's convention.

Rewards r_1…r_T, r_t the reward that follows the action at step t; the return
G_t = r_t + γ r_{t+1} + … + γ^(T−t) r_T (Sutton & Barto's G_{t−1}), computed backwards:
G_T = r_T, G_t = r_t + γ·G_{t+1}. A softmax policy over logits θ: π = softmax(θ);
∇_θ log π(a) = onehot(a) − π; REINFORCE ascent θ ← θ + α·G·∇ log π(a), with G the given return or
G_1 of the rewards. The Monte Carlo estimate of a state's value is the mean of the returns observed
from it. The course notes give no formula with numbers here (only "average the rewards of several
trials" and a loss whose gradient is this one), so the conventions file is followed.

given = {"rewards": [r_1, …] or None, "gamma": γ, "logits": [θ_1, …] or None, "action": a (1-based) or
         None, "alpha": α, "return": G or None (None: G_1 of the rewards), "episodes": [G, …] or None}
Answers: returns[t−1] (step return/t, computed from t = T down to 1), probabilities, grad_log_prob
(step gradient), logits_new (step update), mc_estimate.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from mlquiz.derivation import Derivation
from mlquiz.errors import UserError
from mlquiz.model import Part, Solution, Tolerance, answer_at
from mlquiz.text import Msg, Texts
from mlquiz.topics.common import attempts, fmt, fmtp, like as _like, number_rows

T = Texts("policy")

TOLERANCE = Tolerance(relative=0.006, absolute=0.0015)
MAX_STEPS, MAX_ACTIONS, MAX_EPISODES = 100, 20, 200
MAX_MAGNITUDE = 1e6


def _v(values: Any) -> str:
    return "[" + ", ".join(fmt(float(x)) for x in values) + "]"


def _number(carried: Any, computed: float) -> float:
    try:
        value = float(carried)
    except (TypeError, ValueError):
        return computed
    return value if np.isfinite(value) else computed


def softmax(theta: np.ndarray) -> np.ndarray:
    e = np.exp(theta - theta.max())
    return e / e.sum()


# --------------------------------------------------------------------------- solving

def solve(given: dict, override: dict[tuple, Any] | None = None) -> Solution:
    """Returns (backwards), then the policy step, then the Monte Carlo estimate; `override` (the
    student's own values) is carried forward."""
    return _run(given, override, None)


def _run(given: dict, override: dict[tuple, Any] | None, mistake: str | None) -> Solution:
    """The derivation, by the right method or (for VARIANTS) with one wrong method."""
    d = Derivation(override)
    gamma = float(given["gamma"])
    g1 = None
    rewards = given.get("rewards")
    if rewards:
        d.note(T("note.convention"))
        count = len(rewards)
        following: float | None = None
        for t in range(count, 0, -1):
            r = float(rewards[t - 1])
            coefficient = {"gamma_first": gamma, "discount_from_start": gamma ** (t - 1)}.get(mistake, 1.0)
            discount = 1.0 if mistake in ("no_discount", "discount_from_start") else gamma
            if following is None:
                value = coefficient * r
                lines: list[Any] = [f"G_{t} = r_{t} = {fmt(r)}"]
            else:
                value = coefficient * r + discount * following
                lines = [f"G_{t} = r_{t} + γ·G_{t + 1} = {fmt(r)} + {fmt(gamma)}·{fmtp(following)} = {fmt(value)}"]
            if t == 1 and count > 1 and mistake is None:
                terms = [fmt(float(rewards[0]))] + [
                    f"{fmt(gamma)}{'' if k == 1 else _power(k)}·{fmtp(float(rewards[k]))}" for k in range(1, count)]
                lines.append(f"G_1 = {' + '.join(terms)} = {fmt(value)}")
            following = _number(d.step(f"return/{t}", T("title.return", t=t), T("formula.return"), lines, value,
                                        answer=("returns", t - 1)), value)
        g1 = following
    logits = given.get("logits")
    if logits:
        theta = np.array(logits, dtype=float)
        a = int(given["action"]) - 1
        pi = softmax(theta)
        e = np.exp(theta - theta.max())
        shift = float(theta.max())
        power = "e^θ" if abs(shift) <= 30 else f"e^(θ − {fmtp(shift)})"
        lines = [f"{power} = {_v(e)},  Σ = {fmt(float(e.sum()))}", f"π = {_v(pi)}"]
        pi = _like(d.step("probabilities", T("title.probabilities"), T("formula.probabilities"), lines, pi.tolist(),
                          answer="probabilities"), pi)
        onehot = np.zeros_like(pi)
        onehot[a] = 1.0
        grad = onehot - pi
        if mistake == "grad_sign":
            grad = pi - onehot
        elif mistake == "chosen_only":
            grad = onehot * (1.0 - pi)
        grad = _like(d.step("gradient", T("title.gradient", a=a + 1), T("formula.gradient"),
                            f"{_v(onehot)} − {_v(pi)} = {_v(grad)}", grad.tolist(), answer="grad_log_prob"), grad)
        if given.get("return") is not None:
            g = float(given["return"])
            d.note(T("note.given_return", g=fmt(g)))
        else:
            g = float(g1 if g1 is not None else 0.0)
            d.note(T("note.first_return"))
        alpha = float(given["alpha"])
        if mistake == "no_return":
            g = 1.0
        sign = -1.0 if mistake == "step_sign" else 1.0
        new = theta + sign * alpha * g * grad
        d.step("update", T("title.update"), T("formula.update"),
               f"θ' = {_v(theta)} {'−' if sign < 0 else '+'} {fmt(alpha)}·{fmtp(g)}·{_v(grad)} = {_v(new)}",
               new.tolist(), answer="logits_new")
    episodes = given.get("episodes")
    if episodes:
        mean = float(np.mean(np.array(episodes, dtype=float)))
        d.step("mc_estimate", T("title.mc"), T("formula.mc"),
               f"V = ({' + '.join(fmtp(float(x)) for x in episodes)})/{len(episodes)} = {fmt(mean)}".replace("+ −", "− "),
               mean, answer="mc_estimate")
    return d.solution()


def _power(k: int) -> str:
    return "".join("⁰¹²³⁴⁵⁶⁷⁸⁹"[int(c)] for c in str(k))


# --------------------------------------------------------------------------- the problem text

def statement(given: dict) -> list[Msg]:
    text = []
    if given.get("rewards"):
        text.append(T("statement.returns", rewards=[fmt(float(r)) for r in given["rewards"]],
                      gamma=fmt(float(given["gamma"])), count=len(given["rewards"])))
    if given.get("logits"):
        text.append(T("statement.policy", logits=_v(given["logits"]), action=given["action"],
                      alpha=fmt(float(given["alpha"]))))
        if given.get("return") is not None:
            text.append(T("statement.given_return", g=fmt(float(given["return"]))))
        else:
            text.append(T("statement.first_return"))
    if given.get("episodes"):
        text.append(T("statement.episodes", returns=[fmt(float(x)) for x in given["episodes"]],
                      count=len(given["episodes"])))
    return text


def table(given: dict) -> None:
    return None


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    a = solution.answers
    out: list[Part] = []
    rewards = given.get("rewards") or []
    for t in range(len(rewards), 0, -1):
        out.append(Part(("returns", t - 1), T("prompt.return", t=t), "number", a["returns"][t - 1], TOLERANCE,
                        step=f"return/{t}"))
    if given.get("logits"):
        out += [Part(("probabilities",), T("prompt.probabilities"), "vector", a["probabilities"], TOLERANCE,
                     step="probabilities"),
                Part(("grad_log_prob",), T("prompt.gradient", a=given["action"]), "vector", a["grad_log_prob"],
                     TOLERANCE, step="gradient"),
                Part(("logits_new",), T("prompt.update"), "vector", a["logits_new"], TOLERANCE, step="update")]
    if given.get("episodes"):
        out.append(Part(("mc_estimate",), T("prompt.mc"), "number", a["mc_estimate"], TOLERANCE, step="mc_estimate"))
    return out


def well_posed(problem: Any) -> None:
    """2–6 rewards with every return clearly non-zero (so a slip in the discount shows), 2–3 actions,
    a valid action, a return that moves the logits; easy: equal logits (π = 1/k) and γ = 0.5;
    medium and hard add the Monte Carlo estimate from 3–5 episodes."""
    g, a, level = problem.given, problem.solution.answers, problem.difficulty
    assert 2 <= len(g["rewards"]) <= 6 and 0 < g["gamma"] < 1
    assert all(abs(x) >= 0.1 for x in a["returns"])
    assert 2 <= len(g["logits"]) <= 3 and 1 <= g["action"] <= len(g["logits"])
    assert g["alpha"] in (0.1, 0.5, 1.0)
    assert abs(a["returns"][0]) >= 0.1 and abs(a["returns"][0] - 1) >= 0.1
    assert all(float(r) == round(float(r), 1) for r in g["rewards"])
    if level == "easy":
        assert len(set(g["logits"])) == 1 and g["gamma"] == 0.5 and not g.get("episodes")
    else:
        assert 3 <= len(g["episodes"]) <= 5


# --------------------------------------------------------------------------- generating

def _returns(rewards: list[float], gamma: float) -> list[float]:
    out, following = [], 0.0
    for r in reversed(rewards):
        following = r + gamma * following
        out.append(following)
    return out[::-1]


def generate(rng: random.Random, difficulty: str) -> dict:
    for _ in attempts():
        if difficulty == "easy":
            count, gamma = rng.randint(2, 3), 0.5
            rewards = [float(rng.choice((0, 1, 2, 4, -2, 2, 4, 8))) for _ in range(count)]
            k = 2
            logits = [0.0] * k
            alpha = rng.choice((0.1, 0.5, 1.0))
            episodes = None
        elif difficulty == "medium":
            count, gamma = rng.randint(3, 4), rng.choice((0.5, 0.9, 0.8))
            rewards = [float(rng.choice((0, 0, 1, 2, 3, 5, 10, -1))) for _ in range(count)]
            k = rng.choice((2, 3))
            logits = [float(rng.choice((0, 1, 2))) for _ in range(k)]
            alpha = rng.choice((0.1, 0.5))
            episodes = [float(rng.randint(-2, 10)) for _ in range(rng.randint(3, 4))]
        else:
            count, gamma = rng.randint(4, 5), rng.choice((0.9, 0.8))
            rewards = [float(rng.choice((0, -1, -1, 1, 2, 5, 10, -5))) for _ in range(count)]
            k = 3
            logits = [float(rng.choice((-1, 0, 0.5, 1, 2))) for _ in range(k)]
            alpha = rng.choice((0.1, 0.5, 1.0))
            episodes = [round(rng.uniform(-5, 10), 1) for _ in range(rng.randint(4, 5))]
        returns = _returns(rewards, gamma)
        if any(abs(x) < 0.1 for x in returns) or abs(returns[0] - 1) < 0.1:
            continue
        if difficulty != "easy" and len(set(logits)) == 1:
            continue
        return {"rewards": rewards, "gamma": gamma, "logits": logits, "action": rng.randint(1, k), "alpha": alpha,
                "return": None, "episodes": episodes}
    raise AssertionError  # unreachable: attempts() raises a RuntimeError when it runs out


# --------------------------------------------------------------------------- the user's data

def parse_data(values: dict) -> dict:
    """--rewards "r1,…" --gamma; --logits "θ1,…" --action a --alpha [--return G]; --episodes "G; G; …"."""
    rewards, logits, episodes = values.get("rewards"), values.get("logits"), values.get("episodes")
    if episodes is not None:
        episodes = [float(x) for row in number_rows(episodes, "--episodes", ragged_ok=True) for x in row]
    if not rewards and not logits and not episodes:
        raise UserError(T("error.missing"))
    if (rewards and len(rewards) > MAX_STEPS) or (logits and len(logits) > MAX_ACTIONS) \
            or (episodes and len(episodes) > MAX_EPISODES):
        raise UserError(T("error.too_big", steps=MAX_STEPS, actions=MAX_ACTIONS, episodes=MAX_EPISODES))
    g = values.get("return")
    numbers = [*(rewards or []), *(logits or []), *(episodes or []), *([] if g is None else [g])]
    if any(not np.isfinite(x) or abs(x) > MAX_MAGNITUDE for x in numbers):
        raise UserError(T("error.magnitude", limit=fmt(MAX_MAGNITUDE)))
    action = values.get("action")
    if logits:
        if len(logits) < 2:
            raise UserError(T("error.logits_size"))
        if action is None:
            raise UserError(T("error.action_needed"))
        if not 1 <= action <= len(logits):
            raise UserError(T("error.action_range", k=len(logits)))
        if g is None and not rewards:
            raise UserError(T("error.return_needed"))
    elif action is not None or g is not None:
        raise UserError(T("error.logits_needed"))
    return {"rewards": [float(r) for r in rewards] if rewards else None, "gamma": float(values["gamma"]),
            "logits": [float(x) for x in logits] if logits else None, "action": int(action) if logits else None,
            "alpha": float(values["alpha"]), "return": None if g is None else float(g), "episodes": episodes or None}


def as_options(given: dict) -> dict[str, str | None]:
    """The `solve policy` options that pose this problem again."""
    def row(values: list | None, sep: str = ",") -> str | None:
        return sep.join(repr(float(v)) for v in values) if values else None

    return {"rewards": row(given.get("rewards")), "gamma": repr(float(given["gamma"])),
            "logits": row(given.get("logits")),
            "action": None if given.get("action") is None else str(given["action"]),
            "alpha": repr(float(given["alpha"])),
            "return": None if given.get("return") is None else repr(float(given["return"])),
            "episodes": row(given.get("episodes"), "; ")}


def from_bank(entry: dict) -> dict:
    """One entry of problems/policy/bank.toml → given, read exactly as `solve policy` reads its options
    (TOML numbers and arrays, or the options' typed text). A malformed entry is a ValueError."""
    from mlquiz import options, registry

    where = f"policy/bank.toml [{entry.get('id')}]"
    try:
        raw: dict[str, Any] = {}
        for key in ("rewards", "gamma", "logits", "action", "alpha", "return", "episodes"):
            value = entry.get(key)
            if value is None:
                continue
            if isinstance(value, str):
                raw[key] = value
            elif isinstance(value, (int, float)):
                raw[key] = str(int(value)) if key == "action" else repr(float(value))
            else:
                raw[key] = ("; " if key == "episodes" else ",").join(repr(float(v)) for v in value)
        return parse_data(options.parse("policy", registry.info("policy").options, raw))
    except (UserError, TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from None


# --------------------------------------------------------------------------- misconceptions
# Each returns the value the wrong method gives at the checkpoint `path` (ids and applies_to in
# problems/policy/misconceptions.toml, texts in text.<lang>.toml), redoing the run with the mistake and
# the student's own earlier values carried forward.

def _variant(mistake: str):
    def variant(given: dict, path: tuple, student: Any, override: dict) -> Any:
        method = mistake
        if mistake == "gradient_sign":
            method = "grad_sign" if path[0] == "grad_log_prob" else "step_sign"
        if mistake == "no_return" and given.get("return") is None and not given.get("rewards"):
            return None
        return answer_at(_run(given, override, method).answers, path)
    return variant


VARIANTS = {mistake: _variant(mistake)
            for mistake in ("gamma_first", "no_discount", "discount_from_start", "gradient_sign", "chosen_only",
                            "no_return")}

"""Generative models: the numbers of a GAN objective, a VAE's KL term and a diffusion forward step.

GAN (natural log; m real outputs D(x_i), m' fake outputs D(G(z_j)), each strictly in (0, 1)):
    V(D, G) = (1/m)Σ ln D(x_i) + (1/m')Σ ln(1 − D(G(z_j)))
    d_loss = −V;  g_loss_minimax = (1/m')Σ ln(1 − D(G(z_j)));  g_loss_nonsaturating = −(1/m')Σ ln D(G(z_j))
VAE (per latent dimension k, σ² from --sigma, or e^(logvar) from --logvar):
    kl_terms[k] = ½(μ_k² + σ_k² − ln σ_k² − 1);  kl = Σ_k kl_terms[k]  (KL(N(μ, σ²) ‖ N(0, 1)))
Diffusion (DDPM forward process, 1 ≤ t ≤ T):
    alpha_bar = Π_{s ≤ t}(1 − β_s);  x_t = √ᾱ·x0 + √(1 − ᾱ)·ε

given = {"model": "gan", "d_real": [...], "d_fake": [...]}
      | {"model": "vae", "mu": [...], "sigma": [...]}  or  {"model": "vae", "mu": [...], "logvar": [...]}
      | {"model": "diffusion", "x0": [...], "eps": [...], "betas": [...], "t": t}
Step ids are the answers' names. The course notes give these models in words only (no formula, no
number): the conventions follow shared/design/course-conventions.md, and the notes' remark that the
generator's loss is "the opposite of the discriminator's, one term fewer" is the minimax G loss.
"""

from __future__ import annotations

import math
import random
from typing import Any

from mlquiz.derivation import Derivation
from mlquiz.errors import UserError
from mlquiz.model import Part, Solution, Tolerance, answer_at
from mlquiz.text import Msg, Texts
from mlquiz.topics.common import attempts, fmt, fmtp, typed

T = Texts("generative")

TOLERANCE = Tolerance(relative=0.006, absolute=0.002)
MAX_ENTRIES, MAX_MAGNITUDE, MAX_LOGVAR, MAX_STEPS = 100, 1e6, 50.0, 10000
MODEL_OPTIONS = {
    "gan": ("d_real", "d_fake"),
    "vae": ("mu", "logvar", "sigma"),
    "diffusion": ("x0", "eps", "betas", "t"),
}


# --------------------------------------------------------------------------- formatting

def _v(values: Any) -> str:
    return "[" + ", ".join(fmt(float(x)) for x in values) + "]"


def _clean(value: float) -> float:
    """No −0.0 and no rounding residue such as 1e−16 where the exact value is 0."""
    return 0.0 if abs(value) < 1e-12 else value + 0.0


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _vector(carried: Any, computed: list[float]) -> list[float]:
    """The value handed on (the student's when carried forward) if it has the computed size."""
    if isinstance(carried, list) and len(carried) == len(computed):
        try:
            return [float(x) for x in carried]
        except (TypeError, ValueError):
            return computed
    return computed


def _number(carried: Any, computed: float) -> float:
    try:
        value = float(carried)
    except (TypeError, ValueError):
        return computed
    return value if math.isfinite(value) else computed


# --------------------------------------------------------------------------- solving

def solve(given: dict, override: dict[tuple, Any] | None = None) -> Solution:
    """All quantities in derivation order; `override` (a student's own values) is carried forward."""
    return _run(given, override, None)


def _run(given: dict, override: dict[tuple, Any] | None, mistake: str | None) -> Solution:
    d = Derivation(override)
    model = given["model"]
    if model == "gan":
        _gan(d, given, mistake)
    elif model == "vae":
        _vae(d, given, mistake)
    else:
        _diffusion(d, given, mistake)
    return d.solution()


def _gan(d: Derivation, given: dict, mistake: str | None) -> None:
    real = [float(x) for x in given["d_real"]]
    fake = [float(x) for x in given["d_fake"]]
    ln = (lambda x: math.log10(x)) if mistake == "log10" else math.log
    lname = "log₁₀" if mistake == "log10" else "ln"
    avg = sum if mistake == "sum_not_mean" else _mean
    log_real = [ln(x) for x in real]
    log_not_fake = [ln(1 - x) for x in fake]
    log_fake = [ln(x) for x in fake]
    term_real, term_fake = avg(log_real), avg(log_not_fake)
    value = _clean(term_real + term_fake)
    value = _number(d.step("value", T("title.value"), T("formula.value"), [
        f"(1/{len(real)})·(" + " + ".join(f"{lname}({fmt(x)})" for x in real) + ") = (1/"
        + f"{len(real)})·(" + " + ".join(fmtp(v) for v in log_real) + f") = {fmt(_mean(log_real))}",
        f"(1/{len(fake)})·(" + " + ".join(f"{lname}(1 − {fmt(x)})" for x in fake) + ") = (1/"
        + f"{len(fake)})·(" + " + ".join(fmtp(v) for v in log_not_fake) + f") = {fmt(_mean(log_not_fake))}",
        f"V = {fmt(term_real)} + {fmtp(term_fake)} = {fmt(value)}"], value, answer="value"), value)
    d.note(T("note.natural_log"))
    d_loss = value if mistake == "d_loss_sign" else -value
    d.step("d_loss", T("title.d_loss"), T("formula.d_loss"), [f"L_D = −V = −({fmt(value)}) = {fmt(-value)}"],
           d_loss + 0.0, answer="d_loss")
    minimax = term_fake
    if mistake == "g_loss_full_value":
        minimax = value
    elif mistake == "g_losses_swapped":
        minimax = -avg(log_fake)
    d.step("g_loss_minimax", T("title.g_loss_minimax"), T("formula.g_loss_minimax"), [
        f"L_G = (1/{len(fake)})·(" + " + ".join(fmtp(v) for v in log_not_fake) + f") = {fmt(term_fake)}"],
        minimax + 0.0, answer="g_loss_minimax")
    d.note(T("note.one_term_fewer"))
    nonsat = -avg(log_fake)
    if mistake == "g_losses_swapped":
        nonsat = term_fake
    d.step("g_loss_nonsaturating", T("title.g_loss_nonsaturating"), T("formula.g_loss_nonsaturating"), [
        f"L_G = −(1/{len(fake)})·(" + " + ".join(f"{lname}({fmt(x)})" for x in fake) + ") = −(1/"
        + f"{len(fake)})·(" + " + ".join(fmtp(v) for v in log_fake) + f") = {fmt(-_mean(log_fake))}"],
        nonsat + 0.0, answer="g_loss_nonsaturating")
    d.note(T("note.nonsaturating"))


def _variances(given: dict) -> list[float]:
    if "sigma" in given:
        return [float(s) ** 2 for s in given["sigma"]]
    return [math.exp(float(v)) for v in given["logvar"]]


def _vae(d: Derivation, given: dict, mistake: str | None) -> None:
    mu = [float(x) for x in given["mu"]]
    var = _variances(given)
    ln = (lambda x: math.log10(x)) if mistake == "log10" else math.log
    if "sigma" in given:
        sigma = [float(s) for s in given["sigma"]]
        variance_lines = [f"σ² = {_v(sigma)}² = {_v(var)}"]
        log_var = [ln(v) for v in var]
    else:
        sigma = [math.sqrt(v) for v in var]
        variance_lines = [f"σ² = e^(logvar) = e^{_v(given['logvar'])} = {_v(var)}"]
        log_var = [float(v) for v in given["logvar"]] if mistake != "log10" else [ln(v) for v in var]
    if mistake == "kl_sigma":  # σ where σ² belongs: ½(μ² + σ − ln σ − 1)
        var, log_var = sigma, [ln(s) for s in sigma]
    half = 1.0 if mistake == "kl_no_half" else 0.5
    terms = [_clean(half * (m * m + v - lv - 1)) for m, v, lv in zip(mu, var, log_var)]
    terms = _vector(d.step("kl_terms", T("title.kl_terms"), T("formula.kl_terms"), [
        *variance_lines,
        *(f"k = {k}: ½·({fmtp(m)}² + {fmt(v)} − {fmtp(lv)} − 1) = {fmt(t)}"
          for k, (m, v, lv, t) in enumerate(zip(mu, var, log_var, terms), start=1))],
        terms, answer="kl_terms"), terms)
    kl = sum(terms)
    d.step("kl", T("title.kl"), T("formula.kl"), [" + ".join(fmtp(t) for t in terms) + f" = {fmt(kl)}"],
           _clean(kl), answer="kl")
    d.note(T("note.kl_variance"))
    if "logvar" in given:
        d.note(T("note.logvar"))


def _diffusion(d: Derivation, given: dict, mistake: str | None) -> None:
    betas = [float(b) for b in given["betas"]]
    t = int(given["t"])
    x0 = [float(x) for x in given["x0"]]
    eps = [float(x) for x in given["eps"]]
    alphas = [1 - b for b in betas[:t]]
    alpha_bar = math.prod(alphas)
    if mistake == "alpha_not_cumulative":
        alpha_bar = alphas[-1]
    elif mistake == "sum_betas":
        alpha_bar = 1 - sum(betas[:t])
    alpha_bar = _number(d.step("alpha_bar", T("title.alpha_bar"), T("formula.alpha_bar"), [
        "α = 1 − β: " + ", ".join(f"α{s} = 1 − {fmt(b)} = {fmt(a)}" for s, (b, a) in
                                  enumerate(zip(betas, alphas), start=1)),
        f"ᾱ{t} = " + "·".join(fmt(a) for a in alphas) + f" = {fmt(math.prod(alphas))}"],
        alpha_bar + 0.0, answer="alpha_bar"), alpha_bar)
    if mistake == "no_sqrt":
        a, b = alpha_bar, 1 - alpha_bar
    else:
        a, b = math.sqrt(max(alpha_bar, 0.0)), math.sqrt(max(1 - alpha_bar, 0.0))
    x_t = [_clean(a * x + b * e) for x, e in zip(x0, eps)]
    d.step("x_t", T("title.x_t"), T("formula.x_t"), [
        f"√ᾱ = √{fmt(alpha_bar)} = {fmt(a)},  √(1 − ᾱ) = √{fmt(1 - alpha_bar)} = {fmt(b)}",
        *(f"x_t[{k}] = {fmt(a)}·{fmtp(x)} + {fmt(b)}·{fmtp(e)} = {fmt(v)}"
          for k, (x, e, v) in enumerate(zip(x0, eps, x_t), start=1))],
        x_t, answer="x_t")
    d.note(T("note.closed_form"))


# --------------------------------------------------------------------------- problem text

def statement(given: dict) -> list[Msg]:
    model = given["model"]
    if model == "gan":
        return [T("statement.gan", m=len(given["d_real"]), real=_v(given["d_real"]), n=len(given["d_fake"]),
                  fake=_v(given["d_fake"])),
                T("statement.gan_task")]
    if model == "vae":
        if "sigma" in given:
            first = T("statement.vae_sigma", mu=_v(given["mu"]), sigma=_v(given["sigma"]))
        else:
            first = T("statement.vae_logvar", mu=_v(given["mu"]), logvar=_v(given["logvar"]))
        return [first, T("statement.vae_task")]
    return [T("statement.diffusion", x0=_v(given["x0"]), eps=_v(given["eps"]), betas=_v(given["betas"]),
              steps=len(given["betas"])),
            T("statement.diffusion_task", t=int(given["t"]))]


def table(given: dict) -> None:
    return None


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    a = solution.answers
    model = given["model"]
    if model == "gan":
        return [Part((name,), T(f"prompt.{name}"), "number", a[name], TOLERANCE, step=name)
                for name in ("value", "d_loss", "g_loss_minimax", "g_loss_nonsaturating")]
    if model == "vae":
        return [Part(("kl_terms",), T("prompt.kl_terms"), "vector", a["kl_terms"], TOLERANCE, step="kl_terms"),
                Part(("kl",), T("prompt.kl"), "number", a["kl"], TOLERANCE, step="kl")]
    return [Part(("alpha_bar",), T("prompt.alpha_bar", t=int(given["t"])), "number", a["alpha_bar"], TOLERANCE,
                 step="alpha_bar"),
            Part(("x_t",), T("prompt.x_t", t=int(given["t"])), "vector", a["x_t"], TOLERANCE, step="x_t")]


def _decimals(x: float, places: int) -> bool:
    return abs(round(x * 10 ** places) - x * 10 ** places) < 1e-9


def well_posed(problem: Any) -> None:
    """Hand-sized: 1–4 discriminator outputs of one or two decimals strictly inside (0, 1); 1–3 latent
    dimensions with σ > 0 (easy: σ ∈ {0.5, 1, 2}); 1–3 pixel values and T ≤ 5 noise levels 0 < β < 1
    (easy: ᾱ ∈ {0.36, 0.64}, whose roots are 0.6 and 0.8); every misconception's value differs somewhere."""
    g, ans, level = problem.given, problem.solution.answers, problem.difficulty
    model = g["model"]
    assert model in MODEL_OPTIONS
    if model == "gan":
        for batch in (g["d_real"], g["d_fake"]):
            assert 1 <= len(batch) <= 4
            assert all(0 < x < 1 and _decimals(x, 2) for x in batch)
        if level == "easy":
            assert len(g["d_real"]) == len(g["d_fake"]) == 1 and all(_decimals(x, 1) for x in g["d_real"] + g["d_fake"])
        assert all(math.isfinite(ans[k]) for k in ("value", "d_loss", "g_loss_minimax", "g_loss_nonsaturating"))
        return
    if model == "vae":
        assert 1 <= len(g["mu"]) <= 3 and all(_decimals(m, 1) for m in g["mu"])
        if "sigma" in g:
            assert len(g["sigma"]) == len(g["mu"]) and all(s > 0 and _decimals(s, 1) for s in g["sigma"])
            assert any(s != 1 for s in g["sigma"])
            if level == "easy":
                assert all(s in (0.5, 1.0, 2.0) for s in g["sigma"])
        else:
            assert len(g["logvar"]) == len(g["mu"]) and all(_decimals(v, 1) for v in g["logvar"])
            assert any(v != 0 for v in g["logvar"])
        assert ans["kl"] > 0
        return
    betas, t = g["betas"], int(g["t"])
    assert 1 <= len(g["x0"]) <= 3 and len(g["eps"]) == len(g["x0"])
    assert 1 <= t <= len(betas) <= 5 and all(0 < b < 1 and _decimals(b, 2) for b in betas)
    assert 0 < ans["alpha_bar"] < 1
    if level == "easy":
        assert round(ans["alpha_bar"], 9) in (0.36, 0.64)


# --------------------------------------------------------------------------- generating

def _outputs(rng: random.Random, n: int, two_decimals: bool) -> list[float]:
    if two_decimals:
        return [rng.randint(1, 19) * 5 / 100 for _ in range(n)]
    return [rng.randint(1, 9) / 10 for _ in range(n)]


def generate(rng: random.Random, difficulty: str) -> dict:
    hard = difficulty == "hard"
    model = rng.choice(("gan", "vae", "diffusion"))
    for _ in attempts():
        if model == "gan":
            if difficulty == "easy":
                return {"model": "gan", "d_real": _outputs(rng, 1, False), "d_fake": _outputs(rng, 1, False)}
            m = rng.randint(2, 3) if not hard else rng.randint(3, 4)
            n = rng.randint(2, 3) if not hard else rng.randint(3, 4)
            return {"model": "gan", "d_real": _outputs(rng, m, hard), "d_fake": _outputs(rng, n, hard)}
        if model == "vae":
            dims = rng.randint(1, 2) if difficulty == "easy" else rng.randint(2, 3)
            mu = [float(rng.choice((-2, -1, 0, 1, 2))) if difficulty == "easy" else rng.randint(-20, 20) / 10
                  for _ in range(dims)]
            if hard:
                given = {"model": "vae", "mu": mu, "logvar": [rng.randint(-15, 15) / 10 for _ in range(dims)]}
                if any(v != 0 for v in given["logvar"]):
                    return given
                continue
            pool = (0.5, 1.0, 2.0) if difficulty == "easy" else tuple(k / 10 for k in range(2, 26))
            sigma = [rng.choice(pool) for _ in range(dims)]
            if any(s != 1 for s in sigma):
                return {"model": "vae", "mu": mu, "sigma": sigma}
            continue
        dims = rng.randint(1, 2) if difficulty == "easy" else rng.randint(2, 3)
        x0 = [float(rng.choice((-1, 0, 1, 2))) if difficulty == "easy" else rng.randint(-10, 10) / 10
              for _ in range(dims)]
        eps = [float(rng.choice((-1, 1))) if difficulty == "easy" else rng.randint(-15, 15) / 10
               for _ in range(dims)]
        if difficulty == "easy":
            t, betas = rng.choice(((1, [0.36]), (1, [0.64]), (2, [0.2, 0.2]), (2, [0.4, 0.4])))
            betas = betas + [rng.choice((0.1, 0.2, 0.3))] * rng.randint(0, 1)
        elif difficulty == "medium":
            big_t = rng.randint(2, 4)
            betas = [rng.choice((0.1, 0.2, 0.3)) for _ in range(big_t)]
            t = rng.randint(2, big_t)
        else:
            big_t = rng.randint(3, 5)
            betas = [rng.choice((0.02, 0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25)) for _ in range(big_t)]
            t = rng.randint(2, big_t)
        return {"model": "diffusion", "x0": x0, "eps": eps, "betas": betas, "t": t}
    raise AssertionError("unreachable")  # attempts() raises first


# --------------------------------------------------------------------------- parsing the options

def _finite(values: list[float], flag: str, limit: float) -> list[float]:
    if len(values) > MAX_ENTRIES:
        raise UserError(T("error.too_many", flag=flag, limit=MAX_ENTRIES))
    if any(not math.isfinite(v) or abs(v) > limit for v in values):
        raise UserError(T("error.too_large", flag=flag, limit=fmt(limit)))
    return [float(v) for v in values]


def parse_data(values: dict) -> dict:
    """One model at a time: --d-real/--d-fake (GAN), --mu with --logvar or --sigma (VAE), or
    --x0/--eps/--betas/--t (diffusion)."""
    present = {m for m, keys in MODEL_OPTIONS.items() for k in keys if values.get(k) is not None}
    if len(present) != 1:
        raise UserError(T("error.one_model" if present else "error.no_model"))
    model = present.pop()
    if model == "gan":
        if values.get("d_real") is None or values.get("d_fake") is None:
            raise UserError(T("error.gan_both"))
        out = {"model": "gan"}
        for key, flag in (("d_real", "--d-real"), ("d_fake", "--d-fake")):
            batch = _finite(values[key], flag, MAX_MAGNITUDE)
            if any(x <= 0 or x >= 1 for x in batch):
                raise UserError(T("error.log_zero", flag=flag))
            out[key] = batch
        return out
    if model == "vae":
        if values.get("mu") is None:
            raise UserError(T("error.vae_mu"))
        if (values.get("logvar") is None) == (values.get("sigma") is None):
            raise UserError(T("error.vae_spread"))
        mu = _finite(values["mu"], "--mu", MAX_MAGNITUDE)
        if values.get("sigma") is not None:
            sigma = _finite(values["sigma"], "--sigma", MAX_MAGNITUDE)
            if any(s <= 0 for s in sigma):
                raise UserError(T("error.sigma_positive"))
            spread = ("sigma", sigma)
        else:
            spread = ("logvar", _finite(values["logvar"], "--logvar", MAX_LOGVAR))
        if len(spread[1]) != len(mu):
            raise UserError(T("error.length", flag="--" + spread[0], n=len(mu), what="--mu"))
        return {"model": "vae", "mu": mu, spread[0]: spread[1]}
    missing = [f"--{k}" for k in ("x0", "eps", "betas", "t") if values.get(k) is None]
    if missing:
        raise UserError(T("error.diffusion_missing", flags=", ".join(missing)))
    x0 = _finite(values["x0"], "--x0", MAX_MAGNITUDE)
    eps = _finite(values["eps"], "--eps", MAX_MAGNITUDE)
    if len(eps) != len(x0):
        raise UserError(T("error.length", flag="--eps", n=len(x0), what="--x0"))
    betas = _finite(values["betas"], "--betas", 1.0)
    if any(b <= 0 or b >= 1 for b in betas):
        raise UserError(T("error.beta_range"))
    t = int(values["t"])
    if not 1 <= t <= len(betas):
        raise UserError(T("error.t_range", t=t, steps=len(betas)))
    return {"model": "diffusion", "x0": x0, "eps": eps, "betas": betas, "t": t}


def as_options(given: dict) -> dict[str, Any]:
    """The `solve generative` options that pose this problem again."""
    out = {}
    for key in MODEL_OPTIONS[given["model"]]:
        if key in given:
            out[key] = str(int(given[key])) if key == "t" else typed(given[key])
    return out


def from_bank(entry: dict) -> dict:
    """One entry of bank.toml, spelled like the options (lists of numbers, t an integer). A malformed
    entry is a bug in the shipped data: ValueError."""
    from mlquiz import options, registry

    where = f"generative/bank.toml [{entry.get('id')}]"
    try:
        raw: dict[str, Any] = {}
        for key in (k for keys in MODEL_OPTIONS.values() for k in keys):
            if key in entry:
                raw[key] = str(entry[key]) if key == "t" else typed(entry[key])
        return parse_data(options.parse("generative", registry.info("generative").options, raw))
    except (UserError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from None


# --------------------------------------------------------------------------- misconceptions
# Each returns the value the wrong method gives at the checkpoint `path` (ids and applies_to in
# problems/generative/misconceptions.toml): the whole run redone with the mistake, the student's own
# earlier values carried forward. A mistake that does not concern the problem's model gives None.

MISTAKES = {
    "kl_sigma": "vae", "kl_no_half": "vae", "log10": None, "sum_not_mean": "gan", "d_loss_sign": "gan",
    "g_loss_full_value": "gan", "g_losses_swapped": "gan", "alpha_not_cumulative": "diffusion",
    "sum_betas": "diffusion", "no_sqrt": "diffusion",
}


def _variant(mistake: str):
    def variant(given: dict, path: tuple, student: Any, override: dict) -> Any:
        model = MISTAKES[mistake]
        if (model is not None and given["model"] != model) or (model is None and given["model"] == "diffusion"):
            return None
        if mistake == "log10" and "logvar" in given:  # ln σ² is given as logvar: no log is taken
            return None
        return answer_at(_run(given, override, mistake).answers, path)
    return variant


VARIANTS = {mistake: _variant(mistake) for mistake in MISTAKES}

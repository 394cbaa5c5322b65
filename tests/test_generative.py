"""The generative topic: GAN value and losses, VAE KL term, diffusion forward step.

The oracle is written here and never calls the solver: scikit-learn's log_loss for the GAN (the
discriminator's loss is the binary cross-entropy of real = 1, fake = 0), numerical integration of
p·ln(p/q) for the VAE's KL, and the diffusion chain run one noising step at a time."""

import math

import numpy as np
import pytest
from scipy import integrate, stats
from sklearn.metrics import log_loss

from mlquiz import engine, marking, registry
from mlquiz.answers import Answer
from mlquiz.errors import UserError
from mlquiz.model import answer_at
from mlquiz.text import render
from mlquiz.topics import generative
from topic_helpers import declared_misconceptions

GAN = {"d_real": "0.9,0.8", "d_fake": "0.2,0.3"}
VAE = {"mu": "1,-0.5", "sigma": "0.5,1.5"}
DIFFUSION = {"x0": "1,-1", "eps": "0.5,2", "betas": "0.1,0.2,0.3", "t": "2"}


# --------------------------------------------------------------------------- the oracle (written here)

def oracle_gan(real, fake):
    """sklearn's binary cross-entropy: real labelled 1, fake labelled 0, each batch averaged."""
    real_ce = log_loss([1] * len(real), real, labels=[0, 1])   # = −mean ln D(x)
    fake_ce = log_loss([0] * len(fake), fake, labels=[0, 1])   # = −mean ln(1 − D(G(z)))
    nonsat = log_loss([1] * len(fake), fake, labels=[0, 1])    # = −mean ln D(G(z))
    value = -(real_ce + fake_ce)
    return {"value": value, "d_loss": real_ce + fake_ce, "g_loss_minimax": -fake_ce, "g_loss_nonsaturating": nonsat}


def oracle_kl_1d(mu, sd):
    """KL(N(mu, sd²) ‖ N(0, 1)) = ∫ p ln(p/q), by quadrature over ±12 standard deviations."""
    p, q = stats.norm(mu, sd), stats.norm(0, 1)
    lo, hi = mu - 12 * sd, mu + 12 * sd
    value, _ = integrate.quad(lambda x: p.pdf(x) * (p.logpdf(x) - q.logpdf(x)), lo, hi, limit=200)
    return value


def oracle_vae(given):
    sds = given["sigma"] if "sigma" in given else [math.exp(v / 2) for v in given["logvar"]]
    terms = [oracle_kl_1d(m, s) for m, s in zip(given["mu"], sds)]
    return {"kl_terms": terms, "kl": sum(terms)}


def oracle_diffusion(given):
    """Run q(x_s | x_{s−1}) = N(√(1 − β_s) x_{s−1}, β_s I) step by step, tracking x_s = a·x0 + b·ε with
    b² the accumulated noise variance (a sum of independent Gaussians is one Gaussian)."""
    a, var = 1.0, 0.0
    for beta in given["betas"][:given["t"]]:
        a *= math.sqrt(1 - beta)
        var = (1 - beta) * var + beta
    x_t = [a * x + math.sqrt(var) * e for x, e in zip(given["x0"], given["eps"])]
    return {"alpha_bar": a * a, "x_t": x_t}


def oracle(given):
    if given["model"] == "gan":
        return oracle_gan(given["d_real"], given["d_fake"])
    if given["model"] == "vae":
        return oracle_vae(given)
    return oracle_diffusion(given)


def assert_matches_oracle(problem):
    got, want = problem.solution.answers, oracle(problem.given)
    assert set(got) == set(want), problem.given
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-7, atol=1e-7, err_msg=f"{key} {problem.given}")


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_generated_problems_match_the_oracle(difficulty):
    models = set()
    for seed in range(40):
        problem = engine.generate("generative", seed, difficulty)
        models.add(problem.given["model"])
        assert_matches_oracle(problem)
    assert models == {"gan", "vae", "diffusion"}


# --------------------------------------------------------------------------- published examples

def test_goodfellow_optimum_is_minus_log_4():
    """Goodfellow et al. 2014, Theorem 1: with D = 1/2 everywhere, C(G) = −log 4."""
    answers = engine.from_data("generative", {"d_real": "0.5", "d_fake": "0.5"}).solution.answers
    assert answers["value"] == pytest.approx(-math.log(4))
    assert answers["value"] == pytest.approx(-1.3863, abs=5e-5)
    assert answers["d_loss"] == pytest.approx(math.log(4))
    assert answers["g_loss_minimax"] == pytest.approx(-math.log(2))
    assert answers["g_loss_nonsaturating"] == pytest.approx(math.log(2))


def test_bank_entries_give_their_printed_numbers():
    entries = engine.bank_entries("generative")
    assert [e["id"] for e in entries] == ["goodfellow-gan-optimum"]
    assert "Goodfellow" in entries[0]["source"] and "Theorem 1" in entries[0]["source"]
    problem = engine.from_bank("generative", 0)
    assert problem.solution.answers["value"] == pytest.approx(-math.log(4))


# --------------------------------------------------------------------------- the conventions, by hand

def test_gan_by_hand():
    answers = engine.from_data("generative", GAN).solution.answers
    value = (math.log(0.9) + math.log(0.8)) / 2 + (math.log(0.8) + math.log(0.7)) / 2
    assert answers["value"] == pytest.approx(value)
    assert answers["value"] == pytest.approx(-0.4542, abs=5e-5)
    assert answers["d_loss"] == pytest.approx(-value)
    assert answers["g_loss_minimax"] == pytest.approx((math.log(0.8) + math.log(0.7)) / 2)
    assert answers["g_loss_nonsaturating"] == pytest.approx(-(math.log(0.2) + math.log(0.3)) / 2)


def test_vae_kl_by_hand_with_sigma_and_with_logvar():
    answers = engine.from_data("generative", VAE).solution.answers
    terms = [0.5 * (1 + 0.25 - math.log(0.25) - 1), 0.5 * (0.25 + 2.25 - math.log(2.25) - 1)]
    assert answers["kl_terms"] == pytest.approx(terms)
    assert answers["kl"] == pytest.approx(sum(terms))
    logvar = engine.from_data("generative", {"mu": "1,-0.5", "logvar": f"{math.log(0.25)!r},{math.log(2.25)!r}"})
    assert logvar.solution.answers["kl"] == pytest.approx(sum(terms))
    zero = engine.from_data("generative", {"mu": "0", "sigma": "1"}).solution.answers
    assert zero["kl"] == 0


def test_diffusion_by_hand():
    answers = engine.from_data("generative", DIFFUSION).solution.answers
    assert answers["alpha_bar"] == pytest.approx(0.9 * 0.8)
    a, b = math.sqrt(0.72), math.sqrt(0.28)
    assert answers["x_t"] == pytest.approx([a * 1 + b * 0.5, a * -1 + b * 2])
    easy = engine.from_data("generative", {"x0": "1", "eps": "1", "betas": "0.2,0.2", "t": "2"}).solution.answers
    assert easy["alpha_bar"] == pytest.approx(0.64) and easy["x_t"] == pytest.approx([0.8 + 0.6])


def test_carried_forward_values_flow_through_the_derivation():
    given = engine.from_data("generative", DIFFUSION).given
    carried = generative.solve(given, {("alpha_bar",): 0.5}).answers
    assert carried["x_t"] == pytest.approx([math.sqrt(0.5) * 1 + math.sqrt(0.5) * 0.5,
                                            -math.sqrt(0.5) + math.sqrt(0.5) * 2])
    given = engine.from_data("generative", GAN).given
    assert generative.solve(given, {("value",): -1.0}).answers["d_loss"] == pytest.approx(1.0)
    given = engine.from_data("generative", VAE).given
    assert generative.solve(given, {("kl_terms",): [1.0, 2.0]}).answers["kl"] == pytest.approx(3.0)


# --------------------------------------------------------------------------- misconceptions

def test_misconceptions_are_declared_and_explained():
    items = declared_misconceptions("generative", generative.VARIANTS)
    assert len(items) >= 3
    assert "kl_sigma" in generative.VARIANTS  # the acceptance slip


def _named(problem, name, value):
    part = next(p for p in problem.parts if p.name == name)
    found = marking.diagnose(problem, part, Answer(value, [None] * len(value) if isinstance(value, list) else None,
                                                   str(value)))
    return found.id if found else None


def _never_on_right_values(problem):
    right = problem.solution.answers
    for part in problem.parts:
        assert _named(problem, part.name, answer_at(right, part.path)) is None


def test_gan_misconceptions_by_hand():
    problem = engine.from_data("generative", GAN)
    real, fake = [0.9, 0.8], [0.2, 0.3]
    value = sum(map(math.log, real)) / 2 + sum(math.log(1 - x) for x in fake) / 2
    minimax = sum(math.log(1 - x) for x in fake) / 2
    nonsat = -sum(map(math.log, fake)) / 2
    v10 = sum(map(math.log10, real)) / 2 + sum(math.log10(1 - x) for x in fake) / 2
    assert _named(problem, "value", v10) == "log10"
    assert _named(problem, "value", 2 * value) == "sum_not_mean"
    assert _named(problem, "d_loss", value) == "d_loss_sign"
    assert _named(problem, "g_loss_minimax", value) == "g_loss_full_value"
    assert _named(problem, "g_loss_minimax", nonsat) == "g_losses_swapped"
    assert _named(problem, "g_loss_nonsaturating", minimax) == "g_losses_swapped"
    assert _named(problem, "g_loss_nonsaturating", -sum(map(math.log10, fake)) / 2) == "log10"
    _never_on_right_values(problem)


def test_vae_misconceptions_by_hand():
    problem = engine.from_data("generative", VAE)
    mu, sd = [1, -0.5], [0.5, 1.5]
    by_sigma = [0.5 * (m * m + s - math.log(s) - 1) for m, s in zip(mu, sd)]  # σ where σ² belongs
    assert _named(problem, "kl_terms", by_sigma) == "kl_sigma"
    assert _named(problem, "kl", sum(by_sigma)) == "kl_sigma"
    whole = [m * m + s * s - math.log(s * s) - 1 for m, s in zip(mu, sd)]
    assert _named(problem, "kl", sum(whole)) == "kl_no_half"
    base10 = [0.5 * (m * m + s * s - math.log10(s * s) - 1) for m, s in zip(mu, sd)]
    assert _named(problem, "kl", sum(base10)) == "log10"
    _never_on_right_values(problem)


def test_diffusion_misconceptions_by_hand():
    problem = engine.from_data("generative", DIFFUSION)
    assert _named(problem, "alpha_bar", 0.8) == "alpha_not_cumulative"
    assert _named(problem, "alpha_bar", 0.7) == "sum_betas"
    a = 0.72
    assert _named(problem, "x_t", [a * 1 + (1 - a) * 0.5, -a + (1 - a) * 2]) == "no_sqrt"
    s, r = math.sqrt(0.8), math.sqrt(0.2)
    assert _named(problem, "x_t", [s * 1 + r * 0.5, -s + r * 2]) == "alpha_not_cumulative"
    _never_on_right_values(problem)


def test_sum_not_mean_is_not_named_for_single_samples():
    problem = engine.from_data("generative", {"d_real": "0.6", "d_fake": "0.3"})
    value = generative.VARIANTS["sum_not_mean"](problem.given, ("value",), None, {})
    assert value == pytest.approx(problem.solution.answers["value"])


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("raw, key", [
    ({"d_real": "0.9,1", "d_fake": "0.2"}, "generative.error.log_zero"),
    ({"d_real": "0.9", "d_fake": "0"}, "generative.error.log_zero"),
    ({"d_real": "0.9"}, "generative.error.gan_both"),
    ({"d_real": "0.9", "d_fake": "0.1", "mu": "1"}, "generative.error.one_model"),
    ({}, "generative.error.no_model"),
    ({"mu": "1,2"}, "generative.error.vae_spread"),
    ({"mu": "1,2", "sigma": "1,1", "logvar": "0,0"}, "generative.error.vae_spread"),
    ({"sigma": "1"}, "generative.error.vae_mu"),
    ({"mu": "1,2", "sigma": "1"}, "generative.error.length"),
    ({"mu": "1", "sigma": "0"}, "generative.error.sigma_positive"),
    ({"mu": "1", "logvar": "99"}, "generative.error.too_large"),
    ({"x0": "1", "eps": "1", "betas": "0.1"}, "generative.error.diffusion_missing"),
    ({"x0": "1", "eps": "1,2", "betas": "0.1", "t": "1"}, "generative.error.length"),
    ({"x0": "1", "eps": "1", "betas": "0.1,1", "t": "1"}, "generative.error.beta_range"),
    ({"x0": "1", "eps": "1", "betas": "0.1,0.2", "t": "3"}, "generative.error.t_range"),
])
def test_bad_user_data_is_one_clear_line(raw, key):
    with pytest.raises(UserError) as caught:
        engine.from_data("generative", raw)
    assert caught.value.message.key == key
    for lang in ("en", "zh"):
        text = render(caught.value.message, lang)
        assert text and "\n" not in text and "{" not in text
    if key == "generative.error.log_zero":
        assert "log 0" in str(caught.value)


def test_negative_values_parse_as_options():
    answers = engine.from_data("generative", {"mu": "-1", "logvar": "-1"}).solution.answers
    assert answers["kl"] == pytest.approx(0.5 * (1 + math.exp(-1) + 1 - 1))


def test_generated_problems_are_well_posed_and_round_trip():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(30):
            problem = engine.generate("generative", seed, difficulty)
            generative.well_posed(problem)
            again = engine.from_data("generative", generative.as_options(problem.given))
            assert again.solution.answers == problem.solution.answers


def test_topic_is_registered_with_its_aliases():
    info = registry.info("generative")
    assert set(info.aliases) == {"gan", "vae", "diffusion"}
    for alias in ("gan", "vae", "diffusion"):
        assert registry.info(alias).name == "generative"

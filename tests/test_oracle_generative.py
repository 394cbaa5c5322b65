"""Slow sweep: ≥ 1,000 generated generative-model problems against an independent oracle
(scikit-learn's log_loss for the GAN value and losses, quadrature of p·ln(p/q) for the VAE's KL,
the diffusion chain run one noising step at a time), each also well posed and round-tripped."""

import math

import numpy as np
import pytest
from scipy import integrate, stats
from sklearn.metrics import log_loss

from mlquiz import engine
from mlquiz.topics import generative

SEEDS = range(350)  # × 3 difficulties = 1,050 instances


def kl_1d(mu, sd):
    p, q = stats.norm(mu, sd), stats.norm(0, 1)
    value, _ = integrate.quad(lambda x: p.pdf(x) * (p.logpdf(x) - q.logpdf(x)), mu - 12 * sd, mu + 12 * sd,
                              limit=200)
    return value


def oracle(given):
    if given["model"] == "gan":
        real, fake = given["d_real"], given["d_fake"]
        real_ce = log_loss([1] * len(real), real, labels=[0, 1])
        fake_ce = log_loss([0] * len(fake), fake, labels=[0, 1])
        return {"value": -(real_ce + fake_ce), "d_loss": real_ce + fake_ce, "g_loss_minimax": -fake_ce,
                "g_loss_nonsaturating": log_loss([1] * len(fake), fake, labels=[0, 1])}
    if given["model"] == "vae":
        sds = given["sigma"] if "sigma" in given else [math.exp(v / 2) for v in given["logvar"]]
        terms = [kl_1d(m, s) for m, s in zip(given["mu"], sds)]
        return {"kl_terms": terms, "kl": sum(terms)}
    x = np.array(given["x0"], dtype=float)
    mean_scale, var = 1.0, 0.0
    for beta in given["betas"][:given["t"]]:  # x_s = √(1 − β) x_{s−1} + √β ε_s, independent ε_s
        mean_scale *= math.sqrt(1 - beta)
        var = (1 - beta) * var + beta
    return {"alpha_bar": mean_scale ** 2, "x_t": list(mean_scale * x + math.sqrt(var) * np.array(given["eps"]))}


@pytest.mark.slow
@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_sweep_against_the_oracle(difficulty):
    models = {"gan": 0, "vae": 0, "diffusion": 0}
    for seed in SEEDS:
        problem = engine.generate("generative", seed, difficulty)
        generative.well_posed(problem)
        models[problem.given["model"]] += 1
        got, want = problem.solution.answers, oracle(problem.given)
        assert set(got) == set(want)
        for key in want:
            np.testing.assert_allclose(got[key], want[key], rtol=1e-7, atol=1e-7,
                                       err_msg=f"{difficulty} seed {seed} {key}")
        again = engine.from_data("generative", generative.as_options(problem.given)).solution.answers
        assert again == got
    assert min(models.values()) >= 50, models

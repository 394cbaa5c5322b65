"""The entropy solver against independent oracles and published worked examples."""

import math
import random

import numpy as np
import pytest
from scipy.stats import entropy as scipy_entropy
from sklearn.tree import DecisionTreeClassifier

from mlquiz import engine
from mlquiz.topics import entropy

ROOT_CSV = engine.problems_dir() / "entropy" / "playtennis.csv"


def counts_given(counts, base="2"):
    return engine.from_data("entropy", {"data": ";".join(",".join(map(str, r)) for r in counts), "base": base}).given


def test_course_notes_example():
    answers = entropy.solve(counts_given([[4, 2], [1, 3]])).answers
    assert answers["entropy"] == pytest.approx(1.0)
    assert answers["conditional_entropy"] == pytest.approx(0.6 * 0.9182958 + 0.4 * 0.8112781, abs=1e-6)
    assert answers["information_gain"] == pytest.approx(0.1245, abs=5e-5)


def test_playtennis_gains():
    given = engine.from_data("entropy", {"data": str(ROOT_CSV), "target": "Play"}).given
    answers = entropy.solve(given).answers
    assert answers["entropy"] == pytest.approx(0.9403, abs=1e-4)
    gains = answers["information_gain"]
    assert gains["Outlook"] == pytest.approx(0.2467, abs=1e-4)   # Quinlan / Mitchell: 0.246
    assert gains["Humidity"] == pytest.approx(0.1518, abs=1e-4)  # 0.151
    assert gains["Wind"] == pytest.approx(0.0481, abs=1e-4)      # 0.048
    assert gains["Temperature"] == pytest.approx(0.0292, abs=1e-4)  # 0.029
    assert answers["best_attribute"] == "Outlook"
    assert answers["gain_ratio"]["Outlook"] == pytest.approx(0.2467 / 1.5774, abs=2e-4)  # 0.156
    assert answers["gini"] == pytest.approx(1 - (9 / 14) ** 2 - (5 / 14) ** 2)


@pytest.mark.parametrize("base, scipy_base", [("2", 2), ("e", math.e), ("10", 10)])
def test_against_scipy_on_random_tables(base, scipy_base):
    rng = random.Random(1)
    for _ in range(250):
        branches, classes = rng.randint(1, 4), rng.randint(1, 4)
        counts = [[rng.randint(0, 9) for _ in range(classes)] for _ in range(branches)]
        counts = [row for row in counts if sum(row)] or [[1] * classes]
        answers = entropy.solve(counts_given(counts, base)).answers
        totals = np.sum(counts, axis=0)
        n = totals.sum()
        h = scipy_entropy(totals, base=scipy_base)
        cond = sum(sum(r) / n * scipy_entropy(r, base=scipy_base) for r in counts)
        gini = 1 - sum((t / n) ** 2 for t in totals)
        assert answers["entropy"] == pytest.approx(h, abs=1e-12)
        assert answers["conditional_entropy"] == pytest.approx(cond, abs=1e-12)
        assert answers["information_gain"] == pytest.approx(h - cond, abs=1e-12)
        assert answers["gini"] == pytest.approx(gini, abs=1e-12)
        split = scipy_entropy([sum(r) for r in counts], base=scipy_base)
        if split > 0:
            assert answers["gain_ratio"] == pytest.approx((h - cond) / split, abs=1e-9)
        else:
            assert answers["gain_ratio"] is None


def test_against_sklearn_tree_impurity_decrease():
    """A depth-1 tree on one binary attribute: its impurity decrease is the information gain."""
    rng = random.Random(2)
    checked = 0
    while checked < 220:
        n = rng.randint(6, 30)
        x = [rng.randint(0, 1) for _ in range(n)]
        y = [rng.randint(0, 2) if rng.random() < 0.5 else x[i] for i in range(n)]
        if len(set(x)) < 2:
            continue
        rows = [[f"v{a}", f"c{b}"] for a, b in zip(x, y)]
        given = entropy.from_table(["A", "Y"], rows, "Y", extended=True)
        ours = entropy.solve(given).answers
        for criterion, name, cond in (("entropy", "information_gain", "conditional_entropy"),
                                      ("gini", "gini", "conditional_gini")):
            tree = DecisionTreeClassifier(criterion=criterion, max_depth=1).fit(np.array(x).reshape(-1, 1), y)
            t = tree.tree_
            parent = t.impurity[0]
            if t.node_count == 1:  # sklearn does not split a pure node
                continue
            left, right = t.children_left[0], t.children_right[0]
            weighted = (t.n_node_samples[left] * t.impurity[left] + t.n_node_samples[right] * t.impurity[right]) / n
            if criterion == "entropy":
                assert ours["entropy"] == pytest.approx(parent, abs=1e-9)
                assert ours[name] == pytest.approx(parent - weighted, abs=1e-9)
            else:
                assert ours["gini"] == pytest.approx(parent, abs=1e-9)
                assert ours[cond] == pytest.approx(weighted, abs=1e-9)
        checked += 1


def brute_force_gain(columns, rows, target, attribute):
    """Information gain by looping over rows, independent of the topic's counting."""
    t, a = columns.index(target), columns.index(attribute)

    def h(subset):
        labels = [r[t] for r in subset]
        return -sum(labels.count(c) / len(labels) * math.log2(labels.count(c) / len(labels)) for c in set(labels))

    cond = sum(len([r for r in rows if r[a] == v]) / len(rows) * h([r for r in rows if r[a] == v])
               for v in {r[a] for r in rows})
    return h(rows) - cond


@pytest.mark.parametrize("difficulty", ["medium", "hard"])
def test_generated_tables_are_well_posed(difficulty):
    for seed in range(120):
        problem = engine.generate("entropy", seed, difficulty)
        given = problem.given
        gains = problem.solution.answers["information_gain"]
        for attribute in given["attributes"]:
            assert len(attribute["values"]) >= 2
            assert all(sum(row) > 0 for row in attribute["counts"])  # no empty branch
            assert gains[attribute["name"]] == pytest.approx(
                brute_force_gain(given["columns"], given["rows"], given["target"], attribute["name"]), abs=1e-12)
        ranked = sorted(gains.values(), reverse=True)
        assert ranked[0] - ranked[1] >= 0.03  # no tie for the best attribute
        assert 8 <= len(given["rows"]) <= 15
        assert len(given["classes"]) == (3 if difficulty == "hard" else 2)


def test_easy_problems_use_simple_fractions():
    for seed in range(200):
        given = engine.generate("entropy", seed, "easy").given
        counts = given["attributes"][0]["counts"]
        assert len(counts) == 2 and len(counts[0]) == 2
        assert all(sum(row) in entropy.EASY_BRANCH_SIZES for row in counts)
        assert engine.generate("entropy", seed, "easy").solution.answers["information_gain"] >= 0.03

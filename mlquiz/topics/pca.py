"""Principal component analysis by hand: mean, covariance (n−1), eigen-decomposition, projections.

x̄ = (1/n)Σxᵢ;  S = (1/(n−1))·Σ(xᵢ − x̄)(xᵢ − x̄)ᵀ;  |S − λI| = 0 gives the eigenvalues (descending);
(S − λI)v = 0 with ‖v‖ = 1 the eigenvectors (printed with the first non-zero component positive;
either sign is right); contribution pᵢ = λᵢ/Σλ; projection Fᵢ = vᵢᵀ(x − x̄);
reconstruction from PC1: x̂ = x̄ + F₁·v₁, error ‖x − x̂‖².

Exact arithmetic: the data are read as exact decimals (Fractions), so the mean, the covariance and
the characteristic polynomial are exact; SymPy expands the polynomial and finds exact roots.

given = {"points": [[…]], "labels": [names], "k": components to project on,
         "query": index of the point whose projection is asked (or None),
         "reconstruct": bool (ask the reconstruction error of the query point)}
"""

from __future__ import annotations

import math
import random
from fractions import Fraction
from typing import Any

import numpy as np

from mlquiz.errors import UserError
from mlquiz.model import Part, Solution, Step
from mlquiz.topics.common import answer_at, fmt, number_rows

TEXT = {
    "statement": "Run PCA on the {n} points below ({d}-D). Use the sample covariance (divide by n − 1).",
    "statement_query": " Project point {label} onto the first principal component.",
    "statement_reconstruct": " Then reconstruct {label} from PC1 alone and give the squared reconstruction error.",
    "prompt_mean": "the mean x̄, as a vector",
    "prompt_covariance": "the covariance matrix S (rows separated by ;)",
    "prompt_eigenvalues": "the eigenvalues of S, largest first",
    "prompt_eigenvectors": "the unit eigenvectors, one per row, in the order of the eigenvalues",
    "prompt_ratio": "the contribution ratio λᵢ/Σλ of each component",
    "prompt_projection": "the projection F₁ of point {label} on PC1",
    "prompt_reconstruction": "the squared reconstruction error ‖{label} − x̂‖² using PC1 only",
    "title_mean": "Mean",
    "title_centre": "Centre the data",
    "title_covariance": "Covariance matrix (n − 1)",
    "title_charpoly": "Characteristic polynomial",
    "title_eigenvalues": "Eigenvalues",
    "title_eigenvector": "Eigenvector for λ{i}",
    "title_eigenvectors": "Unit eigenvectors",
    "title_ratio": "Contribution ratios",
    "title_projections": "Projections on the first {k} component(s)",
    "title_reconstruction": "Reconstruction of {label} from PC1",
    "note_zero": "An eigenvalue is 0: the points lie in a lower-dimensional subspace (collinear, or fewer "
                 "points than dimensions), so that direction carries no variance.",
    "note_repeated": "Two eigenvalues are equal, so their eigenvectors are not unique: any unit vectors "
                     "spanning that plane are right.",
}

OPTIONS = {"k": "number of components to project on (default 1)"}
LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_POINTS, MAX_DIM = 1_000, 6


def _exact(x: float) -> Fraction:
    """The decimal the user typed, exactly (2.5 → 5/2, 0.1 → 1/10)."""
    return Fraction(repr(float(x))).limit_denominator(10**9)


def _fr(x: Fraction) -> str:
    if x.denominator == 1:
        return str(x.numerator).replace("-", "−")
    value = x.numerator / x.denominator
    short = fmt(value, 6)
    if _exact(float(short.replace("−", "-"))) == x:
        return short  # a terminating decimal such as 1.29
    return f"{x.numerator}/{x.denominator}".replace("-", "−")


def _vec(values: list[float]) -> str:
    return "[" + ", ".join(fmt(v) for v in values) + "]"


def _sign_fixed(v: np.ndarray) -> np.ndarray:
    for component in v:
        if abs(component) > 1e-12:
            return v if component > 0 else -v
    return v


def solve(given: dict, override: dict[str, Any] | None = None) -> Solution:
    override = override or {}
    points = [[_exact(x) for x in p] for p in given["points"]]
    labels = given.get("labels") or [f"x{i + 1}" for i in range(len(points))]
    n, d = len(points), len(points[0])
    k = min(given.get("k", 1) or 1, d)
    steps: list[Step] = []
    notes: list[str] = []

    mean = [sum(p[j] for p in points) / n for j in range(d)]
    steps.append(Step(TEXT["title_mean"], "x̄ = (1/n)·Σ xᵢ",
                      "; ".join(f"({' + '.join(_fr(p[j]) for p in points)})/{n} = {_fr(mean[j])}" for j in range(d)),
                      [float(m) for m in mean], answer="mean"))
    if "mean" in override:
        mean = [_exact(m) for m in override["mean"]]
    centred = [[p[j] - mean[j] for j in range(d)] for p in points]
    steps.append(Step(TEXT["title_centre"], "xᵢ − x̄",
                      "; ".join(f"{label}: [{', '.join(_fr(c) for c in row)}]" for label, row in zip(labels, centred)),
                      [[float(c) for c in row] for row in centred]))
    cov = [[sum(row[a] * row[b] for row in centred) / (n - 1) for b in range(d)] for a in range(d)]
    cov_lines = []
    for a in range(d):
        for b in range(a, d):
            terms = " + ".join(f"({_fr(row[a])})·({_fr(row[b])})" if a != b else f"({_fr(row[a])})²"
                               for row in centred)
            cov_lines.append(f"s{a + 1}{b + 1} = [{terms}]/{n - 1} = {_fr(cov[a][b])}")
    cov_float = [[float(c) for c in row] for row in cov]
    steps.append(Step(TEXT["title_covariance"], "S = (1/(n−1))·Σ (xᵢ − x̄)(xᵢ − x̄)ᵀ", "\n".join(cov_lines),
                      cov_float, answer="covariance"))
    if "covariance" in override:
        cov = [[_exact(c) for c in row] for row in override["covariance"]]
        cov_float = [[float(c) for c in row] for row in cov]

    values, exact_forms, poly_text = _eigenvalues(cov)
    steps.append(Step(TEXT["title_charpoly"], "|S − λI| = 0", poly_text, None))
    steps.append(Step(TEXT["title_eigenvalues"], "roots of |S − λI| = 0, largest first",
                      "; ".join(f"λ{i + 1} = {form}" for i, form in enumerate(exact_forms)), values,
                      answer="eigenvalues"))
    if "eigenvalues" in override:
        values = [float(v) for v in override["eigenvalues"]]
    if any(abs(v) < 1e-9 for v in values):
        notes.append(TEXT["note_zero"])
    if any(abs(values[i] - values[i + 1]) < 1e-9 for i in range(len(values) - 1)):
        notes.append(TEXT["note_repeated"])

    vectors = _eigenvectors(np.array(cov_float), values)
    for i, (lam, vec) in enumerate(zip(values, vectors)):
        steps.append(Step(TEXT["title_eigenvector"].format(i=i + 1), "(S − λI)v = 0, then v/‖v‖",
                          _eigenvector_text(cov_float, lam, vec), vec.tolist()))
    vector_list = [v.tolist() for v in vectors]
    steps.append(Step(TEXT["title_eigenvectors"], "vᵢ with ‖vᵢ‖ = 1, first non-zero component positive",
                      "; ".join(f"v{i + 1} = {_vec(v)}" for i, v in enumerate(vector_list)), vector_list,
                      answer="eigenvectors"))
    if "eigenvectors" in override:
        vectors = [np.array(v, dtype=float) for v in override["eigenvectors"]]
    total = sum(values)
    ratios = [v / total if total else float("nan") for v in values]
    steps.append(Step(TEXT["title_ratio"], "pᵢ = λᵢ / Σλ",
                      "; ".join(f"{fmt(v)}/{fmt(total)}" for v in values), ratios, answer="explained_variance_ratio"))

    centred_f = np.array([[float(c) for c in row] for row in centred])
    top = np.array(vectors[:k])
    scores = centred_f @ top.T
    projections = scores[:, 0].tolist() if k == 1 else scores.tolist()
    lines = [f"F({label}) = " + "; ".join(
        f"{_vec(top[c].tolist())}·{_vec(centred_f[i].tolist())} = {fmt(scores[i, c])}" for c in range(k))
        for i, label in enumerate(labels)]
    steps.append(Step(TEXT["title_projections"].format(k=k), "Fᵢ = vᵢᵀ(x − x̄)", "\n".join(lines), projections,
                      answer="projections"))
    answers: dict[str, Any] = {step.answer: step.value for step in steps if step.answer}
    query = given.get("query")
    if given.get("reconstruct") and query is not None:
        f1 = scores[query, 0]
        rebuilt = np.array([float(m) for m in mean]) + f1 * vectors[0]
        error = float(np.sum((np.array(given["points"][query], dtype=float) - rebuilt) ** 2))
        steps.append(Step(TEXT["title_reconstruction"].format(label=labels[query]),
                          "x̂ = x̄ + F₁·v₁;  error = ‖x − x̂‖² (= Σ of the other components' F²)",
                          f"x̂ = {_vec([float(m) for m in mean])} + {fmt(f1)}·{_vec(vectors[0].tolist())} = "
                          f"{_vec(rebuilt.tolist())}", error, answer="reconstruction_error"))
        answers["reconstruction_error"] = error
    return Solution(steps=steps, answers=answers, notes=notes)


SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _polynomial_text(coefficients: list[Fraction]) -> str:
    """[1, −2.62, 0.2028] → `λ² − 2.62·λ + 0.2028 = 0`."""
    degree = len(coefficients) - 1
    terms = []
    for power, c in zip(range(degree, -1, -1), coefficients):
        if c == 0:
            continue
        size = _fr(abs(c))
        body = {0: size, 1: "λ" if size == "1" else f"{size}·λ"}.get(
            power, ("" if size == "1" else f"{size}·") + "λ" + str(power).translate(SUPERSCRIPTS))
        sign = "−" if c < 0 else "+"
        terms.append(body if not terms and c > 0 else f"{sign} {body}" if terms else f"−{body}")
    return " ".join(terms) + " = 0"


def _eigenvalues(cov: list[list[Fraction]]) -> tuple[list[float], list[str], str]:
    """Eigenvalues (descending, float), how each is found, and the expanded polynomial (SymPy)."""
    import sympy as sp

    lam = sp.Symbol("λ")
    numeric = sorted(np.linalg.eigvalsh(np.array([[float(c) for c in row] for row in cov])).tolist(), reverse=True)
    if len(cov) > 3:  # beyond hand size: the polynomial's coefficients as decimals, no exact roots
        coefficients = np.poly(np.array([[float(c) for c in row] for row in cov])).tolist()
        text = " ".join(f"{'+' if c >= 0 else '−'} {fmt(abs(c))}·λ^{len(coefficients) - 1 - i}"
                        for i, c in enumerate(coefficients)).lstrip("+ ") + " = 0"
        return [0.0 if abs(v) < 1e-12 else v for v in numeric], [fmt(v) for v in numeric], text
    matrix = sp.Matrix([[sp.Rational(c.numerator, c.denominator) for c in row] for row in cov])
    poly = matrix.charpoly(lam)
    coefficients = [Fraction(int(sp.fraction(c)[0]), int(sp.fraction(c)[1])) for c in poly.all_coeffs()]
    text = _polynomial_text(coefficients)
    forms = [fmt(v) for v in numeric]
    if len(cov) == 2:
        trace, det = -coefficients[1], coefficients[2]
        disc = trace * trace - 4 * det
        root = math.sqrt(max(float(disc), 0.0))
        text += f"\nλ = [tr ± √(tr² − 4·det)]/2 = [{_fr(trace)} ± √({_fr(trace * trace)} − 4·{_fr(det)})]/2" \
                f" = [{_fr(trace)} ± {fmt(root)}]/2"
        numeric = [(float(trace) + root) / 2, (float(trace) - root) / 2]
        forms = [fmt(v) for v in numeric]
    elif len(cov) == 3:
        roots = sp.roots(poly, multiple=True)
        if len(roots) == 3 and all(r.is_real for r in roots):
            exact = sorted(roots, key=lambda r: float(sp.N(r)), reverse=True)
            numeric = [float(sp.N(r, 30)) for r in exact]
            forms = [fmt(v) if r.is_rational else f"{str(r).replace('sqrt', '√').replace('*', '·')} ≈ {fmt(v)}"
                     for r, v in zip(exact, numeric)]
            factored = str(sp.factor(poly.as_expr())).replace("**", "^").replace("*", "·")
            text += f"\nfactored: {factored} = 0"
    return [0.0 if abs(v) < 1e-12 else v for v in numeric], forms, text


def _eigenvectors(cov: np.ndarray, values: list[float]) -> list[np.ndarray]:
    """Unit eigenvectors aligned with `values`. In 2-D from (S − λI)v = 0 directly, as by hand."""
    d = len(cov)
    if d == 2 and abs(values[0] - values[1]) > 1e-12:
        out = []
        for lam in values:
            a, b = cov[0][0] - lam, cov[0][1]
            v = np.array([b, -a]) if abs(a) + abs(b) > 1e-12 else np.array([cov[1][1] - lam, -cov[1][0]])
            if np.linalg.norm(v) < 1e-12:
                v = np.array([1.0, 0.0]) if lam == values[0] else np.array([0.0, 1.0])
            out.append(_sign_fixed(v / np.linalg.norm(v)))
        return out
    w, vecs = np.linalg.eigh(cov)
    order = np.argsort(w)[::-1]
    return [_sign_fixed(vecs[:, i]) for i in order]


def _eigenvector_text(cov: list[list[float]], lam: float, vec: np.ndarray) -> str:
    d = len(cov)
    shifted = [[cov[a][b] - (lam if a == b else 0.0) for b in range(d)] for a in range(d)]
    rows = "; ".join(", ".join(fmt(x) for x in row) for row in shifted)
    text = f"S − {fmt(lam)}·I = [{rows}]"
    if d == 2:
        a, b = shifted[0]
        text += f"\n{fmt(a)}·x + {fmt(b)}·y = 0 ⇒ v ∝ [{fmt(b)}, {fmt(-a)}]"
    return text + f" ⇒ v = {_vec(vec.tolist())}"


# --------------------------------------------------------------------------- problem text

def statement(given: dict) -> str:
    text = TEXT["statement"].format(n=len(given["points"]), d=len(given["points"][0]))
    query = given.get("query")
    if query is not None:
        text += TEXT["statement_query"].format(label=given["labels"][query])
        if given.get("reconstruct"):
            text += TEXT["statement_reconstruct"].format(label=given["labels"][query])
    return text


def table(given: dict) -> tuple[list[str], list[list[str]]]:
    d = len(given["points"][0])
    names = ["x", "y", "z"] if d <= 3 else [f"x{j + 1}" for j in range(d)]
    labels = given.get("labels") or [f"x{i + 1}" for i in range(len(given["points"]))]
    return ["point", *names[:d]], [[label, *(fmt(v) for v in p)] for label, p in zip(labels, given["points"])]


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    a = solution.answers
    out = [
        Part("mean", TEXT["prompt_mean"], "vector", a["mean"], step=TEXT["title_mean"]),
        Part("covariance", TEXT["prompt_covariance"], "matrix", a["covariance"], step=TEXT["title_covariance"]),
        Part("eigenvalues", TEXT["prompt_eigenvalues"], "vector", a["eigenvalues"], step=TEXT["title_eigenvalues"]),
        Part("eigenvectors", TEXT["prompt_eigenvectors"], "matrix", a["eigenvectors"], sign_free=True,
             step=TEXT["title_eigenvectors"]),
        Part("explained_variance_ratio", TEXT["prompt_ratio"], "vector", a["explained_variance_ratio"],
             step=TEXT["title_ratio"]),
    ]
    query = given.get("query")
    if query is not None:
        label = given["labels"][query]
        # Projections change sign with the eigenvector, so either sign is right.
        out.append(Part(f"projections[{query}]", TEXT["prompt_projection"].format(label=label), "number",
                        a["projections"][query], step=TEXT["title_projections"].format(k=1),
                        accepted=((-a["projections"][query], "right for the eigenvector of the opposite sign"),)))
        if given.get("reconstruct"):
            out.append(Part("reconstruction_error", TEXT["prompt_reconstruction"].format(label=label), "number",
                            a["reconstruction_error"], step=TEXT["title_reconstruction"].format(label=label)))
    return out


# --------------------------------------------------------------------------- generating

def _is_square(x: Fraction) -> bool:
    return x >= 0 and math.isqrt(x.numerator) ** 2 == x.numerator and math.isqrt(x.denominator) ** 2 == x.denominator


def _two_d(rng: random.Random, n: int, scale: int, rational: bool, mean_places: int) -> list[list[float]]:
    while True:
        raw = [[rng.randint(0, (6 if rational else 9) * scale) for _ in range(2)] for _ in range(n)]
        # Integer sums first (cheap), exact fractions only for the three covariance entries.
        sums = [sum(p[j] for p in raw) for j in range(2)]
        if any((sums[j] * 10**mean_places) % (n * scale) for j in range(2)):
            continue  # the mean must come out with at most `mean_places` decimals
        products = [[n * sum(p[i] * p[j] for p in raw) - sums[i] * sums[j] for j in range(2)] for i in range(2)]
        denominator = n * (n - 1) * scale * scale
        a, b, c = (Fraction(products[0][0], denominator), Fraction(products[0][1], denominator),
                   Fraction(products[1][1], denominator))
        if b == 0 or a * c - b * b <= 0:
            continue  # axis-aligned or collinear
        disc = (a - c) ** 2 + 4 * b * b
        lam1 = ((a + c) + math.sqrt(disc)) / 2
        lam2 = ((a + c) - math.sqrt(disc)) / 2
        if lam2 <= 0.05 * lam1 and not rational:
            continue  # too lopsided to be instructive
        if lam1 - lam2 < max(0.5 / scale, 0.15 * lam1):
            continue  # nearly equal eigenvalues: the eigenvectors would swing with rounding
        if rational:
            # Halves at most, in S and in the eigenvalues, so |S − λI| = 0 factors by hand.
            root = Fraction(math.isqrt(disc.numerator), math.isqrt(disc.denominator)) if _is_square(disc) else None
            if root is None or max(x.denominator for x in (a, b, c, (a + c + root) / 2, (a + c - root) / 2)) > 2:
                continue
        if len({tuple(p) for p in raw}) < n:
            continue
        return [[v / scale for v in p] for p in raw]


def generate(rng: random.Random, difficulty: str) -> dict:
    if difficulty == "easy":
        points = _two_d(rng, rng.choice((3, 4)), 1, rational=True, mean_places=0)
    elif difficulty == "medium":
        points = _two_d(rng, rng.randint(4, 6), 1, rational=False, mean_places=1)
    else:
        points = _two_d(rng, rng.randint(4, 5), 10, rational=False, mean_places=2)
    labels = list(LABELS[: len(points)])
    return {"points": points, "labels": labels, "k": 1, "query": rng.randrange(len(points)),
            "reconstruct": difficulty == "hard"}


def parse_data(text: str, options: dict) -> dict:
    """`"2.5,2.4;0.4,0.7;2.2,2.9"` or a CSV file (rows are samples; a non-numeric first row is a header)."""
    example = "2.5,2.4;0.4,0.7;2.2,2.9"
    if not options.get("has_data", True):
        raise UserError(f"pca needs --data: points like {example!r} or a CSV file (rows are samples)")
    if options.get("path"):
        lines = [line for line in text.lstrip("\ufeff").splitlines() if line.strip()]
        if lines and any(c.isalpha() for c in lines[0].replace("e", "").replace("E", "")):
            lines = lines[1:]  # a header row
        text = ";".join(lines)
    points = number_rows(text, "--data", example)
    if len(points) < 2:
        raise UserError(f"--data: PCA needs at least two points; expected something like {example!r}")
    if len(points) > MAX_POINTS or len(points[0]) > MAX_DIM:
        raise UserError(f"--data: at most {MAX_POINTS} points of at most {MAX_DIM} dimensions")
    if any(abs(v) > 1e6 for p in points for v in p):
        raise UserError("--data: coordinates must be at most 1e6 in size")
    k = 1 if options.get("k") is None else options["k"]
    if not 1 <= int(k) <= len(points[0]):
        raise UserError(f"--k must be from 1 to the number of dimensions ({len(points[0])})")
    labels = list(LABELS[: len(points)]) if len(points) <= len(LABELS) else [f"x{i + 1}" for i in range(len(points))]
    return {"points": points, "labels": labels, "k": int(k), "query": None, "reconstruct": False}


# --------------------------------------------------------------------------- misconceptions
# Each returns the value the wrong method gives at the checkpoint `name` (texts in
# problems/pca/misconceptions.toml).

def _right(given: dict) -> dict:
    return solve(given).answers


def _over_n(given: dict, name: str, student: Any, override: dict) -> Any:
    n = len(given["points"])
    value = np.array(_right(given)[name], dtype=float)
    return (value * (n - 1) / n).tolist()


def _not_normalised(given: dict, name: str, student: Any, override: dict) -> Any:
    """The right directions, at the lengths the student wrote (so only the normalisation differs)."""
    rows = np.array(_right(given)["eigenvectors"], dtype=float)
    mine = np.array(student, dtype=float)
    lengths = np.linalg.norm(mine, axis=1)
    if np.allclose(lengths, 1, atol=0.01) or np.any(lengths == 0):
        return None
    cosines = np.abs(np.sum(rows * mine, axis=1)) / lengths
    if np.any(cosines < 0.999):
        return None
    return (rows * np.sum(rows * mine, axis=1)[:, None]).tolist()


def _not_centred(given: dict, name: str, student: Any, override: dict) -> Any:
    k = min(given.get("k", 1) or 1, len(given["points"][0]))
    vectors = np.array(override.get("eigenvectors", _right(given)["eigenvectors"]), dtype=float)[:k]
    scores = np.array(given["points"], dtype=float) @ vectors.T
    value = scores[:, 0].tolist() if k == 1 else scores.tolist()
    return answer_at({"projections": value}, name)


VARIANTS = {
    "covariance_over_n": _over_n,
    "not_normalised": _not_normalised,
    "ascending_order": lambda given, name, student, override: list(reversed(_right(given)[name])),
    "not_centred": _not_centred,
}

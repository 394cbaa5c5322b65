"""Principal component analysis by hand: mean, covariance (n−1), eigen-decomposition, projections.

x̄ = (1/n)Σxᵢ;  S = (1/(n−1))·Σ(xᵢ − x̄)(xᵢ − x̄)ᵀ;  |S − λI| = 0 gives the eigenvalues (descending);
(S − λI)v = 0 with ‖v‖ = 1 the eigenvectors (printed with the first non-zero component positive;
either sign is right); contribution pᵢ = λᵢ/Σλ; projection Fᵢ = vᵢᵀ(x − x̄);
reconstruction from PC1: x̂ = x̄ + F₁·v₁, error ‖x − x̂‖².

Exact arithmetic: the data are read as exact decimals (Fractions), so the mean, the covariance and
the characteristic polynomial are exact; SymPy expands the polynomial and finds exact roots.
When S = cI every vector is an eigenvector; the unit basis vectors are taken, in order.

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

from mlquiz.derivation import Derivation
from mlquiz.errors import UserError, short
from mlquiz.model import Part, Solution, answer_at
from mlquiz.text import Msg, Texts
from mlquiz.topics.common import attempts, fmt, fmtp, number_rows, typed

T = Texts("pca")

LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_POINTS, MAX_DIM = 1_000, 6
MAX_COORDINATE = 1e6
ZERO = 1e-12  # below this a row of S − λI, or a vector, counts as zero
# Easy data (halves in S and in the eigenvalues) is rare: about 1 draw in 1000 fits, 18 062 draws were
# the most over 2000 seeds; this bound fails with probability about e^−100.
TRIES = 100_000


# --------------------------------------------------------------------------- exact numbers

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


def _num(x: float) -> str:
    """A float of the derivation; rounding noise (|x| ≤ 1e−12, e.g. 1e−16 left by λ − λ) prints as 0."""
    return fmt(0.0 if abs(x) <= ZERO else x)


def _vec(values: list[float]) -> str:
    return "[" + ", ".join(_num(v) for v in values) + "]"


def _plain(expression: Any) -> str:
    """A SymPy expression as the derivation writes it: √, ·, ^ and the typographic minus."""
    text = str(expression).replace("sqrt", "√").replace("**", "^").replace("*", "·")
    return text.replace("-", "−")


def _sign_fixed(v: np.ndarray) -> np.ndarray:
    for component in v:
        if abs(component) > ZERO:
            return v if component > 0 else -v
    return v


def _exact_carried(carried: Any, computed: Any, exact: Any, depth: int) -> Any:
    """The exact form of the value the derivation goes on with: `exact` when it is the computed value,
    else the student's carried-forward numbers read as exact decimals."""
    if carried == computed:
        return exact
    if depth == 1:
        return [_exact(x) for x in carried]
    return [[_exact(x) for x in row] for row in carried]


# --------------------------------------------------------------------------- solving

def solve(given: dict, override: dict[tuple, Any] | None = None) -> Solution:
    """All quantities in derivation order; `override` (a student's own values) is carried forward."""
    d = Derivation(override)
    points = [[_exact(x) for x in p] for p in given["points"]]
    labels = given.get("labels") or [f"x{i + 1}" for i in range(len(points))]
    n, dim = len(points), len(points[0])
    k = min(given.get("k", 1) or 1, dim)

    exact_mean = [sum(p[j] for p in points) / n for j in range(dim)]
    mean_float = [float(m) for m in exact_mean]
    mean_used = d.step("mean", T("title.mean"), T("formula.mean"),
                       "; ".join(f"({' + '.join(_fr(p[j]) for p in points)})/{n} = {_fr(exact_mean[j])}"
                                 for j in range(dim)),
                       mean_float, answer="mean")
    mean = _exact_carried(mean_used, mean_float, exact_mean, 1)

    centred = [[p[j] - mean[j] for j in range(dim)] for p in points]
    d.step("centre", T("title.centre"), T("formula.centre"),
           "; ".join(f"{label}: [{', '.join(_fr(c) for c in row)}]" for label, row in zip(labels, centred)),
           [[float(c) for c in row] for row in centred])

    exact_cov = [[sum(row[a] * row[b] for row in centred) / (n - 1) for b in range(dim)] for a in range(dim)]
    cov_lines = []
    for a in range(dim):
        for b in range(a, dim):
            terms = " + ".join(f"({_fr(row[a])})·({_fr(row[b])})" if a != b else f"({_fr(row[a])})²"
                               for row in centred)
            cov_lines.append(f"s{a + 1}{b + 1} = [{terms}]/{n - 1} = {_fr(exact_cov[a][b])}")
    cov_computed = [[float(c) for c in row] for row in exact_cov]
    cov_used = d.step("covariance", T("title.covariance"), T("formula.covariance"), cov_lines, cov_computed,
                      answer="covariance")
    cov = _exact_carried(cov_used, cov_computed, exact_cov, 2)
    cov_float = [[float(c) for c in row] for row in cov]

    computed_values, forms, poly_lines = _eigenvalues(cov)
    d.step("charpoly", T("title.charpoly"), T("formula.charpoly"), poly_lines, None)
    values = d.step("eigenvalues", T("title.eigenvalues"), T("formula.eigenvalues"),
                    "; ".join(f"λ{i + 1} = {form}" for i, form in enumerate(forms)), computed_values,
                    answer="eigenvalues")
    values = [float(v) for v in values]
    if any(abs(v) < 1e-9 for v in values):
        d.note(T("note.zero"))
    if any(abs(values[i] - values[i + 1]) < 1e-9 for i in range(len(values) - 1)):
        d.note(T("note.repeated"))

    vectors = _eigenvectors(np.array(cov_float), values)
    for i, (lam, vec) in enumerate(zip(values, vectors)):
        d.step(f"eigenvector/{i + 1}", T("title.eigenvector", i=i + 1), T("formula.eigenvector"),
               _eigenvector_lines(cov_float, lam, vec), vec.tolist())
    vector_list = [v.tolist() for v in vectors]
    vectors_used = d.step("eigenvectors", T("title.eigenvectors"), T("formula.eigenvectors"),
                          "; ".join(f"v{i + 1} = {_vec(v)}" for i, v in enumerate(vector_list)), vector_list,
                          answer="eigenvectors")
    vectors = [np.array(v, dtype=float) for v in vectors_used]

    total = sum(values)
    ratios = [v / total if total else float("nan") for v in values]
    d.step("ratios", T("title.ratios"), T("formula.ratios"), "; ".join(f"{fmt(v)}/{fmt(total)}" for v in values),
           ratios, answer="explained_variance_ratio")

    centred_f = np.array([[float(c) for c in row] for row in centred])
    top = np.array(vectors[:k])
    scores = centred_f @ top.T
    projections = scores[:, 0].tolist() if k == 1 else scores.tolist()
    lines = [f"F({label}) = " + "; ".join(
        f"{_vec(top[c].tolist())}·{_vec(centred_f[i].tolist())} = {_num(scores[i, c])}" for c in range(k))
        for i, label in enumerate(labels)]
    title = T("title.projections_one") if k == 1 else T("title.projections", k=k)
    d.step("projections", title, T("formula.projections"), lines, projections, answer="projections")

    query = given.get("query")
    if given.get("reconstruct") and query is not None:
        f1 = scores[query, 0]
        mean_f = [float(m) for m in mean]
        rebuilt = np.array(mean_f) + f1 * vectors[0]
        error = float(np.sum((np.array(given["points"][query], dtype=float) - rebuilt) ** 2))
        d.step("reconstruction", T("title.reconstruction", label=labels[query]), T("formula.reconstruction"),
               f"x̂ = {_vec(mean_f)} + {fmtp(f1)}·{_vec(vectors[0].tolist())} = {_vec(rebuilt.tolist())}", error,
               answer="reconstruction_error")
    return d.solution()


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


def _eigenvalues(cov: list[list[Fraction]]) -> tuple[list[float], list[str], list[Any]]:
    """Eigenvalues (descending, float), how each is found, and the lines of the characteristic
    polynomial (expanded by SymPy; solved by the quadratic formula in 2-D, factored in 3-D)."""
    import sympy as sp

    lam = sp.Symbol("λ")
    numeric = sorted(np.linalg.eigvalsh(np.array([[float(c) for c in row] for row in cov])).tolist(), reverse=True)
    if len(cov) > 3:  # beyond hand size: the polynomial's coefficients as decimals, no exact roots
        coefficients = np.poly(np.array([[float(c) for c in row] for row in cov])).tolist()
        noise = ZERO * max(abs(c) for c in coefficients)  # a zero coefficient comes out as ±1e−12 or so
        coefficients = [0.0 if abs(c) <= noise else c for c in coefficients]
        text = " ".join(f"{'+' if c >= 0 else '−'} {_num(abs(c))}·λ^{len(coefficients) - 1 - i}"
                        for i, c in enumerate(coefficients)).lstrip("+ ") + " = 0"
        return [0.0 if abs(v) < 1e-12 else v for v in numeric], [_num(v) for v in numeric], [text]
    matrix = sp.Matrix([[sp.Rational(c.numerator, c.denominator) for c in row] for row in cov])
    poly = matrix.charpoly(lam)
    coefficients = [Fraction(int(sp.fraction(c)[0]), int(sp.fraction(c)[1])) for c in poly.all_coeffs()]
    lines: list[Any] = [_polynomial_text(coefficients)]
    forms = [_num(v) for v in numeric]
    if len(cov) == 2:
        trace, det = -coefficients[1], coefficients[2]
        disc = trace * trace - 4 * det
        root = math.sqrt(max(float(disc), 0.0))
        lines.append(f"λ = [tr ± √(tr² − 4·det)]/2 = [{_fr(trace)} ± √({_fr(trace * trace)} − 4·{_fr(det)})]/2"
                     f" = [{_fr(trace)} ± {fmt(root)}]/2")
        numeric = [(float(trace) + root) / 2, (float(trace) - root) / 2]
        forms = [_num(v) for v in numeric]
    elif len(cov) == 3:
        roots = sp.roots(poly, multiple=True)
        if len(roots) == 3 and all(r.is_real for r in roots):
            exact = sorted(roots, key=lambda r: float(sp.N(r)), reverse=True)
            numeric = [float(sp.N(r, 30)) for r in exact]
            forms = [_num(v) if r.is_rational else f"{_plain(r)} ≈ {_num(v)}" for r, v in zip(exact, numeric)]
            lines.append(T("line.factored", polynomial=_plain(sp.factor(poly.as_expr()))))
    return [0.0 if abs(v) < 1e-12 else v for v in numeric], forms, lines


def _shifted(cov: Any, lam: float) -> list[list[float]]:
    """S − λI."""
    size = len(cov)
    return [[float(cov[a][b]) - (lam if a == b else 0.0) for b in range(size)] for a in range(size)]


def _is_zero(matrix: list[list[float]]) -> bool:
    return all(abs(x) <= ZERO for row in matrix for x in row)


def _solving_row(shifted: list[list[float]]) -> list[float] | None:
    """In 2-D, the first non-zero row [a, b] of S − λI; then v ∝ [b, −a]. None when S − λI = 0."""
    return next((row for row in shifted if abs(row[0]) + abs(row[1]) > ZERO), None)


def _eigenvectors(cov: np.ndarray, values: list[float]) -> list[np.ndarray]:
    """Unit eigenvectors aligned with `values`. In 2-D from (S − λI)v = 0 directly, as by hand; when
    S − λI = 0 (S = λI) every vector is one, and the unit basis vectors are taken."""
    d = len(cov)
    if d == 2 and abs(values[0] - values[1]) > 1e-12:
        out = []
        for i, lam in enumerate(values):
            row = _solving_row(_shifted(cov, lam))
            v = np.array([row[1], -row[0]]) if row is not None else np.zeros(2)
            if np.linalg.norm(v) < ZERO:
                v = np.eye(2)[i]
            out.append(_sign_fixed(v / np.linalg.norm(v)))
        return out
    if all(_is_zero(_shifted(cov, lam)) for lam in values):
        return [np.eye(d)[i] for i in range(d)]
    w, vecs = np.linalg.eigh(cov)
    order = np.argsort(w)[::-1]
    return [_sign_fixed(vecs[:, i]) for i in order]


def _eigenvector_lines(cov: list[list[float]], lam: float, vec: np.ndarray) -> list[Any]:
    shifted = _shifted(cov, lam)
    rows = "; ".join(", ".join(_num(x) for x in row) for row in shifted)
    first = f"S − {fmt(lam)}·I = [{rows}]"
    if _is_zero(shifted):
        return [first, T("line.any_vector", vector=_vec(vec.tolist()))]
    if len(cov) == 2:
        row = _solving_row(shifted)
        a, b = row
        b_factor = fmtp(0.0 if abs(b) <= ZERO else b)
        return [first, f"{_num(a)}·x + {b_factor}·y = 0 ⇒ v ∝ {_vec([b, -a])} ⇒ v = {_vec(vec.tolist())}"]
    return [f"{first} ⇒ v = {_vec(vec.tolist())}"]


# --------------------------------------------------------------------------- the problem text

def statement(given: dict) -> list[Msg]:
    text = [T("statement.main", n=len(given["points"]), d=len(given["points"][0]))]
    query = given.get("query")
    if query is not None:
        text.append(T("statement.query", label=given["labels"][query]))
        if given.get("reconstruct"):
            text.append(T("statement.reconstruct", label=given["labels"][query]))
    return text


def table(given: dict) -> tuple[list, list[list[str]]]:
    d = len(given["points"][0])
    names = ["x", "y", "z"] if d <= 3 else [f"x{j + 1}" for j in range(d)]
    labels = given.get("labels") or [f"x{i + 1}" for i in range(len(given["points"]))]
    return [T("header.point"), *names[:d]], [[label, *(fmt(v) for v in p)] for label, p in zip(labels, given["points"])]


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    a = solution.answers
    out = [
        Part(("mean",), T("prompt.mean"), "vector", a["mean"], step="mean"),
        Part(("covariance",), T("prompt.covariance"), "matrix", a["covariance"], step="covariance"),
        Part(("eigenvalues",), T("prompt.eigenvalues"), "vector", a["eigenvalues"], step="eigenvalues"),
        Part(("eigenvectors",), T("prompt.eigenvectors"), "matrix", a["eigenvectors"], sign_free=True,
             step="eigenvectors"),
        Part(("explained_variance_ratio",), T("prompt.explained_variance_ratio"), "vector",
             a["explained_variance_ratio"], step="ratios"),
    ]
    query = given.get("query")
    if query is not None:
        label = given["labels"][query]
        projection = a["projections"][query]
        # Projections change sign with the eigenvector, so either sign is right.
        out.append(Part(("projections", query), T("prompt.projection", label=label), "number", projection,
                        step="projections", accepted=((-projection, T("accepted.opposite_sign")),)))
        if given.get("reconstruct"):
            out.append(Part(("reconstruction_error",), T("prompt.reconstruction_error", label=label), "number",
                            a["reconstruction_error"], step="reconstruction"))
    return out


def well_posed(problem: Any) -> None:
    """Clearly distinct, positive eigenvalues; easy: rational eigenvalues (halves) and a whole mean."""
    a, level = problem.solution.answers, problem.difficulty
    values = a["eigenvalues"]
    assert all(x - y >= 0.15 * x - 1e-9 for x, y in zip(values, values[1:])) and values[-1] > 0
    if level == "easy":
        assert all(Fraction(v).limit_denominator(1000) * 2 % 1 == 0 for v in values)
        assert all(float(m).is_integer() for m in a["mean"])


# --------------------------------------------------------------------------- generating

def _is_square(x: Fraction) -> bool:
    return x >= 0 and math.isqrt(x.numerator) ** 2 == x.numerator and math.isqrt(x.denominator) ** 2 == x.denominator


def _two_d(rng: random.Random, n: int, scale: int, rational: bool, mean_places: int) -> list[list[float]]:
    for _ in attempts(TRIES):
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


def parse_data(values: dict) -> dict:
    """--data: points `"2.5,2.4;0.4,0.7;2.2,2.9"` (fractions such as 1/2 allowed), or a CSV file (rows are
    samples; a first row with letters is a header of names); --k: components to project on."""
    data = values["data"]
    text = data.text
    if data.path:
        lines = [line for line in text.lstrip("\ufeff").splitlines() if line.strip()]
        if lines and any(c.isalpha() for c in lines[0].replace("e", "").replace("E", "")):
            lines = lines[1:]  # a header row
        text = ";".join(lines)
    points = number_rows(text, "--data")
    if len(points) < 2:
        raise UserError(T("error.few_points"))
    if len(points) > MAX_POINTS or len(points[0]) > MAX_DIM:
        raise UserError(T("error.too_big", points=MAX_POINTS, dimensions=MAX_DIM))
    if any(abs(v) > MAX_COORDINATE for p in points for v in p):
        raise UserError(T("error.too_large"))
    k = values.get("k") or 1
    if not 1 <= int(k) <= len(points[0]):
        raise UserError(T("error.k_range", dimensions=len(points[0])))
    labels = list(LABELS[: len(points)]) if len(points) <= len(LABELS) else [f"x{i + 1}" for i in range(len(points))]
    query = _query_index(values.get("query"), labels)
    return {"points": points, "labels": labels, "k": int(k), "query": query, "reconstruct": query is not None}


def _query_index(label: str | None, labels: list[str]) -> int | None:
    """--query: the label of the point to project and reconstruct (A, B, …; x1, x2, … past 26 points)."""
    if label is None:
        return None
    wanted = label.strip().lower()
    found = next((i for i, name in enumerate(labels) if name.lower() == wanted), None)
    if found is None:
        raise UserError(T("error.query", label=short(label), first=labels[0], last=labels[-1]))
    return found


def as_options(given: dict) -> dict[str, str | None]:
    """The `solve pca` options that pose this problem again: the points (exact reprs), k and the query
    point (asking for its projection and its reconstruction)."""
    query = given.get("query")
    return {"data": typed(given["points"]),
            "k": str(given.get("k", 1) or 1),
            "query": given["labels"][query] if query is not None else None}


def from_bank(entry: dict) -> dict:
    """One entry of problems/pca/bank.toml → given, read as `solve pca` reads its options: `data` is
    inline points as --data spells them ("2.5,2.4;0.4,0.7") or a list of rows, `k` and `query` as
    --k and --query. The bank is shipped data, so a malformed entry is a ValueError."""
    from mlquiz.options import DataText

    where = f"bank:{entry.get('id')}"
    data = entry.get("data")
    try:
        if isinstance(data, list):
            data = typed(data)
        if not isinstance(data, str) or not data.strip():
            raise ValueError(f"data = {data!r}")
        query = entry.get("query")
        return parse_data({"data": DataText(data), "k": entry.get("k", 1),
                           "query": None if query is None else str(query)})
    except (UserError, TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from None


# --------------------------------------------------------------------------- misconceptions
# Each returns the value the wrong method gives at the checkpoint `path` (texts in
# problems/pca/text.<lang>.toml, applies_to in misconceptions.toml).

def _right(given: dict) -> dict:
    return solve(given).answers


def _over_n(given: dict, path: tuple, student: Any, override: dict) -> Any:
    """Divided by n: the covariance and the eigenvalues shrink by (n − 1)/n."""
    n = len(given["points"])
    value = np.array(answer_at(_right(given), path), dtype=float)
    return (value * (n - 1) / n).tolist()


def _not_normalised(given: dict, path: tuple, student: Any, override: dict) -> Any:
    """The right directions at the lengths the student wrote (so only the normalisation differs); for
    any other student value, the 2-D vectors as solved from (S − λI)v = 0, v ∝ [b, −a], undivided."""
    answers = _right(given)
    right = np.array(answer_at(answers, path), dtype=float)
    if right.ndim == 0:
        return None  # one component: its length is not visible
    rows = np.atleast_2d(right)
    mine = np.atleast_2d(np.array(student, dtype=float)) if student is not None else None
    if mine is not None and mine.shape == rows.shape:
        lengths = np.linalg.norm(mine, axis=1)
        if not np.allclose(lengths, 1, atol=0.01) and not np.any(lengths == 0):
            if np.all(np.abs(np.sum(rows * mine, axis=1)) / lengths >= 0.999):
                scaled = rows * np.sum(rows * mine, axis=1)[:, None]
                return (scaled if right.ndim == 2 else scaled[0]).tolist()
    if len(given["points"][0]) != 2:
        return None
    solving = [_solving_row(_shifted(answers["covariance"], lam)) for lam in answers["eigenvalues"]]
    if any(row is None for row in solving):
        return None
    hand = np.array([[row[1], -row[0]] for row in solving])
    if np.allclose(np.linalg.norm(hand, axis=1), 1, atol=0.01):
        return None
    vectors = np.array(answers["eigenvectors"], dtype=float)
    hand *= np.where(np.sum(hand * vectors, axis=1) < 0, -1.0, 1.0)[:, None]  # the printed orientation
    return answer_at({"eigenvectors": hand.tolist()}, path)


def _ascending(given: dict, path: tuple, student: Any, override: dict) -> Any:
    """Smallest first: the list of the answer in reverse order."""
    answers = _right(given)
    return answer_at({path[0]: list(reversed(answers[path[0]]))}, path)


def _not_centred(given: dict, path: tuple, student: Any, override: dict) -> Any:
    """vᵀx on the raw points (with the student's eigenvectors when they were carried forward)."""
    k = min(given.get("k", 1) or 1, len(given["points"][0]))
    vectors = (override or {}).get(("eigenvectors",))
    if vectors is None:
        vectors = _right(given)["eigenvectors"]
    top = np.array(vectors, dtype=float)[:k]
    scores = np.array(given["points"], dtype=float) @ top.T
    value = scores[:, 0].tolist() if k == 1 else scores.tolist()
    return answer_at({"projections": value}, path)


NOTES_POINTS = [[2.5, 2.4], [0.4, 0.7], [2.2, 2.9]]  # the course notes' A, B, C (PCA section)


def _notes_slip(given: dict, path: tuple, student: Any, override: dict) -> Any:
    """The notes' printed covariance of their own A/B/C example, cov(x,x) = 1.26 (it is 1.29):
    recognised on that example only."""
    if [[float(x) for x in p] for p in given["points"]] != NOTES_POINTS:
        return None
    right = answer_at(_right(given), ("covariance",))
    return [[1.26, right[0][1]], [right[1][0], right[1][1]]]


VARIANTS = {
    "notes_covariance_slip": _notes_slip,
    "covariance_over_n": _over_n,
    "not_normalised": _not_normalised,
    "ascending_order": _ascending,
    "not_centred": _not_centred,
}

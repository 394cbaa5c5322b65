"""Convolution, pooling and transposed-convolution sizes and parameter counts.

conv / pool: out = ⌊(N + 2P − D(F−1) − 1)/S⌋ + 1   (D = 1: ⌊(N + 2P − F)/S⌋ + 1)
deconv:      out = (N − 1)·S − 2P + D(F−1) + 1      (D = 1: (N − 1)·S − 2P + F)
parameters of a conv or deconv layer: (F·F·C_in + 1)·C_out; pooling has none.
"Same" padding for stride 1: P = D(F−1)/2.

given = {"input": {"n": side, "c": channels or None},
         "layers": [{"kind": "conv"|"pool"|"deconv", "f", "p", "s", "d", "c": out channels or None}],
         "same_padding": [layer indices whose keep-the-size padding is asked] (optional),
         "c_in_default": true when the user gave only c= for one layer and the input depth was taken as 1}

Answers: output_size (side of the last layer), shapes[i] = [c, h, w] after layer i, parameters[i],
total_parameters (None when a count is unknown), same_padding[j] (for the j-th asked layer).
Steps: `layers`, `size/<k>`, `parameters/<k>` (k = layer number from 1), `total`, `same_padding/<k>`.
"""

from __future__ import annotations

import random
import re
from typing import Any

from mlquiz.answers import normalise
from mlquiz.derivation import Derivation
from mlquiz.errors import UserError, short
from mlquiz.model import Part, Solution
from mlquiz.text import Msg, Texts
from mlquiz.topics.common import DataText, attempts, fmt

T = Texts("conv")

KINDS = ("conv", "pool", "deconv")
MAX_SIDE = 100_000
MAX_LAYERS = 30

# The fields each piece of --data may hold (c_out is an old spelling of c, accepted, not advertised).
SINGLE_FIELDS = ("n", "f", "p", "s", "d", "c", "c_in")
INPUT_FIELDS = ("n", "c")
LAYER_FIELDS = ("f", "p", "s", "d", "c")
POOL_FIELDS = ("f", "p", "s", "d")
ALIASES = {"c_out": "c"}


# --------------------------------------------------------------------------- formulas

def output_side(kind: str, n: int, f: int, p: int, s: int, d: int = 1) -> int:
    if kind == "deconv":
        return (n - 1) * s - 2 * p + d * (f - 1) + 1
    return (n + 2 * p - d * (f - 1) - 1) // s + 1


def parameter_count(kind: str, f: int, c_in: int | None, c_out: int | None) -> int | None:
    if kind == "pool":
        return 0
    if c_in is None or c_out is None:
        return None
    return (f * f * c_in + 1) * c_out


def describe(layer: dict) -> str:
    """The layer in the --data notation: `conv f=5 p=2 s=1 c=16`."""
    items = [layer["kind"], f"f={layer['f']}"]
    if layer.get("p"):
        items.append(f"p={layer['p']}")
    items.append(f"s={layer['s']}")
    if layer.get("d", 1) != 1:
        items.append(f"d={layer['d']}")
    if layer.get("c") is not None and layer["kind"] != "pool":
        items.append(f"c={layer['c']}")
    return " ".join(items)


def _size_rule(kind: str, n: int, f: int, p: int, s: int, d: int) -> tuple[Msg, str]:
    """The formula of the size step and the formula with this layer's numbers."""
    plain = d == 1
    n, f, p, s, d = (fmt(v) for v in (n, f, p, s, d))
    if kind == "deconv":
        if plain:
            return T("formula.deconv_size"), f"({n} − 1)·{s} − 2·{p} + {f}"
        return T("formula.deconv_size_dilated"), f"({n} − 1)·{s} − 2·{p} + {d}·({f} − 1) + 1"
    if plain:
        return T("formula.size"), f"⌊({n} + 2·{p} − {f})/{s}⌋ + 1"
    return T("formula.size_dilated"), f"⌊({n} + 2·{p} − {d}·({f} − 1) − 1)/{s}⌋ + 1"


# --------------------------------------------------------------------------- solving

def solve(given: dict, override: dict[tuple, Any] | None = None) -> Solution:
    """Every layer in order; a student's own shape (override) is carried into the next layer."""
    d = Derivation(override)
    layers = given["layers"]
    n, c = given["input"]["n"], given["input"].get("c")
    d.step("layers", T("title.layers"), T("formula.layers"),
           T("line.layers", n=n, layers="; ".join(f"{i + 1}: {describe(layer)}" for i, layer in enumerate(layers))),
           None)
    if given.get("c_in_default"):
        d.note(T("note.c_in_default"))
    params: list[int | None] = []
    for i, layer in enumerate(layers):
        k = i + 1
        kind, f, p, s, dil = layer["kind"], layer["f"], layer.get("p", 0), layer.get("s", 1), layer.get("d", 1)
        label = describe(layer)
        formula, substituted = _size_rule(kind, n, f, p, s, dil)
        out = output_side(kind, n, f, p, s, dil)
        if kind != "deconv":
            top = n + 2 * p - dil * (f - 1) - 1
            if top >= 0 and top % s:
                d.note(T("note.floor", i=k, top=top, s=s))
        if out < 1:
            raise UserError(T("error.does_not_fit", i=k, layer=label, n=n, out=out))
        if out > MAX_SIDE:
            raise UserError(T("error.too_big", i=k, layer=label, out=out, limit=MAX_SIDE))
        c_out = c if kind == "pool" else layer.get("c")
        count = parameter_count(kind, f, c, c_out)
        also = []
        if kind == "pool":
            also.append((("parameters", i), count))
        if i == len(layers) - 1:
            also.append((("output_size",), out))
        shape = d.step(f"size/{k}", T("title.size", i=k, layer=label), formula, f"{substituted} = {fmt(out)}",
                       [c_out, out, out], answer=("shapes", i), also=also,
                       note=T("note.pool_channels") if kind == "pool" else None)
        if kind != "pool":
            line = (f"({fmt(f)}·{fmt(f)}·{fmt(c)} + 1)·{fmt(c_out)} = {fmt(count)}" if count is not None
                    else T("line.parameters_unknown_single" if len(layers) == 1 else "line.parameters_unknown"))
            d.step(f"parameters/{k}", T("title.parameters", i=k, layer=label), T("formula.parameters"), line,
                   count, answer=("parameters", i))
        params.append(count)
        n = int(shape[1])
        c = c_out
    total = sum(params) if all(p is not None for p in params) else None
    d.step("total", T("title.total"), T("formula.total"),
           " + ".join(fmt(p) for p in params) + f" = {fmt(total)}" if total is not None else T("line.total_unknown"),
           total, answer="total_parameters")
    for j, i in enumerate(given.get("same_padding", [])):
        layer = given["layers"][i]
        dilation = layer.get("d", 1)
        value = dilation * (layer["f"] - 1) // 2
        d.step(f"same_padding/{i + 1}", T("title.same_padding", i=i + 1), T("formula.same_padding"),
               f"P = {fmt(dilation)}·({fmt(layer['f'])} − 1)/2 = {fmt(value)}", value, answer=("same_padding", j))
    return d.solution()


# --------------------------------------------------------------------------- problem text

def _single(given: dict) -> bool:
    return len(given["layers"]) == 1


def _input_phrase(n: int, c_in: int | None, layer: dict) -> Msg:
    c_out = layer.get("c")
    if c_in is None or c_out is None or layer["kind"] == "pool":
        return T("input.plain", n=n)
    if c_out != 1:
        return T("input.channels_many", n=n, c_in=c_in, c_out=c_out)
    if c_in == 1:
        return T("input.channel_one", n=n)
    return T("input.channels_to_one", n=n, c_in=c_in)


def statement(given: dict) -> list[Msg]:
    n, c = given["input"]["n"], given["input"].get("c")
    if _single(given):
        layer = given["layers"][0]
        d = layer.get("d", 1)
        window = T("window.dilated", f=layer["f"], d=d) if d != 1 else T("window.plain", f=layer["f"])
        text = [T("statement.single", kind=T(f"kind.{layer['kind']}"), window=window, p=layer.get("p", 0),
                  s=layer.get("s", 1), input=_input_phrase(n, c, layer))]
    else:
        if c is None:
            intro = T("statement.chain_unknown", n=n)
        else:
            intro = T("statement.chain_one" if c == 1 else "statement.chain_many", c=c, n=n)
        text = [intro, T("statement.legend")]
    for i in given.get("same_padding", []):
        text.append(T("statement.same", layer=i + 1))
    return text


def table(given: dict) -> tuple[list, list[list]] | None:
    if _single(given):
        return None
    rows = [[str(i + 1), layer["kind"], str(layer["f"]), str(layer.get("p", 0)), str(layer.get("s", 1)),
             str(layer.get("d", 1)), T("cell.same") if layer["kind"] == "pool" else fmt(layer.get("c"))]
            for i, layer in enumerate(given["layers"])]
    return [T("header.layer"), T("header.kind"), "f", "p", "s", "d", T("header.c_out")], rows


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    answers = solution.answers
    out: list[Part] = []
    last = len(given["layers"])
    if _single(given):
        out.append(Part(("output_size",), T("prompt.output_size"), "integer", answers["output_size"],
                        step=f"size/{last}"))
        if answers["parameters"][0]:
            out.append(Part(("parameters", 0), T("prompt.parameters", i=1, layer=describe(given["layers"][0])),
                            "integer", answers["parameters"][0], step="parameters/1"))
    else:
        for i, layer in enumerate(given["layers"]):
            label = describe(layer)
            out.append(Part(("shapes", i), T("prompt.shape", i=i + 1, layer=label), "integer",
                            answers["shapes"][i], step=f"size/{i + 1}"))
            if answers["parameters"][i]:
                out.append(Part(("parameters", i), T("prompt.parameters", i=i + 1, layer=label), "integer",
                                answers["parameters"][i], step=f"parameters/{i + 1}"))
        if answers.get("total_parameters") is not None:
            out.append(Part(("total_parameters",), T("prompt.total_parameters"), "integer",
                            answers["total_parameters"], step="total"))
    for j, i in enumerate(given.get("same_padding", [])):
        out.append(Part(("same_padding", j), T("prompt.same_padding", i=i + 1), "integer",
                        answers["same_padding"][j], step=f"same_padding/{i + 1}"))
    return out


def well_posed(problem: Any) -> None:
    """Sizes divide evenly unless the (hard) question is about flooring; every side is at least 1."""
    level, a = problem.difficulty, problem.solution.answers
    floors = [note for note in problem.solution.notes if note.key == "conv.note.floor"]
    assert bool(floors) == (level == "hard")
    assert all(side >= 1 for _, side, _ in a["shapes"])


# --------------------------------------------------------------------------- generating

SIDES = (5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 28, 32, 64, 224)


def _fits_evenly(n: int, layer: dict) -> bool:
    if layer["kind"] == "deconv":
        return True
    top = n + 2 * layer.get("p", 0) - layer.get("d", 1) * (layer["f"] - 1) - 1
    return top >= 0 and top % layer.get("s", 1) == 0


def _easy(rng: random.Random) -> dict:
    for _ in attempts():
        n = rng.choice(SIDES[:12] + (28, 32))
        kind = rng.choice(("conv", "conv", "pool"))
        f = rng.choice((2, 3)) if kind == "pool" else rng.choice((1, 3, 5, 7))
        s = rng.choice((1, 2, 2)) if kind == "conv" else f
        p = 0 if kind == "pool" else rng.choice((0, 0, 1, 2))
        layer = {"kind": kind, "f": f, "p": p, "s": s, "d": 1}
        c_in = rng.choice((1, 3))
        if kind == "conv":
            layer["c"] = rng.choice((4, 6, 8, 16))
        if _fits_evenly(n, layer) and output_side(kind, n, f, p, s) >= 2:
            return {"input": {"n": n, "c": c_in}, "layers": [layer]}


def _conv_layer(rng: random.Random, n: int) -> dict:
    f = rng.choice((3, 3, 5, 1))
    p = rng.choice((0, (f - 1) // 2))
    s = rng.choice((1, 1, 2))
    return {"kind": "conv", "f": f, "p": p, "s": s, "d": 1, "c": rng.choice((4, 6, 8, 16, 32))}


def _medium(rng: random.Random) -> dict:
    for _ in attempts():
        n = rng.choice((12, 16, 28, 32, 64))
        layers = [_conv_layer(rng, n), {"kind": "pool", "f": 2, "p": 0, "s": 2, "d": 1}, _conv_layer(rng, n)]
        given = {"input": {"n": n, "c": rng.choice((1, 3))}, "layers": layers}
        if _all_even(given):
            return given


def _all_even(given: dict) -> bool:
    n = given["input"]["n"]
    for layer in given["layers"]:
        if not _fits_evenly(n, layer):
            return False
        n = output_side(layer["kind"], n, layer["f"], layer.get("p", 0), layer.get("s", 1), layer.get("d", 1))
        if n < 2:
            return False
    return True


def _hard(rng: random.Random) -> dict:
    """A chain with a dilated conv, a pool whose stride does not divide evenly, a transposed conv,
    and the size-keeping padding of a layer."""
    for _ in attempts():
        n = rng.choice((13, 15, 17, 21, 27, 31, 33))
        dilated = {"kind": "conv", "f": 3, "p": rng.choice((0, 1, 2)), "s": 1, "d": 2, "c": rng.choice((8, 16))}
        pool = {"kind": "pool", "f": rng.choice((2, 3)), "p": 0, "s": 2, "d": 1}
        deconv = {"kind": "deconv", "f": rng.choice((2, 3, 4)), "p": rng.choice((0, 1)), "s": 2, "d": 1,
                  "c": rng.choice((4, 8))}
        given = {"input": {"n": n, "c": 3}, "layers": [dilated, pool, deconv], "same_padding": [0]}
        side = output_side("conv", n, 3, dilated["p"], 1, 2)
        uneven = not _fits_evenly(side, pool)
        try:
            sizes = solve(given).answers["shapes"]
        except UserError:
            continue
        if uneven and min(s[1] for s in sizes) >= 3:
            return given


def generate(rng: random.Random, difficulty: str) -> dict:
    return {"easy": _easy, "medium": _medium, "hard": _hard}[difficulty](rng)


# --------------------------------------------------------------------------- parsing --data

_FIELD = re.compile(r"^([a-z_]+)\s*=\s*(-?\d{1,9})$")


def _fields(text: str, where: Msg, allowed: tuple[str, ...], aliases: dict[str, str] | None = None) -> dict[str, int]:
    """`f=5 p=2` → {"f": 5, "p": 2}; a field that does not belong here, or comes twice, is an error."""
    aliases = aliases or {}
    fields: dict[str, int] = {}
    spelled: dict[str, str] = {}
    for item in re.split(r"[,\s]+", text.strip()):
        if not item:
            continue
        match = _FIELD.match(item.lower())
        name = aliases.get(match.group(1), match.group(1)) if match else None
        if name not in allowed:
            raise UserError(T("error.field", item=short(item), where=where, fields=[f"{a}=" for a in allowed]))
        if name in fields:
            if spelled[name] != match.group(1):  # c= and its other spelling c_out=
                raise UserError(T("error.c_twice", where=where))
            raise UserError(T("error.repeated", field=name, where=where))
        spelled[name] = match.group(1)
        fields[name] = int(match.group(2))
    return fields


def _layer(kind: str, fields: dict[str, int], where: Msg) -> dict:
    if "f" not in fields:
        raise UserError(T("error.needs_f", where=where))
    layer = {"kind": kind, "f": fields["f"], "p": fields.get("p", 0), "s": fields.get("s", 1),
             "d": fields.get("d", 1), "c": None if kind == "pool" else fields.get("c")}
    if layer["f"] < 1 or layer["s"] < 1 or layer["d"] < 1 or layer["p"] < 0:
        raise UserError(T("error.layer_range", where=where))
    if layer["c"] is not None and layer["c"] < 1:
        raise UserError(T("error.channels_range", where=where))
    if max(layer["f"], layer["s"], layer["d"], layer["p"]) > MAX_SIDE:
        raise UserError(T("error.too_large", where=where, limit=MAX_SIDE))
    return layer


def _single_layer(piece: str) -> dict:
    """`n=32,f=5,p=2,s=1[,c=16[,c_in=3]]`: c is the output channels (kernels), c_in the input's."""
    where = T("where.single")
    fields = _fields(piece, where, SINGLE_FIELDS, ALIASES)
    if "n" not in fields:
        raise UserError(T("error.needs_n"))
    layer = _layer("conv", fields, where)
    c_in = fields.get("c_in")
    given: dict[str, Any] = {"input": {"n": fields["n"], "c": c_in}, "layers": [layer]}
    if c_in is not None and layer["c"] is None:
        raise UserError(T("error.c_in_without_c"))
    if c_in is None and layer["c"] is not None:
        given["input"]["c"] = 1
        given["c_in_default"] = True
    return given


def parse_data(values: dict) -> dict:
    """--data: `n=32,f=5,p=2,s=1` (one conv layer) or `input n=32 c=3; conv f=5 p=2 s=1 c=16; pool f=2 s=2; …`;
    --same-padding: the layers (numbered from 1) whose size-keeping padding is asked."""
    given = _read_layers(values.get("data"))
    asked = values.get("same_padding")
    if asked:
        count = len(given["layers"])
        for number in asked:
            if not 1 <= number <= count or number != int(number):
                raise UserError(T("error.same_layer", value=number, count=count))
            layer = given["layers"][int(number) - 1]
            if layer.get("d", 1) * (layer["f"] - 1) % 2:
                raise UserError(T("error.same_odd", i=int(number), span=layer.get("d", 1) * (layer["f"] - 1)))
        if len(set(asked)) < len(asked):
            raise UserError(T("error.same_twice"))
        given["same_padding"] = [int(number) - 1 for number in asked]
    return given


def as_options(given: dict) -> dict[str, str | None]:
    """The `solve conv` options that pose this problem again."""
    n, c = given["input"]["n"], given["input"].get("c")
    layers = given["layers"]
    first = layers[0]

    def fields(layer: dict) -> str:
        out = f"f={layer['f']} p={layer.get('p', 0)} s={layer.get('s', 1)} d={layer.get('d', 1)}"
        return out + (f" c={layer['c']}" if layer["kind"] != "pool" and layer.get("c") is not None else "")

    if len(layers) == 1 and first["kind"] == "conv":
        data = f"n={n} {fields(first)}" + (f" c_in={c}" if c is not None and first.get("c") is not None else "")
    else:
        data = "; ".join([f"input n={n}" + (f" c={c}" if c is not None else ""),
                          *(f"{layer['kind']} {fields(layer)}" for layer in layers)])
    same = given.get("same_padding")
    return {"data": data, "same_padding": ",".join(str(i + 1) for i in same) if same else None}


def _read_layers(data: Any) -> dict:
    """The layers of --data."""
    text = data.text if isinstance(data, DataText) else (data or "")
    clean = normalise(text).strip()
    if not clean:
        raise UserError(T("error.no_data"))
    pieces = [piece.strip() for piece in clean.split(";") if piece.strip()]
    if not pieces:
        raise UserError(T("error.no_layer"))
    first_word = pieces[0].split()[0].lower()
    if len(pieces) == 1 and first_word not in ("input", *KINDS):
        return _checked(_single_layer(pieces[0]))
    if first_word != "input":
        raise UserError(T("error.chain_start"))
    head = _fields(pieces[0][len("input"):], T("where.input"), INPUT_FIELDS)
    if "n" not in head:
        raise UserError(T("error.input_n"))
    if len(pieces) > MAX_LAYERS + 1:
        raise UserError(T("error.too_many_layers", limit=MAX_LAYERS))
    layers = []
    for i, piece in enumerate(pieces[1:], start=1):
        words = piece.split(None, 1)
        kind = words[0].lower()
        if kind not in KINDS:
            raise UserError(T("error.kind", i=i, word=short(words[0])))
        allowed, aliases = (POOL_FIELDS, None) if kind == "pool" else (LAYER_FIELDS, ALIASES)
        fields = _fields(words[1] if len(words) > 1 else "", T("where.layer", i=i), allowed, aliases)
        layers.append(_layer(kind, fields, T("where.layer_kind", i=i, kind=kind)))
    if not layers:
        raise UserError(T("error.no_layers"))
    for i, layer in enumerate(layers, start=1):
        if layer["kind"] != "pool" and layer["c"] is None:
            raise UserError(T("error.needs_c", i=i, kind=layer["kind"]))
    return _checked({"input": {"n": head["n"], "c": head.get("c")}, "layers": layers})


def _checked(given: dict) -> dict:
    if not 1 <= given["input"]["n"] <= MAX_SIDE:
        raise UserError(T("error.input_side", limit=MAX_SIDE))
    if given["input"].get("c") is not None and given["input"]["c"] < 1:
        raise UserError(T("error.input_channels"))
    solve(given)  # a layer that cannot fit is reported now, naming the layer
    return given


def from_bank(entry: dict) -> dict:
    """One problem of bank.toml: `data` in the --data notation, `same_padding` as --same-padding
    (layer numbers from 1). A malformed entry is a bug in the shipped data: ValueError."""
    data, same = entry.get("data"), entry.get("same_padding", [])
    if not isinstance(data, str) or not isinstance(same, list) or not all(type(i) is int for i in same):
        raise ValueError(f"conv/bank.toml [{entry.get('id')}]: data = '…', same_padding = [1, …]")
    try:
        return parse_data({"data": data, "same_padding": same or None})
    except UserError as exc:
        raise ValueError(f"conv/bank.toml [{entry.get('id')}]: {exc}") from None


# --------------------------------------------------------------------------- misconceptions
# Each returns the value the wrong method gives at the answer `path` (texts: misconception.<id>.*
# in text.<lang>.toml; applies_to in misconceptions.toml). Sizes use the student's own earlier
# shapes where the checker carried them forward (override, keyed by path).

def _inputs(given: dict, override: dict) -> list[tuple[int, int | None]]:
    """(side, channels) entering each layer, from the student's shapes where they gave them."""
    shapes = solve(given).answers["shapes"]
    out, n, c = [], given["input"]["n"], given["input"].get("c")
    for i in range(len(given["layers"])):
        out.append((n, c))
        shape = override.get(("shapes", i), shapes[i])
        n, c = int(shape[1]), shape[0]
    return out


def _layer_index(given: dict, path: tuple) -> int:
    return int(path[1]) if path[0] in ("shapes", "parameters") and len(path) > 1 else len(given["layers"]) - 1


def _size_variant(side_rule):
    def variant(given: dict, path: tuple, student: Any, override: dict) -> Any:
        i = _layer_index(given, path)
        layer = given["layers"][i]
        n, c = _inputs(given, override or {})[i]
        side = side_rule(layer, n)
        if side is None:
            return None
        if path[0] == "output_size":
            return side
        return [c if layer["kind"] == "pool" else layer.get("c"), side, side]
    return variant


def _span(layer: dict) -> int:
    return layer.get("d", 1) * (layer["f"] - 1) + 1


def _count_variant(rule):
    def variant(given: dict, path: tuple, student: Any, override: dict) -> Any:
        inputs = _inputs(given, override or {})
        counts = [0 if layer["kind"] == "pool" or c is None or layer.get("c") is None
                  else rule(layer["f"], c, layer["c"]) for layer, (_, c) in zip(given["layers"], inputs)]
        if path[0] == "total_parameters":
            return sum(counts)
        return counts[_layer_index(given, path)]
    return variant


VARIANTS = {
    "no_plus_one": _size_variant(lambda layer, n: None if layer["kind"] == "deconv"
                                 else (n + 2 * layer.get("p", 0) - _span(layer)) // layer.get("s", 1)),
    "padding_once": _size_variant(lambda layer, n: None if layer["kind"] == "deconv" or not layer.get("p")
                                  else (n + layer["p"] - _span(layer)) // layer.get("s", 1) + 1),
    "transposed_as_conv": _size_variant(lambda layer, n: None if layer["kind"] != "deconv"
                                        else (n + 2 * layer.get("p", 0) - _span(layer)) // layer.get("s", 1) + 1),
    "no_bias": _count_variant(lambda f, c_in, c_out: f * f * c_in * c_out),
    "no_input_channels": _count_variant(lambda f, c_in, c_out: (f * f + 1) * c_out),
}

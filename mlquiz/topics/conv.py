"""Convolution, pooling and transposed-convolution sizes and parameter counts.

conv / pool: out = ⌊(N + 2P − D(F−1) − 1)/S⌋ + 1   (D = 1: ⌊(N + 2P − F)/S⌋ + 1)
deconv:      out = (N − 1)·S − 2P + D(F−1) + 1      (D = 1: (N − 1)·S − 2P + F)
parameters of a conv or deconv layer: (F·F·C_in + 1)·C_out; pooling has none.
"Same" padding for stride 1: P = D(F−1)/2.

given = {"input": {"n": side, "c": channels or None},
         "layers": [{"kind": "conv"|"pool"|"deconv", "f", "p", "s", "d", "c": out channels or None}],
         "same_padding": [layer indices whose keep-the-size padding is asked] (optional)}
"""

from __future__ import annotations

import random
import re
from typing import Any

from mlquiz.answers import normalise
from mlquiz.errors import UserError, short
from mlquiz.model import Part, Solution, Step
from mlquiz.topics.common import split_name

TEXT = {
    "statement_single": "A {kind_name} layer with a {f}×{f} window{dilation}, padding {p} and stride {s} is "
                        "applied to a {n}×{n} input{channels}.",
    "statement_chain": "An input of {c} channel(s) of size {n}×{n} passes through these layers in order "
                       "(f: window, p: padding, s: stride, d: dilation, c: output channels):",
    "statement_same": " What padding would keep the size of layer {layer} unchanged at stride 1?",
    "channels": " with {c_in} input and {c_out} output channels",
    "prompt_output_size": "the output side length of the last layer",
    "prompt_shape": "the shape after layer {i} ({layer}), as c, h, w",
    "prompt_parameters": "the number of parameters (weights + biases) of layer {i} ({layer})",
    "prompt_total_parameters": "the total number of parameters",
    "prompt_same_padding": "the padding P that keeps layer {i}'s size at stride 1",
    "title_size": "Output size of layer {i}: {layer}",
    "title_parameters": "Parameters of layer {i}: {layer}",
    "title_total": "Total parameters",
    "title_same": "Size-keeping padding for layer {i}",
    "note_floor": "Layer {i}: (N + 2P − D(F−1) − 1) = {top} is not a multiple of S = {s}; the floor "
                  "drops the last partial window.",
    "note_pool_channels": "Pooling keeps the number of channels and has no parameters.",
    "kind_conv": "convolution",
    "kind_pool": "pooling",
    "kind_deconv": "transposed convolution",
}

OPTIONS: dict[str, str] = {}
KINDS = ("conv", "pool", "deconv")
MAX_SIDE = 100_000


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
    parts = [layer["kind"], f"f={layer['f']}"]
    if layer.get("p"):
        parts.append(f"p={layer['p']}")
    parts.append(f"s={layer['s']}")
    if layer.get("d", 1) != 1:
        parts.append(f"d={layer['d']}")
    if layer.get("c") is not None and layer["kind"] != "pool":
        parts.append(f"c={layer['c']}")
    return " ".join(parts)


# --------------------------------------------------------------------------- solving

def solve(given: dict, override: dict[str, Any] | None = None) -> Solution:
    override = override or {}
    n, c = given["input"]["n"], given["input"].get("c")
    steps: list[Step] = []
    notes: list[str] = []
    shapes, params = [], []
    for i, layer in enumerate(given["layers"]):
        kind, f, p, s, d = layer["kind"], layer["f"], layer.get("p", 0), layer.get("s", 1), layer.get("d", 1)
        label = describe(layer)
        if kind == "deconv":
            out = output_side(kind, n, f, p, s, d)
            formula = "(N − 1)·S − 2P + F" if d == 1 else "(N − 1)·S − 2P + D(F−1) + 1"
            substituted = (f"({n} − 1)·{s} − 2·{p} + {f}" if d == 1
                           else f"({n} − 1)·{s} − 2·{p} + {d}·({f} − 1) + 1")
        else:
            top = n + 2 * p - d * (f - 1) - 1
            out = top // s + 1
            formula = "⌊(N + 2P − F)/S⌋ + 1" if d == 1 else "⌊(N + 2P − D(F−1) − 1)/S⌋ + 1"
            substituted = (f"⌊({n} + 2·{p} − {f})/{s}⌋ + 1" if d == 1
                           else f"⌊({n} + 2·{p} − {d}·({f} − 1) − 1)/{s}⌋ + 1")
            if top >= 0 and top % s:
                notes.append(TEXT["note_floor"].format(i=i + 1, top=top, s=s))
        if out < 1:
            raise UserError(f"layer {i + 1} ({label}) does not fit a {n}×{n} input: its output side would be {out}")
        if out > MAX_SIDE:
            raise UserError(f"layer {i + 1} ({label}) gives a side of {out}, larger than {MAX_SIDE}")
        c_out = c if kind == "pool" else layer.get("c")
        count = parameter_count(kind, f, c, c_out)
        shape = [c_out, out, out]
        key = f"shapes[{i}]"
        steps.append(Step(TEXT["title_size"].format(i=i + 1, layer=label), "out = " + formula,
                          f"{substituted} = {out}", shape, answer=key,
                          note=TEXT["note_pool_channels"] if kind == "pool" and c is not None else ""))
        shapes.append(shape)
        params.append(count)
        if count is not None and kind != "pool":
            steps.append(Step(TEXT["title_parameters"].format(i=i + 1, layer=label), "(F·F·C_in + 1)·C_out",
                              f"({f}·{f}·{c} + 1)·{c_out} = {count}", count, answer=f"parameters[{i}]"))
        n = int(override.get(key, shape)[1]) if key in override else out
        c = c_out
    answers: dict[str, Any] = {"output_size": shapes[-1][1], "shapes": shapes, "parameters": params}
    if all(p is not None for p in params):
        total = sum(params)
        answers["total_parameters"] = total
        steps.append(Step(TEXT["title_total"], "Σ parameters of the layers",
                          " + ".join(str(p) for p in params) + f" = {total}", total, answer="total_parameters"))
    else:
        answers["total_parameters"] = None
    same = []
    for i in given.get("same_padding", []):
        layer = given["layers"][i]
        value = layer.get("d", 1) * (layer["f"] - 1) // 2
        same.append(value)
        steps.append(Step(TEXT["title_same"].format(i=i + 1), "N = N + 2P − D(F−1) ⇒ P = D(F−1)/2",
                          f"P = {layer.get('d', 1)}·({layer['f']} − 1)/2 = {value}", value,
                          answer=f"same_padding[{len(same) - 1}]"))
    if same:
        answers["same_padding"] = same
    steps.insert(0, Step("Read the layers", "side N, window F, padding P, stride S, dilation D",
                         f"input {given['input']['n']}×{given['input']['n']}; " + "; ".join(
                             f"{i + 1}: {describe(layer)}" for i, layer in enumerate(given["layers"])), None))
    return Solution(steps=steps, answers=answers, notes=notes)


# --------------------------------------------------------------------------- problem text

def _single(given: dict) -> bool:
    return len(given["layers"]) == 1


def statement(given: dict) -> str:
    n, c = given["input"]["n"], given["input"].get("c")
    if _single(given):
        layer = given["layers"][0]
        channels = ""
        if c is not None and layer.get("c") is not None and layer["kind"] != "pool":
            channels = TEXT["channels"].format(c_in=c, c_out=layer["c"])
        text = TEXT["statement_single"].format(
            kind_name=TEXT["kind_" + layer["kind"]], f=layer["f"], p=layer.get("p", 0), s=layer.get("s", 1), n=n,
            dilation=f" (dilation {layer['d']})" if layer.get("d", 1) != 1 else "", channels=channels)
    else:
        text = TEXT["statement_chain"].format(c=c if c is not None else "?", n=n)
    for i in given.get("same_padding", []):
        text += TEXT["statement_same"].format(layer=i + 1)
    return text


def table(given: dict) -> tuple[list[str], list[list[str]]] | None:
    if _single(given):
        return None
    rows = [[str(i + 1), layer["kind"], str(layer["f"]), str(layer.get("p", 0)), str(layer.get("s", 1)),
             str(layer.get("d", 1)), "same" if layer["kind"] == "pool" else str(layer.get("c", "?"))]
            for i, layer in enumerate(given["layers"])]
    return ["layer", "kind", "f", "p", "s", "d", "c out"], rows


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    answers = solution.answers
    out: list[Part] = []
    if _single(given):
        out.append(Part("output_size", TEXT["prompt_output_size"], "integer", answers["output_size"],
                        step=solution.steps[1].title))
        if answers["parameters"][0]:
            out.append(Part("parameters[0]", TEXT["prompt_parameters"].format(i=1, layer=describe(given["layers"][0])),
                            "integer", answers["parameters"][0], step=solution.steps[2].title))
    else:
        for i, layer in enumerate(given["layers"]):
            label = describe(layer)
            out.append(Part(f"shapes[{i}]", TEXT["prompt_shape"].format(i=i + 1, layer=label), "integer",
                            answers["shapes"][i], step=TEXT["title_size"].format(i=i + 1, layer=label)))
            if answers["parameters"][i]:
                out.append(Part(f"parameters[{i}]", TEXT["prompt_parameters"].format(i=i + 1, layer=label), "integer",
                                answers["parameters"][i], step=TEXT["title_parameters"].format(i=i + 1, layer=label)))
        if answers.get("total_parameters") is not None:
            out.append(Part("total_parameters", TEXT["prompt_total_parameters"], "integer",
                            answers["total_parameters"], step=TEXT["title_total"]))
    for j, i in enumerate(given.get("same_padding", [])):
        out.append(Part(f"same_padding[{j}]", TEXT["prompt_same_padding"].format(i=i + 1), "integer",
                        answers["same_padding"][j], step=TEXT["title_same"].format(i=i + 1)))
    return out


# --------------------------------------------------------------------------- generating

SIDES = (5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 28, 32, 64, 224)


def _fits_evenly(n: int, layer: dict) -> bool:
    if layer["kind"] == "deconv":
        return True
    top = n + 2 * layer.get("p", 0) - layer.get("d", 1) * (layer["f"] - 1) - 1
    return top >= 0 and top % layer.get("s", 1) == 0


def _easy(rng: random.Random) -> dict:
    while True:
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
    while True:
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
    while True:
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

_FIELD = re.compile(r"^(n|f|p|s|d|c|c_in|c_out)\s*=\s*(-?\d{1,9})$")


def _fields(text: str, where: str) -> dict[str, int]:
    fields: dict[str, int] = {}
    for item in re.split(r"[,\s]+", text.strip()):
        if not item:
            continue
        match = _FIELD.match(item.lower())
        if not match:
            raise UserError(f"--data: {short(item)} in {where} is not one of n=, f=, p=, s=, d=, c= with a whole number")
        fields[match.group(1)] = int(match.group(2))
    return fields


def _layer(kind: str, fields: dict[str, int], where: str) -> dict:
    if "f" not in fields:
        raise UserError(f"--data: {where} needs f= (the window size)")
    layer = {"kind": kind, "f": fields["f"], "p": fields.get("p", 0), "s": fields.get("s", 1),
             "d": fields.get("d", 1), "c": fields.get("c", fields.get("c_out"))}
    if layer["f"] < 1 or layer["s"] < 1 or layer["d"] < 1 or layer["p"] < 0:
        raise UserError(f"--data: {where} needs f, s, d ≥ 1 and p ≥ 0")
    if layer["c"] is not None and layer["c"] < 1:
        raise UserError(f"--data: {where} needs c ≥ 1")
    if max(layer["f"], layer["s"], layer["d"], layer["p"]) > MAX_SIDE:
        raise UserError(f"--data: {where} has a value larger than {MAX_SIDE}")
    if kind == "pool":
        layer["c"] = None
    return layer


def parse_data(text: str, options: dict) -> dict:
    """`n=32,f=5,p=2,s=1` (one conv layer) or `input n=32 c=3; conv f=5 p=2 s=1 c=16; pool f=2 s=2; …`."""
    example = "n=32,f=5,p=2,s=1"
    clean = normalise(text).strip()
    if not options.get("has_data", True) or not clean:
        raise UserError(f"conv needs --data, e.g. {example!r} or \"input n=32 c=3; conv f=5 p=2 s=1 c=16; pool f=2 s=2\"")
    pieces = [piece.strip() for piece in clean.split(";") if piece.strip()]
    if not pieces:
        raise UserError(f"--data has no layer; expected something like {example!r}")
    first_word = pieces[0].split()[0].lower() if pieces[0].split() else ""
    if len(pieces) == 1 and first_word not in ("input", *KINDS):
        fields = _fields(pieces[0], "the layer")
        if "n" not in fields:
            raise UserError(f"--data: give the input side n=, e.g. {example!r}")
        c_in = fields.get("c_in")
        layer = _layer("conv", fields, "the layer")
        if c_in is None:
            layer["c"] = fields.get("c_out")
        return _checked({"input": {"n": fields["n"], "c": c_in}, "layers": [layer]})
    if first_word != "input":
        raise UserError("--data: a chain starts with 'input n=… c=…', e.g. \"input n=32 c=3; conv f=5 p=2 s=1 c=16\"")
    head = _fields(pieces[0][len("input"):], "input")
    if "n" not in head:
        raise UserError("--data: the input needs n= (its side length)")
    if len(pieces) > 31:
        raise UserError("--data: at most 30 layers")
    layers = []
    for i, piece in enumerate(pieces[1:], start=1):
        words = piece.split(None, 1)
        kind = words[0].lower()
        if kind not in KINDS:
            raise UserError(f"--data: layer {i} starts with {short(words[0])}; use conv, pool or deconv")
        layers.append(_layer(kind, _fields(words[1] if len(words) > 1 else "", f"layer {i}"), f"layer {i} ({kind})"))
    if not layers:
        raise UserError("--data: the chain has an input but no layers")
    channels = head.get("c")
    for i, layer in enumerate(layers, start=1):
        if layer["kind"] != "pool" and layer["c"] is None:
            raise UserError(f"--data: layer {i} ({layer['kind']}) needs c= (its output channels)")
    return _checked({"input": {"n": head["n"], "c": channels}, "layers": layers})


def _checked(given: dict) -> dict:
    if not 1 <= given["input"]["n"] <= MAX_SIDE:
        raise UserError(f"--data: the input side n must be from 1 to {MAX_SIDE}")
    if given["input"].get("c") is not None and given["input"]["c"] < 1:
        raise UserError("--data: the input channels c must be at least 1")
    solve(given)  # a layer that cannot fit is reported now, naming the layer
    return given


# --------------------------------------------------------------------------- misconceptions
# Each returns the value the wrong method gives at the checkpoint `name` (texts in
# problems/conv/misconceptions.toml). Sizes use the student's own earlier shapes when given.

def _inputs(given: dict, override: dict) -> list[tuple[int, int | None]]:
    """(side, channels) entering each layer, from the student's shapes where they gave them."""
    shapes = solve(given).answers["shapes"]
    out, n, c = [], given["input"]["n"], given["input"].get("c")
    for i in range(len(given["layers"])):
        out.append((n, c))
        shape = override.get(f"shapes[{i}]", shapes[i])
        n, c = int(shape[1]), shape[0]
    return out


def _layer_index(given: dict, name: str) -> int:
    base, path = split_name(name)
    return int(path[0]) if base in ("shapes", "parameters") and path else len(given["layers"]) - 1


def _size_variant(side_rule):
    def variant(given: dict, name: str, student: Any, override: dict) -> Any:
        i = _layer_index(given, name)
        layer = given["layers"][i]
        n, c = _inputs(given, override)[i]
        side = side_rule(layer, n)
        if side is None:
            return None
        if split_name(name)[0] == "output_size":
            return side
        return [c if layer["kind"] == "pool" else layer.get("c"), side, side]
    return variant


def _span(layer: dict) -> int:
    return layer.get("d", 1) * (layer["f"] - 1) + 1


def _count_variant(rule):
    def variant(given: dict, name: str, student: Any, override: dict) -> Any:
        inputs = _inputs(given, override)
        counts = [0 if layer["kind"] == "pool" or c is None or layer.get("c") is None
                  else rule(layer["f"], c, layer["c"]) for layer, (_, c) in zip(given["layers"], inputs)]
        if split_name(name)[0] == "total_parameters":
            return sum(counts)
        return counts[_layer_index(given, name)]
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

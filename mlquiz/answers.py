"""A restricted parser for what students type as answers. No eval: a small recursive-descent parser.

Accepted: numbers (`0.971`, `-3/4`, `1e-3`, `75%`), the constants `e` and `pi`, the functions
`log2 ln log log10 exp sqrt abs` (`log(x)` is base 10 as on a calculator, `log(x, b)` is base b),
`^` or `**` for powers, vectors `0.71, -0.70` or `[0.71, -0.70]` and matrices `1, 2; 3, 4` or
`[[1, 2], [3, 4]]`. Full-width punctuation and digits typed on a Chinese keyboard (`，；（）０．５`) and
the typographic minus `−` are read as their ASCII forms.

Every evaluation is bounded: the text length, the nesting depth, and the size of every
intermediate number (a result that overflows is an error, never a hang or a huge allocation).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

MAX_LENGTH = 2000
MAX_DEPTH = 40
MAX_ITEMS = 400


class AnswerError(ValueError):
    """The text is not an answer; the message (a catalogue key `ui.parse.…` and values) says why."""

    def __init__(self, key: str, **values: Any):
        from mlquiz.text import msg

        super().__init__(key)
        self.message = msg(f"ui.parse.{key}", **values)

    def __str__(self) -> str:
        from mlquiz.text import render

        return render(self.message)


@dataclass(frozen=True)
class Answer:
    """A parsed answer.

    value: float, list[float] or list[list[float]];
    decimals: mirrors value's shape; for each entry typed as a plain decimal literal, the number of
    digits after the point (and None for an expression such as `log2(3)` or `3/4`), so the checker
    can accept a value rounded to the digits the student wrote.
    """

    value: Any
    decimals: Any
    text: str

    @staticmethod
    def exact(value: Any, text: str | None = None) -> "Answer":
        """A value taken as exact, as if typed in full: no digits known, so no rounding is read
        into it (a computed candidate, a misconception's value, a value written in a test)."""
        return Answer(value, _nones(value), str(value) if text is None else text)


def _nones(value: Any) -> Any:
    return [_nones(v) for v in value] if isinstance(value, list) else None


def shape_of(value: Any) -> tuple[int, ...]:
    if isinstance(value, list):
        if value and isinstance(value[0], list):
            return (len(value), len(value[0]))
        return (len(value),)
    return ()


_TRANSLATE = str.maketrans({"−": "-", "–": "-", "×": "*", "·": "*", "÷": "/", "π": "pi", "，": ",",
                            "；": ";", "（": "(", "）": ")", "【": "[", "】": "]", "。": "."})


def normalise(text: str) -> str:
    """Fold full-width forms (NFKC) and typographic symbols to ASCII."""
    return unicodedata.normalize("NFKC", text.translate(_TRANSLATE)).translate(_TRANSLATE)


_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_][A-Za-z_0-9]*)"
    r"|(?P<op>\*\*|[-+*/^(),;%\[\]]))"
)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            bad = text[pos:].lstrip()[:1]
            raise AnswerError("unexpected_character", character=repr(bad))
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


def _log(x: float, base: float = 10.0) -> float:
    if x <= 0:
        raise AnswerError("log_domain")
    if base <= 0 or base == 1:
        raise AnswerError("log_base")
    return math.log(x) / math.log(base)


def _ln(x: float) -> float:
    return _log(x, math.e)


def _log2(x: float) -> float:
    return _log(x, 2.0)


def _sqrt(x: float) -> float:
    if x < 0:
        raise AnswerError("sqrt_domain")
    return math.sqrt(x)


FUNCTIONS = {
    "log2": (_log2, 1, 1),
    "ln": (_ln, 1, 1),
    "log": (_log, 1, 2),
    "log10": (lambda x: _log(x, 10.0), 1, 1),
    "lg": (lambda x: _log(x, 10.0), 1, 1),
    "exp": (math.exp, 1, 1),
    "sqrt": (_sqrt, 1, 1),
    "abs": (abs, 1, 1),
}
CONSTANTS = {"e": math.e, "pi": math.pi}


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    # token helpers
    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise AnswerError("ends_early")
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expect(self, op: str) -> None:
        kind, value = self.take()
        if value != op:
            raise AnswerError("expected_token", expected=repr(op), found=repr(value))

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise AnswerError("too_deep")

    # grammar: answer := list (';' list)* ; list := item (',' item)* ; item := '[' answer ']' | expr
    def answer(self) -> tuple[Any, Any]:
        rows = [self.row()]
        while self.peek() == ";":
            self.take()
            rows.append(self.row())
        if len(rows) == 1:
            return rows[0]
        return _as_matrix(rows)

    def row(self) -> tuple[Any, Any]:
        items = [self.item()]
        while self.peek() == ",":
            self.take()
            items.append(self.item())
            if len(items) > MAX_ITEMS:
                raise AnswerError("too_many")
        if len(items) == 1:
            return items[0]
        values = [v for v, _ in items]
        if any(isinstance(v, list) for v in values):
            return _as_matrix(items)
        return values, [d for _, d in items]

    def item(self) -> tuple[Any, Any]:
        if self.peek() == "[":
            self.enter()
            self.take()
            inner = self.answer()
            self.expect("]")
            self.depth -= 1
            value, decimals = inner
            if not isinstance(value, list):
                return [value], [decimals]
            return inner
        start = self.pos
        value = self.expr()
        decimals = None
        if self.pos - start == 1 and self.tokens[start][0] == "num":
            decimals = _decimals(self.tokens[start][1])
        elif self.pos - start == 2 and self.tokens[start][1] == "-" and self.tokens[start + 1][0] == "num":
            decimals = _decimals(self.tokens[start + 1][1])
        return value, decimals

    def expr(self) -> float:
        value = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()[1]
            right = self.term()
            value = _checked(value + right if op == "+" else value - right)
        return value

    def term(self) -> float:
        value = self.unary()
        while self.peek() in ("*", "/"):
            op = self.take()[1]
            right = self.unary()
            if op == "*":
                value = _checked(value * right)
            else:
                if right == 0:
                    raise AnswerError("division_by_zero")
                value = _checked(value / right)
        return value

    def unary(self) -> float:
        if self.peek() in ("-", "+"):
            op = self.take()[1]
            self.enter()
            value = self.unary()
            self.depth -= 1
            return -value if op == "-" else value
        return self.power()

    def power(self) -> float:
        base = self.postfix()
        if self.peek() in ("^", "**"):
            self.take()
            self.enter()
            exponent = self.unary()  # right-associative: 2^3^2 = 2^(3^2)
            self.depth -= 1
            if base == 0 and exponent < 0:
                raise AnswerError("division_by_zero")
            if abs(exponent) > 10_000:
                raise AnswerError("too_large")
            try:
                result = math.pow(base, exponent)
            except OverflowError:
                raise AnswerError("too_large") from None
            except ValueError:
                raise AnswerError("complex_power") from None
            return _checked(result)
        return base

    def postfix(self) -> float:
        value = self.atom()
        while self.peek() == "%":
            self.take()
            value = value / 100
        return value

    def atom(self) -> float:
        kind, text = self.take()
        if kind == "num":
            return _checked(float(text))
        if text == "(":
            self.enter()
            value = self.expr()
            self.expect(")")
            self.depth -= 1
            return value
        if kind == "name":
            name = text.lower()
            if name in CONSTANTS and self.peek() != "(":
                return CONSTANTS[name]
            if name in FUNCTIONS:
                func, least, most = FUNCTIONS[name]
                self.expect("(")
                self.enter()
                args = [self.expr()]
                while self.peek() == ",":
                    self.take()
                    args.append(self.expr())
                self.expect(")")
                self.depth -= 1
                if not least <= len(args) <= most:
                    key = "arguments_one" if least == most == 1 else "arguments"
                    raise AnswerError(key, function=name, count=least if least == most else f"{least}–{most}")
                try:
                    return _checked(func(*args))
                except OverflowError:
                    raise AnswerError("too_large") from None
            raise AnswerError("unknown_name", name=repr(text))
        raise AnswerError("unexpected", token=repr(text))


def _decimals(literal: str) -> int | None:
    if "e" in literal.lower():
        return None
    return len(literal.split(".", 1)[1]) if "." in literal else 0


def _checked(value: float) -> float:
    if isinstance(value, complex) or math.isnan(value) or math.isinf(value):
        raise AnswerError("too_large" if not math.isnan(value) else "not_a_number")
    return float(value)


def _as_matrix(rows: list[tuple[Any, Any]]) -> tuple[Any, Any]:
    values, decimals = [], []
    for value, dec in rows:
        if isinstance(value, list) and value and isinstance(value[0], list):
            raise AnswerError("nesting")
        values.append(value if isinstance(value, list) else [value])
        decimals.append(dec if isinstance(dec, list) else [dec])
    if len({len(row) for row in values}) != 1:
        raise AnswerError("ragged")
    return values, decimals


def parse_answer(text: str) -> Answer:
    """Parse a typed answer; raise AnswerError with a one-line reason when it is not one."""
    if len(text) > MAX_LENGTH:
        raise AnswerError("too_long", limit=MAX_LENGTH)
    clean = normalise(text).strip()
    if not clean:
        raise AnswerError("empty")
    parser = _Parser(_tokenize(clean))
    value, decimals = parser.answer()
    if parser.pos != len(parser.tokens):
        raise AnswerError("unexpected", token=repr(parser.tokens[parser.pos][1]))
    return Answer(value=value, decimals=decimals, text=text.strip())


def parse_number(text: str) -> float:
    """Parse a single number (used for options such as --lr and for data cells)."""
    answer = parse_answer(text)
    if isinstance(answer.value, list):
        raise AnswerError("one_number", text=repr(text.strip()))
    return answer.value

"""Reading the answers of concept and design questions: letters picked from a list, an order of
letters, matches, true/false, a number, and the key points a student ticks when self-marking.

Every reader is a restricted parser over the NFKC-normalised text (so full-width letters, digits and
punctuation from a Chinese keyboard count as their plain forms); none evaluates anything. Each returns
the value or raises `Unreadable` with a Msg saying what was expected.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

from mlquiz.text import Msg, msg

LETTERS = "abcdefghijklmnopqrstuvwxyz"
_SEPARATORS = re.compile(r"[\s,;/、，；。.()（）\[\]{}<>→>\-—+&]+")
TRUE_WORDS = {"t", "true", "y", "yes", "对", "是", "正确", "真", "√", "✓", "✔", "v"}
FALSE_WORDS = {"f", "false", "n", "no", "错", "否", "错误", "假", "×", "✗", "✘", "x"}
ALL_WORDS = {"all", "全部", "都", "全"}
NONE_WORDS = {"none", "0", "无", "没有", "都没有", "-"}


class Unreadable(ValueError):
    def __init__(self, reason: Msg):
        super().__init__(reason.key)
        self.reason = reason


def clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def _letter_tokens(text: str) -> list[str]:
    """`a c`, `a,c`, `ac`, `a、c`, `(a)(c)`, `c > a > b` → the letters, in the order typed."""
    squeezed = _SEPARATORS.sub("", clean(text))
    if not squeezed or not all(ch in LETTERS for ch in squeezed):
        return []
    return list(squeezed)


def letters(text: str, count: int) -> list[str]:
    """One or more distinct letters among the first `count`, in the order typed."""
    picked = _letter_tokens(text)
    allowed = LETTERS[:count]
    if not picked or any(ch not in allowed for ch in picked):
        raise Unreadable(msg("ui.select.letters", last=allowed[-1]))
    if len(set(picked)) != len(picked):
        raise Unreadable(msg("ui.select.repeated"))
    return picked


def one_letter(text: str, count: int) -> str:
    picked = letters(text, count)
    if len(picked) != 1:
        raise Unreadable(msg("ui.select.one_letter", last=LETTERS[count - 1]))
    return picked[0]


def order(text: str, count: int) -> list[str]:
    """A permutation of the first `count` letters."""
    picked = letters(text, count)
    if sorted(picked) != list(LETTERS[:count]):
        raise Unreadable(msg("ui.select.order", count=count, last=LETTERS[count - 1]))
    return picked


def matches(text: str, count: int) -> list[str]:
    """The letter matched to each of the items 1…count: `1b 2a 3c`, `1-b, 2-a, 3-c` or just `bac`."""
    cleaned = clean(text)
    pairs = re.findall(r"(\d+)\s*[-:=：]?\s*([a-z])", cleaned)
    if pairs and not re.sub(r"(\d+)\s*[-:=：]?\s*([a-z])", "", cleaned).strip(" ,;、，；"):
        found: dict[int, str] = {}
        for number, letter in pairs:
            found[int(number)] = letter
        if sorted(found) != list(range(1, count + 1)) or len(pairs) != count:
            raise Unreadable(msg("ui.select.matching", count=count, last=LETTERS[count - 1]))
        picked = [found[i] for i in range(1, count + 1)]
    else:
        picked = _letter_tokens(text)
    if len(picked) != count or sorted(picked) != list(LETTERS[:count]):
        raise Unreadable(msg("ui.select.matching", count=count, last=LETTERS[count - 1]))
    return picked


def truth(text: str) -> bool:
    word = clean(text).strip(".。!！")
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise Unreadable(msg("ui.select.truth"))


def ticked(text: str, count: int) -> list[int]:
    """Key points ticked when self-marking: `1 3`, `1,3`, `13` (when fewer than 10), `all`, `none`;
    returns the 0-based indices."""
    cleaned = clean(text)
    if cleaned in ALL_WORDS:
        return list(range(count))
    if cleaned in NONE_WORDS:
        return []
    tokens = [t for t in _SEPARATORS.sub(" ", cleaned).split() if t]
    if len(tokens) == 1 and tokens[0].isdigit() and count < 10:
        tokens = list(tokens[0])
    if not tokens or not all(t.isdigit() and 1 <= int(t) <= count for t in tokens):
        raise Unreadable(msg("ui.select.ticks", count=count))
    return sorted({int(t) - 1 for t in tokens})


def covered(text: str, keywords: Iterable[Iterable[str]]) -> list[bool]:
    """For each key point, whether one of its keywords occurs in the free text (a hint only)."""
    cleaned = clean(text)
    return [any(clean(word) in cleaned for word in words if word.strip()) for words in keywords]


def pick_fraction(picked: Iterable[str], right: Iterable[str]) -> float:
    """Partial credit for a multiple pick: (right picks − wrong picks) / number of right options, at
    least 0. Picking everything therefore earns nothing."""
    picked, right = set(picked), set(right)
    return max(0.0, (len(picked & right) - len(picked - right)) / len(right)) if right else 0.0

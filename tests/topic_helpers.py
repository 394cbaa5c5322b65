"""Checks the per-topic test files share (imported as a module; it holds no tests)."""

import tomllib

from mlquiz import engine, marking, registry, text
from mlquiz.answers import Answer


def diagnosed(problem, name, value):
    """The misconception `check` names when the checkpoint `name` holds `value` (typed in full),
    or None."""
    part = next(p for p in marking.checkpoints(problem) if p.name == name)
    found = marking.diagnose(problem, part, Answer.exact(value))
    return found.id if found else None


def declared_misconceptions(topic, variants):
    """The topic's misconceptions.toml entries by id, once it is checked that they are exactly the
    module's VARIANTS, that each applies to answers the topic has, and that each has its name,
    explanation and rule in every language."""
    with (registry.info(topic).folder / "misconceptions.toml").open("rb") as handle:
        entries = {m["id"]: m for m in tomllib.load(handle)["misconception"]}
    assert set(entries) == set(variants)
    for entry in entries.values():
        assert set(entry["applies_to"]) <= set(registry.info(topic).answers)
        for lang in text.LANGUAGES:
            for field in ("name", "explanation", "rule"):
                assert text.render(text.Msg(f"{topic}.misconception.{entry['id']}.{field}"), lang)
    return entries


def bank_problem(topic, entry_id):
    """The topic's bank problem with this id."""
    ids = [entry["id"] for entry in engine.bank_entries(topic)]
    return engine.from_bank(topic, ids.index(entry_id))


def printed(value, shown):
    """`value` agrees with the number a source prints (a string, so that its decimals count): within
    half a unit of the last printed digit. Lists are compared entry by entry."""
    if isinstance(shown, (list, tuple)):
        assert isinstance(value, list) and len(value) == len(shown), (value, shown)
        for v, s in zip(value, shown):
            printed(v, s)
        return
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    assert abs(value - float(shown)) <= 0.5 * 10 ** -decimals + 1e-12, (value, shown)


"""Topics. Each topic is one module plus its data folder `problems/<topic>/` (see mlquiz.registry).
The module provides (plain data in, plain data out; it never imports Rich or Typer, never prints,
and holds no sentence — every word is a key of its `text.<lang>.toml`):

    generate(rng, difficulty)          → given (a JSON-able dict), from a `random.Random` only;
                                         retries are bounded (`common.attempts`)
    parse_data(values)                 → given, from the option values declared in topic.toml
                                         (already read and range-checked by mlquiz.options)
    solve(given, override=None)        → Solution, built with mlquiz.derivation.Derivation(override)
    statement(given)                   → list of Msg (the sentences of the problem text)
    parts(given, solution, difficulty) → the Parts asked, in derivation order, each naming its step id
    table(given)                       → (headers, rows) shown with the statement, or None
    as_options(given)                  → the `solve` options (typed strings) that pose the problem again;
                                         the conformance suite checks the round trip
    from_bank(entry)                   → given, from one entry of bank.toml (if the topic has a bank)
    well_posed(problem)                → raise AssertionError if a generated problem is degenerate or
                                         not hand-computable at its difficulty (the conformance hook)
    VARIANTS                           → misconception id → function(given, path, student, override)
                                         giving the value that wrong method produces
    TOLERANCE (optional)               → the Tolerance of inferred checkpoints
"""

"""Topics. Each topic is one module with this interface (plain data in, plain data out):

    TEXT: dict[str, str]           every sentence the topic shows, as format templates
    OPTIONS: dict[str, str]        `solve`/`check` options it reads besides --data (name → meaning)
    generate(rng, difficulty)      → given (a JSON-able dict), from a `random.Random`
    parse_data(text, options)      → given, from the user's --data text (a file's text is passed in)
    solve(given, override=None)    → Solution (override: student values to carry forward)
    statement(given)               → the problem text
    parts(given, solution, difficulty) → the Parts asked, in derivation order
    table(given)                   → (headers, rows) to show with the statement, or None
    from_bank(entry)               → given, from one entry of problems/<topic>/bank.toml (optional)

Topic modules never import Rich or Typer and never print.
"""

"""The `haven` command line: a thin door over the core."""

__all__: list[
    str
] = []  # a door: used through its entry points (haven.server, the CLI), not imported

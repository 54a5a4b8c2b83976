"""Reports for people: the HTML impact report, decision-support memos (HTML, PDF), plain words."""

__all__: list[
    str
] = []  # a door: used through its entry points (haven.server, the CLI), not imported

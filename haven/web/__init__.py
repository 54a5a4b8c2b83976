"""The web app for case workers and NGO lawyers: server-rendered pages (Jinja2 + htmx) over
the same store, access rules and audit as the REST API. No business logic lives here."""

__all__: list[
    str
] = []  # a door: used through its entry points (haven.server, the CLI), not imported

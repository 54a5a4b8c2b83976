"""The REST API (FastAPI): a thin door over the core and the store."""

__all__: list[
    str
] = []  # a door: used through its entry points (haven.server, the CLI), not imported

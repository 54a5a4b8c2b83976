"""The ASGI app uvicorn imports in each worker process (configured from the environment)."""

import os

from haven.packs import DEFAULT_PACK
from haven.server import create_app

app = create_app(pack=os.environ.get("HAVEN_PACK", DEFAULT_PACK))
# Every request checks its query parameters against the OpenAPI schema (deps.known_query).
# Built lazily, the first request a worker takes spent seconds of CPU building it while the
# requests behind it queued; with several workers each paid it, on the cores the others serve
# from. Built here, before the worker accepts its first connection.
app.openapi()

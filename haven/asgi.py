"""The ASGI app uvicorn imports in each worker process (configured from the environment)."""

import gc
import os

from haven.packs import DEFAULT_PACK
from haven.server import create_app

app = create_app(
    pack=os.environ.get("HAVEN_PACK", DEFAULT_PACK),
    # More packs offered besides the shipped ones (names or directories, comma-separated), and
    # the pack the memo and the case page compare with.
    packs=[p for p in os.environ.get("HAVEN_PACKS", "").split(",") if p.strip()],
    reference=os.environ.get("HAVEN_REFERENCE_PACK") or None,
)
# Every request checks its query parameters against the OpenAPI schema (deps.known_query).
# Built lazily, the first request a worker takes spent seconds of CPU building it while the
# requests behind it queued; with several workers each paid it, on the cores the others serve
# from. Built here, before the worker accepts its first connection.
app.openapi()
# Everything built so far (the packs and their snapshots, the schema, the modules: ~216,000
# objects) lives as long as the worker. Moved out of the collector's generations, a full
# collection under load no longer walks them: it took 96 ms, a pause in which every request of
# the worker waited (at 200 req/s on 2 workers, a burst of ~70 answers late by 40-200 ms).
gc.freeze()

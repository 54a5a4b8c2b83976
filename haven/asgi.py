"""The ASGI app uvicorn imports in each worker process (configured from the environment)."""

import os

from haven.packs import DEFAULT_PACK
from haven.server import create_app

app = create_app(pack=os.environ.get("HAVEN_PACK", DEFAULT_PACK))

"""The ASGI app uvicorn imports in each worker process (configured from the environment)."""

import os

from haven.api.app import create_app

app = create_app(pack=os.environ.get("HAVEN_PACK", "nl"))

"""The REST API (FastAPI): a thin door over the core and the store."""

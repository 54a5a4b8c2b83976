"""The shipped policy packs, one directory each (see docs/architecture.md).

The one setting in Haven's code that names a pack: the pack used when none is given. Every
other pack name lives in the data (a pack directory's `pack.yaml`).
"""

DEFAULT_PACK = "nl"

__all__ = ["DEFAULT_PACK"]

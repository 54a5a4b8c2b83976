"""Impact: re-assess a caseload under two dates (or two packs) and list whose outcome changes."""

from haven.impact.compare import Change, Impact, Summary, compare

__all__ = ["Change", "Impact", "Summary", "compare"]

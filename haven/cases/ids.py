"""Which strings a stored case id may be.

The contract says only "string" (and the case model refuses NUL). A stored case is addressed
by its id in a URL path (`/api/v1/cases/{id}`, `/cases/{id}`) and shown in pages, memos,
letters and the audit log, so the store refuses what could not be reached or could mislead:
`/` and `\\` (a path separator splits the address), an id that is `.` or `..` (clients
collapse such segments), and control and format characters (CR/LF, tab, bidirectional
overrides such as U+202E, zero-width characters, unassigned code points). Every other
character is kept, non-Latin scripts and emoji included. Pure: no I/O.
"""

import unicodedata

from haven.errors import Problem

# Unicode categories refused: Cc control, Cf format (bidi controls, zero-width), Cs surrogates,
# Co private use, Cn unassigned, Zl/Zp line and paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
RULE = (
    "may not contain '/', '\\\\', control or format characters (line breaks, tabs, "
    "bidirectional overrides, zero-width characters), nor be '.' or '..'"
)


def id_problems(ref: str, field: str = "id") -> list[Problem]:
    """Problems with `ref` as the id of a stored case (empty when it is fine)."""
    if ref.isascii() and ref.isprintable():
        # The usual id, checked without a category look-up per character (a bulk import checks
        # 100,000): printable ASCII holds no refused category, only the two separators.
        bad = sorted({f"U+{ord(c):04X}" for c in ref if c in "/\\"})
    else:
        bad = sorted(
            {
                f"U+{ord(c):04X}"
                for c in ref
                if c in "/\\" or unicodedata.category(c) in _REFUSED_CATEGORIES
            }
        )
    if ref in (".", "..") or bad:
        found = f" (found {', '.join(bad)})" if bad else ""
        return [Problem(field, f"{RULE}{found}")]
    return []

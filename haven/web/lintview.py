"""Draft decision text with the flagged passages marked: the text cut into segments, each
plain or carrying the flags whose span covers it (spans may overlap)."""

from dataclasses import dataclass
from itertools import pairwise

from haven.assess.lint import LintFlag


@dataclass(frozen=True)
class Segment:
    text: str
    flags: tuple[int, ...]  # 1-based numbers of the flags covering this segment


def segments(text: str, flags: list[LintFlag]) -> list[Segment]:
    cuts = sorted({0, len(text), *(f.start for f in flags), *(f.end for f in flags)})
    out: list[Segment] = []
    for start, end in pairwise(cuts):
        if start >= end:
            continue
        covering = tuple(i for i, f in enumerate(flags, 1) if f.start <= start and end <= f.end)
        out.append(Segment(text[start:end], covering))
    return out

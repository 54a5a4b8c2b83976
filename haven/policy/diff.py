"""What changed in a pack between two dates: entries added, ended, or replaced, per scope."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from haven.policy.entries import EntryBase
from haven.policy.pack import Pack, scope_key


class ChangeKind(StrEnum):
    ADDED = "added"  # in force on `to`, nothing of its scope on `from`
    ENDED = "ended"  # in force on `from`, nothing of its scope on `to`
    CHANGED = "changed"  # another entry of the same scope, or the same entry now unconfirmed


@dataclass(frozen=True)
class EntryChange:
    kind: ChangeKind
    country: str | None
    before: EntryBase | None
    after: EntryBase | None
    note: str


def diff(
    pack: Pack,
    start: date,
    end: date,
    country: str | None = None,
    after_pack: Pack | None = None,
) -> list[EntryChange]:
    """`after_pack`: the pack on `end` (a draft), else `pack` itself."""

    def live(day: date, source: Pack) -> dict[tuple[object, ...], list[EntryBase]]:
        found: dict[tuple[object, ...], list[EntryBase]] = {}
        for e in source.entries.values():
            if e.in_force(day) and (country is None or e.country in (country, None)):
                found.setdefault(scope_key(e), []).append(e)
        return found

    a, b = live(start, pack), live(end, after_pack or pack)
    changes: list[EntryChange] = []
    for key in sorted(set(a) | set(b), key=str):
        for old, new in _pair(a.get(key, []), b.get(key, [])):
            if old is None and new is not None:
                changes.append(
                    EntryChange(
                        ChangeKind.ADDED,
                        new.country,
                        None,
                        new,
                        f"{new.label} (from {new.valid_from})",
                    )
                )
            elif new is None and old is not None:
                end_note = (
                    f"ended {old.valid_to}"
                    if old.valid_to and old.valid_to <= end
                    else "no longer in force"
                )
                changes.append(
                    EntryChange(
                        ChangeKind.ENDED, old.country, old, None, f"{old.label} ({end_note})"
                    )
                )
            elif old is not None and new is not None and old.id != new.id:
                changes.append(
                    EntryChange(
                        ChangeKind.CHANGED,
                        new.country,
                        old,
                        new,
                        f"{old.id} replaced by {new.id} on {new.valid_from}",
                    )
                )
            elif old is not None and new is not None and old != new:
                # The same entry, edited (a draft pack against the pack in force).
                changes.append(
                    EntryChange(ChangeKind.CHANGED, new.country, old, new, f"{new.id} edited")
                )
            elif (
                old is not None
                and new is not None
                and old.verified_on(start) != new.verified_on(end)
            ):
                uc = new.unconfirmed_from
                why = (
                    f"unconfirmed from {uc.date}: {uc.note}"
                    if uc
                    else "verification status changed"
                )
                changes.append(EntryChange(ChangeKind.CHANGED, new.country, old, new, why))
    order = {ChangeKind.ENDED: 0, ChangeKind.CHANGED: 1, ChangeKind.ADDED: 2}
    return sorted(changes, key=lambda c: (c.country or "", order[c.kind], (c.after or c.before).id))  # type: ignore[union-attr]


def _pair(
    old: list[EntryBase], new: list[EntryBase]
) -> list[tuple[EntryBase | None, EntryBase | None]]:
    """Entries of one scope on two dates; the overlap check allows one per scope and date."""
    o = old[0] if old else None
    n = new[0] if new else None
    return [(o, n)]

"""Complementary small-cell suppression for published counts (research aggregates).

Counts are cells of tables; some tables are margins of others (the count by nationality is the
row total of the count by nationality and status), and every table sums to the number of
cases. Each such sum is a *group*: its members and the cell holding their total. A published
total lets a reader subtract the published members and learn the sum of the hidden ones, so:

- primary: every count under MIN_CELL is hidden and shown as "<5" (true: it is under 5);
- complementary: in every group whose total is published, the hidden members must be at least
  two and add up to at least MIN_CELL; otherwise the smallest published member is hidden too
  (shown as "suppressed": it is not under 5, and saying "<5" of it would be false), or, if none
  is left, the total. Repeated until every group holds, since hiding a cell can break another
  group it belongs to.

A greedy rule, not an optimal one: it may hide more than needed, never less for any one group.
"""

from collections.abc import Hashable, Iterable

MIN_CELL = 5
SECONDARY = "suppressed"

Key = Hashable
Group = tuple[list[Key], Key]  # members, the cell holding their sum


def protect(values: dict[Key, int], groups: Iterable[Group], minimum: int = MIN_CELL) -> set[Key]:
    """The cells to hide."""
    groups = list(groups)
    hidden = {k for k, v in values.items() if v < minimum}
    changed = True
    while changed:
        changed = False
        for members, total in groups:
            if total in hidden:
                continue
            gone = [m for m in members if m in hidden]
            if not gone or (len(gone) >= 2 and sum(values[m] for m in gone) >= minimum):
                continue
            rest = sorted(
                (m for m in members if m not in hidden), key=lambda m: (values[m], str(m))
            )
            hidden.add(rest[0] if rest else total)
            changed = True
    return hidden


def shown(value: int, hidden: bool, minimum: int = MIN_CELL) -> int | str:
    if not hidden:
        return value
    return f"<{minimum}" if value < minimum else SECONDARY

"""Could a policy change have affected a refusal? Only if the refusal was decided under the
earlier policy. The one place this is declared: every door that makes or previews a work
queue selects through haven/queue/build.py, which asks this.

A change from `before` to `after` (two dates under one pack) is in force by `after`: a
refusal decided on or after `after` was decided under the later policy already, and a case
not yet lodged on `after` was not decided before it. Assessing such a case as of `before`
compares nothing that happened to it (a 2022 file as of 2015, its incidents unknown then), so
an "improvement" there asks for no review. Between two packs on one date (`before` ==
`after`), a refusal decided on that date is the one compared; a later one is not.

The dates are the contract's (`procedure.decided`: the last decision, may be null;
`procedure.lodged`: required, never after `decided`). With no decision date the earliest the
refusal can have been decided is the day it was lodged: a case lodged on or after `after`
is left out; one lodged before it stays in (the refusal may predate the change; the officer
can tell, Haven cannot). With neither date (an impact kept before these dates were carried),
the case stays in, as before.
"""

from datetime import date


def decided_after_change(
    lodged: date | None, decided: date | None, before: date, after: date
) -> bool:
    """True if the refusal cannot have been decided under the policy of `before`."""
    earliest = decided if decided is not None else lodged
    if earliest is None:
        return False
    return earliest > after or (earliest == after and before < after)


def left_out_message(before: date, after: date) -> str:
    """The reason, in plain words (English: the API's and the CLI's language; the web app
    says it in the reader's language), for the refused cases this rule leaves out."""
    day = after.isoformat()
    if before == after:
        when, why = (
            f"after {day}",
            "the policy of a later day, which this comparison does not concern",
        )
    else:
        when, why = f"on or after {day}", "the later policy, so the change did not affect it"
    return (
        f"refused cases whose outcome improved, left out because the refusal was decided {when} "
        f"(or, with no decision date, the case was lodged then): that decision was made under "
        f"{why}; no work item or letter is made"
    )

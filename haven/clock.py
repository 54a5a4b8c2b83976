"""The only place Haven reads the clock: the default as-of date at the doors (CLI, API).

Leaf module. The core never calls this; the date is always an argument there.
"""

from datetime import date


def today() -> date:
    return date.today()

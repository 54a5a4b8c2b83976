"""ISO 3166 code types. Kosovo's user-assigned `XK` is accepted (EU practice).

Leaf module: imports nothing of Haven.
"""

from functools import lru_cache
from typing import Annotated

import pycountry
from pydantic import AfterValidator

# Not in ISO 3166-1, but used by the EU and by the Dutch safe-countries list.
EXTRA_COUNTRIES = frozenset({"XK"})


ECHO_MAX = 64  # as haven.errors.ECHO_MAX: a message quotes at most this much of the input


def _quoted(code: str) -> str:
    return repr(code if len(code) <= ECHO_MAX else code[:ECHO_MAX] + "…")


def check_country(code: str) -> str:
    if _known_country(code):
        return code
    raise ValueError(f"{_quoted(code)} is not an ISO 3166-1 alpha-2 country code")


def check_region(code: str) -> str:
    if _known_region(code):
        return code
    raise ValueError(f"{_quoted(code)} is not an ISO 3166-2 region code")


CountryCode = Annotated[str, AfterValidator(check_country)]
RegionCode = Annotated[str, AfterValidator(check_region)]


# Cached: pycountry's lookups take a lock and check its database each time, and every case of
# a bulk import checks its codes (the ISO lists do not change while the process runs).
@lru_cache(maxsize=4096)  # bounded: codes come from untrusted input
def _known_country(code: str) -> bool:
    known = pycountry.countries.get(alpha_2=code)  # pycountry ignores case; the contract not
    return code in EXTRA_COUNTRIES or (known is not None and known.alpha_2 == code)


@lru_cache(maxsize=4096)  # bounded: codes come from untrusted input
def _known_region(code: str) -> bool:
    known = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
    return known is not None and known.code == code  # pycountry ignores case; the contract not

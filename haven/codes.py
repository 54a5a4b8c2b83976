"""ISO 3166 code types. Kosovo's user-assigned `XK` is accepted (EU practice).

Leaf module: imports nothing of Haven.
"""

from typing import Annotated

import pycountry
from pydantic import AfterValidator

# Not in ISO 3166-1, but used by the EU and by the Dutch safe-countries list.
EXTRA_COUNTRIES = frozenset({"XK"})


def check_country(code: str) -> str:
    known = pycountry.countries.get(alpha_2=code)
    if code in EXTRA_COUNTRIES or known is not None:
        return code
    raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")


def check_region(code: str) -> str:
    if pycountry.subdivisions.get(code=code) is not None:  # type: ignore[no-untyped-call]
        return code
    raise ValueError(f"{code!r} is not an ISO 3166-2 region code")


CountryCode = Annotated[str, AfterValidator(check_country)]
RegionCode = Annotated[str, AfterValidator(check_region)]

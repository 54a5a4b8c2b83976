"""ISO 3166 code types. Kosovo's user-assigned `XK` is accepted (EU practice).

Leaf module: imports nothing of Haven.
"""

from typing import Annotated

import pycountry
from pydantic import AfterValidator

# Not in ISO 3166-1, but used by the EU and by the Dutch safe-countries list.
EXTRA_COUNTRIES = frozenset({"XK"})


def check_country(code: str) -> str:
    known = pycountry.countries.get(alpha_2=code)  # pycountry ignores case; the contract not
    if code in EXTRA_COUNTRIES or (known is not None and known.alpha_2 == code):
        return code
    raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")


def check_region(code: str) -> str:
    known = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
    if known is not None and known.code == code:  # pycountry ignores case; the contract not
        return code
    raise ValueError(f"{code!r} is not an ISO 3166-2 region code")


CountryCode = Annotated[str, AfterValidator(check_country)]
RegionCode = Annotated[str, AfterValidator(check_region)]

"""Dutch and English UI text via Babel catalogues.

Catalogues are kept as `.po` files beside the code that uses them (`haven/<pkg>/locale/<lang>/
LC_MESSAGES/<domain>.po`) and compiled in memory when first needed, so there is no build step
and no compiled `.mo` file that can drift from its source. English is the source language:
a missing translation falls back to the English message id.
"""

from functools import cache
from importlib import resources
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES = ("en", "nl")
DEFAULT_LANGUAGE = "en"


def normalise(lang: str | None) -> str:
    """The supported language for a requested code ('nl-NL' -> 'nl'); English otherwise."""
    code = (lang or "").split("-")[0].split("_")[0].lower()
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


@cache
def translations(lang: str, package: str, domain: str) -> NullTranslations:
    """Translations for `lang` from `package`'s catalogue `domain` (English: identity)."""
    lang = normalise(lang)
    if lang == DEFAULT_LANGUAGE:
        return NullTranslations()
    po = resources.files(package) / "locale" / lang / "LC_MESSAGES" / f"{domain}.po"
    if not po.is_file():
        return NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=domain)
    buf = BytesIO()
    # Fuzzy entries are drafts nobody confirmed; leaving them out shows English instead.
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(buf, domain=domain)


def untranslated(package: str, domain: str, lang: str) -> list[str]:
    """Message ids in the catalogue with no (or only a fuzzy) translation; a test keeps it empty."""
    po = resources.files(package) / "locale" / lang / "LC_MESSAGES" / f"{domain}.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=domain)
    return [str(m.id) for m in catalog if m.id and (not m.string or m.fuzzy)]

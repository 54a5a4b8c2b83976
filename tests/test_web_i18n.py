"""The Dutch web catalogue is complete and in step with the UI text in code and templates."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from haven.i18n import normalise, translations, untranslated

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "haven" / "web" / "locale" / "nl" / "LC_MESSAGES" / "web.po"


def ui_messages() -> set[str]:
    """What `make messages` extracts (same keywords and files as babel.cfg)."""
    found: set[str] = set()
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        ROOT / "haven" / "web", method_map=method_map, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_ui_message_has_a_dutch_translation() -> None:
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="nl")
    ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog if m.id}
    extracted = ui_messages()
    assert {"Caseload", "policy over time", "Risk group"} <= extracted  # the scan works
    missing = sorted(extracted - ids)
    assert not missing, f"run `make messages` and translate: {missing}"
    assert untranslated("haven.web", "web", "nl") == []


def test_translations_load_and_fall_back_to_english() -> None:
    nl = translations("nl", "haven.web", "web")
    assert nl.gettext("Caseload") == "Zaken"
    assert nl.ngettext("%(num)d case", "%(num)d cases", 2) == "%(num)d zaken"
    assert nl.gettext("a message nobody wrote") == "a message nobody wrote"
    assert translations("en", "haven.web", "web").gettext("Caseload") == "Caseload"
    assert normalise("nl-BE") == "nl" and normalise("fr") == "en" and normalise(None) == "en"

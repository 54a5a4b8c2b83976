"""A pack's Dutch texts (haven/policy/texts.py, haven/packs/nl/i18n/nl.yaml): the Dutch letter
and memo name the 2015 change in Dutch, an untranslated text falls back to English,
`haven policy validate` lists what is missing, and a text for an id the pack lacks is an error."""

import copy
import json
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from haven.policy.loader import load_pack
from haven.policy.texts import missing
from haven.queue import build
from haven.reports import letter as letters
from haven.reports.memo import MemoFormat

PACK_DIR = Path(__file__).resolve().parents[1] / "haven" / "packs" / "nl"


def test_dutch_texts_and_the_english_fallback() -> None:
    pack = load_pack("nl")
    assert pack.entry_label("ru-lgbti-risk-group-2015", "nl") == (
        "LHBTI's uit Rusland zijn een risicogroep; geringe indicaties volstaan"
    )
    english = pack.entries["ru-lgbti-risk-group-2015"].label
    assert pack.entry_label("ru-lgbti-risk-group-2015", "en") == english
    # Every entry, source, tag and group has its Dutch label (the editor and the letter show
    # them), and every flag and step its Dutch text (the case page and the memo show them).
    assert missing(pack.texts["nl"], pack.ids()) == {}
    assert pack.source_title("nos-394254", "nl") == "NOS, Iraakse homo's krijgen asiel"
    # A text the file lacks falls back to the English one, never an empty one.
    some = "nos-394254"
    texts = pack.texts["nl"].model_copy(
        update={"sources": {k: v for k, v in pack.texts["nl"].sources.items() if k != some}}
    )
    assert missing(texts, pack.ids()) == {"sources": [some]}
    fallback = copy.copy(pack)  # the cached pack stays as loaded
    fallback.texts = {**pack.texts, "nl": texts}
    assert fallback.source_title(some, "nl") == pack.sources[some].title
    assert pack.sources[some].title == "NOS, Iraqi gays get asylum"


def test_a_missing_dutch_step_title_is_listed() -> None:
    pack = load_pack("nl")
    texts = pack.texts["nl"].model_copy(
        update={"steps": {k: v for k, v in pack.texts["nl"].steps.items() if k != "past_harm"}}
    )
    assert missing(texts, pack.ids())["steps"] == ["past_harm"]


def test_the_dutch_letter_names_the_change_in_dutch() -> None:
    from haven.cases import Case
    from haven.cli.demo_cmd import EXAMPLE

    pack = load_pack("nl")
    case = Case.model_validate_json(json.dumps(EXAMPLE))
    _, items = build([case], date(2015, 6, 1), date(2015, 10, 1), pack)
    window = letters.Window(date(2015, 6, 1), date(2015, 10, 1), pack.version)
    html = letters.render(
        items[0], case, window, pack, "nl", datetime(2026, 1, 2, tzinfo=UTC), MemoFormat.HTML
    ).decode()
    assert "LHBTI&#39;s uit Rusland zijn een risicogroep" in html
    assert "Brief van staatssecretaris Dijkhoff" in html
    assert "LGBTI people from Russia are a risk group" not in html


def test_validate_lists_missing_and_unknown_texts(tmp_path: Path) -> None:
    def validate(pack: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "haven", "policy", "validate", pack],
            capture_output=True,
            text=True,
            timeout=120,
        )

    r = validate("nl")
    assert r.returncode == 0 and "without a 'nl' text" not in r.stdout, r.stdout
    # A draft that drops the Russian entries still loads: their texts are unused, and named.
    draft = tmp_path / "nl"
    shutil.copytree(PACK_DIR, draft)
    (draft / "entries" / "RU.yaml").unlink()
    # ... and one whose Dutch source title is lost is listed as missing it.
    nl = draft / "i18n" / "nl.yaml"
    line = "  nos-394254: NOS, Iraakse homo's krijgen asiel\n"
    assert line in nl.read_text()
    nl.write_text(nl.read_text().replace(line, ""))
    pack = load_pack.__wrapped__(str(draft))
    assert "ru-lgbti-risk-group-2015" not in pack.entries
    r = validate(str(draft))
    assert r.returncode == 0, r.stderr
    assert "entries.ru-lgbti-risk-group-2015: the pack has no entry" in r.stdout
    assert "1 sources without a 'nl' text (i18n/nl.yaml): nos-394254" in r.stdout

"""The decision-support memo: PDF and HTML, English and Dutch, read back with pypdf.

The core Russian case (the contract example) as of 1 October 2015 is a risk group with
relocation excluded; as of 1 June 2015 it had no designation. The memo must say so in the
language asked for, cite its sources, name the pack version, and say that it supports and does
not replace the officer's decision.
"""

import http.server
import io
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from pypdf import PdfReader

from haven.cases import Case
from haven.i18n import untranslated
from haven.policy.framework import RuleId
from haven.policy.loader import load_pack
from haven.reports import memo as memos
from haven.reports import plain
from haven.reports.memo import MemoFormat
from haven.vocab import Actor, Finding, FlagCode, IncidentKind, Recommendation

EXAMPLE = (
    Path(__file__).resolve().parents[1].parent / "shared/contract/examples/ru-moscow-2015.json"
)
REPORTS = Path(__file__).resolve().parents[1] / "haven" / "reports"
GENERATED = datetime(2026, 1, 2, 9, 30, tzinfo=UTC)
PACK = load_pack("nl")


@pytest.fixture(scope="module")
def case(shared: Path) -> Case:
    # `shared` skips without ../shared on a user's machine and fails under CI=true.
    return Case.model_validate_json(EXAMPLE.read_text())


def pdf_text(data: bytes) -> str:
    """All text of a PDF, whitespace collapsed (PDF lines break anywhere)."""
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def memo_pdf(case: Case, as_of: date, lang: str) -> str:
    document = memos.build(case, as_of, PACK, lang, GENERATED)
    return pdf_text(memos.render(document, PACK, MemoFormat.PDF))


@pytest.fixture(scope="module")
def en_oct(case: Case) -> str:
    return memo_pdf(case, date(2015, 10, 1), "en")


@pytest.fixture(scope="module")
def nl_oct(case: Case) -> str:
    return memo_pdf(case, date(2015, 10, 1), "nl")


def test_english_pdf_as_of_october_2015(en_oct: str) -> None:
    text = en_oct
    assert "Decision-support memo" in text
    assert "risk group (ru-lgbti), since 7 September 2015" in text
    assert "minor indications suffice" in text
    # The relocation finding, in plain words and as the flag on the refusal's reason.
    assert "excluded: relocation may not be held against the applicant" in text
    assert plain.flag_text(FlagCode.IPA_EXCLUDED_BY_POLICY, "en") in text
    assert plain.flag_text(FlagCode.PROTECTION_SEEKING_WAIVED, "en") in text
    # Citations: the letter of 7 September 2015 by id, title, dates and URL.
    letter = PACK.sources["kst-19637-2029"]
    assert "kst-19637-2029" in text
    assert letter.title in text
    assert "published 7 September 2015" in text
    assert letter.url in text.replace(" ", "")
    # Which policy, which date, when generated, and what the memo is not.
    assert f"version {PACK.version}" in text
    assert "as of 1 October 2015 (2015-10-01)" in text
    assert "Generated on 2 January 2026" in text
    assert "supports the case officer's decision; it does not replace it" in text
    assert "Protection indicated" in text
    # Step headings are the pack's (framework.yaml: steps).
    assert PACK.steps["standard_minor_indications"].title in text
    assert PACK.steps["internal_protection"].title in text
    # (Source titles may be Dutch; the memo's own words are English.)
    assert "peildatum" not in text and "Aanwijzing als groep" not in text


def test_dutch_pdf_as_of_october_2015(nl_oct: str) -> None:
    text = nl_oct
    assert "Notitie ter ondersteuning van de beslissing" in text
    assert "risicogroep (ru-lgbti), sinds 7 september 2015" in text
    assert "geringe indicaties volstaan" in text
    assert (
        "uitgesloten: een vestigingsalternatief mag de aanvrager niet worden tegengeworpen" in text
    )
    assert plain.flag_text(FlagCode.IPA_EXCLUDED_BY_POLICY, "nl") in text
    assert "Bescherming aangewezen" in text
    # Step headings in the pack's Dutch (i18n/nl.yaml: steps).
    assert "Bewijsmaatstaf: geringe indicaties" in text
    assert "Binnenlands vestigingsalternatief" in text
    # The flag names its reason under the same heading as the step that checks it.
    assert "Tegengeworpen grond: kan zich elders in het land vestigen" in text
    assert "Aangevoerde grond" not in text
    # The Dutch memo gives the letter its Dutch description (haven/packs/nl/i18n/nl.yaml).
    assert "kst-19637-2029" in text and PACK.source_title("kst-19637-2029", "nl") in text
    assert "Brief van staatssecretaris Dijkhoff" in text
    assert "gepubliceerd 7 september 2015" in text
    assert f"versie {PACK.version}" in text
    assert "peildatum 1 oktober 2015" in text
    assert "Gemaakt op 2 januari 2026" in text
    assert "zij vervangt die beslissing niet" in text
    # Nothing of the English wording the catalogue translates.
    for english in ("does not replace", "Group designation", "Facts as recorded", "Standard met"):
        assert english not in text


@pytest.mark.parametrize(
    ("lang", "absent", "present"),
    [("en", "risk group", "no group designation"), ("nl", "risicogroep", "geen aanwijzing")],
)
def test_before_the_change_there_is_no_designation(
    case: Case, lang: str, absent: str, present: str
) -> None:
    text = memo_pdf(case, date(2015, 6, 1), lang)
    assert present in text
    assert f"{absent} (ru-lgbti)" not in text
    assert "ipa_excluded_by_policy" not in text  # relocation was not yet ruled out


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_incident_table_keeps_its_words_whole(case: Case, lang: str) -> None:
    """Every header and value of the incidents table is whole on its line of the PDF: the
    last two columns were a letter wide ("C r e d i b i l i t y", one letter a line) and the
    Dutch table ran over a page break. The longest words each column can hold are used."""
    incidents = [
        i.model_copy(update={"kind": kind, "actor": actor, "credibility": cred})
        for i in case.incidents[:1]
        for kind, actor, cred in (
            (IncidentKind.SEXUAL_VIOLENCE, Actor.NON_STATE, Finding.NOT_CREDIBLE),
            (IncidentKind.DISCRIMINATION, Actor.STATE, Finding.OPEN),
            (IncidentKind.PROSECUTION, Actor.NON_STATE, Finding.CREDIBLE),
        )
    ]
    subject = case.model_copy(update={"incidents": incidents})
    document = memos.build(subject, date(2015, 10, 1), PACK, lang, GENERATED)
    reader = PdfReader(io.BytesIO(memos.render(document, PACK, MemoFormat.PDF)))
    pages = [page.extract_text() or "" for page in reader.pages]
    words = {w for page in pages for w in page.split()}
    headers = {
        "en": "Date What By Credibility Protection sought",
        "nl": "Datum Wat Door Geloofwaardigheid Bescherming ingeroepen",
    }[lang]
    values = [
        plain.incident_kind_text(i.kind, lang)
        + " "
        + plain.actor_text(i.actor, lang)
        + " "
        + plain.credibility_text(i.credibility, lang)
        for i in incidents
    ]
    for word in (headers + " " + " ".join(values)).split():
        assert word in words, (lang, word)
    # The heading, the header row and the rows on one page.
    heading = {"en": "Incidents reported", "nl": "Gemelde incidenten"}[lang]
    with_table = [p for p in pages if heading in p]
    assert len(with_table) == 1 and all(v.split()[0] in with_table[0] for v in values)


def test_hostile_case_text_is_escaped(case: Case) -> None:
    hostile = case.model_copy(update={"id": '<script>alert("x")</script><img src=x onerror=1>'})
    document = memos.build(hostile, date(2015, 10, 1), PACK, "en", GENERATED)
    html = memos.render_html(document, PACK)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=1&gt;" in html
    # In the PDF it is just text.
    text = pdf_text(memos.render(document, PACK, MemoFormat.PDF))
    assert '<script>alert("x")</script>' in text


def test_the_pdf_is_tagged_and_names_its_case_version_and_author(case: Case) -> None:
    document = memos.build(case, date(2015, 10, 1), PACK, "nl", GENERATED, 3, "olga")
    data = memos.render(document, PACK, MemoFormat.PDF)
    # PDF/UA-1: a structure tree (tagged) and the PDF/UA identification in the metadata.
    root: Any = PdfReader(io.BytesIO(data)).trailer["/Root"]  # pypdf's objects are untyped
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()
    text = pdf_text(data)
    assert "Zaakversie 3" in text and "door olga" in text


def test_download_names_are_safe() -> None:
    name = memos.filename('../"evil"\r\n<ref>', date(2015, 10, 1), "nl", MemoFormat.PDF)
    assert name == "memo-____evil____ref_-2015-10-01-nl.pdf"
    assert memos.filename("", date(2015, 10, 1), "en", MemoFormat.HTML).startswith("memo-case-")


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012 - shared by the handler instances of one server

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def web_server() -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_pdf_rendering_fetches_nothing(web_server: str) -> None:
    from haven.reports.pdf import html_to_pdf

    _Recorder.hits.clear()
    html = (
        f'<html><head><link rel="stylesheet" href="{web_server}/a.css">'
        f"<style>@import url({web_server}/b.css); @font-face {{ font-family: x; "
        f"src: url({web_server}/f.woff) }}</style></head>"
        f'<body><img src="{web_server}/c.png"><p>still rendered</p></body></html>'
    )
    assert "still rendered" in pdf_text(html_to_pdf(html))
    assert _Recorder.hits == []


# -- the catalogue -----------------------------------------------------------------------------


def test_every_dutch_message_is_translated() -> None:
    assert untranslated("haven.reports", "reports", "nl") == []


def test_every_message_in_the_code_is_in_the_catalogue() -> None:
    """A new English message without a catalogue entry would show English in a Dutch memo."""
    keywords = {"N_": None, "tr": (1,), "_": None}
    found = {
        m[1]
        for name in ("plain.py", "memo.py", "letter.py", "wording.py")
        for m in extract_from_file("python", REPORTS / name, keywords=keywords)
    }
    for name in ("memo.html", "letter.html"):
        found |= {m[1] for m in extract_from_file("jinja2", REPORTS / "templates" / name)}
    po = REPORTS / "locale" / "nl" / "LC_MESSAGES" / "reports.po"
    with po.open("rb") as fh:
        catalogue = {m.id for m in read_po(fh) if m.id}
    assert len(found) > 100
    assert found - catalogue == set()
    assert catalogue - found == set(), "stale catalogue entries"


def test_page_footer_text_is_safe_in_css() -> None:
    """The footer is a CSS string inside <style>, where HTML escaping does not apply."""
    footers = (
        "Decision support only: the case officer decides.",
        "Draft. Decision support only: the case officer decides.",
    )
    for lang in ("en", "nl"):
        for message in footers:
            assert not set(plain.tr(message, lang)) & set("\"'\\<>&{}")


# -- the plain-language API the web app uses ---------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_every_code_has_words(lang: str) -> None:
    for code in FlagCode:
        assert len(plain.flag_text(code, lang)) > 30
    for rec in Recommendation:
        assert plain.outcome_text(rec, lang) != rec.value
        assert plain.outcome_explanation(rec, lang) != rec.value
    for rule in RuleId:
        assert plain.step_title(rule.value, lang) != rule.value


def test_dutch_differs_from_english() -> None:
    for code in FlagCode:
        assert plain.flag_text(code, "nl") != plain.flag_text(code, "en")
    assert plain.step_title("guardrails.internal_relocation", "nl") == (
        "Tegengeworpen grond: kan zich elders in het land vestigen"
    )
    assert plain.designation_text("risk_group", "nl") == "risicogroep"
    assert plain.outcome_text("protection_indicated", "nl-NL") == "Bescherming aangewezen"


def test_unknown_codes_pass_through() -> None:
    assert plain.flag_text("a_future_flag", "nl") == "a_future_flag"
    assert plain.step_title("a_future_rule", "en") == "a_future_rule"
    assert plain.designation_text(None, "en") == "no group designation"


# -- the CLI -----------------------------------------------------------------------------------


def haven(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "haven", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def test_cli_writes_a_dutch_pdf(tmp_path: Path, case: Case) -> None:
    out = tmp_path / "memo.pdf"
    r = haven(
        "memo",
        str(EXAMPLE),
        "--as-of",
        "2015-10-01",
        "--lang",
        "nl",
        "--out",
        str(out),
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    text = pdf_text(out.read_bytes())
    assert "risicogroep (ru-lgbti)" in text and "zij vervangt die beslissing niet" in text


def test_cli_writes_html_by_suffix(tmp_path: Path, case: Case) -> None:
    out = tmp_path / "memo.html"
    r = haven("memo", str(EXAMPLE), "--as-of", "2015-06-01", "--out", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "no group designation" in html


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (["--lang", "fr"], "--lang"),
        (["--as-of", "1 Oct 2015"], "--as-of"),
        (["--org", "acme"], "--user"),
    ],
)
def test_cli_bad_input_exits_2_naming_the_field(
    tmp_path: Path, case: Case, extra: list[str], field: str
) -> None:
    r = haven("memo", str(EXAMPLE), "--out", str(tmp_path / "m.pdf"), *extra, cwd=tmp_path)
    assert r.returncode == 2
    assert field in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "m.pdf").exists()


def test_cli_refuses_a_caseload(tmp_path: Path, case: Case) -> None:
    one = json.loads(EXAMPLE.read_text())
    two = [one, {**one, "id": "EX-RU-2"}]
    (tmp_path / "two.json").write_text(json.dumps(two))
    r = haven("memo", "two.json", "--out", "m.pdf", cwd=tmp_path)
    assert r.returncode == 2 and "holds 2 cases" in r.stderr


LATER = ("kst-19637-2343", "Kamerstuk 19637 nr. 2343", "WBV 2019/12", "WBV 2021/1", "nr. 2602")


@pytest.mark.parametrize(
    ("as_of", "marked"),
    # On 1 June 2015 the refusal of 20 July 2015 (its status, date and reasons) was not known.
    [(date(2015, 6, 1), 4), (date(2015, 10, 1), 1)],
)
def test_memo_cites_nothing_later_and_marks_later_facts(
    case: Case, as_of: date, marked: int
) -> None:
    """Issue 14: the memo renders the engine's citations (only documents existing on the date)
    and shows an incident (and a decision) dated after the as-of date as not known on it."""
    later = case.incidents[0].model_copy(update={"date": date(2016, 10, 1)})
    grown = case.model_copy(update={"incidents": [*case.incidents, later]})
    html = memos.render_html(memos.build(grown, as_of, PACK, "en", GENERATED), PACK)
    for text in LATER:
        assert text not in html, text
    assert "(not known on the as-of date)" in html
    assert html.count("(not known on the as-of date)") == marked
    dutch = memos.render_html(memos.build(grown, as_of, PACK, "nl", GENERATED), PACK)
    assert "(niet bekend op de peildatum)" in dutch

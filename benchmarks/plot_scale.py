"""Plot time against caseload size from benchmarks/results/impact-scale.md (log-log SVG).

    .venv/bin/python benchmarks/plot_scale.py   # writes benchmarks/results/impact-scale.svg

Uses the last table in the results file. No plotting library: a few lines of SVG.
"""

import math
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
SERIES = {
    "impact_s": ("haven impact, end to end", "#1f5f8b"),
    "read_floor_s": ("Polars read floor (read_ndjson, schema inferred)", "#888888"),
    "decode_floor_s": ("decode floor (lines decoded, schema given)", "#c08000"),
    "eval_2_dates_s": ("columnar evaluation, 2 dates", "#2e8b57"),
    "single_case_s_est": ("single-case engine, 2 dates (est.)", "#b03a2e"),
}
W, H, PAD = 640, 420, 60


def last_table(text: str) -> list[dict[str, str]]:
    tables: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    head, _, *rows = tables[-1]
    keys = [c.strip() for c in head.strip("|").split("|")]
    return [
        dict(zip(keys, (c.strip() for c in r.strip("|").split("|")), strict=True)) for r in rows
    ]


def main() -> None:
    table = last_table((RESULTS / "impact-scale.md").read_text())
    # One line per series and input: JSONL solid, Parquet dashed.
    lines = [
        (key, inp, [r for r in table if r["input"] == inp and r.get(key, "—") not in ("—", "")])
        for inp in ("jsonl", "parquet")
        for key in SERIES
    ]
    lines = [line for line in lines if line[2]]
    ns = [int(r["cases"]) for r in table]
    values = [float(r[k]) for k, _, rows in lines for r in rows]
    x0, x1 = math.log10(min(ns)), math.log10(max(ns))
    y0, y1 = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))

    def px(n: float) -> float:
        return PAD + (math.log10(n) - x0) / (x1 - x0 or 1) * (W - 2 * PAD)

    def py(v: float) -> float:
        return H - PAD - (math.log10(v) - y0) / (y1 - y0 or 1) * (H - 2 * PAD)

    svg = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
        'font-family="sans-serif" font-size="12">',
        "<title>Haven impact: time against caseload size (log-log)</title>",
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="black"/>',
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{H - PAD}" stroke="black"/>',
        f'<text x="{W / 2}" y="{H - 15}" text-anchor="middle">cases (log scale)</text>',
        f'<text x="15" y="{H / 2}" transform="rotate(-90 15 {H / 2})" '
        'text-anchor="middle">seconds (log scale)</text>',
    ]
    for n in sorted(set(ns)):
        svg.append(f'<text x="{px(n):.1f}" y="{H - PAD + 18}" text-anchor="middle">{n:,}</text>')
    for e in range(y0, y1 + 1):
        y = py(10**e)
        svg.append(f'<line x1="{PAD}" y1="{y:.1f}" x2="{W - PAD}" y2="{y:.1f}" stroke="#ddd"/>')
        svg.append(f'<text x="{PAD - 8}" y="{y + 4:.1f}" text-anchor="end">{10**e:g}</text>')
    for i, (key, inp, rows) in enumerate(lines):
        label, colour = SERIES[key]
        dash = ' stroke-dasharray="6 4"' if inp == "parquet" else ""
        pts = [(px(int(r["cases"])), py(float(r[key]))) for r in rows]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        svg.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
        )
        svg += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in pts]
        svg.append(
            f'<line x1="{PAD + 10}" y1="{PAD + i * 18 - 4}" x2="{PAD + 24}" '
            f'y2="{PAD + i * 18 - 4}" stroke="{colour}" stroke-width="3"{dash}/>'
        )
        svg.append(f'<text x="{PAD + 28}" y="{PAD + i * 18}">{label} ({inp})</text>')
    svg.append("</svg>")
    out = RESULTS / "impact-scale.svg"
    out.write_text("\n".join(svg) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

"""The JSON of `haven policy compare` (contract v1.1, section 5), shared by the CLI, the API and
the web page: `{"as_of" | "from"/"to", "packs", "divergences": [...], "unranked": [...]}`.

`divergences` holds only rows whose kind is one the contract lists, so that a tool checking
`kind` against that list keeps working; the rows Haven adds kinds for (`different`: both packs
have a position and the order does not rank them; `unconfirmed`: a side's position is not
known on the date) are in `unranked`, in the same shape with their kind (an additive field).
A reader shows both (`rows`)."""

from datetime import date
from typing import Any

from haven.policy.compare import Divergence, Kind, Side, Topic, values
from haven.policy.entries import EntryBase
from haven.policy.pack import Pack
from haven.policy.snapshot import cite_on

# Entries under `not_counted` are in force but unverified, unconfirmed or under review on the
# date: shown with the reason (`why`), never counted as the pack's position.


def _source(pack: Pack, sid: str) -> dict[str, Any]:
    s = pack.sources[sid]
    day = s.published or s.signed or s.known_from
    return {"id": s.id, "title": s.title, "date": day.isoformat() if day else None, "url": s.url}


def _entry(pack: Pack, e: EntryBase, on: date) -> dict[str, Any]:
    group = pack.groups.get(e.group) if e.group else None
    # Only the documents that existed on the date; those published after it apart, as in an
    # assessment (haven.policy.snapshot.cite_on).
    cited = cite_on(pack, (s for s in e.sources_on(on) if s in pack.sources), on)
    return {
        "entry": e.id,
        "label": e.label,
        "group": e.group,
        "group_label": group.label if group else None,
        "valid_from": e.valid_from.isoformat(),
        "valid_to": e.valid_to.isoformat() if e.valid_to else None,
        "values": values(e),
        "sources": [_source(pack, s) for s in cited.sources],
        "later_sources": [_source(pack, s) for s in cited.later],
    }


def side_json(pack: Pack, s: Side, on: date) -> dict[str, Any]:
    """One pack's side: its counted entry (`entry` null when it has none), the values and
    sources, and the entries shown but not counted, each with the reason."""
    base: dict[str, Any] = (
        _entry(pack, s.entry, on)
        if s.entry is not None
        else {"entry": None, "label": None, "values": None, "sources": [], "later_sources": []}
    )
    return {
        "pack": s.pack,
        **base,
        "not_counted": [
            {**_entry(pack, e, on), "why": f"not counted as the pack's position: {why}"}
            for e, why in s.not_counted
        ],
    }


def divergence_json(left: Pack, right: Pack, d: Divergence, on: date) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "country": d.country,
        "topic": d.topic.value,
        "profile": d.profile.name,
        "kind": d.kind.value,
        "left": side_json(left, d.left, on),
        "right": side_json(right, d.right, on),
    }
    if d.windows:
        doc["windows"] = [{"from": a.isoformat(), "to": b.isoformat()} for a, b in d.windows]
    return doc


# The kinds of `divergences[].kind` in the contract (section 5); any other goes to `unranked`.
CONTRACT_KINDS = frozenset(
    k.value
    for k in (
        Kind.LEFT_STRICTER,
        Kind.LEFT_MORE_FAVOURABLE,
        Kind.ONLY_LEFT,
        Kind.ONLY_RIGHT,
        Kind.SAME,
    )
)


def _split(docs: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    return {
        "divergences": [d for d in docs if d["kind"] in CONTRACT_KINDS],
        "unranked": [d for d in docs if d["kind"] not in CONTRACT_KINDS],
    }


def rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Every row of a comparison for a reader (table, HTML, the web page): the divergences and
    the unranked rows, in the comparison's order (topic, profile, first window)."""
    topics = [t.value for t in Topic]
    return sorted(
        [*doc["divergences"], *doc.get("unranked", [])],
        key=lambda d: (
            topics.index(d["topic"]),
            d["profile"],
            d["windows"][0]["from"] if d.get("windows") else "",
        ),
    )


def as_of_json(left: Pack, right: Pack, on: date, found: list[Divergence]) -> dict[str, Any]:
    return {
        "as_of": on.isoformat(),
        "packs": [left.meta.id, right.meta.id],
        **_split([divergence_json(left, right, d, on) for d in found]),
    }


def period_json(
    left: Pack, right: Pack, start: date, end: date, found: list[Divergence]
) -> dict[str, Any]:
    """Each divergence with its windows; its sides as on the first day of its first window."""
    return {
        "as_of": None,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "packs": [left.meta.id, right.meta.id],
        **_split([divergence_json(left, right, d, d.windows[0][0]) for d in found]),
    }

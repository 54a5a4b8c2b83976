"""A step's finding in the reader's language.

The engine states each finding in English (`steps[].finding`, the contract) and names the
sentences it is made of (`finding_keys`) with their arguments (`finding_args`, strings). The
pack words each sentence (framework.yaml: step_findings; i18n/<lang>.yaml) with `{argument}`
placeholders; here the arguments are said in the reader's language and the sentences joined.

Arguments, by name (the engine writes them so, haven.assess):
  entry        an entry id                -> its label
  date         an ISO date                -> the date in words
  standard     a Standard value           -> the standard in words
  credibility  a Finding value            -> the finding in words
  recommendation  a Recommendation value  -> the outcome in words
  incidents, serious   "i:kind:actor,..." -> "incident 1 (threat, the state), ..."
  state, unreported    "i,..."            -> "incident 1, ..."
  claim        "sogi,...;tag,..."         -> the claimed profile in words
  reasons      sentence keys, comma-joined -> each sentence, joined by "; "
  anything else (regions, unverified: ids and codes) is shown as it is.

`engine_words` says the same sentences the engine's way (codes, ISO dates, `incidents[0]`), so
a test can check that the pack's English sentences are the engine's own. Pure."""

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from haven.i18n import normalise
from haven.policy.pack import Pack
from haven.reports import plain
from haven.reports.plain import N_, tr


class _Keep(dict[str, str]):
    """Arguments for str.format_map: a placeholder without an argument stays as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _incidents(value: str, with_what: bool, say: Callable[[int, str, str], str]) -> str:
    out = []
    for item in filter(None, value.split(",")):
        i, _, rest = item.partition(":")
        kind, _, actor = rest.partition(":")
        out.append(say(int(i), kind, actor) if with_what else say(int(i), "", ""))
    return ", ".join(out)


def _claim(value: str, word: Callable[[str, str], str]) -> str:
    sogi, _, tags = value.partition(";")
    parts = [
        ", ".join(word("sogi", s) for s in filter(None, sogi.split(","))),
        ", ".join(word("tag", t) for t in filter(None, tags.split(","))),
    ]
    return "; ".join(p for p in parts if p)


def _sentences(
    keys: Sequence[str], args: Mapping[str, str], pack: Pack, lang: str, say: Callable[..., str]
) -> str | None:
    """The sentences joined, or None if the pack lacks one of them."""
    texts = [pack.finding_sentence(k, lang) for k in keys]
    if not keys or any(t is None for t in texts):
        return None
    said = _Keep({name: say(name, value) for name, value in args.items()})
    return " ".join(str(t).format_map(said) for t in texts)


def _reasons(
    value: str, args: Mapping[str, str], pack: Pack, lang: str, say: Callable[..., str]
) -> str:
    """The phrases a further assessment names (`reasons`: their keys), joined by "; "."""
    said = _Keep({n: say(n, v) for n, v in args.items() if n != "reasons"})
    return "; ".join(
        (pack.finding_sentence(k, lang) or k).format_map(said) for k in value.split(",") if k
    )


def finding_text(step: Any, lang: str, pack: Pack) -> str:
    """The step's finding in `lang`: the pack's sentences with the arguments in words; the
    engine's English `finding` when the language is English or a sentence is missing."""
    keys: list[str] = list(getattr(step, "finding_keys", None) or [])
    args: dict[str, str] = dict(getattr(step, "finding_args", None) or {})
    if normalise(lang) == "en" or not keys:
        return str(step.finding)

    def incident(i: int, kind: str, actor: str) -> str:
        name = tr(N_("incident {n}"), lang).format(n=i + 1)
        if not kind:
            return name
        what = f"{plain.incident_kind_text(kind, lang)}, {plain.actor_text(actor, lang)}"
        return f"{name} ({what})"

    def word(kind: str, code: str) -> str:
        if kind == "sogi":
            return plain.sogi_text(code, lang)
        tag = pack.tags.get(code)
        return pack.text("tags", code, tag.label, lang) if tag else code

    def say(name: str, value: str) -> str:
        if name == "entry":
            return pack.entry_label(value, lang)
        if name == "date":
            return plain.day(date.fromisoformat(value), lang)
        if name == "standard":
            return plain.standard_text(value, lang)
        if name == "credibility":
            return plain.credibility_text(value, lang)
        if name == "recommendation":
            return plain.outcome_text(value, lang)
        if name in ("incidents", "serious", "state", "unreported"):
            return _incidents(value, name in ("incidents", "serious"), incident)
        if name == "claim":
            return _claim(value, word)
        if name == "reasons":
            return _reasons(value, args, pack, lang, say)
        return value

    return _sentences(keys, args, pack, lang, say) or str(step.finding)


def engine_words(keys: Sequence[str], args: Mapping[str, str], pack: Pack) -> str | None:
    """The sentences in the pack's own language with the arguments as the engine writes them
    (codes, ISO dates, `incidents[0] (threat, non_state)`): equal to the engine's `finding`
    when the pack's sentences are the engine's words."""

    def say(name: str, value: str) -> str:
        if name == "entry":
            entry = pack.entries.get(value)
            return entry.label if entry else value
        if name in ("incidents", "serious", "state", "unreported"):
            return _incidents(
                value,
                name in ("incidents", "serious"),
                lambda i, kind, actor: f"incidents[{i}]" + (f" ({kind}, {actor})" if kind else ""),
            )
        if name == "claim":
            return _claim(value, lambda _kind, code: code)
        if name == "reasons":
            return _reasons(value, args, pack, "en", say)
        return value

    return _sentences(keys, args, pack, "en", say)

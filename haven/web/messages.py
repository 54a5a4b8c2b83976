"""Problems on forms in plain words: a short code from the route, a sentence in the reader's
language here (English message ids, Dutch in the web catalogue). A message that is not a code
is shown as it is, translated where the catalogue has it."""

from collections.abc import Callable

from haven.errors import Problem
from haven.web.labels import N_

MESSAGES: dict[str, str] = {
    "required": N_("Enter %(field)s."),
    "too_long": N_("%(field)s is too long: shorten it."),
    "date": N_("%(field)s must be a real date, for example 2015-10-01."),
    "after_from": N_("%(field)s must be later than the first date."),
    "language": N_("Choose English or Dutch."),
    "choice": N_("Choose %(field)s from the list."),
    "after_today": N_("%(field)s must be after today."),
    "country": N_("Enter %(field)s as a two-letter country code, for example RU or IQ."),
}


def say(problem: Problem, fields: dict[str, str], gettext: Callable[[str], str]) -> str:
    """The problem as a sentence naming its field (`fields`: field -> its label, translated)."""
    field = fields.get(problem.where, problem.where)
    template = MESSAGES.get(problem.message)
    if template is None:
        return gettext(problem.message)
    text = gettext(template) % {"field": field}
    return text[:1].upper() + text[1:]

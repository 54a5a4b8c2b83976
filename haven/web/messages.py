"""Problems on forms and pages in plain words: a short code from the route, a sentence in the
reader's language here (English message ids, Dutch in the web catalogue). A message from the
store, the API or the case model (written for developers and the CLI) is matched against
PATTERNS and said again in plain words, its names and numbers kept; any other message is shown
as it is, translated where the catalogue has it."""

import re
from collections.abc import Callable

from haven.errors import Problem
from haven.web.labels import N_

# Patterns of messages, each with its sentence (an English message id with %(name)s for the
# pattern's groups and the field).
Rules = list[tuple[re.Pattern[str], str]]

MESSAGES: dict[str, str] = {
    "required": N_("Enter %(field)s."),
    "too_long": N_("%(field)s is too long: shorten it."),
    "date": N_("%(field)s must be a real date, for example 2015-10-01."),
    "after_from": N_("%(field)s must be later than the first date."),
    # A period's end before its start (impact, audit log; the same date twice is a period).
    "not_before_from": N_("%(field)s must be on or after the first date."),
    "language": N_("Choose English or Dutch."),
    "choice": N_("Choose %(field)s from the list."),
    "after_today": N_("%(field)s must be after today."),
    "country": N_("Enter %(field)s as a two-letter country code, for example RU or IQ."),
}

# The store's and the API's messages (haven/store, haven/web routes, haven/validation), each
# once: a pattern for its English text, with the parts it names as groups, and the sentence.
_Q = r"'(?P<{}>.*)'"  # a quoted name (repr) in a message
PATTERNS: Rules = [
    (
        re.compile(r"^case '.*' is at version (?P<now>\d+), not (?P<was>\d+…?): reload"),
        N_(
            "Someone saved this case after you opened it: it is now at version %(now)s, and "
            "you edited version %(was)s. Nothing was saved: reload the page and make your "
            "change again."
        ),
    ),
    (
        re.compile(r"^case " + _Q.format("ref") + r" is not assigned or shared with .*$"),
        N_("Case %(ref)s is not assigned to you or shared with you."),
    ),
    (re.compile(r"^no case " + _Q.format("ref") + "$"), N_("There is no case %(ref)s.")),
    (
        re.compile(r"^case " + _Q.format("ref") + r" has no version " + _Q.format("n") + "$"),
        N_("Case %(ref)s has no version %(n)s."),
    ),
    (
        re.compile(r"^role (?P<role>\S+) may not "),
        N_("Your role may not do this."),
    ),
    (
        re.compile(r"^only an admin may "),
        N_("Only an administrator may do this."),
    ),
    (
        re.compile(r"^case " + _Q.format("ref") + " is not shared with " + _Q.format("name") + "$"),
        N_("Case %(ref)s is not shared with %(name)s."),
    ),
    (
        re.compile(r"^case " + _Q.format("ref") + " is assigned to " + _Q.format("name") + ", not"),
        N_(
            "Case %(ref)s is assigned to %(name)s, not shared with them: an assignment cannot "
            "be taken back here."
        ),
    ),
    (
        re.compile(r"^" + _Q.format("name") + " is not an active case officer or NGO advocate$"),
        N_("%(name)s is not an active case officer or NGO advocate."),
    ),
    (
        re.compile(r"^choose another user to hand the cases over to$"),
        N_("Choose another user to hand the cases over to."),
    ),
    (
        re.compile(r"^no user " + _Q.format("name") + r" in this organisation$"),
        N_("There is no user %(name)s in this organisation."),
    ),
    (
        re.compile(r"^no active user " + _Q.format("name") + r"( in .*| here)$"),
        N_("There is no active user %(name)s here."),
    ),
    (
        re.compile(r"^you cannot disable your own account$"),
        N_("You cannot disable your own account."),
    ),
    (
        re.compile(r"^you cannot change the role of your own account$"),
        N_("You cannot change the role of your own account."),
    ),
    (
        re.compile(r"^this username cannot be used; choose another$"),
        N_("This username cannot be used: choose another."),
    ),
    (
        re.compile(r"^must be 1 to (?P<max>\d+) characters, without spaces or control"),
        N_("Use 1 to %(max)s characters, without spaces."),
    ),
    (
        re.compile(r"^must not be empty or only spaces$"),  # a password (haven/store/auth.py)
        N_("%(field)s cannot be empty or only spaces."),
    ),
    (
        re.compile(r"^must be at least (?P<min>\d+) characters$"),
        N_("Use at least %(min)s characters."),
    ),
    (re.compile(r"^(?P<role>.*) is not a role$"), N_("Choose a role from the list.")),
    (re.compile(r"^unknown action$"), N_("Choose one of the buttons on the page.")),
    (
        re.compile(r"^(contains a NUL character|must not contain the NUL character)"),
        N_("Contains an invisible character (NUL) that cannot be stored: remove it."),
    ),
    (re.compile(r"^no job (?P<id>.*)$"), N_("There is no job %(id)s.")),
    (re.compile(r"^no queue (?P<id>.*)$"), N_("There is no work queue %(id)s.")),
    (
        re.compile(r"^no item (?P<id>\S+) in queue (?P<queue>\S+)$"),
        N_("Work queue %(queue)s has no item %(id)s."),
    ),
    (re.compile(r"^no item (?P<id>.*)$"), N_("There is no work item %(id)s.")),
    (
        re.compile(r"^item (?P<id>\d+) is already closed$"),
        N_("Item %(id)s is already closed."),
    ),
    (
        re.compile(r"^item (?P<id>\d+) is closed: it takes no more comments$"),
        N_("Item %(id)s is closed: it takes no more notes."),
    ),
    (
        re.compile(r"^item (?P<id>\d+) is closed: it can no longer be assigned$"),
        N_("Item %(id)s is closed: it can no longer be assigned."),
    ),
    (
        re.compile(_Q.format("name") + r" may not work on case " + _Q.format("ref") + "$"),
        N_("%(name)s may not work on case %(ref)s: it is not assigned to or shared with them."),
    ),
    (re.compile(r"^no letter format "), N_("Choose the letter as HTML or PDF.")),
    (
        re.compile(r"^the pack has no entries for " + _Q.format("code") + "$"),
        N_("The policy has no entries for %(code)s."),
    ),
    (
        re.compile(r"^is empty: name a pack this server offers \((?P<offered>[^)]*)\), or leave"),
        N_(
            "Choose a policy pack this server offers (%(offered)s), or leave it out for the "
            "default."
        ),
    ),
    (
        re.compile(r"^no draft pack named " + _Q.format("name") + "$"),
        N_("There is no draft policy named %(name)s."),
    ),
    (
        # haven/store (a password), haven/doors.py and the API (a path reference, a field).
        re.compile(r"^(?:longer than|must be at most) (?P<max>\d+) characters( long)?$"),
        N_("Use at most %(max)s characters."),
    ),
    (
        re.compile(r"^not a date \(expected YYYY-MM-DD"),
        N_("Enter a real date, for example 2015-10-01."),
    ),
    (
        re.compile(r"^is required \(recorded with the export\)$"),
        N_("Fill this in: it is recorded with the export."),
    ),
    (
        re.compile(r"^\S+ is not after today \(\S+\)$"),
        N_("Choose a date after today."),
    ),
    (
        re.compile(
            r"^\S+ is more than (?P<max>\d+) days after today \(\S+\), the longest an export "
            r"may be kept here \(\S+\): choose (?P<latest>\S+) or earlier$"
        ),
        N_(
            "%(field)s may be at most %(max)s days after today, the longest an export may be "
            "kept here: choose %(latest)s or earlier."
        ),
    ),
    (
        re.compile(
            r"^(?P<day>\S+) is before (?P<start>\S+), the first day on which pack \S+ has a "
            r"legal basis for every step"
        ),
        N_(
            "%(day)s is before %(start)s, the first day on which the policy has a legal basis "
            "for every step: choose a date on or after it."
        ),
    ),
    (
        # haven/impact/period.py: a period's second date before its first.
        re.compile(r"^\S+ is before \S+ \S+: the second date must be on or after the first$"),
        MESSAGES["not_before_from"],
    ),
    (re.compile(r"^Not Found$"), N_("There is no page at this address.")),
    (re.compile(r"^Method Not Allowed$"), N_("This page cannot be used that way.")),
]


def sentence(template: str, gettext: Callable[[str], str], **values: str) -> str:
    """`template` in the reader's language with `values` filled in, as a sentence."""
    translated = gettext(template)
    text = translated % values
    # A sentence that opens with a name, a reference or a date keeps it as written ("rosa is
    # not …", "2015-02-30 …"); one that opens with words or a field's label is capitalised.
    if translated.startswith("%(") and not translated.startswith("%(field)s"):
        return text
    return text[:1].upper() + text[1:]


def said(rules: Rules, message: str, gettext: Callable[[str], str], field: str) -> str | None:
    """The sentence of the first rule whose pattern `message` matches (its groups and `field`
    filled in), or None."""
    for pattern, template in rules:
        found = pattern.search(message)
        if found:
            return sentence(template, gettext, field=field, **found.groupdict())
    return None


def plain_message(message: str, gettext: Callable[[str], str], field: str = "") -> str:
    """A store or API message in plain words in the reader's language; else as it is
    (translated if the catalogue has it)."""
    return said(PATTERNS, message, gettext, field) or gettext(message)


def say(problem: Problem, fields: dict[str, str], gettext: Callable[[str], str]) -> str:
    """The problem as a sentence naming its field (`fields`: field -> its label, translated)."""
    field = fields.get(problem.where, problem.where)
    template = MESSAGES.get(problem.message)
    if template is None:
        return plain_message(problem.message, gettext, field)
    return sentence(template, gettext, field=field)

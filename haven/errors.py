"""One small exception tree. Every error names the field, entry or date involved.

Leaf module: imports nothing of Haven.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (a field path) and what."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class HavenError(Exception):
    """Base of every error Haven raises on purpose."""

    def __init__(self, problems: list[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("", problems)]
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class InputError(HavenError):
    """Bad input from a user: the CLI exits 2, the API answers 422."""


class Unprocessable(InputError):
    """Bad input that the web pages answer with 422 too, as the API does (a path reference
    too long to be one, a pack not offered); other input errors are a 400 page there."""

    http_status = 422


ECHO_MAX = 64  # the most of a user's input a message quotes back


def shown(value: str) -> str:
    """`value` quoted in a message (its repr), cut to ECHO_MAX characters of the input (…):
    a path or field of any length is never echoed whole."""
    return repr(value if len(value) <= ECHO_MAX else value[:ECHO_MAX] + "…")


class PolicyError(InputError):
    """A policy pack that cannot be loaded: names the file, the entry and the field."""


class CaseError(InputError):
    """A case that breaks the contract: names the field path, e.g. incidents[2].date."""


class NotFound(HavenError):
    """The thing asked for does not exist, or the caller may not know that it exists."""


class Conflict(HavenError):
    """The request clashes with stored state (e.g. a case reference already in use)."""


class PreconditionFailed(HavenError):
    """An edit was based on a version that is no longer current (optimistic concurrency)."""


class PreconditionRequired(HavenError):
    """An edit without If-Match: the caller must say which version it edits (RFC 6585, 428)."""


class Unauthenticated(HavenError):
    """No valid credentials."""


class Forbidden(HavenError):
    """Authenticated, but the role or assignment does not allow this."""


class TooManyRequests(HavenError):
    """Too many failed attempts (e.g. logins): refused until `retry_after` seconds have passed."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(HavenError):
    """The database is down, restarting or unreachable: retry after `retry_after` seconds. A
    write that met this was stored whole or not at all (reload before repeating it)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after

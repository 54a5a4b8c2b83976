"""Entry point. Exit codes (contract): 0 success, 2 invalid input, 1 anything else."""

import os
import sys

import typer

from haven.cli.common import err
from haven.errors import HavenError, InputError

app = typer.Typer(
    name="haven",
    help="Policy-as-code decision support for asylum case work. Recommends; never decides.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _group() -> None:
    """Policy-as-code decision support for asylum case work. Recommends; never decides."""
    # A callback keeps `haven` a group even when only one command is registered (below).


# Each command's module, imported only when that command runs: importing them all (the store,
# SQLAlchemy, Alembic, WeasyPrint, ...) took a second before any command could start.
COMMANDS = (
    "assess",
    "impact",
    "lint",
    "lint-eval",
    "memo",
    "generate",
    "demo",
    "policy",
    "serve",
    "users",
    "db",
    "cases",
    "queue",
    "keys",
    "audit",
    "research",
    "backup",
    "restore",
)


def register(only: str | None = None) -> None:
    """Register the commands (all, or just `only`) on `app`."""

    def want(*names: str) -> bool:
        return only is None or only in names

    if want("assess"):
        from haven.cli import assess_cmd

        app.command("assess")(assess_cmd.assess)
    if want("impact"):
        from haven.cli import impact_cmd

        app.command("impact")(impact_cmd.impact)
    if want("lint", "lint-eval"):
        from haven.cli import lint_cmd

        app.command("lint")(lint_cmd.lint_file)
        app.command("lint-eval")(lint_cmd.lint_eval)
    if want("memo"):
        from haven.cli import memo_cmd

        app.command("memo")(memo_cmd.memo)
    if want("generate", "demo"):
        from haven.cli import demo_cmd

        app.command("generate")(demo_cmd.generate)
        app.command("demo")(demo_cmd.demo)
    if want("policy"):
        from haven.cli import compare_cmd, diff_cmd, policy_cmd

        policy_cmd.app.command("diff")(diff_cmd.diff)
        policy_cmd.app.command("compare")(compare_cmd.compare)
        app.add_typer(policy_cmd.app, name="policy")
    if want("serve", "users", "db"):
        from haven.cli import server_cmd, users_cmd  # noqa: F401 - users_cmd adds commands

        app.command("serve")(server_cmd.serve)
        app.add_typer(server_cmd.users, name="users")
        app.add_typer(server_cmd.db_app, name="db")
    if want("cases", "keys"):
        from haven.cli import cases_cmd, keys_cmd

        cases_cmd.app.command("shred")(keys_cmd.shred_case)
        app.add_typer(cases_cmd.app, name="cases")
        app.add_typer(keys_cmd.app, name="keys")
    if want("queue"):
        from haven.cli import queue_cmd

        app.add_typer(queue_cmd.app, name="queue")
    if want("audit"):
        from haven.cli import audit_cmd

        app.add_typer(audit_cmd.app, name="audit")
    if want("research"):
        from haven.cli import research_cmd

        app.add_typer(research_cmd.app, name="research")
    if want("backup", "restore"):
        from haven.cli import backup_cmd

        app.command("backup")(backup_cmd.backup)
        app.command("restore")(backup_cmd.restore)


def _command(argv: list[str]) -> str | None:
    """The command named on the command line, if it is one (else: register all, for help)."""
    first = next((a for a in argv if not a.startswith("-")), None)
    return first if first in COMMANDS else None


def run() -> None:
    """Console-script entry: one error boundary, never a traceback for the user.

    Typer's standalone mode handles usage errors itself (exit 2); Haven's errors pass through
    it and are reported here.
    """
    try:
        register(_command(sys.argv[1:]))
        app()
    except InputError as e:
        err.print("[bold red]error:[/] invalid input")
        for p in e.problems:
            err.print(f"  {p}", markup=False)
        sys.exit(2)
    except HavenError as e:
        err.print("[bold red]error:[/] ", end="")
        err.print(str(e), markup=False)
        sys.exit(1)
    except Exception as e:  # the last line of defence: a clear message, not a stack dump
        if os.environ.get("HAVEN_DEBUG"):
            raise
        from haven.store.db import down_reason, unavailable

        if unavailable(e):
            # PostgreSQL down or restarting is an operational state, not a bug: one line
            # (why, host and port), and the command's transaction was rolled back.
            err.print(
                f"error: the database is unavailable ({down_reason(e)}); try again when it is back",
                markup=False,
            )
            sys.exit(1)
        err.print(f"internal error: {type(e).__name__}: {e}", markup=False)
        err.print("Run with HAVEN_DEBUG=1 for details, and please report it.")
        sys.exit(1)


if __name__ == "__main__":
    run()

"""Entry point. Exit codes (contract): 0 success, 2 invalid input, 1 anything else."""

import os
import sys

import typer

from haven.cli import (
    assess_cmd,
    audit_cmd,
    backup_cmd,
    cases_cmd,
    demo_cmd,
    diff_cmd,
    impact_cmd,
    keys_cmd,
    lint_cmd,
    memo_cmd,
    policy_cmd,
    queue_cmd,
    research_cmd,
    server_cmd,
)
from haven.cli.common import err
from haven.errors import HavenError, InputError
from haven.store.db import down_reason, unavailable

app = typer.Typer(
    name="haven",
    help="Policy-as-code decision support for asylum case work. Recommends; never decides.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("assess")(assess_cmd.assess)
app.command("impact")(impact_cmd.impact)
app.command("lint")(lint_cmd.lint_file)
app.command("lint-eval")(lint_cmd.lint_eval)
app.command("memo")(memo_cmd.memo)
app.command("generate")(demo_cmd.generate)
app.command("demo")(demo_cmd.demo)
policy_cmd.app.command("diff")(diff_cmd.diff)
app.add_typer(policy_cmd.app, name="policy")
app.command("serve")(server_cmd.serve)
app.add_typer(server_cmd.users, name="users")
app.add_typer(server_cmd.db_app, name="db")
cases_cmd.app.command("shred")(keys_cmd.shred_case)
app.add_typer(cases_cmd.app, name="cases")
app.add_typer(queue_cmd.app, name="queue")
app.add_typer(keys_cmd.app, name="keys")
app.add_typer(audit_cmd.app, name="audit")
app.add_typer(research_cmd.app, name="research")
app.command("backup")(backup_cmd.backup)
app.command("restore")(backup_cmd.restore)


def run() -> None:
    """Console-script entry: one error boundary, never a traceback for the user.

    Typer's standalone mode handles usage errors itself (exit 2); Haven's errors pass through
    it and are reported here.
    """
    try:
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

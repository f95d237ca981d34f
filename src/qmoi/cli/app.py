"""The Typer application: one module per command, registered here."""

from __future__ import annotations

import typer

from qmoi.cli import actions as actions_cmd
from qmoi.cli import explain as explain_cmd
from qmoi.cli import expr as expr_cmd
from qmoi.cli import fix as fix_cmd
from qmoi.cli import learn as learn_cmd
from qmoi.cli import lint as lint_cmd
from qmoi.cli import manager as manager_cmd
from qmoi.cli import run as run_cmd
from qmoi.cli import runner as runner_cmd
from qmoi.cli import runners as runners_cmd
from qmoi.cli import runs as runs_cmd
from qmoi.cli import verified as verified_cmd
from qmoi.cli.guard import guarded
from qmoi.errors import QmoiError

app = typer.Typer(
    name="qmoi",
    help="Keep GitHub Actions workflows healthy: validate, fix, run, repair.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("lint")(lint_cmd.lint)
app.command("expr")(expr_cmd.expr)
app.command("explain")(explain_cmd.explain)
app.command("fix")(fix_cmd.fix)
app.command("run")(run_cmd.run)
app.add_typer(runs_cmd.app, name="runs")
app.add_typer(runners_cmd.app, name="runners")
app.add_typer(runner_cmd.app, name="runner")
app.command("stats")(runs_cmd.stats)
app.add_typer(actions_cmd.app, name="actions")
app.command("manager")(manager_cmd.manager)
app.add_typer(learn_cmd.app, name="learn")
app.command("verified")(verified_cmd.verified)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", "-V", help="Print the version and exit."),
) -> None:
    if version:
        from qmoi import __version__

        typer.echo(f"qmoi {__version__}")
        raise typer.Exit(0)


def run(args: list[str]) -> int:
    """Run the app; map user-facing errors to exit 2, Ctrl-C to 130, crashes to 3."""
    return guarded(lambda: _invoke(args))


def _invoke(args: list[str]) -> int:
    """Typer's own outcomes as exit codes; everything else is left to ``guarded``."""
    try:
        result = app(args=args, prog_name="qmoi", standalone_mode=False)
    except typer.Exit as done:
        return int(done.exit_code)
    except typer.Abort:
        return 130
    except QmoiError:
        raise
    except Exception as error:
        # Usage errors come from the click that Typer bundles (its module moved between
        # Typer releases), so recognise them by their interface, not their class.
        show, code = getattr(error, "show", None), getattr(error, "exit_code", None)
        if callable(show) and isinstance(code, int):
            show()
            return code
        raise
    return int(result) if isinstance(result, int) else 0

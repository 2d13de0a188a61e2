"""``adcli COMMAND EXPR [options]``.

Commands are imported only when run, so ``adcli grad`` never pays for the
modules behind ``adcli graph``; Rich is imported only for terminal output.
"""

import importlib
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from .. import collector

_collecting = collector.pause()  # loading makes no garbage (adcli/collector.py)
try:
    import click

    from ..errors import AdcliError, name_options
    from ..render.errors import for_stderr, format_error
    from .flags import as_flags, flag
    from .options import FAILED_POINTS
finally:
    collector.resume(_collecting)

# main() keeps the collector off until the command's module is loaded
_loading = {"paused": False}

# name -> (module, attribute).  A new command is one line here and one module.
COMMANDS = {
    "eval": ("adcli.cli.cmd_basic", "eval_command"),
    "grad": ("adcli.cli.cmd_basic", "grad_command"),
    "hessian": ("adcli.cli.cmd_higher", "hessian_command"),
    "taylor": ("adcli.cli.cmd_higher", "taylor_command"),
    "partial": ("adcli.cli.cmd_higher", "partial_command"),
    "check": ("adcli.cli.cmd_check", "check_command"),
    "trace": ("adcli.cli.cmd_trace", "trace_command"),
    "graph": ("adcli.cli.cmd_graph", "graph_command"),
    "functions": ("adcli.cli.cmd_functions", "functions_command"),
    "diff": ("adcli.cli.cmd_codegen", "diff_command"),
    "plot": ("adcli.cli.cmd_plot", "plot_command"),
    "sparsity": ("adcli.cli.cmd_sparse", "sparsity_command"),
    "codegen": ("adcli.cli.cmd_codegen", "codegen_command"),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target
        command: click.Command = getattr(importlib.import_module(module), attr)
        if _loading["paused"]:
            _loading["paused"] = False
            collector.resume(True)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; turn adcli's errors into one message on stderr
        and the documented exit status (also under click's CliRunner)."""
        _allow_long_integers()
        name_options(flag)  # views and notes say --limit, not the API's `limit`
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a full disk shows here, not at exit
            failed = ctx.meta.get(FAILED_POINTS)  # several --at points, some failed
            if failed:
                ctx.exit(failed)
            return result
        except AdcliError as exc:
            click.echo(format_error(as_flags(exc)), err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:
            _quiet_broken_pipe()  # `adcli … | head`: the reader has all it wants
        except KeyboardInterrupt:
            _interrupted()
        except OSError as exc:  # disk full, I/O error: output that cannot be written
            _unwritable(exc)
        except click.UsageError as exc:  # click's own: an unknown option, a bad value
            if isinstance(exc, click.NoSuchOption):
                _expression_taken_for_option(ctx, exc)
            _usage_error(exc, ctx.meta.get("adcli.args", []))
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except RecursionError:
            click.echo("adcli: error: the formula is nested too deeply for this operation",
                       err=True)
            ctx.exit(1)
        except Exception as exc:  # a bug: one line unless asked for more
            if (ctx.obj or {}).get("debug"):
                raise
            click.echo(for_stderr(f"adcli: internal error: {type(exc).__name__}: {exc}\n"
                                  "  run again with --debug for a traceback, and please "
                                  "report it"), err=True)
            ctx.exit(70)

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        """adcli's own options (before the command) say what is wrong as the
        commands' do."""
        words = list(args)
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # bare `adcli`: click's help
                raise
            _usage_error(exc, words)

    def resolve_command(self, ctx: click.Context, args: list[str],
                        ) -> tuple[str | None, click.Command | None, list[str]]:
        ctx.meta["adcli.args"] = list(args)  # for _expression_taken_for_option
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            import difflib

            name = args[0] if args else ""
            close = difflib.get_close_matches(name, list(COMMANDS), n=1)
            if close and "No such command" in str(exc):
                # click marks message Final, yet it is a plain attribute, read when
                # shown: amending it keeps the exception's own class (NoSuchCommand)
                exc.message += f" Did you mean '{close[0]}'?"  # type: ignore[misc]
            raise


HELP = """Derivatives by automatic differentiation.

\b
  adcli grad "x1*x2 + sin(x1)" --at x1=2,x2=3
  adcli eval "a = x*y; a + 1, a^2" --at x=2,y=3
  adcli grad -f model.txt --at @point.txt --format json

An EXPR that starts with `-` goes after `--`:  adcli eval -- "-x^2" --at x=3
"""


@click.group(cls=LazyGroup, help=HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="adcli", prog_name="adcli")
@click.option("--debug", is_flag=True, help="Show Python tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    ctx.obj = {"debug": debug}


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: exit 0 on success, 1 for domain errors, 2 for usage and
    parse errors; never a traceback unless --debug."""
    args = _expr_after_dashes(sys.argv[1:] if argv is None else list(argv))
    collector.one_command_process()  # a large build's objects need no collector scan
    _loading["paused"] = collector.pause()
    try:
        try:
            cli.main(args, prog_name="adcli")
        except BrokenPipeError:
            _quiet_broken_pipe()
        except KeyboardInterrupt:  # Ctrl-C before a command ran (while importing)
            _interrupted()
        except OSError as exc:  # `adcli --help > /dev/full`: no command ran to catch it
            _unwritable(exc)
    except SystemExit as done:
        if "pyarrow" not in sys.modules:
            raise
        code = done.code
    else:
        return
    _leave(code)


def _leave(code):
    """Exit with status ``code`` once Arrow has been loaded: close what the
    command left open, flush, and leave without the interpreter's
    finalisation, where Arrow's C++ thread pools, torn down while a worker is
    still alive, now and then abort the process ("terminate called without an
    active exception", exit 134) after every row was written
    (apache/arrow#34314).  The SystemExit's traceback is gone by now, so the
    collection below closes (and flushes) any file its frames still held."""
    import gc
    import os

    if not isinstance(code, int):
        if code is not None:
            print(code, file=sys.stderr)
        code = 0 if code is None else 1
    gc.collect()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # the reader went away or the stream is closed: nothing more to say
    os._exit(code)


def _allow_long_integers():
    """``--exact`` numbers may have more than Python's default 4,300 digits
    (a guard against untrusted input; here the user asked for them)."""
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(0)


def _interrupted():
    """Ctrl-C: the shell's convention, 128 + SIGINT."""
    click.echo("adcli: interrupted", err=True)
    sys.exit(130)


def _unwritable(exc):
    click.echo(for_stderr(f"adcli: error: cannot write the output: {exc.strerror or exc}"),
               err=True)
    _stdout_to_devnull()  # nothing more can reach it; do not fail again at exit
    sys.exit(1)


def _usage_error(exc: click.UsageError, args: list[str]) -> NoReturn:
    """click's usage error in adcli's one-screen style (adcli/render/errors.py): exit 2."""
    from .usage_errors import format_usage_error

    command = args[0] if args and args[0] in COMMANDS else None
    click.echo(format_usage_error(exc, args, command), err=True)
    raise click.exceptions.Exit(2) from None


def _expression_taken_for_option(ctx, exc):
    """``adcli eval "-x^2"``: click reads a formula that starts with `-` as
    short options; say how to pass it."""
    name = exc.option_name or ""
    if name.startswith("--"):
        return  # a misspelt long option, not a formula
    args = ctx.meta.get("adcli.args", [])
    shown = next((a for a in args if a.startswith(name) and a != name), name)
    command = args[0] if args and args[0] in COMMANDS else "eval"
    exc.message += (f" If `{shown}` is the formula, put it after `--`: "
                    f'adcli {command} -- "{shown}" --at …')


def _expr_after_dashes(args):
    """``adcli eval -- "-x^2" --at x=3``: only EXPR is protected by ``--``;
    the options after it still count."""
    if "--" in args:
        i = args.index("--")
        if i + 1 < len(args):
            return args[:i] + args[i + 2:] + ["--", args[i + 1]]
    return args


def _quiet_broken_pipe():
    _stdout_to_devnull()  # the reader went away (`adcli … | head`): leave without a traceback
    sys.exit(0)


def _stdout_to_devnull():
    import os

    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())

"""Command line: `agentops-gen render | lint | backtest | import | schema | init`.

Exit codes, the same for every command: 0 ok; 1 lint findings or `--check` drift; 2 bad input,
unreadable path or usage error. Heavy modules are imported inside commands to keep start-up light.
"""

# No `from __future__ import annotations` here: typer reads every command's annotations when it builds
# the commands, and strings would be compiled and evaluated in every run (half of typer's 9 ms).
import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

# A run builds many long-lived objects (typer's and pydantic's classes, the spec models, the plan,
# rendered text) and frees few, so CPython's default gen-0 threshold (700) scans them over and over:
# ~50 ms of a lint run, ~12 ms of it while importing typer and the models, hence before those imports
# (mypy raises it the same way; memory grows by about 1 MB). Only the command line and its tests import this.
gc.set_threshold(200_000, 30, 30)

import typer  # noqa: E402 - after the GC threshold

if TYPE_CHECKING:
    from agentops_gen.live.client import Connection

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2

app = typer.Typer(
    name="agentops-gen",
    help="Generate Prometheus rules, alerts, routing, dashboards, collector configs and runbooks "
    "from declarative SLO specs for AI agent platforms.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        from agentops_gen import __version__

        typer.echo(f"agentops-gen {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of unexpected errors.")] = False,
) -> None:
    _state["debug"] = debug


def _fail(lines: list[str], code: int = EXIT_BAD_INPUT) -> NoReturn:
    for line in lines:
        typer.echo(line, err=True)
    raise typer.Exit(code)


def _guard(exc: BaseException) -> NoReturn:
    """Turn any expected error into stderr lines and an exit code (traceback only with --debug)."""
    from agentops_gen.errors import SpecErrors, UsageError
    from agentops_gen.load.yaml_loader import LoadError

    if isinstance(exc, SpecErrors):
        _fail([e.format() for e in exc.errors])
    if isinstance(exc, LoadError):
        _fail([e.format() for e in exc.errors])
    if isinstance(exc, UsageError):  # one line per problem (path discovery reports them all)
        _fail([f"agentops-gen: error: {line}" for line in str(exc).splitlines()])
    from agentops_gen.live.client import PrometheusUnavailable

    if isinstance(exc, PrometheusUnavailable):
        _fail([f"agentops-gen: error: prometheus: {exc}"])
    if isinstance(exc, OSError):
        _fail([f"agentops-gen: error: {exc.filename or ''}: {exc.strerror or exc}"])
    if _state["debug"]:
        raise exc
    _fail([f"agentops-gen: internal error: {type(exc).__name__}: {exc} (re-run with --debug for a traceback)"])


PathsArg = Annotated[list[Path], typer.Argument(help="Spec files or folders (recursive *.yaml/*.yml; "
                                                     "files and folders starting with _ are fragments).")]


PrometheusOpt = Annotated[str | None, typer.Option("--prometheus", help="Prometheus (or Mimir/Cortex/Thanos) base "
                                                "URL; default $AGENTOPS_GEN_PROMETHEUS_URL.")]
LintPrometheusOpt = Annotated[str | None, typer.Option("--prometheus", help="Also run the online prometheus/* "
                                                    "checks against this Prometheus base URL.")]
TokenOpt = Annotated[Path | None, typer.Option("--bearer-token-file", help="File holding a bearer token "
                                                                           "for --prometheus.")]
HeaderOpt = Annotated[Path | None, typer.Option("--header-file", help="File of `Name: value` lines sent with every "
                                                                      "request (e.g. X-Scope-OrgID).")]
TimeoutOpt = Annotated[float, typer.Option("--timeout", help="Seconds per request to --prometheus.")]
CaOpt = Annotated[Path | None, typer.Option("--ca-file", help="CA bundle to verify an https --prometheus.")]


def _connection(url: str | None, token: Path | None, headers: Path | None, timeout: float,
                ca: Path | None) -> "Connection":
    """The Connection of the --prometheus options (UsageError on a bad value)."""
    from agentops_gen.errors import UsageError
    from agentops_gen.live.client import connection

    try:
        return connection(url, bearer_token_file=token, header_file=headers, timeout=timeout, ca_file=ca)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


@app.command(epilog="\b\nExample: agentops-gen render slo_specs --out out   (CI: add --check)")
def render(
    paths: PathsArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (owned by agentops-gen).")] = Path("out"),
    check: Annotated[bool, typer.Option("--check", help="Write nothing; list files that are missing, "
                                                        "differ, are stale or foreign, and exit 1 if any.")] = False,
) -> None:
    """Render every output of the spec folder into OUT, atomically and deterministically."""
    try:
        from agentops_gen.pipeline import build, checked
        from agentops_gen.write import drift, write_atomic

        files = checked(build(paths))
        if check:
            lines = drift(out, files)
            if lines:
                for line in lines:
                    typer.echo(line)
                foreign = sum(line.startswith("foreign:") for line in lines)
                first = f"move the {foreign} foreign file(s) out of {out}, then " if foreign else ""
                typer.echo(f"{len(lines)} file(s) out of date; {first}run: agentops-gen render "
                           f"{' '.join(str(p) for p in paths)} --out {out}", err=True)
                raise typer.Exit(EXIT_FINDINGS)
            return
        written = write_atomic(out, files, paths)
        typer.echo(f"wrote {len(written)} files to {out}", err=True)
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - every error goes through one formatter
        _guard(exc)


@app.command(epilog="\b\nExample: agentops-gen lint slo_specs --format github")
def lint(
    paths: PathsArg,
    format: Annotated[str, typer.Option("--format", "-f", help="text | json | github | sarif")] = "text",
    disable: Annotated[list[str] | None, typer.Option("--disable", help="Check name to skip (repeatable).")] = None,
    fail_on: Annotated[str, typer.Option("--fail-on",
                                         help="Lowest severity that fails: error | warning | info")] = "error",
    promtool: Annotated[bool, typer.Option("--promtool", help="Also run promtool/amtool on the rendered output "
                                                              "when installed.")] = False,
    prometheus: LintPrometheusOpt = None,
    bearer_token_file: TokenOpt = None,
    header_file: HeaderOpt = None,
    timeout: TimeoutOpt = 30.0,
    ca_file: CaOpt = None,
) -> None:
    """Check specs and everything they render; findings on stdout, exit 1 if any reach --fail-on.

    With --prometheus URL it also runs the online prometheus/* checks against that server (never
    without it: $AGENTOPS_GEN_PROMETHEUS_URL alone does not turn them on, so CI stays offline by default).
    """
    try:
        from agentops_gen.lint.runner import run_lint

        conn = _connection(prometheus, bearer_token_file, header_file, timeout, ca_file) \
            if prometheus is not None else None
        code = run_lint(paths, output_format=format, disabled=set(disable or []), fail_on=fail_on,
                        use_promtool=promtool, stream=sys.stdout, prometheus=conn)
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001
        _guard(exc)
    raise typer.Exit(code)


@app.command(epilog="\b\nExample: agentops-gen backtest slo_specs --prometheus http://prometheus:9090 --range 7d")
def backtest(
    paths: PathsArg,
    prometheus: PrometheusOpt = None,
    range_: Annotated[str, typer.Option("--range", help="How far back to evaluate (a Prometheus duration).")] = "7d",
    end: Annotated[str | None, typer.Option("--end", help="End of the range: RFC 3339 or Unix seconds "
                                                          "(default now).")] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="text | json")] = "text",
    bearer_token_file: TokenOpt = None,
    header_file: HeaderOpt = None,
    timeout: TimeoutOpt = 30.0,
    ca_file: CaOpt = None,
) -> None:
    """Evaluate every generated alert over the server's history: when would it have fired?"""
    try:
        from agentops_gen.live.run import run_backtest

        conn = _connection(prometheus, bearer_token_file, header_file, timeout, ca_file)
        code = run_backtest(paths, conn, range_=range_, end=end, output_format=format,
                            stream=sys.stdout)
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001
        _guard(exc)
    raise typer.Exit(code)


@app.command("import", epilog="\b\nExample: agentops-gen import sloth slos/*.yml --out slo_specs")
def import_(
    source: Annotated[str, typer.Argument(help="sloth (prometheus/v1, PrometheusServiceLevel) | openslo (v1)")],
    files: Annotated[list[Path], typer.Argument(help="Files to import (YAML, several documents allowed).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Spec folder to write <service>.yaml into.")],
    period: Annotated[str | None, typer.Option("--period", help="SLO period (Sloth's --default-slo-period; "
                                                                "default: the source's, else 30d).")] = None,
    windows: Annotated[Path | None, typer.Option("--windows", help="Sloth AlertWindows file "
                                                                   "(sloth's --slo-period-windows-path).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite spec files that exist and differ.")] = False,
) -> None:
    """Write one spec per service from Sloth or OpenSLO files, noting in comments what was not carried over."""
    try:
        from agentops_gen.importers.run import import_specs, write_specs

        written = write_specs(out, import_specs(source, files, period=period, windows=windows), force=force)
        typer.echo(f"wrote {len(written)} spec(s) to {out}", err=True)
    except Exception as exc:  # noqa: BLE001
        _guard(exc)


@app.command(epilog="\b\nExample: agentops-gen schema > agentops-gen.schema.json")
def schema() -> None:
    """Print the JSON Schema of the spec (for `# yaml-language-server: $schema=...`)."""
    import json

    from agentops_gen.spec.json_schema import spec_json_schema

    typer.echo(json.dumps(spec_json_schema(), indent=2, sort_keys=True))


@app.command(epilog="\b\nExample: agentops-gen init --service support-agent > slo_specs/support-agent.yaml")
def init(
    service: Annotated[str, typer.Option("--service", help="Service name (kebab-case).")] = "my-agent",
    owner: Annotated[str, typer.Option("--owner", help="Owning team (kebab-case).")] = "my-team",
) -> None:
    """Print a commented starter spec (redirect it into your spec folder)."""
    import re

    if not re.match(r"^[a-z][a-z0-9-]*$", service) or not re.match(r"^[a-z][a-z0-9-]*$", owner):
        _fail(["agentops-gen: error: --service and --owner must be kebab-case (^[a-z][a-z0-9-]*$)"])
    from agentops_gen.targets.jinja import render_template

    typer.echo(render_template("init/spec.yaml.j2", service=service, owner=owner), nl=False)


def main() -> None:
    """Console-script entry point (typer/click exit 2 on usage errors, like promtool/amtool)."""
    try:
        app()
    except SystemExit as exc:
        _exit_now(exc.code)
    _exit_now(EXIT_OK)


def _exit_now(code: object) -> NoReturn:
    """Flush the standard streams and end the process without interpreter teardown.

    Tearing down every module, model and rendered file costs ~70 ms, a fifth of a lint run, and
    frees nothing the OS would not. Every file the command writes is closed (and renamed into place)
    before this point; nothing of ours registers atexit work.
    """
    if code is None:
        status = EXIT_OK
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): Python prints it and exits 1
        print(code, file=sys.stderr)
        status = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # reader went away (`| head`) or stream closed: nothing to tell
        pass
    os._exit(status)

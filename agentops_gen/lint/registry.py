"""Every lint check, by stable name; one module per check under agentops_gen.lint.checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import import_module
from typing import TYPE_CHECKING, Any

from agentops_gen.units.record import record

if TYPE_CHECKING:
    from agentops_gen.errors import SpecError
    from agentops_gen.lint.findings import Finding

DOCS_DIR = "docs/checks"
"""Where the generated docs pages live (relative to the repository root); findings link to them."""
GROUPS = ("spec", "promql", "slo", "alerting", "telemetry", "output", "prometheus", "lint")

CHECK_MODULES = (
    "spec_yaml", "spec_schema", "spec_duplicate_name", "spec_objective_too_tight", "spec_period_window",
    "spec_missing_description", "spec_missing_owner", "spec_unknown_receiver",
    "promql_syntax", "promql_rate_non_counter", "promql_counter_without_rate", "promql_histogram_quantile_le",
    "promql_selector_no_matchers", "promql_high_cardinality_by", "promql_raw_window_placeholder",
    "slo_bucket_boundary", "slo_mismatched_selectors", "slo_unreachable_burn_factor", "slo_no_budget_alerting",
    "slo_raw_without_events", "slo_group_by_unbounded", "slo_group_by_series",
    "alerting_inline_secret", "alerting_env_placeholder", "alerting_relative_file_path", "alerting_missing_for",
    "alerting_missing_runbook", "alerting_unrouted_severity", "alerting_dead_route", "alerting_url_credentials",
    "alerting_relative_runbook_url",
    "telemetry_sample_percent", "telemetry_redaction_empty", "telemetry_removed_component",
    "output_render", "output_parse", "output_structure", "output_otel", "output_promtool",
    "prometheus_series", "prometheus_series_le_bucket", "prometheus_metric_type", "prometheus_retention",
    "prometheus_scrape_interval",
    "lint_unused_suppression",
)
"""Registry order is docs order."""


@record
class Check:
    """A named check: what it flags, how bad it is, and an example for its docs page and tests."""

    name: str
    severity: str
    summary: str
    doc: str
    bad: str = ""
    """Spec body (after the standard header) the check flags; `# flagged` marks the finding's line."""
    good: str = ""
    """The same spec fixed; the check must stay silent on it."""
    also: tuple[str, ...] = ()
    """Severities some findings carry instead of `severity` (the doc says when); listed in the docs."""
    full_spec: bool = False
    """`bad`/`good` are whole specs (no standard header prepended)."""
    stage: str = "spec"
    """spec: runs on loaded specs; plan: on the Plan of a valid folder; output: on the in-memory render;
    prometheus: on the Plan, against the server of `lint --prometheus URL` (off without it);
    none: produced by the runner."""

    @property
    def severities(self) -> str:
        """The documented severity, then any other a finding may carry: `warning, error`."""
        return ", ".join((self.severity, *self.also))

    @property
    def group(self) -> str:
        """The part before the slash (spec, promql, slo, ...)."""
        return self.name.split("/", 1)[0]

    @property
    def slug(self) -> str:
        """File name stem of the docs page (`promql/syntax` -> `promql-syntax`)."""
        return self.name.replace("/", "-")

    @property
    def docs(self) -> str:
        """Path of the docs page."""
        return f"{DOCS_DIR}/{self.slug}.md"


@record
class Registered:
    """A check with the functions its module provides."""

    check: Check
    run: Callable[[Any], Iterable[Finding]] | None


@lru_cache(maxsize=1)
def registry() -> dict[str, Registered]:
    """Every check by name, in registry order."""
    out: dict[str, Registered] = {}
    for module_name in CHECK_MODULES:
        module = import_module(f"agentops_gen.lint.checks.{module_name}")
        check: Check = module.CHECK
        if check.name in out:
            raise RuntimeError(f"two checks named {check.name}")
        out[check.name] = Registered(check, getattr(module, "run", None))
    return out


def checks() -> list[Check]:
    """Every check, in registry order."""
    return [r.check for r in registry().values()]


def get(name: str) -> Check:
    """One check by name (KeyError when unknown)."""
    return registry()[name].check


def expand(names: Iterable[str]) -> set[str]:
    """Check names from `--disable` values: a full name or a group (`promql`); ValueError when unknown."""
    known = registry()
    out: set[str] = set()
    for raw in names:
        for name in (n.strip() for n in raw.split(",") if n.strip()):
            if name in known:
                out.add(name)
            elif name.rstrip("/") in GROUPS:
                out.update(n for n in known if n.startswith(name.rstrip("/") + "/"))
            else:
                raise ValueError(f"unknown check {name!r} (see `{DOCS_DIR}/README.md`)")
    return out


def check_of(error: SpecError) -> str:
    """The check a load or validation error belongs to: its code (set where the error is made), else spec/schema."""
    return error.code if error.code in registry() else "spec/schema"

"""Alertmanager: out/alertmanager/alertmanager.yml (every service merged) and its notification templates."""

from __future__ import annotations

from agentops_gen.plan.model import Plan
from agentops_gen.plan.routing import AlertmanagerPlan, plan_alertmanager
from agentops_gen.targets.jinja import render_template, templates_dir
from agentops_gen.targets.mimir_alertmanager import payload_files
from agentops_gen.units import names


def render_config(am: AlertmanagerPlan, sources: list[str]) -> str:
    """The alertmanager.yml text of a planned config."""
    return render_template("alertmanager/alertmanager.yml.j2", am=am, sources=sources)


def render(plan: Plan) -> dict[str, str]:
    """One config for the whole spec folder plus the template file it references, and the same config as
    Mimir's Alertmanager takes it when the platform file asks for it."""
    sources = [s.source for s in plan.services]
    # The .tmpl file is Go template text, shipped verbatim (its {{ }} are not Jinja's).
    template = (templates_dir() / "alertmanager" / "agentops.tmpl").read_text(encoding="utf-8")
    config = render_config(plan_alertmanager(plan), sources)
    return {names.ALERTMANAGER_CONFIG: config, names.ALERTMANAGER_TEMPLATE: template,
            **payload_files(plan, config, template)}

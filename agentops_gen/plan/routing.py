"""Plan -> one Alertmanager routing config: receivers, the routing tree, inhibit rules, time intervals.

Everything shared by all services lives here, computed from every service of the spec folder, so
rendering one spec never drops another service's routes.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

from agentops_gen.plan.matchers import Matcher, disjoint, eq, matches, none_of, one_of, present
from agentops_gen.plan.model import Plan, ServicePlan
from agentops_gen.plan.platform import AlertmanagerSettingsPlan, PlatformPlan
from agentops_gen.plan.timeintervals import outside_business_hours
from agentops_gen.units import names
from agentops_gen.units.record import record

SEVERITIES = ("critical", "warning", "info")
TICKET_SEVERITIES = frozenset({"warning", "info"})
"""Severities muted outside business hours; a critical alert always pages."""
TEMPLATE_DEFAULTS: dict[str, dict[str, Any]] = {
    "slack": {"title": '{{ template "agentops.slack.title" . }}', "text": '{{ template "agentops.slack.text" . }}'},
    "msteams": {"title": '{{ template "agentops.msteams.title" . }}',
                "text": '{{ template "agentops.msteams.text" . }}'},
    "pagerduty": {"description": '{{ template "agentops.pagerduty.description" . }}'},
    "opsgenie": {"message": '{{ template "agentops.opsgenie.message" . }}',
                 "description": '{{ template "agentops.opsgenie.description" . }}'},
    "email": {"headers": {"Subject": '{{ template "agentops.email.subject" . }}'}},
}
"""Message fields filled from templates/agentops.tmpl unless the spec sets them."""


@record
class ReceiverPlan:
    """One Alertmanager receiver: type -> `<type>_configs` entries."""

    name: str
    origin: str
    integrations: dict[str, list[dict[str, Any]]]


@record
class RoutePlan:
    """One node of the routing tree."""

    matchers: tuple[Matcher, ...] = ()
    receiver: str | None = None
    continue_: bool = False
    group_by: tuple[str, ...] | None = None
    mute_time_intervals: tuple[str, ...] = ()
    routes: tuple[RoutePlan, ...] = ()
    note: str = ""


@record
class InhibitPlan:
    """An inhibit rule; `source` and `target` never match the same alert (checked when built)."""

    why: str
    source: tuple[Matcher, ...]
    target: tuple[Matcher, ...]
    equal: tuple[str, ...]


@record
class AlertmanagerPlan:
    """The whole Alertmanager config."""

    settings: AlertmanagerSettingsPlan
    root: RoutePlan
    receivers: tuple[ReceiverPlan, ...]
    inhibit_rules: tuple[InhibitPlan, ...]
    time_intervals: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    templates: tuple[str, ...] = ()


def plan_alertmanager(plan: Plan) -> AlertmanagerPlan:
    """The merged Alertmanager config of every service of the spec folder plus the platform file."""
    platform = plan.platform
    settings = platform.alertmanager
    intervals: dict[str, list[dict[str, Any]]] = {}
    if settings.business_hours is not None:
        outside = outside_business_hours(settings.business_hours)
        if outside:
            intervals[names.OUTSIDE_BUSINESS_HOURS] = outside
    mute = (names.OUTSIDE_BUSINESS_HOURS,) if intervals else ()
    receivers = _receivers(plan, platform)
    routes = tuple(r for r in (service_route(s, platform, mute) for s in plan.services) if r is not None)
    root = RoutePlan(receiver=root_receiver(platform), group_by=settings.group_by, routes=routes)
    inhibit = tuple(rule for s in plan.services for rule in inhibit_rules(s))
    return AlertmanagerPlan(settings=settings, root=root, receivers=receivers, inhibit_rules=inhibit,
                            time_intervals=intervals,
                            templates=(names.ALERTMANAGER_TEMPLATE_REF, *settings.templates))


def root_receiver(platform: PlatformPlan) -> str:
    """Receiver of alerts no service route takes (unknown service or severity)."""
    if platform.alertmanager.receiver:
        return names.receiver(None, platform.alertmanager.receiver)
    return names.DEFAULT_RECEIVER


def receiver_name(service: ServicePlan, name: str) -> str:
    """Generated name of a receiver named in `notify:`: the service's own first, else the platform's."""
    own = any(name == own_name for own_name, _ in service.receivers)
    return names.receiver(service.service if own else None, name)


def service_route(service: ServicePlan, platform: PlatformPlan, mute: tuple[str, ...]) -> RoutePlan | None:
    """`service="x"` -> one route per severity and receiver; `continue` only between fan-out siblings."""
    children: list[RoutePlan] = []
    for severity in SEVERITIES:
        targets = [receiver_name(service, n) for n in service.notify[severity]]
        for i, target in enumerate(targets):
            children.append(RoutePlan(
                matchers=(eq("severity", severity),), receiver=target, continue_=i < len(targets) - 1,
                mute_time_intervals=mute if severity in TICKET_SEVERITIES else (),
            ))
    group_by = service.notify_group_by
    labels = group_labels(service)
    if labels:
        # One model's page must never merge with another's notification: the SLO group labels join the grouping.
        inherited = group_by if group_by is not None else platform.alertmanager.group_by
        group_by = inherited if "..." in inherited else (*inherited, *(x for x in labels if x not in inherited))
    if not children and group_by is None:
        return None
    return RoutePlan(matchers=(eq("service", service.service),), group_by=group_by, routes=tuple(children),
                     note=f"{service.service} ({service.source})")


def _receivers(plan: Plan, platform: PlatformPlan) -> tuple[ReceiverPlan, ...]:
    out: list[ReceiverPlan] = []
    if not platform.alertmanager.receiver:
        out.append(ReceiverPlan(names.DEFAULT_RECEIVER, "built-in default: no integration", {}))
    for name, integrations in platform.receivers:
        out.append(ReceiverPlan(names.receiver(None, name), f"platform file: receivers.{name}",
                                _with_templates(integrations)))
    for service in plan.services:
        for name, integrations in service.receivers:
            out.append(ReceiverPlan(names.receiver(service.service, name), f"{service.source}: receivers.{name}",
                                    _with_templates(integrations)))
    return tuple(out)


def _with_templates(integrations: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    return {kind: [{**entry, **{k: v for k, v in TEMPLATE_DEFAULTS.get(kind, {}).items() if k not in entry}}
                   for entry in entries]
            for kind, entries in integrations.items()}


def group_labels(service: ServicePlan) -> tuple[str, ...]:
    """Every `group_by` label of the service's SLOs, in spec order (empty: no grouped SLO)."""
    return tuple(dict.fromkeys(label for slo in service.slos for label in slo.group_by))


def _alert_groups(service: ServicePlan, alert_subject: str) -> tuple[str, ...]:
    slo = service.slo_named(alert_subject)
    return slo.group_by if slo is not None else ()


def is_outage(alert_kind: str, alert_name: str) -> bool:
    """Alerts that mean the whole service is down: SLO outage alerts and plain alerts named *Down."""
    return alert_kind == "outage" or (alert_kind == "plain" and alert_name.endswith("Down"))


def inhibit_rules(service: ServicePlan) -> list[InhibitPlan]:
    """The service's inhibit rules: outage/down > everything else, critical > warning, page burn > ticket burn."""
    svc = eq("service", service.service)
    alerts = service.alerts
    rules: list[InhibitPlan] = []
    # Only a critical alert may silence others: a warning must never hide a page.
    outage_alerts = [a for a in alerts if is_outage(a.kind, a.name) and a.severity == "critical"]
    outages = sorted(a.name for a in outage_alerts)
    # A grouped SLO's outage (one model down) silences only that group's alerts: one rule per set of group labels.
    by_groups: dict[tuple[str, ...], list[str]] = {}
    for a in sorted(outage_alerts, key=lambda a: a.name):
        by_groups.setdefault(_alert_groups(service, a.subject), []).append(a.name)
    if outages and any(a.name not in outages for a in alerts):
        for groups, sources in sorted(by_groups.items()):
            which = f" (per {', '.join(groups)})" if groups else ""
            rules.append(InhibitPlan(f"{service.service}: an outage/down alert silences the service's other "
                                     f"alerts{which}",
                                     (svc, one_of("alertname", sources)), (svc, none_of("alertname", outages)),
                                     ("service", *groups)))
    every_group = group_labels(service)
    slos_by_severity = {sev: {a.labels.get("slo") for a in alerts if a.severity == sev} - {None}
                        for sev in ("critical", "warning")}
    if slos_by_severity["critical"] & slos_by_severity["warning"]:
        rules.append(InhibitPlan(f"{service.service}: a critical SLO alert silences warnings of the same SLO",
                                 (svc, eq("severity", "critical"), present("slo")), (svc, eq("severity", "warning")),
                                 ("service", "slo", *every_group)))
    kpi_alerts = {sev: [a for a in alerts if a.kind == "kpi" and a.severity == sev] for sev in ("critical", "warning")}
    leveled = {a.subject for a in kpi_alerts["critical"]} & {a.subject for a in kpi_alerts["warning"]}
    if leveled:
        # by alert name: the KPI's warning no-data alert is not a lower level of its critical threshold
        source, target = ([a.name for a in kpi_alerts[sev] if a.subject in leveled] for sev in ("critical", "warning"))
        rules.append(InhibitPlan(f"{service.service}: a critical KPI threshold silences the KPI's warning ones",
                                 (svc, one_of("alertname", sorted(source))),
                                 (svc, one_of("alertname", sorted(target))), ("service", "kpi")))
    pages = {a.labels["slo"]: a.name for a in alerts if a.kind == "burn-page"}
    tickets = {a.labels["slo"]: a.name for a in alerts if a.kind == "burn-ticket"}
    both = sorted(set(pages) & set(tickets))
    if both:
        rules.append(InhibitPlan(f"{service.service}: the page burn-rate alert silences the ticket one of its SLO",
                                 (svc, one_of("alertname", [pages[s] for s in both])),
                                 (svc, one_of("alertname", [tickets[s] for s in both])),
                                 ("service", "slo", *every_group)))
    for rule in rules:
        if not disjoint(rule.source, rule.target):
            raise RuntimeError(f"inhibit rule {rule.why!r}: source and target can match the same alert")
    return rules


def carried_labels(plan: Plan) -> frozenset[str]:
    """Every label some generated alert carries (alertname included): what a route matcher can rely on."""
    labels = {"alertname"}
    for service in plan.services:
        for alert in service.alerts:
            labels.update(alert.labels)
    return frozenset(labels)


def config_matchers(am: AlertmanagerPlan) -> list[tuple[str, Matcher]]:
    """(where, matcher) for every route and inhibit matcher of the config, for lint's label check."""
    out: list[tuple[str, Matcher]] = []

    def walk(route: RoutePlan, where: str) -> None:
        for m in route.matchers:
            out.append((where, m))
        for i, child in enumerate(route.routes):
            walk(child, f"{where}.routes[{i}]")

    walk(am.root, "route")
    for i, rule in enumerate(am.inhibit_rules):
        out += [(f"inhibit_rules[{i}].source_matchers", m) for m in rule.source]
        out += [(f"inhibit_rules[{i}].target_matchers", m) for m in rule.target]
    return out


def unmatched_matchers(plan: Plan, am: AlertmanagerPlan) -> list[tuple[str, tuple[Matcher, ...]]]:
    """(where, matchers) of routes and inhibit sides no generated alert satisfies: dead config, for lint."""
    alerts = [{**a.labels, "alertname": a.name} for s in plan.services for a in s.alerts]
    # every generated route and inhibit side names its service: only that service's alerts can match it
    by_service: dict[str, list[dict[str, str]]] = {}
    for labels in alerts:
        by_service.setdefault(labels.get("service", ""), []).append(labels)

    def matched(matchers: tuple[Matcher, ...]) -> bool:
        service = next((m.values[0] for m in matchers if m.label == "service" and m.op == "=" and m.values), "")
        candidates = by_service.get(service, []) if service else alerts
        return any(matches(matchers, a) for a in candidates)

    out: list[tuple[str, tuple[Matcher, ...]]] = []

    def walk(route: RoutePlan, where: str, path: tuple[Matcher, ...]) -> None:
        for i, child in enumerate(route.routes):
            full = path + child.matchers
            if not matched(full):
                out.append((f"{where}.routes[{i}]", full))
            walk(child, f"{where}.routes[{i}]", full)

    walk(am.root, "route", ())
    for i, rule in enumerate(am.inhibit_rules):
        for side, matchers in (("source_matchers", rule.source), ("target_matchers", rule.target)):
            if not matched(matchers):
                out.append((f"inhibit_rules[{i}].{side}", matchers))
    return out

"""Grafana Mimir / Cortex Alertmanager: out/mimir/alertmanager/ (`outputs.mimir.alertmanager`), written by the
alertmanager target from the config it renders.

The multi-tenant Alertmanager stores a tenant's config and its templates by base
name, and refuses every `*_file` secret (tests/fixtures/mimir/SOURCE.md). The payload is the same
config with templates named by base name and each `*_file: PATH` replaced by the inline field
holding a `${AGENTOPS_SECRET_...}` placeholder, which the deploy step fills from a secret store
with `envsubst` restricted to those variables, right before `mimirtool alertmanager load`.
Nothing secret is ever written to out/.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

import yaml

try:  # libyaml: the config is read and written in C, ten times faster than PyYAML's Python classes
    from yaml import CSafeDumper as _BaseDumper
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

from agentops_gen.plan.model import Plan
from agentops_gen.targets.jinja import render_template

ALERTMANAGER_CONFIG = "mimir/alertmanager/alertmanager.yaml"
ALERTMANAGER_TEMPLATE = "mimir/alertmanager/agentops.tmpl"
SECRET_PREFIX = "AGENTOPS_SECRET_"


def secret_variables(paths: list[str]) -> dict[str, str]:
    """Secret file path -> placeholder variable: the shortest trailing path segments naming it uniquely.

    `/etc/am/secrets/amas/smtp-password` -> AGENTOPS_SECRET_AMAS_SMTP_PASSWORD when another service also
    has an `smtp-password`; a clash left after upper-casing gets `_2`, `_3` in path order.
    """
    unique = sorted(set(paths))
    segments = {p: [s for s in PurePosixPath(p).parts if s != "/"] for p in unique}
    out: dict[str, str] = {}
    taken: set[str] = set()
    for path in unique:
        parts = segments[path]
        for n in range(1, len(parts) + 1):
            tail = parts[-n:]
            if not any(other != path and segments[other][-n:] == tail for other in unique):
                break
        name = SECRET_PREFIX + re.sub(r"[^A-Za-z0-9]+", "_", "_".join(tail)).strip("_").upper()
        candidate, i = name, 1
        while candidate in taken:
            i += 1
            candidate = f"{name}_{i}"
        taken.add(candidate)
        out[path] = candidate
    return out


class _Placeholder(str):
    """A `${VAR}` written single-quoted, so any filled-in secret but `'` stays one YAML string."""


class _Dumper(_BaseDumper):
    pass


_Dumper.add_representer(_Placeholder, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style="'"))


def _secret_paths(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [p for key, value in node.items() for p in
                ([value] if str(key).endswith("_file") and isinstance(value, str) else _secret_paths(value))]
    if isinstance(node, list):
        return [p for item in node for p in _secret_paths(item)]
    return []


def _inline_secrets(node: Any, variables: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if str(key).endswith("_file") and isinstance(value, str):
                out[str(key)[: -len("_file")]] = _Placeholder("${" + variables[value] + "}")
            else:
                out[key] = _inline_secrets(value, variables)
        return out
    if isinstance(node, list):
        return [_inline_secrets(item, variables) for item in node]
    return node


def mimir_config(config_text: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The Alertmanager config as Mimir accepts it, and {placeholder variable: the secret file it replaces}."""
    doc = yaml.load(config_text, Loader=_Loader)
    variables = secret_variables(_secret_paths(doc))
    doc = _inline_secrets(doc, variables)
    doc["templates"] = [PurePosixPath(t).name for t in doc.get("templates") or []]
    return doc, {var: path for path, var in sorted(variables.items(), key=lambda item: item[1])}


def payload_files(plan: Plan, config: str, template: str) -> dict[str, str]:
    """The Mimir Alertmanager payload made from the rendered Alertmanager `config`, and its `template`, when the
    platform file asks for them (the alertmanager target renders the config once for both)."""
    settings = plan.mimir
    if settings is None or not settings.alertmanager:
        return {}
    doc, secrets = mimir_config(config)
    body = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000)
    return {
        ALERTMANAGER_CONFIG: render_template(
            "mimir/alertmanager.yaml.j2", sources=[s.source for s in plan.services], secrets=secrets,
            template=PurePosixPath(ALERTMANAGER_TEMPLATE).name, body=body),
        ALERTMANAGER_TEMPLATE: template,
    }

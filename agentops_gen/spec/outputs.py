"""Platform-file settings of the rule outputs past one Prometheus: group size, Operator metadata, Mimir, Thanos."""


import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from agentops_gen.spec.common import Name, SpecModel

DEFAULT_MAX_RULES_PER_GROUP = 20
"""Mimir's and Cortex's default `-ruler.max-rules-per-rule-group` (tests/fixtures/mimir/SOURCE.md)."""

_K8S_NAME = r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
_K8S_PREFIX = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
K8S_KEY_RE = re.compile(rf"^({_K8S_PREFIX}/)?{_K8S_NAME}\Z")
K8S_LABEL_VALUE_RE = re.compile(rf"^({_K8S_NAME})?\Z")


def _k8s_keys(value: dict[str, str], *, label_values: bool) -> dict[str, str]:
    for key, text in value.items():
        prefix = key.rsplit("/", 1)[0] if "/" in key else ""
        if not K8S_KEY_RE.match(key) or len(prefix) > 253:
            raise ValueError(f"key {key!r} is not a Kubernetes label/annotation key ([prefix/]name, the name at most "
                             "63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric)")
        if label_values and not K8S_LABEL_VALUE_RE.match(text):
            raise ValueError(f"value of {key!r}: a Kubernetes label value is at most 63 characters of [A-Za-z0-9-_.], "
                             f"starting and ending alphanumeric (got {text!r})")
    return value


def _k8s_labels(value: dict[str, str]) -> dict[str, str]:
    return _k8s_keys(value, label_values=True)


def _k8s_annotations(value: dict[str, str]) -> dict[str, str]:
    return _k8s_keys(value, label_values=False)


K8sLabels = Annotated[dict[str, str], AfterValidator(_k8s_labels)]
K8sAnnotations = Annotated[dict[str, str], AfterValidator(_k8s_annotations)]


class PrometheusSettings(SpecModel):
    """Rule-file settings (`prometheus:` in the platform file)."""

    max_rules_per_group: int = Field(default=DEFAULT_MAX_RULES_PER_GROUP, ge=1, le=10_000, strict=True)
    """Larger rule groups are split into consecutive parts (agentops_gen/plan/split.py)."""


class PrometheusRuleOutput(SpecModel):
    """Metadata of the PrometheusRule resources (`outputs.prometheus_rule: {...}`)."""

    namespace: Name | None = None
    """`metadata.namespace` of every PrometheusRule (unset: the namespace `kubectl apply` uses)."""
    labels: K8sLabels = {}
    """Added to the generated labels; kube-prometheus-stack selects rules by e.g. `release: <name>`."""
    annotations: K8sAnnotations = {}
    """`metadata.annotations` of every PrometheusRule."""


class MimirOutput(SpecModel):
    """Files for `mimirtool rules load/sync` and `mimirtool alertmanager load` (`outputs.mimir: {...}`)."""

    rules: bool = True
    """out/mimir/rules/<service>.yaml: one rule namespace per service (the namespace is the file name)."""
    alertmanager: bool = True
    """out/mimir/alertmanager/: the config with template base names and secret placeholders, and the templates."""


class ThanosOutput(SpecModel):
    """Thanos ruler files (`outputs.thanos: {...}`): out/thanos/<service>.rules.yaml."""

    partial_response_strategy: Literal["warn", "abort"] = "abort"
    """What a group does when a store does not answer: `abort` (Thanos' default for rules) or `warn`."""


def _rule_switch(value: object) -> object:
    # `true` is the switch of old; a mapping switches it on with metadata; one model keeps errors single
    if value is True:
        return {}
    if value is False:
        return None
    return value


PrometheusRuleSwitch = Annotated[PrometheusRuleOutput | None,
                                 BeforeValidator(_rule_switch, json_schema_input_type=bool | PrometheusRuleOutput)]
"""`outputs.prometheus_rule`: `true`, `false`, or the metadata mapping; None when off."""

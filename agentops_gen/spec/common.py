"""Shared field types of the spec language: names, durations, labels, severities."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict

from agentops_gen.plan.durations import parse_duration

NAME_RE = re.compile(r"^[a-z][a-z0-9-]*$")
ALERT_NAME_RE = re.compile(r"^[A-Z][A-Za-z0-9]*$")
LABEL_NAME_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
RESERVED_LABELS = frozenset({"service", "team", "slo", "severity"})

Severity = Literal["critical", "warning", "info"]


class SpecModel(BaseModel):
    """Base for every spec model: unknown keys are errors, values are not coerced silently."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


def _name(value: str) -> str:
    if not NAME_RE.match(value):
        raise ValueError(f"must match ^[a-z][a-z0-9-]*$ (lowercase kebab-case), got {value!r}")
    return value


def _alert_name(value: str) -> str:
    if not ALERT_NAME_RE.match(value):
        raise ValueError(f"must be CamelCase (^[A-Z][A-Za-z0-9]*$), got {value!r}")
    return value


def _duration(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"must be a Prometheus duration such as 5m, 1h30m or 28d (got {value!r})")
    parse_duration(value)
    return value


def _labels(value: dict[str, str]) -> dict[str, str]:
    for key in value:
        if not LABEL_NAME_RE.match(key):
            raise ValueError(f"label name {key!r} must match ^[a-zA-Z_][a-zA-Z0-9_]*$")
        if key in RESERVED_LABELS:
            raise ValueError(f"label {key!r} is set by agentops-gen (service/team/slo/severity are reserved)")
    return value


def _stringify(value: Any) -> Any:
    """Label values written as YAML numbers or booleans (`tier: 1`) become strings, as Prometheus sees them."""
    if isinstance(value, dict):
        return {k: (str(v).lower() if isinstance(v, bool) else str(v)) if isinstance(v, (int, float, bool)) else v
                for k, v in value.items()}
    return value



def _url(value: str) -> str:
    if not re.match(r"^https?://[^\s/$.?#][^\s]*$", value):
        raise ValueError(f"must be an http(s) URL (got {value!r})")
    return value.rstrip("/")


Url = Annotated[str, AfterValidator(_url)]
Name = Annotated[str, AfterValidator(_name)]
AlertName = Annotated[str, AfterValidator(_alert_name)]
Duration = Annotated[str, BeforeValidator(_duration)]
# json_schema_input_type: the schema accepts what _stringify accepts (`tier: 1`, `canary: true`)
_LabelInput = dict[str, str | int | float | bool]
Labels = Annotated[dict[str, str], BeforeValidator(_stringify, json_schema_input_type=_LabelInput),
                   AfterValidator(_labels)]
Annotations = Annotated[dict[str, str], BeforeValidator(_stringify, json_schema_input_type=_LabelInput)]

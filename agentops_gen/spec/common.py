"""Shared field types of the spec language: names, durations, labels, severities."""


import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict

from agentops_gen.spec.limits import (
    MAX_ALERT_NAME,
    MAX_ATTRIBUTE_NAME,
    MAX_FOR,
    MAX_LABEL_NAME,
    MAX_NAME,
    MAX_PERIOD,
)
from agentops_gen.units.durations import parse_duration, parse_threshold

NAME_RE = re.compile(r"^[a-z][a-z0-9-]*\Z")
ALERT_NAME_RE = re.compile(r"^[A-Z][A-Za-z0-9]*\Z")
LABEL_NAME_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*\Z")
RESERVED_LABELS = frozenset({"service", "team", "slo", "severity"})

Severity = Literal["critical", "warning", "info"]


class SpecModel(BaseModel):
    """Base for every spec model: unknown keys are errors, values are not coerced silently."""

    # allow_inf_nan=False: `.nan`/`.inf` in any number field (thresholds, objectives, z-scores) is an
    # error; Prometheus would take `> NaN` and never fire. The field docstrings become descriptions only
    # for the schema and the reference (spec/json_schema.documented): reading them at import took a
    # tenth of a lint run.
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True, allow_inf_nan=False)


def _name(value: str) -> str:
    if not NAME_RE.match(value):
        raise ValueError(f"must match ^[a-z][a-z0-9-]*$ (lowercase kebab-case), got {value!r}")
    if len(value) > MAX_NAME:
        raise ValueError(f"must be at most {MAX_NAME} characters (got {len(value)})")
    return value


def _alert_name(value: str) -> str:
    if not ALERT_NAME_RE.match(value):
        raise ValueError(f"must be CamelCase (^[A-Z][A-Za-z0-9]*$), got {value!r}")
    if len(value) > MAX_ALERT_NAME:
        raise ValueError(f"must be at most {MAX_ALERT_NAME} characters (got {len(value)})")
    return value


def _one_line(value: str) -> str:
    # other control characters are refused by the loader for every string; these two only here
    if "\n" in value or "\t" in value:
        raise ValueError(f"must be one line, without newline or tab (got {value!r})")
    return value


def _duration(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"must be a Prometheus duration such as 5m, 1h30m or 28d (got {value!r})")
    parse_duration(value)
    return value


def _threshold(value: Any) -> str:
    # kept as written (a number becomes its text): consumers read seconds from that text with
    # parse_threshold, so the text is what must parse (`1e-320` is a float but no duration)
    parse_threshold(value)
    text = value if isinstance(value, str) else repr(value)
    parse_threshold(text)
    return text


def label_name_length(name: str) -> str | None:
    """Why a label name written in a spec is too long, or None (spec/limits.py's MAX_LABEL_NAME)."""
    if len(name) > MAX_LABEL_NAME:
        return f"must be at most {MAX_LABEL_NAME} characters (got {len(name)})"
    return None


def attribute_name_length(name: str) -> str | None:
    """Why a telemetry attribute key or header name is too long, or None (spec/limits.py's MAX_ATTRIBUTE_NAME)."""
    if len(name) > MAX_ATTRIBUTE_NAME:
        return f"must be at most {MAX_ATTRIBUTE_NAME} characters (got {len(name)})"
    return None


def _attribute_name(value: str) -> str:
    problem = attribute_name_length(value)
    if problem:
        raise ValueError(problem)
    return value


def _labels(value: dict[str, str]) -> dict[str, str]:
    for key, text in value.items():
        if not LABEL_NAME_RE.match(key):
            raise ValueError(f"label name {key!r} must match ^[a-zA-Z_][a-zA-Z0-9_]*$")
        if label_name_length(key):
            raise ValueError(f"label name {key!r} {label_name_length(key)}")
        if key in RESERVED_LABELS:
            raise ValueError(f"label {key!r} is set by agentops-gen (service/team/slo/severity are reserved)")
        if isinstance(text, str) and ("\n" in text or "\t" in text):
            raise ValueError(f"value of {key!r}: a label value must be one line, without newline or tab")
    return value


def _annotation_keys(value: dict[str, str]) -> dict[str, str]:
    for key, text in value.items():
        if not LABEL_NAME_RE.match(key):  # Prometheus refuses the rule file otherwise
            raise ValueError(f"annotation name {key!r} must be a label name (^[a-zA-Z_][a-zA-Z0-9_]*$)")
        if label_name_length(key):
            raise ValueError(f"annotation name {key!r} {label_name_length(key)}")
        if isinstance(text, str):
            problem = go_template_problem(text)
            if problem:
                raise ValueError(f"value of {key!r}: {problem}")
    return value


def go_template_problem(text: str) -> str | None:
    """Why Go's text/template would refuse `text` as a template ({{ }} unbalanced), or None.

    A small scanner, not a Go parser: every `{{` must be closed by a `}}` outside string literals,
    no action may open inside another, and a bare word in an action must be a keyword or a function
    Prometheus 2.42 defines. promtool remains the judge in tests.
    """
    i = 0
    while True:
        start = text.find("{{", i)
        if start < 0:
            return None
        j = start + 2
        comment = re.match(r"-?\s*/\*", text[j:])
        if comment:  # {{/* ... */}}: anything goes inside, up to `*/` and the closing delimiter
            closing = _COMMENT_END.search(text, j + comment.end())
            if closing is None:
                return f"unclosed comment {{{{/* at character {start + 1}"
            i = closing.end()
            continue
        code: list[str] = []  # the action with its string literals blanked, for the function check
        while True:
            if j >= len(text):
                return f"unclosed {{{{ at character {start + 1} (write {{{{ `{{{{` }}}} for a literal {{{{)"
            char = text[j]
            if text.startswith("}}", j):
                break
            if text.startswith("{{", j):
                return f"{{{{ at character {j + 1} opens inside the action opened at character {start + 1}"
            if char in "\"'`":
                end = _string_end(text, j)
                if end < 0:
                    return f"unterminated string in the action opened at character {start + 1}"
                code.append('""')
                j = end + 1
                continue
            code.append(char)
            j += 1
        for word in _BARE_WORD.findall("".join(code)):
            if word not in TEMPLATE_WORDS:
                return f"function {word!r} is not defined in Prometheus templates (action at character {start + 1})"
        i = j + 2


_COMMENT_END = re.compile(r"\*/\s*-?\}\}")
_BARE_WORD = re.compile(r"(?<![\w.$])[A-Za-z_]\w*")
TEMPLATE_WORDS = frozenset("""
    if else end range with define template block break continue nil true false
    and or not len index print printf println html js urlquery call slice eq ne lt le gt ge
    query first label value strvalue args reReplaceAll safeHtml match title toUpper toLower graphLink
    tableLink sortByLabel stripPort stripDomain humanize humanize1024 humanizeDuration humanizePercentage
    humanizeTimestamp toTime pathPrefix externalURL parseDuration
""".split())
"""Keywords of Go's text/template, its built-in functions and Prometheus 2.42's template functions
(each checked with promtool check rules)."""


def _string_end(text: str, start: int) -> int:
    """Index of the quote closing the Go string/char literal opened at `start`, or -1."""
    quote = text[start]
    j = start + 1
    while j < len(text):
        if quote != "`" and text[j] == "\\":
            j += 2
            continue
        if text[j] == quote:
            return j
        if quote != "`" and text[j] == "\n":
            return -1
        j += 1
    return -1


def _stringify(value: Any) -> Any:
    """Label values written as YAML numbers or booleans (`tier: 1`) become strings, as Prometheus sees them."""
    if isinstance(value, dict):
        return {k: (str(v).lower() if isinstance(v, bool) else str(v)) if isinstance(v, (int, float, bool)) else v
                for k, v in value.items()}
    return value



URL_FORBIDDEN = re.compile(r'[\s<>"{}|\\^`()]')
"""Characters RFC 3986 does not allow in a URL, plus `(`/`)`, which end a Markdown link target: percent-encode
them (%28, %29). No `{`, so a URL is never a Go template in an annotation."""
BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
"""A `%` that does not start a percent-escape: Go's url.Parse (Alertmanager, Prometheus) refuses the URL."""


def percent_escape_problem(value: str) -> str | None:
    """Why a URL's `%` signs would make Go's url.Parse refuse it, or None."""
    if BAD_ESCAPE.search(value):
        return f"'%' must start a percent-escape of two hex digits, such as %20 (write %25 for a % sign; got {value!r})"
    return None


def _url(value: str) -> str:
    if not re.match(r"^https?://[^\s/$.?#][^\s]*$", value):
        raise ValueError(f"must be an http(s) URL (got {value!r})")
    bad = URL_FORBIDDEN.search(value)
    if bad:
        raise ValueError(f"{bad.group()!r} is not allowed in a URL; percent-encode it (got {value!r})")
    problem = percent_escape_problem(value)
    if problem:
        raise ValueError(problem)
    from agentops_gen.errors import CodedValueError
    from agentops_gen.spec.urls import URL_CREDENTIALS, url_credential_problem

    problem = url_credential_problem(value)
    if problem:
        raise CodedValueError(problem, URL_CREDENTIALS)
    return value.rstrip("/")


def _positive(value: str) -> str:
    if parse_duration(value) <= 0:
        raise ValueError(f"must be longer than 0s (got {value!r})")
    return value


def _period(value: str) -> str:
    if parse_duration(value) > parse_duration(MAX_PERIOD):
        raise ValueError(f"must be at most {MAX_PERIOD} (a year; got {value!r})")
    return value


def _for(value: str) -> str:
    if parse_duration(value) > parse_duration(MAX_FOR):
        raise ValueError(f"must be at most {MAX_FOR} (a year; got {value!r})")
    return value


def _template(value: str) -> str:
    problem = go_template_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _alert_base(value: str) -> str:
    _alert_name(value[:1].upper() + value[1:])
    return value


Url = Annotated[str, AfterValidator(_url)]
Line = Annotated[str, AfterValidator(_one_line)]
"""A one-line string (selectors, endpoints, keys, words reaching a label or a summary)."""
AttributeName = Annotated[str, AfterValidator(_one_line), AfterValidator(_attribute_name)]
"""A telemetry attribute key: one line of at most MAX_ATTRIBUTE_NAME characters."""
Name = Annotated[str, AfterValidator(_name)]
AlertName = Annotated[str, AfterValidator(_alert_name)]
AlertBase = Annotated[str, AfterValidator(_alert_base)]
"""`alerting.name`: an alert name whose first letter agentops-gen capitalizes."""
Duration = Annotated[str, BeforeValidator(_duration)]
Threshold = Annotated[str, BeforeValidator(_threshold, json_schema_input_type=str | float)]
"""A latency bound, never a PromQL range: `2.5s`, `1500ms`, `1m30s` or plain seconds (`2.5`)."""
PositiveDuration = Annotated[Duration, AfterValidator(_positive)]
"""A duration that is a window or a period: `0s` would be an empty PromQL range or a division by zero."""
Period = Annotated[PositiveDuration, AfterValidator(_period)]
"""An SLO period: a positive duration of at most MAX_PERIOD."""
For = Annotated[Duration, AfterValidator(_for)]
"""An alert's `for:`: a duration of at most MAX_FOR."""
TemplateText = Annotated[str, AfterValidator(_template)]
"""Text Prometheus expands as a Go template on purpose (alert summary, description): it must parse."""
# json_schema_input_type: the schema accepts what _stringify accepts (`tier: 1`, `canary: true`)
_LabelInput = dict[str, str | int | float | bool]
Labels = Annotated[dict[str, str], BeforeValidator(_stringify, json_schema_input_type=_LabelInput),
                   AfterValidator(_labels)]
Annotations = Annotated[dict[str, str], BeforeValidator(_stringify, json_schema_input_type=_LabelInput),
                        AfterValidator(_annotation_keys)]

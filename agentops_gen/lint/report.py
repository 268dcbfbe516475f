"""Output formats of `agentops-gen lint`: text, json, github (workflow annotations) and sarif (2.1.0)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from agentops_gen.lint.findings import SEVERITIES, Finding

FORMATS = ("text", "json", "github", "sarif")
JSON_SCHEMA_VERSION = 1
"""Bumped only on an incompatible change of the json format (fields are only ever added)."""
JSON_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "agentops-gen lint --format json",
    "type": "object",
    "required": ["version", "findings", "summary"],
    "properties": {
        "version": {"const": JSON_SCHEMA_VERSION},
        "findings": {"type": "array", "items": {
            "type": "object",
            "required": ["file", "line", "column", "severity", "check", "message", "docs"],
            "additionalProperties": False,
            "properties": {
                "file": {"type": "string", "description": "path as given or relative to the working directory"},
                "line": {"type": "integer", "minimum": 1},
                "column": {"type": "integer", "minimum": 1},
                "severity": {"enum": ["error", "warning", "info"]},
                "check": {"type": "string", "pattern": "^[a-z]+/[a-z0-9-]+$"},
                "message": {"type": "string"},
                "docs": {"type": "string", "description": "docs page of the check"},
            },
        }},
        "summary": {"type": "object", "required": ["error", "warning", "info"], "additionalProperties": False,
                    "properties": {s: {"type": "integer", "minimum": 0} for s in ("error", "warning", "info")}},
    },
}
"""The json format's schema, written to docs/checks/lint-output.schema.json by the docs generator."""
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def summary(findings: list[Finding]) -> dict[str, int]:
    """Findings per severity (every severity present, most severe first)."""
    counts = Counter(f.severity for f in findings)
    return {s: counts.get(s, 0) for s in reversed(SEVERITIES)}


def text(findings: list[Finding]) -> str:
    """`FILE:LINE:COL: SEVERITY: CHECK-NAME: message (docs/checks/....md)`, one per line."""
    return "".join(f"{f.format()} ({f.docs})\n" for f in findings)


def as_json(findings: list[Finding]) -> str:
    """The documented json object (see docs/lint.md, "Formats")."""
    doc = {
        "version": JSON_SCHEMA_VERSION,
        "findings": [{"file": f.location.file, "line": f.location.line, "column": f.location.col,
                      "severity": f.severity, "check": f.check, "message": f.message, "docs": f.docs}
                     for f in findings],
        "summary": summary(findings),
    }
    return json.dumps(doc, indent=2) + "\n"


def _gh_escape(value: str, *, prop: bool) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if prop else value


def github(findings: list[Finding]) -> str:
    """GitHub Actions workflow commands (`::error file=...,line=...,col=...,title=CHECK::message`)."""
    return "".join(
        f"::{_GITHUB_LEVEL[f.severity]} file={_gh_escape(f.location.file, prop=True)},line={f.location.line},"
        f"col={f.location.col},title={_gh_escape(f.check, prop=True)}::"
        f"{_gh_escape(f.message + ' (' + f.docs + ')', prop=False)}\n"
        for f in findings
    )


def _uri(file: str) -> str:
    """A SARIF artifact URI: relative paths stay relative (to the working directory), absolute become file://."""
    path = Path(file)
    return path.as_uri() if path.is_absolute() else path.as_posix()


def sarif(findings: list[Finding]) -> str:
    """A SARIF 2.1.0 log with one run; every registered check is a rule (code scanning shows its docs)."""
    from agentops_gen import __version__
    from agentops_gen.lint.registry import checks

    rules = checks()
    index = {c.name: i for i, c in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "agentops-gen", "version": __version__,
            "rules": [{"id": c.name, "name": c.slug, "shortDescription": {"text": c.summary},
                       "fullDescription": {"text": c.doc}, "help": {"text": f"{c.doc} See {c.docs}."},
                       "defaultConfiguration": {"level": _SARIF_LEVEL[c.severity]},
                       "properties": {"docs": c.docs}} for c in rules],
        }},
        "results": [{
            "ruleId": f.check, "ruleIndex": index.get(f.check, 0), "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(f.location.file)},
                                                "region": {"startLine": f.location.line,
                                                           "startColumn": f.location.col}}}],
        } for f in findings],
    }
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2) + "\n"


def render(findings: list[Finding], output_format: str) -> str:
    """Findings in one of FORMATS."""
    return {"text": text, "json": as_json, "github": github, "sarif": sarif}[output_format](findings)

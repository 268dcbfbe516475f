"""Per-line suppression: `# agentops-gen: disable=CHECK[,CHECK]` on the finding's line or the line above."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from agentops_gen.errors import Location
from agentops_gen.lint.findings import Finding

DIRECTIVE = re.compile(r"#\s*agentops-gen:\s*disable=([A-Za-z0-9_/,\-]+)")
UNUSED = "lint/unused-suppression"


@dataclass
class Suppression:
    """One check named in one directive."""

    location: Location
    check: str
    lines: tuple[int, ...]
    """Lines it covers: its own, and the next one when the comment stands alone on its line."""
    used: bool = field(default=False)


def scan(file: str) -> list[Suppression]:
    """Every directive of a file (an unreadable file has none: the loader already reported it)."""
    try:
        text = Path(file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if "agentops-gen:" not in line:
            continue
        match = DIRECTIVE.search(line)
        if match is None:
            continue
        alone = line[: match.start()].strip() == ""
        lines = (number, number + 1) if alone else (number,)
        for name in match.group(1).split(","):
            if name:
                out.append(Suppression(Location(file, number, match.start() + 1), name, lines))
    return out


def apply(findings: list[Finding], files: set[str], known: set[str], disabled: set[str]) -> list[Finding]:
    """Findings minus suppressed ones, plus one `lint/unused-suppression` per directive that matched nothing."""
    by_file = {f: scan(f) for f in sorted(files)}
    kept = []
    for finding in findings:
        hits = [s for s in by_file.get(finding.location.file, ())
                if s.check == finding.check and finding.location.line in s.lines]
        for s in hits:
            s.used = True
        if not hits:
            kept.append(finding)
    from agentops_gen.lint.registry import get

    for suppressions in by_file.values():
        for s in suppressions:
            if s.used or s.check in disabled:
                continue
            why = "suppresses no finding" if s.check in known else "names no check"
            kept.append(Finding(s.location, UNUSED, get(UNUSED).severity,
                                f"`disable={s.check}` {why}; remove it so it cannot hide a future problem"))
    return kept

"""Bad input through the real CLI: exit 2, one `FILE:LINE:COL: error: FIELD.PATH: message` line per
problem (all of them), no traceback, and an --out folder left exactly as it was.

Each case is a spec folder (tests/fixtures/bad/<case>/ or tests/fixtures/include/<case>/, or built
here when the bytes cannot live in git comfortably). It is copied to tmp/specs and rendered from tmp,
so the files appear as `specs/<name>`. Expected lines give the exact location and field path; the
message is matched loosely (a regex searched in the rest of the line).
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import FIXTURES, run_cli

SENTINEL = "keep-me.txt"
SENTINEL_TEXT = "written by an earlier render; must survive a failed one\n"


@dataclass
class Case:
    """A spec folder and the stderr lines rendering it must print."""

    name: str
    source: str | None
    """Folder under tests/fixtures (None: `build` creates the files)."""
    expected: list[tuple[str, int, int, str, str]]
    """(file, line, col, field path, message regex) in output order; field path "" = whole file."""
    build: Callable[[Path], None] | None = None
    max_seconds: float = 20.0
    extra: dict[str, str] = field(default_factory=dict)


def _write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)


HEADER = "version: agentops-gen/v1\nservice: checkout-agent\nowner: team-a\n"


def _tabs(specs: Path) -> None:
    _write(specs / "svc.yaml", HEADER + "slos:\n\t- name: availability\n")


def _alias_bomb(specs: Path) -> None:
    # billion laughs: 9 levels of 10 aliases each = 10^10 strings if expanded naively
    lines = [HEADER.rstrip("\n"), "lol0: &lol0 [" + ", ".join(['"lol"'] * 10) + "]"]
    for level in range(1, 10):
        lines.append(f"lol{level}: &lol{level} [" + ", ".join([f"*lol{level - 1}"] * 10) + "]")
    _write(specs / "svc.yaml", "\n".join(lines) + "\n")


def _deep(levels: int) -> Callable[[Path], None]:
    def build(specs: Path) -> None:
        _write(specs / "svc.yaml", HEADER + "description: " + "[" * levels + "]" * levels + "\n")

    return build


def _not_utf8(specs: Path) -> None:
    # line 4: `description: "café ` is 19 characters (é is 2 bytes, 1 character), then a Latin-1 é
    _write(specs / "svc.yaml", HEADER.encode() + b'description: "caf\xc3\xa9 \xe9"\n')


def _symlink_out(specs: Path) -> None:
    outside = specs.parent / "outside.yaml"
    outside.write_text("- name: x\n")
    (specs / "_slos" / "link.yaml").symlink_to(outside)


DURATION = r"must be a Prometheus duration such as 5m, 1h30m or 28d \(got '30days'\)"
DID_YOU_MEAN = r"unknown key 'objetive' \(did you mean 'objective'\?\)$"
F = "specs/svc.yaml"

CASES = [
    # One line for a typo: the "objective is missing" error is dropped in favour of the did-you-mean.
    Case("typo-key", "bad/typo-key", [
        (F, 6, 5, "slos[0].objetive", DID_YOU_MEAN),
    ]),
    Case("objective-range", "bad/objective-range", [
        (F, 6, 16, "slos[0].objective", r"^must be > 0 and < 100 \(got 120\)$"),
    ]),
    # a percent sign is the likeliest way to write an objective wrong: the fix is in the message
    Case("objective-percent", "bad/objective-percent", [
        (F, 6, 16, "slos[0].objective", r"^write the percentage as a plain number, without `%` \(objective: 99\.9\)$"),
    ]),
    Case("duplicate-key", "bad/duplicate-key", [
        (F, 4, 1, "service", r"duplicate key 'service' \(first defined at line 2\)"),
    ]),
    Case("tab-indentation", None, [(F, 5, 1, "slos", "tab character in indentation")], build=_tabs),
    Case("alias-bomb", None, [(F, 9, 7, "lol5", r"expand.*more than \d+ values \(alias bomb\?\)")],
         build=_alias_bomb, max_seconds=5),
    # `description: ` is 13 characters, so the first `[` (depth 2 under the root mapping) is column 14
    # and the first one past the 64-level limit is column 14 + 63 = 77.
    Case("depth-10000", None, [(F, 4, 77, "description[0][0]", "nesting deeper than 64 levels")],
         build=_deep(10_000), max_seconds=5),
    Case("depth-50000", None, [(F, 4, 77, "description[0][0]", "nesting deeper than 64 levels")],
         build=_deep(50_000), max_seconds=5),
    Case("non-mapping-root", "bad/non-mapping-root", [(F, 1, 1, "", "top level must be a mapping, got a list")]),
    Case("empty-file", "bad/empty-file", [(F, 1, 1, "", "file is empty")]),
    Case("not-utf8", None, [(F, 4, 20, "", r"not valid UTF-8 \(byte 0xe9\)")], build=_not_utf8),
    Case("invalid-duration", "bad/invalid-duration", [(F, 4, 9, "period", DURATION)]),
    Case("kpi-no-bounds", "bad/kpi-no-bounds", [(F, 5, 5, "kpis[0]", "set `min`, `max` or `thresholds`")]),
    Case("kpi-min-above-max", "bad/kpi-min-above-max", [
        (F, 5, 5, "kpis[0]", r"`min` \(50\) is greater than `max` \(10\)"),
    ]),
    Case("anomaly-short-baseline", "bad/anomaly-short-baseline", [
        (F, 7, 15, "anomalies[0].baseline", "baseline 30m is shorter than 1h"),
    ]),
    Case("for-longer-than-period", "bad/for-longer-than-period", [
        (F, 13, 19, "slos[0].alerting.page.for", "`for: 1d` is not shorter than the SLO period"),
    ]),
    Case("bad-alert-expr", "bad/bad-alert-expr", [(F, 6, 11, "alerts[0].expr", "invalid PromQL")]),
    Case("unknown-receiver", "bad/unknown-receiver", [
        (F, 5, 30, "notify.critical[1]",
         r"receiver 'checkout-pagr' is not defined.*did you mean 'checkout-pager'\?"),
        (F, 6, 12, "notify.warning", "receiver 'checkout-chat' is not defined"),
    ]),
    Case("two-platforms", "bad/two-platforms", [
        ("specs/b-platform.yaml", 2, 7, "kind", r"second `kind: platform` file \(the first is specs/a-platform.yaml\)"),
    ]),
    Case("duplicate-service", "bad/duplicate-service", [
        ("specs/b.yaml", 3, 10, "service", "service 'checkout-agent' is already defined in specs/a.yaml"),
    ]),
    Case("threshold-not-in-buckets", "bad/threshold-not-in-buckets", [
        (F, 10, 20, "slos[0].sli.latency.threshold", r"7 is not one of the histogram buckets"),
    ]),
    Case("ratio-errors-and-good", "bad/ratio-errors-and-good", [
        (F, 9, 9, "slos[0].sli.ratio", "set exactly one of `errors` or `good`"),
    ]),
    Case("ratio-selector-expression", "bad/ratio-selector-expression", [
        (F, 9, 17, "slos[0].sli.ratio.errors", "must be ONE vector selector"),
    ]),
    Case("reserved-label", "bad/reserved-label", [
        (F, 6, 3, "labels.service", "label 'service' is set by agentops-gen"),
    ]),
    Case("inline-secret", "bad/inline-secret", [
        (F, 6, 30, "receivers.checkout-pager.pagerduty.routing_key", "inline secret; use routing_key_file"),
    ]),
    Case("env-placeholder", "bad/env-placeholder", [
        (F, 7, 16, "receivers.checkout-chat.slack.api_url", r"shell-style placeholder.*use api_url_file"),
    ]),
    Case("relative-secret-file", "bad/relative-secret-file", [
        (F, 7, 27, "receivers.checkout-pager.pagerduty[0].routing_key_file", "must be an absolute path"),
    ]),
    Case("many-errors-in-one-file", "bad/many-errors", [
        (F, 2, 10, "service", "must match"),
        (F, 4, 9, "period", DURATION),
        (F, 7, 16, "slos[0].objective", r"must be > 0 and < 100 \(got 120\)"),
        (F, 15, 5, "kpis[0].maks", r"unknown key 'maks' \(did you mean 'max'\?\)"),
    ]),
    # !include: each escape is an error at the include node, naming the field it fills
    Case("include-absolute", "include/absolute", [(F, 4, 7, "slos", "!include: absolute paths are not allowed")]),
    Case("include-dotdot", "include/dotdot-escape", [(F, 4, 7, "slos", "!include: .* escapes the include root")]),
    Case("include-url", "include/url", [(F, 4, 7, "slos", "!include: URLs are not allowed")]),
    Case("include-glob", "include/glob", [(F, 4, 7, "slos", "!include: globs are not allowed")]),
    Case("include-missing", "include/missing", [(F, 4, 7, "slos", "!include: file not found: specs/_slos/nope.yaml")]),
    Case("include-symlink-out", "include/symlink-out", [
        (F, 4, 7, "slos", "!include: '_slos/link.yaml' is a symlink that leaves the include root"),
    ], build=_symlink_out),
    Case("include-cycle", "include/cycle", [
        ("specs/_slos/b.yaml", 3, 8, "slos[0][0].sli",
         r"!include: include cycle: specs/svc.yaml -> specs/_slos/a.yaml -> specs/_slos/b.yaml -> "
         r"specs/_slos/a.yaml \(included from specs/svc.yaml:4:7, specs/_slos/a.yaml:1:3\)$"),
    ]),
    Case("include-fragment-error", "include/fragment-error", [
        ("specs/_slos/availability.yaml", 2, 14, "slos[0].objective",
         r"must be > 0 and < 100 \(got 120\) \(included from specs/svc.yaml:4:7\)$"),
        ("specs/_slos/availability.yaml", 7, 14, "slos[0].alerting.pge",
         r"unknown key 'pge' \(did you mean 'page'\?\) \(included from specs/svc.yaml:4:7\)$"),
    ]),
]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_located_and_writes_nothing(case: Case, tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    if case.source:
        shutil.copytree(FIXTURES / case.source, specs, symlinks=True)
    else:
        specs.mkdir()
    if case.build:
        case.build(specs)
    out = tmp_path / "out"
    out.mkdir()
    (out / SENTINEL).write_text(SENTINEL_TEXT)
    before = sorted(p.name for p in tmp_path.iterdir())

    started = time.monotonic()
    result = run_cli("render", "specs", "--out", "out", cwd=tmp_path)
    elapsed = time.monotonic() - started

    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == len(case.expected), result.stderr
    for line, (file, row, col, path, message) in zip(lines, case.expected, strict=True):
        prefix = f"{file}:{row}:{col}: error: " + (f"{path}: " if path else "")
        assert line.startswith(prefix), f"expected {prefix!r}...\n got {line!r}"
        assert re.search(message, line[len(prefix):]), f"{message!r} not in {line!r}"
    # --out untouched: the sentinel alone, byte for byte, and no staging folders left beside it
    assert _snapshot(out) == {SENTINEL: SENTINEL_TEXT.encode()}
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert elapsed < case.max_seconds


def test_only_the_first_64_levels_are_allowed(tmp_path: Path) -> None:
    """The limit is exact: 63 levels of brackets under `description` (64 with the root) load fine."""
    specs = tmp_path / "specs"
    specs.mkdir()
    _deep(63)(specs)
    result = run_cli("render", "specs", "--out", "out", cwd=tmp_path)
    assert result.returncode == 2
    # not a nesting error: the schema rejects a list as description, at the value
    assert result.stderr.splitlines()[0].startswith("specs/svc.yaml:4:14: error: description: ")
    assert "nesting" not in result.stderr


def test_debug_shows_no_traceback_for_bad_input(tmp_path: Path) -> None:
    """--debug is for unexpected errors; a bad spec is still one located line."""
    shutil.copytree(FIXTURES / "bad/objective-range", tmp_path / "specs")
    result = run_cli("--debug", "render", "specs", "--out", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "specs/svc.yaml:6:16: error: slos[0].objective: must be > 0 and < 100 (got 120)\n"
    assert not (tmp_path / "out").exists()


def test_errors_of_every_file_are_reported(tmp_path: Path) -> None:
    """One bad file does not hide another: both files' errors, sorted by file."""
    specs = tmp_path / "specs"
    shutil.copytree(FIXTURES / "bad/objective-range", specs)
    shutil.copy(FIXTURES / "bad/invalid-duration/svc.yaml", specs / "other.yaml")
    (specs / "other.yaml").write_text((specs / "other.yaml").read_text().replace("checkout-agent", "other-agent"))
    result = run_cli("render", "specs", "--out", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert [line.split(": error: ")[0] for line in result.stderr.splitlines()] == [
        "specs/other.yaml:4:9", "specs/svc.yaml:6:16"]

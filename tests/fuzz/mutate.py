"""A seeded mutator of spec files: the example specs, changed in one to three places.

Deterministic: case `n` of seed `s` is always the same spec (random.Random(f"{s}:{n}")), so a failing
case is replayed by its seed and number alone. Mutations work on the YAML tree (an `!include` stays
an `!include`), plus a few on the text (duplicate or drop a line, a stray character) that a tree
cannot express.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SEED_FOLDERS = [ROOT / "slo_specs", ROOT / "tests/fixtures/alertmanager/basic", ROOT / "tests/fixtures/lint/clean",
                ROOT / "tests/fixtures/include/good"]
"""Spec folders whose files are mutated (with their fragments and platform file beside them)."""


class Include(str):
    """An `!include` node, kept as written."""


class _Loader(yaml.SafeLoader):
    pass


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:  # a duplicated item is written out twice, not as an alias
        return True


_Loader.add_constructor("!include", lambda loader, node: Include(loader.construct_scalar(node)))  # type: ignore[arg-type]
_Dumper.add_representer(Include, lambda dumper, data: dumper.represent_scalar("!include", str(data)))

NUMBERS: list[Any] = [0, -1, 1, 0.5, 1e308, -1e308, math.nan, math.inf, -math.inf, 10**30, 2**63, 2**64 + 1,
                      1e-320, 100, 100.0001, 99.9999999, True, False]
DURATIONS = ["0s", "1ms", "0m", "5m", "1y", "300y", "99999999999999999999d", "-5m", "5m5m", "1h30m", "", " 5m",
             "5M", "1w2d3h4m5s6ms", "10000w", "0.5h", "5", "5 m", "9223372036854775807s"]
HOSTILE = ["{{", "}}", "{{ $value }}", "{{ oops", "'", '"', "\n", "a\nb", ": ", "key: value", "# x", "&a", "*a",
           "!include x", "${X}", "`", "\\", "%", "- x", "[", "{", "|", ">", "@", "\t", " ", "",
           "\x7f", "\x85", "\u2028", "\u2029", "\ufeff", "\x1b[31m", "\u202e", "é", "😀", "\\u0000", "null", "~",
           "yes", "0x10", "1e3", ".nan", "<script>", "](javascript:x)", "../../etc/passwd", "a/b", "CON"]
LABELS = ["job", "service", "le", "__name__", "code", "route", "x", "1bad", "a-b", "", "slo", "severity"]
OPS = ["=", "!=", "=~", "!~", "==", "=>", ""]
VALUES = ["v", "", "5..", ".*", "(", "a\"b", "\\", "{{ window }}", "é", "\n"]
METRICS = ["req_total", "req", "x_bucket", "http_request_duration_seconds", "a:b:c", "1x", "sum", "rate",
           "up", "__x", "req_total_total", ""]
QUERIES = ["up", "sum(rate(req_total[5m]))", "rate(x[{{ window }}])", "1", "vector(1)", "absent(up)",
           "up > 1", "sum by (le) (rate(x_bucket[5m]))", "limitk(1, up)", "up offset 5m", "up @ 100",
           "time()", "-up", "up or on() vector(0)", "5m", "", "(", "up)", "{}", 'up{job=""}',
           " + ".join(["up"] * 501), "(" * 65 + "up" + ")" * 65,
           "up{" + ",".join(f'l{i}="v"' for i in range(2000)) + "}",
           "sum(rate(req_total[{{ window }}])) / sum(rate(req_total[{{ window }}]))", "rate(x[{{window}}])",
           "# comment\nup", "up\n", "sort_by_label(up)", "histogram_quantile(0.9, x)"]


@dataclass(frozen=True)
class Seed:
    """One spec file to mutate and the files that travel with it (fragments, the platform file)."""

    folder: Path
    spec: Path


def seeds() -> list[Seed]:
    """Every mutable spec file of the seed folders, in a stable order."""
    out = []
    for folder in SEED_FOLDERS:
        for path in sorted(folder.glob("*.y*ml")):
            out.append(Seed(folder, path))
    return out


def companions(seed: Seed) -> list[Path]:
    """Files of the seed's folder that go beside the mutated spec: fragment folders and the platform file."""
    out = [p for p in sorted(seed.folder.iterdir()) if p.name.startswith("_")]
    out += [p for p in sorted(seed.folder.glob("*.y*ml")) if p != seed.spec and "kind: platform" in p.read_text()]
    return out


def load(text: str) -> Any:
    """A spec's YAML tree with `!include` kept."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


def dump(data: Any, rng: random.Random) -> str:
    """YAML text of a tree (unicode written as is or escaped, at random)."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=rng.random() < 0.5, sort_keys=False, width=4096)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into the tree (the root excluded)."""
    out: list[tuple[Any, ...]] = []
    children = list(data.items()) if isinstance(data, dict) else list(enumerate(data)) if isinstance(data, list) else []
    for key, value in children:
        out.append((*prefix, key))
        out.extend(_paths(value, (*prefix, key)))
    return out


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def _string(rng: random.Random) -> str:
    kind = rng.randrange(5)
    if kind == 0:
        return rng.choice(HOSTILE)
    if kind == 1:
        return "a" * rng.choice([64, 65, 200, 256, 5000, 70000])
    if kind == 2:
        return "x" + rng.choice(HOSTILE) + "y"
    if kind == 3:
        return rng.choice(DURATIONS)
    return "".join(chr(rng.choice([rng.randrange(32), rng.randrange(0x7f, 0xa0), rng.randrange(0x20, 0x7f),
                                   rng.randrange(0x100, 0x3000)])) for _ in range(rng.randrange(1, 12)))


def selector(rng: random.Random) -> str:
    """A random, often broken, vector selector."""
    matchers = ",".join(f"{rng.choice(LABELS)}{rng.choice(OPS)}\"{rng.choice(VALUES)}\""
                        for _ in range(rng.choice([0, 1, 2, 3])))
    braces = f"{{{matchers}}}" if matchers or rng.random() < 0.3 else ""
    return rng.choice(METRICS) + braces


def _same_kind(rng: random.Random, old: Any) -> Any:
    """A replacement a validator must judge on its merits: same type, extreme or hostile content."""
    if isinstance(old, bool):
        return not old
    if isinstance(old, (int, float)):
        return rng.choice([*NUMBERS[:15], old * 10, -old, old + 1e-9, old * 1e12, old / 3])
    if isinstance(old, str) and old[:1].isdigit() and old[-1:].isalpha() and len(old) < 12:
        return rng.choice(DURATIONS)
    if isinstance(old, str) and ("{" in old or "(" in old):
        return rng.choice([selector(rng), rng.choice(QUERIES), old + rng.choice([" + up", " or vector(0)", "{", ")"])])
    if isinstance(old, str):
        cut = rng.randrange(len(old) + 1)
        return rng.choice([old[:cut] + rng.choice(HOSTILE) + old[cut:], old * rng.choice([2, 20, 400]),
                           rng.choice(HOSTILE), old.upper(), ""])
    return value(rng, old)


def value(rng: random.Random, old: Any) -> Any:
    """A replacement for a value: another type, an extreme number, a hostile string, a query, a duration."""
    kind = rng.randrange(9)
    if kind == 0:
        return rng.choice(NUMBERS)
    if kind == 1:
        return _string(rng)
    if kind == 2:
        return rng.choice([None, [], {}, [old], {"x": old}, [old, old], "", {old if isinstance(old, str) else "k": 1}])
    if kind == 3:
        return rng.choice(DURATIONS)
    if kind == 4:
        return selector(rng)
    if kind == 5:
        return rng.choice(QUERIES)
    if kind == 6 and isinstance(old, (int, float)) and not isinstance(old, bool):
        return rng.choice([old * 10, -old, old + 1e-9, old * 1e12, int(old) if math.isfinite(old) else 0])
    if kind == 7 and isinstance(old, str):
        cut = rng.randrange(len(old) + 1)
        return old[:cut] + rng.choice(HOSTILE) + old[cut:]
    return rng.choice(NUMBERS + HOSTILE)


def _mutate_tree(data: Any, rng: random.Random) -> str:
    """Change the tree in place at one random spot; a short description of what changed."""
    paths = _paths(data)
    if not paths:
        return "empty tree"
    path = rng.choice(paths)
    parent, key = _get(data, path[:-1]), path[-1]
    op = rng.randrange(8)
    if op >= 5:
        parent[key] = _same_kind(rng, parent[key])
        return f"vary {path}"
    if op == 0:  # delete the key or item
        del parent[key]
        return f"delete {path}"
    if op == 1 and isinstance(parent, list):  # duplicate an item (duplicate names, ...)
        parent.insert(key, parent[key])
        return f"duplicate {path}"
    if op == 1 and isinstance(parent, dict):  # a sibling key under a new name
        new_key = rng.choice([*parent.keys(), f"{key}x", _string(rng)]) if rng.random() < 0.5 else f"{key}_"
        parent[new_key] = parent[key]
        return f"copy {path} to {new_key!r}"
    if op == 2 and isinstance(parent, dict) and isinstance(key, str):  # rename the key
        parent[rng.choice([_string(rng), key.upper(), key + "s", key[:-1]])] = parent.pop(key)
        return f"rename {path}"
    if op == 3 and isinstance(parent[key], list):  # many copies of a list item
        if parent[key]:
            parent[key].extend([parent[key][-1]] * rng.choice([1, 9, 100]))
        return f"grow {path}"
    parent[key] = value(rng, parent[key])
    return f"set {path}"


def _mutate_text(text: str, rng: random.Random) -> tuple[str, str]:
    """A change the tree cannot express: a duplicated or dropped line, a stray character."""
    lines = text.splitlines(keepends=True)
    if not lines:
        return text, "empty text"
    i = rng.randrange(len(lines))
    op = rng.randrange(3)
    if op == 0:
        lines.insert(i, lines[i])
        return "".join(lines), f"duplicate line {i + 1}"
    if op == 1:
        del lines[i]
        return "".join(lines), f"drop line {i + 1}"
    cut = rng.randrange(len(lines[i]) + 1)
    lines[i] = lines[i][:cut] + rng.choice(["\x7f", "\t", "\u2028", "{{", "'", ": ", "#", "\x85", "&", "*"]) \
        + lines[i][cut:]
    return "".join(lines), f"stray character in line {i + 1}"


@dataclass(frozen=True)
class Mutant:
    """One generated case: the seed it came from, the mutated text, and what was changed."""

    seed: Seed
    text: str
    changes: tuple[str, ...]


def mutant(fuzz_seed: int, number: int) -> Mutant:
    """Case `number` of seed `fuzz_seed`."""
    rng = random.Random(f"{fuzz_seed}:{number}")
    seed = rng.choice(seeds())
    data = load(seed.spec.read_text())
    changes = [_mutate_tree(data, rng) for _ in range(rng.choice([1, 1, 1, 2, 3]))]
    text = dump(data, rng)
    if rng.random() < 0.08:
        text, change = _mutate_text(text, rng)
        changes.append(change)
    return Mutant(seed, text, tuple(changes))

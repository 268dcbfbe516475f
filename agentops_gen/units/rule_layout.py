"""How a generated rule file lays its groups and rules out as text, and cutting such text into them.

templates/prometheus/_groups.j2 writes groups at column 2 (`  - name: `), their keys at column 4 (ending
with `    rules:`), rules at column 6 (`      - record: ` / `      - alert: `) and rule text deeper (block
scalars at column 10, quoted scalars on one line). Test-only slices (targets/rule_slices.py) are cut along
these lines and their check (check/copies.py) cuts them the same way.
"""

from __future__ import annotations

GROUP_START = "  - name: "
"""A group's first line in the `groups:` block."""
RULE_START = "      - "
"""A rule's first line in a group's `rules:` list."""
RULES_KEY = "    rules:\n"
"""A group's `rules:` key: a group's header ends with it."""


def cut_before(text: str, start: str) -> list[str]:
    """`text` cut before every line that begins with `start`, in order (joined, they are the text)."""
    marker = "\n" + start
    cuts = [0]
    at = text.find(marker)
    while at != -1:
        cuts.append(at + 1)
        at = text.find(marker, at + 1)
    cuts.append(len(text))
    return [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def group_chunks(block: str) -> list[str]:
    """The `groups:` block of a rule file cut into one text per group, in file order (joined, they are the block)."""
    return cut_before(block, GROUP_START)


def rule_chunks(group: str) -> tuple[str, list[str]]:
    """A group's text cut into its header (up to its `rules:` key) and one text per rule, in order (joined,
    they are the group)."""
    head, key, body = group.partition(RULES_KEY)
    return head + key, cut_before(body, RULE_START)

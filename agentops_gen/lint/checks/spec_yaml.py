"""spec/yaml: the file is not valid YAML, or uses YAML the spec language forbids."""

from __future__ import annotations

from agentops_gen.lint.registry import Check

CHECK = Check(
    name="spec/yaml",
    severity="error",
    summary="The file is not valid YAML, or uses YAML the spec language forbids.",
    doc="Reported by the loader before any other check can run: syntax errors, tabs in indentation, "
        "duplicate keys, tags other than `!include`, a non-mapping or empty document, bytes that are not "
        "UTF-8, nesting deeper than 64 levels, and `!include`s that are missing, cyclic or leave the spec "
        "folder. `render` stops on the same errors, so a file with this finding produces no output and no "
        "other finding.",
    bad="slos: []\nslos: []  # flagged\n",
    good="slos: []\n",
)

"""Start-up of the command line: what runs before the heavy imports (docs/performance.md, "Lint time")."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT

_TYPER_SEES_GC = """
import gc, json, sys
seen = {}
class Hook:
    def find_spec(self, name, path=None, target=None):
        if name in ("typer", "pydantic", "agentops_gen.spec.service"):
            seen[name] = gc.get_threshold()[0]
        return None
sys.meta_path.insert(0, Hook())
import agentops_gen.cli
import agentops_gen.lint.runner
print(json.dumps(seen))
"""


def test_gc_threshold_raised_before_typer_and_the_models_are_imported() -> None:
    result = subprocess.run([sys.executable, "-c", _TYPER_SEES_GC], capture_output=True, text=True, cwd=ROOT,
                            env={"PYTHONPATH": str(ROOT), "PATH": ""}, check=True)
    seen = json.loads(result.stdout)
    assert seen == {"typer": 200_000, "pydantic": 200_000, "agentops_gen.spec.service": 200_000}


_TOKENIZED = """
import agentops_gen.cli, agentops_gen.lint.runner
from agentops_gen.lint.registry import registry
registry()
import tokenize
print(tokenize._compile.cache_info().misses)
"""


def test_no_text_signature_tokenized_while_the_models_are_built() -> None:
    # pydantic reads a default factory's signature; a builtin's (`list`) only by tokenizing its text
    result = subprocess.run([sys.executable, "-c", _TOKENIZED], capture_output=True, text=True, cwd=ROOT,
                            env={"PYTHONPATH": str(ROOT), "PATH": ""}, check=True)
    assert result.stdout.strip() == "0"


def test_receiver_integrations_default_to_fresh_empty_lists_without_a_schema_default() -> None:
    from agentops_gen.spec.json_schema import spec_json_schema
    from agentops_gen.spec.routing import RECEIVER_TYPES, Receiver

    first, second = Receiver(), Receiver()
    for kind in RECEIVER_TYPES:
        assert getattr(first, kind) == [] and getattr(first, kind) is not getattr(second, kind)
    schema = json.dumps(spec_json_schema())
    receiver = next(d for name, d in json.loads(schema)["$defs"].items() if name == "Receiver")
    assert set(RECEIVER_TYPES) <= set(receiver["properties"])
    assert not any("default" in receiver["properties"][kind] for kind in RECEIVER_TYPES)


def test_command_annotations_are_objects_typer_need_not_evaluate() -> None:
    import inspect

    from agentops_gen import cli

    for command in (cli.render, cli.lint, cli.backtest, cli.import_, cli.schema, cli.init, cli._main):
        annotations = inspect.get_annotations(command)
        assert not [name for name, value in annotations.items() if isinstance(value, str)], command.__name__

"""Built-in templates shipped compiled: Python modules in agentops_gen/targets/compiled/, one per template.

Compiling the templates is about 40 ms of every run that has no compiled copy at hand (a fresh
install, every cache off). The package ships the compiled code as ordinary modules instead, so
Python's own .pyc files carry it. A compiled module is used only while the template's source still
hashes to the value recorded beside it and Jinja and our environment settings are the ones it was
compiled with; otherwise the template is compiled from its source as before, so an edited template
renders as edited. `python -m agentops_gen.targets.precompiled` writes the modules again;
tests/test_precompiled_templates.py fails while they are stale.
"""

from __future__ import annotations

import hashlib
import importlib
import re
import sys
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

import jinja2

PACKAGE = "agentops_gen.targets.compiled"
PACKAGE_DIR = Path(__file__).resolve().parent / "compiled"


def source_hash(source: str) -> str:
    """The fingerprint a compiled module is checked against."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def settings_key(options: MutableMapping[str, Any]) -> str:
    """Jinja's version and the environment settings: both shape the compiled code."""
    return f"{jinja2.__version__}|{sorted((k, repr(v)) for k, v in options.items())}"


def module_name(template: str) -> str:
    """A readable module name for a template path: prometheus/_groups.j2 -> prometheus__groups_j2."""
    return re.sub(r"\W", "_", template)


class PrecompiledLoader(jinja2.FileSystemLoader):
    """Loads a built-in template from its compiled module when that module matches the source."""

    def __init__(self, searchpath: str, manifest: dict[str, str] | None) -> None:
        super().__init__(searchpath)
        self.manifest = manifest or {}
        """template name -> source hash of its compiled module; empty when the settings differ."""

    def load(self, environment: jinja2.Environment, name: str,
             globals: MutableMapping[str, Any] | None = None) -> jinja2.Template:
        """The compiled module's template, or the template compiled from source when the module is stale."""
        recorded = self.manifest.get(name)
        if recorded is None:
            return super().load(environment, name, globals)
        source, filename, _ = self.get_source(environment, name)
        if source_hash(source) != recorded:
            return super().load(environment, name, globals)
        module = importlib.import_module(f"{PACKAGE}.{module_name(name)}")
        template = environment.template_class.from_module_dict(environment, module.__dict__, globals or {})
        template.filename = filename  # errors point at the template, not at its compiled module
        return template


def manifest_for(settings: str) -> dict[str, str] | None:
    """The recorded source hashes, or None when the modules were compiled under other settings or are absent."""
    try:
        package = importlib.import_module(PACKAGE)
    except ImportError:
        return None
    if getattr(package, "SETTINGS", None) != settings:
        return None
    sources: dict[str, str] = package.SOURCES
    return sources


def write_modules(environment: jinja2.Environment, directory: Path, settings: str,
                  wanted: Callable[[str], bool]) -> list[str]:
    """Compile every wanted template of `environment` into `directory` (replaced); the template names."""
    import shutil  # only when writing the modules, never on a render

    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    names = sorted(n for n in environment.list_templates() if wanted(n))
    modules = [module_name(n) for n in names]
    if len(set(modules)) != len(modules):
        raise RuntimeError("two templates map to one module name")
    sources: dict[str, str] = {}
    for name, module in zip(names, modules, strict=True):
        assert environment.loader is not None
        source, filename, _ = environment.loader.get_source(environment, name)
        code = environment.compile(source, name, filename, raw=True, defer_init=True)
        (directory / f"{module}.py").write_text(f"# Generated from templates/{name} by agentops_gen.targets."
                                                f"precompiled: do not edit.\n{code}\n", encoding="utf-8")
        sources[name] = source_hash(source)
    lines = [f"    {name!r}: {digest!r}," for name, digest in sources.items()]
    (directory / "__init__.py").write_text(
        '"""The built-in templates compiled by agentops_gen.targets.precompiled (generated: do not edit)."""\n\n'
        f"SETTINGS = {settings!r}\n\n"
        "SOURCES: dict[str, str] = {\n" + "\n".join(lines) + "\n}\n", encoding="utf-8")
    return names


def main() -> int:
    """Write agentops_gen/targets/compiled/ from templates/."""
    from agentops_gen.targets import jinja

    names = jinja.write_compiled(PACKAGE_DIR)
    print(f"compiled {len(names)} templates into {PACKAGE_DIR}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

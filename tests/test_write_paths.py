"""write_atomic: which file names it refuses, and nested folders made once however many files they hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops_gen.ownership import MANIFEST
from agentops_gen.write import write_atomic


@pytest.mark.parametrize("code", [*range(0x20), 0x7F])
def test_a_control_character_in_a_path_is_refused(tmp_path: Path, code: int) -> None:
    with pytest.raises(ValueError, match="refusing to write a file named"):
        write_atomic(tmp_path / "out", {"ok.txt": "x", f"runbooks/a{chr(code)}b.md": "y"})
    assert not (tmp_path / "out").exists()


def test_printable_names_and_nested_folders_are_written(tmp_path: Path) -> None:
    files = {f"grafana/dashboards/team-{t}/svc-{i} é\u0080~.json": f"{t}-{i}\n" for t in range(3) for i in range(4)}
    files |= {"a/b/c/d.txt": "deep\n", "a/b/e.txt": "mid\n", "top.txt": "top\n"}
    out = tmp_path / "out"
    write_atomic(out, files)
    written = {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in out.rglob("*")
               if p.is_file() and p.name != MANIFEST}
    assert written == files

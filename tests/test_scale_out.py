"""Issue 15 parts 1-3: rule groups within a size limit, colon record names, PrometheusRule metadata, Mimir, Thanos.

The split is proven three ways: a unit test on hand-made groups, an independent reader that resolves
every selector of every rendered rule to the recording rule it reads (by name and equality matchers)
and checks it is evaluated earlier in the same cycle, and promtool running the generated tests of a
spec split into groups of 5 rules, which fail as soon as the groups are evaluated in another order.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml
from conftest import FIXTURES, SPECS, case_segments, promtool_test_subset, run_cli

from agentops_gen.plan.model import Rule, RuleGroup
from agentops_gen.plan.split import split_group
from agentops_gen.units.promql import nodes, parse

MIMIR = FIXTURES / "mimir"


def _mimir_limits() -> dict[str, Any]:
    """Format rules vendored from Mimir's source (tests/fixtures/mimir/SOURCE.md)."""
    data: dict[str, Any] = yaml.safe_load((MIMIR / "limits.yaml").read_text(encoding="utf-8"))
    return data


# --- the split, on hand-made groups ----------------------------------------------------------------------------


def _record(name: str, expr: str = "vector(1)") -> Rule:
    return Rule(expr=expr, record=name)


def _alert(name: str, expr: str) -> Rule:
    return Rule(expr=expr, alert=name)


def test_a_group_that_fits_is_left_alone() -> None:
    group = RuleGroup("g", tuple(_record(f"a:r{i}:x") for i in range(3)))
    assert split_group(group, 3) == (group,)


def test_alerts_move_next_to_what_they_read_and_parts_cut_between_them() -> None:
    # r0..r5 records; A reads r0 and r1, B reads r4 and r5; a naive cut after 4 rules would
    # leave both alerts reading records of an earlier group.
    rules = (*(_record(f"a:r{i}:x") for i in range(6)),
             _alert("A", "a:r0:x > a:r1:x"), _alert("B", "a:r4:x > a:r5:x"))
    parts = split_group(RuleGroup("g", rules, interval="5m"), 4)
    assert [p.name for p in parts] == ["g", "g_2"]
    assert [[r.record or r.alert for r in p.rules] for p in parts] == [
        ["a:r0:x", "a:r1:x", "A", "a:r2:x"], ["a:r3:x", "a:r4:x", "a:r5:x", "B"]]
    assert all(p.interval == "5m" for p in parts)


def test_a_record_reading_a_record_stays_after_it() -> None:
    rules = (_record("a:x:y"), _record("a:z:y", "a:x:y * 2"), _alert("A", "a:z:y > 1"), _record("a:w:y"))
    parts = split_group(RuleGroup("g", rules), 1)
    order = [r.record or r.alert for p in parts for r in p.rules]
    assert order == ["a:x:y", "a:z:y", "A", "a:w:y"]
    assert len(parts) == 4


# --- an independent reader: which rule does each selector read? ------------------------------------------------


def _equal_matchers(selector: Any) -> dict[str, str]:
    return {m.name: m.value for m in selector.matchers.matchers if str(m.op).endswith(".Equal")}


def _backward_read_problems(doc: dict[str, Any]) -> list[str]:
    """Every read of a record produced in this file must name one evaluated earlier: same group, earlier
    position, or an earlier group (promtool's group_eval_order follows the file). A group with its own
    `interval` (the 5m anomaly baselines, a 5m average of a 1m series) is not evaluated every cycle and
    reads the last value on purpose."""
    produced: list[tuple[int, int, str, dict[str, str]]] = []
    for gi, group in enumerate(doc["groups"]):
        for ri, rule in enumerate(group["rules"]):
            if "record" in rule:
                labels = {str(k): str(v) for k, v in (rule.get("labels") or {}).items()}
                produced.append((gi, ri, rule["record"], labels))
    problems = []
    for gi, group in enumerate(doc["groups"]):
        if "interval" in group:
            continue
        for ri, rule in enumerate(group["rules"]):
            for node in nodes(parse(rule["expr"])):
                if not isinstance(node, promql_parser.VectorSelector) or not node.name:
                    continue
                want = _equal_matchers(node)
                for pg, pr, name, labels in produced:
                    if name != node.name or any(labels.get(k, v) != v for k, v in want.items()):
                        continue
                    if (pg, pr) >= (gi, ri):
                        problems.append(f"{group['name']}: {rule.get('record') or rule.get('alert')} reads "
                                        f"{name}{want} of {doc['groups'][pg]['name']}, evaluated later")
    return problems


def test_the_reader_catches_a_read_of_a_later_group() -> None:
    doc = {"groups": [{"name": "a", "rules": [{"alert": "A", "expr": 'x:y:z{slo="s"} > 1'}]},
                      {"name": "b", "rules": [{"record": "x:y:z", "expr": "vector(1)", "labels": {"slo": "s"}}]}]}
    assert len(_backward_read_problems(doc)) == 1
    doc["groups"][1]["rules"][0]["labels"]["slo"] = "other"  # another SLO's record: not what A reads
    assert _backward_read_problems(doc) == []


def _example_rule_files() -> dict[str, dict[str, Any]]:
    from agentops_gen.pipeline import render_paths

    files = render_paths([SPECS])
    return {path: yaml.safe_load(text) for path, text in files.items()
            if path.startswith("prometheus/") and path.endswith(".rules.yaml") and path.count("/") == 1}


def test_examples_fit_mimirs_default_group_limit_and_read_only_backwards() -> None:
    limit = _mimir_limits()["ruler_max_rules_per_rule_group"]
    docs = _example_rule_files()
    assert len(docs) == 5
    sizes = {g["name"]: len(g["rules"]) for doc in docs.values() for g in doc["groups"]}
    assert max(sizes.values()) <= limit
    # 38 KPI rules: split (an SLO's 27 rules no longer are: its period records have a group of their own)
    assert "agentops-aegis-rag-kpis_2" in sizes
    for path, doc in docs.items():
        assert _backward_read_problems(doc) == [], path


def test_burn_and_outage_alerts_share_a_group_with_every_record_they_read() -> None:
    """Prometheus evaluates groups independently: a cross-group read lags by up to one interval. The ticket,
    evaluated every 2m with its long windows (`<group>_long`), reads its short windows from the SLO's group just
    before: at most one 1m interval old (docs/performance.md, "Third round")."""
    doc = _example_rule_files()["prometheus/amas.rules.yaml"]
    tickets = 0
    for i, group in enumerate(doc["groups"]):
        records = {r["record"] for r in group["rules"] if "record" in r}
        for rule in group["rules"]:
            if rule.get("alert", "").endswith(("BurnRatePage", "BurnRateTicket", "Outage")):
                read = {n.name for n in nodes(parse(rule["expr"])) if isinstance(n, promql_parser.VectorSelector)}
                own = records
                if rule["alert"].endswith("BurnRateTicket") and group["name"].endswith("_long"):
                    tickets += 1
                    before = doc["groups"][i - 1]
                    assert before["name"] + "_long" == group["name"] and "interval" not in before
                    own = records | {r["record"] for r in before["rules"] if "record" in r}
                assert {n for n in read if n.startswith("slo:")} <= own, rule["alert"]
    assert tickets >= 2


def test_every_recording_rule_name_passes_mimirtool_rules_check_strict() -> None:
    """mimirtool's CheckRecordingRules: at least 2 `:`-separated chunks, 3 with --strict (vendored)."""
    strict = _mimir_limits()["recording_rule_name_min_chunks_strict"]
    records = [r["record"] for doc in _example_rule_files().values() for g in doc["groups"] for r in g["rules"]
               if "record" in r]
    assert "slo:info:labels" in records
    assert [r for r in records if len(r.split(":")) < strict] == []


def test_nothing_in_the_tree_reads_the_old_info_record_name() -> None:
    root = Path(__file__).resolve().parent.parent
    hits = []
    for folder in ("agentops_gen", "templates", "out", "slo_specs", "bench"):
        for path in (root / folder).rglob("*"):
            if path.is_file() and "agentops_slo_info" in path.read_text(encoding="utf-8", errors="replace"):
                hits.append(str(path.relative_to(root)))
    assert hits == []
    assert "agentops_slo_info" in (root / "docs" / "scale-out.md").read_text(encoding="utf-8")  # the rename note


# --- promtool: the generated tests of a spec split into groups of 5 --------------------------------------------

SMALL = {
    "version": "agentops-gen/v1", "service": "tiny", "owner": "team-a", "period": "7d",
    "slos": [{"name": "availability", "objective": 99.9,
              "sli": {"ratio": {"errors": 'req_total{job="t",code=~"5.."}', "total": 'req_total{job="t"}'}}}],
}


def _render_small(tmp_path: Path, platform: dict[str, Any]) -> Path:
    specs = tmp_path / "specs"
    specs.mkdir(parents=True)
    (specs / "tiny.yaml").write_text(yaml.safe_dump(SMALL))
    (specs / "platform.yaml").write_text(yaml.safe_dump({"version": "agentops-gen/v1", "kind": "platform",
                                                         **platform}))
    out = tmp_path / "out"
    result = run_cli("render", str(specs), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def _fires_the_page(case: dict[str, Any]) -> bool:
    return any(seg.startswith("TinyAvailabilityBurnRatePage fires ") for seg in case_segments(case))


@pytest.mark.tools
def test_generated_tests_pass_on_small_groups_and_fail_when_groups_run_out_of_order(
        tmp_path: Path, promtool: str) -> None:
    out = _render_small(tmp_path, {"prometheus": {"max_rules_per_group": 5}})
    rules = out / "prometheus" / "tiny.rules.yaml"
    doc = yaml.safe_load(rules.read_text())
    assert max(len(g["rules"]) for g in doc["groups"]) <= 5 and len(doc["groups"]) >= 5
    assert _backward_read_problems(doc) == []
    check = subprocess.run([promtool, "check", "rules", str(rules)], capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr
    test_file = out / "prometheus" / "tests" / "tiny.test.yaml"
    ok = subprocess.run([promtool, "test", "rules", str(test_file)], capture_output=True, text=True, timeout=1800)
    assert ok.returncode == 0, ok.stdout[-3000:] + ok.stderr[-3000:]
    # The same rules evaluated last group first: alerts read the previous minute's records and fire late. The
    # page cases (predicted to the minute, both of them) run reversed: the other cases cost promtool 10x more.
    reversed_file = promtool_test_subset(test_file, _fires_the_page, "reversed.test.yaml")
    tests = yaml.safe_load(reversed_file.read_text())
    assert len(tests["tests"]) == 2
    tests["group_eval_order"] = tests["group_eval_order"][::-1]
    reversed_file.write_text(yaml.safe_dump(tests, sort_keys=False))
    bad = subprocess.run([promtool, "test", "rules", str(reversed_file)], capture_output=True, text=True,
                         timeout=1800)
    assert bad.returncode == 1, bad.stdout[-3000:] + bad.stderr[-3000:]
    assert "FAILED" in bad.stdout + bad.stderr


def test_max_rules_per_group_out_of_range_is_one_located_error(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "tiny.yaml").write_text(yaml.safe_dump(SMALL))
    (specs / "platform.yaml").write_text("version: agentops-gen/v1\nkind: platform\nprometheus:\n"
                                         "  max_rules_per_group: 0\n")
    result = run_cli("render", str(specs), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "platform.yaml:4:24: error: prometheus.max_rules_per_group:" in lines[0], lines
    assert not (tmp_path / "out").exists()


def test_schema_documents_the_new_platform_keys() -> None:
    import json

    result = run_cli("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    defs = schema["$defs"]
    assert defs["PrometheusSettings"]["properties"]["max_rules_per_group"]["default"] == 20
    assert set(defs["PrometheusRuleOutput"]["properties"]) == {"namespace", "labels", "annotations"}
    assert defs["ThanosOutput"]["properties"]["partial_response_strategy"]["enum"] == ["warn", "abort"]
    assert "mimir" in defs["Outputs"]["properties"]


# --- PrometheusRule metadata -----------------------------------------------------------------------------------


def test_prometheusrule_carries_the_platform_files_metadata(rendered_examples: Path) -> None:
    crd = yaml.safe_load((rendered_examples / "kubernetes" / "amas.prometheusrule.yaml").read_text())
    assert crd["metadata"]["namespace"] == "monitoring"
    assert crd["metadata"]["labels"]["release"] == "kube-prometheus-stack"  # kube-prometheus-stack's selector
    assert crd["metadata"]["labels"]["app.kubernetes.io/name"] == "amas"
    rules = yaml.safe_load((rendered_examples / "prometheus" / "amas.rules.yaml").read_text())
    assert crd["spec"]["groups"] == rules["groups"]


def test_prometheus_rule_true_still_means_no_namespace(tmp_path: Path) -> None:
    out = _render_small(tmp_path, {"outputs": {"prometheus_rule": True}})
    crd = yaml.safe_load((out / "kubernetes" / "tiny.prometheusrule.yaml").read_text())
    assert "namespace" not in crd["metadata"] and "annotations" not in crd["metadata"]
    assert not (out / "mimir").exists() and not (out / "thanos").exists()


def test_annotations_and_a_bad_kubernetes_label_key(tmp_path: Path) -> None:
    out = _render_small(tmp_path / "a", {"outputs": {"prometheus_rule": {
        "annotations": {"argocd.argoproj.io/sync-wave": "1", "note": "any: text"}}}})
    crd = yaml.safe_load((out / "kubernetes" / "tiny.prometheusrule.yaml").read_text())
    assert crd["metadata"]["annotations"] == {"argocd.argoproj.io/sync-wave": "1", "note": "any: text"}
    specs = tmp_path / "b" / "specs"
    specs.mkdir(parents=True)
    (specs / "tiny.yaml").write_text(yaml.safe_dump(SMALL))
    (specs / "platform.yaml").write_text("version: agentops-gen/v1\nkind: platform\noutputs:\n  prometheus_rule:\n"
                                         "    labels: {release: \"-bad-\"}\n")
    result = run_cli("render", str(specs), "--out", str(tmp_path / "b" / "out"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "platform.yaml:5:23: error: outputs.prometheus_rule.labels.release:" in lines[0], lines
    assert "Kubernetes label value" in lines[0]


# --- Mimir -----------------------------------------------------------------------------------------------------



@pytest.mark.tools
def test_mimir_rule_namespaces_are_plain_rule_files_within_mimirs_limits(rendered_examples: Path,
                                                                          promtool: str) -> None:
    limits = _mimir_limits()
    files = sorted((rendered_examples / "mimir" / "rules").glob("*.yaml"))
    assert [f.stem for f in files] == ["aegis-rag", "agent-bruno", "agent-platform", "amas", "support-agent"]
    groups = 0
    for f in files:
        doc = yaml.safe_load(f.read_text())
        assert set(doc) <= set(limits["namespace_file_keys"]) and "namespace" not in doc  # the file name is it
        rules = yaml.safe_load((rendered_examples / "prometheus" / f"{f.stem}.rules.yaml").read_text())
        assert doc["groups"] == rules["groups"]
        assert max(len(g["rules"]) for g in doc["groups"]) <= limits["ruler_max_rules_per_rule_group"]
        groups += len(doc["groups"])
    assert groups <= limits["ruler_max_rule_groups_per_tenant"]  # all five services in one tenant
    check = subprocess.run([promtool, "check", "rules", *map(str, files)], capture_output=True, text=True,
                           timeout=600)
    assert check.returncode == 0, check.stdout + check.stderr


def _rejected(node: Any, keys: set[str]) -> list[str]:
    if isinstance(node, dict):
        return [k for k in node if k in keys or str(k).endswith("_file")] + [
            k for v in node.values() for k in _rejected(v, keys)]
    if isinstance(node, list):
        return [k for v in node for k in _rejected(v, keys)]
    return []


def _secret_files(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if str(k).endswith("_file")] + [
            s for v in node.values() for s in _secret_files(v)]
    if isinstance(node, list):
        return [s for v in node for s in _secret_files(v)]
    return []


@pytest.mark.tools
def test_mimir_alertmanager_payload_filled_by_the_documented_deploy_step_passes_amtool(
        rendered_examples: Path, amtool: str, tmp_path: Path) -> None:
    import os
    import re
    import shutil

    limits = _mimir_limits()
    folder = rendered_examples / "mimir" / "alertmanager"
    text = (folder / "alertmanager.yaml").read_text()
    doc = yaml.safe_load(text)
    assert _rejected(doc, set(limits["alertmanager_rejected_keys"])) == []
    assert doc["templates"] == ["agentops.tmpl"] and not limits["template_name_may_contain_path"]
    assert (folder / "agentops.tmpl").read_text() == (rendered_examples / "alertmanager" / "templates" /
                                                      "agentops.tmpl").read_text()
    # one placeholder per secret file of the plain config, each listed in the header with the file it replaces
    original = yaml.safe_load((rendered_examples / "alertmanager" / "alertmanager.yml").read_text())
    secret_files = set(_secret_files(original))
    placeholders = set(re.findall(r"'\$\{(AGENTOPS_SECRET_[A-Z0-9_]+)\}'", text))
    assert len(placeholders) == len(secret_files) >= 10
    header = [line for line in text.splitlines() if line.startswith("#")]
    for path in secret_files:
        assert any(line.endswith(f"reads from {path}") for line in header), path
    # the deploy step of the header, run as written, with values a secret store would hand out
    command = next(line[len("#   "):] for line in header if line.startswith("#   envsubst "))
    if not shutil.which("envsubst"):
        pytest.fail("envsubst (gettext-base) is needed to run the documented deploy step")
    secrets = {name: (f"https://hooks.example.com/{name.lower()}" if name.endswith("URL")
                      else f"s3'cr\\3t \"{name[-4:]}\" # : x") for name in placeholders}
    # docs/scale-out.md: a `'` in a secret is doubled when exported (the placeholders are single-quoted)
    env = {**os.environ, **{name: value.replace("'", "''") for name, value in secrets.items()}}
    work = tmp_path / "deploy"
    shutil.copytree(rendered_examples, work / "out")
    subprocess.run(["bash", "-c", command], cwd=work, env=env, check=True, timeout=60)
    filled = work / "alertmanager.filled.yaml"
    assert "${" not in filled.read_text()
    # amtool resolves template names against the config's folder, as Mimir does against its template store
    shutil.copy(folder / "agentops.tmpl", work / "agentops.tmpl")
    check = subprocess.run([amtool, "check-config", str(filled)], capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Found:" in check.stdout and "1 templates" in check.stdout
    # the filled payload routes exactly like the plain config
    loaded = yaml.safe_load(filled.read_text())
    assert loaded["route"] == original["route"]
    assert loaded["inhibit_rules"] == original.get("inhibit_rules")
    values = set(secrets.values())
    assert values & set(_values(loaded)) == values  # every secret arrived intact, quotes and all


def _values(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [x for v in node.values() for x in _values(v)]
    if isinstance(node, list):
        return [x for v in node for x in _values(v)]
    return [node]


def test_secret_placeholders_are_short_unique_and_stable() -> None:
    from agentops_gen.targets.mimir_alertmanager import secret_variables

    got = secret_variables(["/s/a/smtp-password", "/s/b/smtp-password", "/s/a/pd-key", "/s/a/pd-key",
                            "/s/x/a_b", "/s/x/a-b"])
    assert got == {"/s/a/pd-key": "AGENTOPS_SECRET_PD_KEY", "/s/a/smtp-password": "AGENTOPS_SECRET_A_SMTP_PASSWORD",
                   "/s/b/smtp-password": "AGENTOPS_SECRET_B_SMTP_PASSWORD", "/s/x/a-b": "AGENTOPS_SECRET_A_B",
                   "/s/x/a_b": "AGENTOPS_SECRET_A_B_2"}


# --- Thanos ----------------------------------------------------------------------------------------------------


@pytest.mark.tools
def test_thanos_files_are_rule_files_with_thanos_group_strategy(rendered_examples: Path, promtool: str,
                                                                 tmp_path: Path) -> None:
    files = sorted((rendered_examples / "thanos").glob("*.rules.yaml"))
    assert len(files) == 5
    for f in files:
        doc = yaml.safe_load(f.read_text())
        # Thanos' PartialResponseStrategy accepts WARN/ABORT in any case (storepb/custom.go)
        assert {g["partial_response_strategy"].upper() for g in doc["groups"]} == {"ABORT"}
        for g in doc["groups"]:
            del g["partial_response_strategy"]  # what Thanos does before validating the Prometheus group
        rules = yaml.safe_load((rendered_examples / "prometheus" / f.name).read_text())
        assert doc["groups"] == rules["groups"]
        (tmp_path / f.name).write_text(yaml.safe_dump(doc))
    check = subprocess.run([promtool, "check", "rules", *map(str, sorted(tmp_path.glob("*.yaml")))],
                           capture_output=True, text=True, timeout=600)
    assert check.returncode == 0, check.stdout + check.stderr


def test_thanos_warn_and_a_bad_strategy(tmp_path: Path) -> None:
    out = _render_small(tmp_path / "a", {"outputs": {"thanos": {"partial_response_strategy": "warn"}}})
    doc = yaml.safe_load((out / "thanos" / "tiny.rules.yaml").read_text())
    assert {g["partial_response_strategy"] for g in doc["groups"]} == {"warn"}
    specs = tmp_path / "b" / "specs"
    specs.mkdir(parents=True)
    (specs / "tiny.yaml").write_text(yaml.safe_dump(SMALL))
    (specs / "platform.yaml").write_text("version: agentops-gen/v1\nkind: platform\noutputs:\n"
                                         "  thanos: {partial_response_strategy: ignore}\n")
    result = run_cli("render", str(specs), "--out", str(tmp_path / "b" / "out"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "platform.yaml:4:39: error: outputs.thanos.partial_response_strategy" in lines[0]


def test_a_receiver_key_mimir_refuses_is_a_located_error_when_the_payload_is_on(tmp_path: Path) -> None:
    spec = {**SMALL, "notify": {"critical": "hook"},
            "receivers": {"hook": {"webhook": {"url": "https://hooks.example.com/x",
                                               "http_config": {"proxy_url": "http://proxy.example.com:3128"}}}}}
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "tiny.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    (specs / "platform.yaml").write_text("version: agentops-gen/v1\nkind: platform\noutputs:\n  mimir: {}\n")
    result = run_cli("render", str(specs), "--out", str(tmp_path / "out"))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "tiny.yaml:" in lines[0] and "error: receivers.hook.webhook.http_config.proxy_url: Mimir's" in lines[0]
    (specs / "platform.yaml").write_text("version: agentops-gen/v1\nkind: platform\noutputs:\n"
                                         "  mimir: {alertmanager: false}\n")
    assert run_cli("render", str(specs), "--out", str(tmp_path / "out")).returncode == 0

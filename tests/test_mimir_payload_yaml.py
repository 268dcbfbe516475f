"""The Mimir Alertmanager payload is read and written by libyaml: what it writes reads back as the config."""

from __future__ import annotations

import json

import yaml

from agentops_gen.targets.mimir_alertmanager import _Dumper, _Placeholder, mimir_config

TRICKY = ["a: b", "'quoted'", '"double"', "#not a comment", "yes", "null", "1e3", " leading", "trailing ",
          "multi\nline", "tab\there", "é ü 日本", "\u2028", "\x85", "- dash", "{brace}", "[x]", "*star", "&amp",
          "!bang", "%pct", "@at", "`tick`", "", "~", "0o17", "2026-12-06", "x" * 300]


def test_the_written_payload_reads_back_as_the_config() -> None:
    config = {"global": {"resolve_timeout": "5m"},
              "receivers": [{"name": f"r{i}", "webhook_configs": [{"url": f"https://h/{i}", "note": text}]}
                            for i, text in enumerate(TRICKY)],
              "route": {"receiver": "r0", "routes": [{"matchers": [f'team="{t}"' for t in TRICKY[:6]]}]},
              "templates": ["templates/agentops.tmpl"]}
    config["receivers"][0]["webhook_configs"][0]["password_file"] = "/etc/secrets/it's"
    doc, secrets = mimir_config(json.dumps(config))  # JSON is YAML, every string escaped
    text = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000)
    back = yaml.safe_load(text)
    assert back == doc
    assert back["receivers"][1:] == config["receivers"][1:]
    placeholder = doc["receivers"][0]["webhook_configs"][0]["password"]
    assert isinstance(placeholder, _Placeholder) and f"password: '{placeholder}'" in text
    assert list(secrets.values()) == ["/etc/secrets/it's"]

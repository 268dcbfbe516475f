"""The built-in templates compiled by agentops_gen.targets.precompiled (generated: do not edit)."""

SETTINGS = '3.1.6|[(\'autoescape\', \'False\'), (\'keep_trailing_newline\', \'True\'), (\'lstrip_blocks\', \'True\'), (\'trim_blocks\', \'True\'), (\'undefined\', "<class \'jinja2.runtime.StrictUndefined\'>")]'

SOURCES: dict[str, str] = {
    'alertmanager/alertmanager.yml.j2': '8395ea88ef656b940d346842450c9798ace6bfa2a3405b23517a2c6539319c55',
    'grafana/dashboards.yaml.j2': '4ba87020ce8fc57d221350e158e17fd0dee0aeaf9e3c57e2cff2a82072fb69d5',
    'init/spec.yaml.j2': '895bb35b22d040781351b508a7b615a3a5ec4edaff63e882a8123b087de9f5f6',
    'mimir/alertmanager.yaml.j2': '7f5ffae82ab1ecf9a93322b6bdfea7e7d09a266058264ac7e4e591ca6d04d929',
    'mimir/rules.yaml.j2': 'a22549634c612d808c2144d255ce586aa579673f0637d469e79447980c8e8889',
    'otel/collector.yaml.j2': '11bab029614c47abd569ff1a82e0d5493fafac99ea8c6b8d6190429cf618af93',
    'prometheus/_groups.j2': '2ea302f79fededa53b1288e0a70ce5bbf8eb0f880d9579748dbf6dda0c1fe6da',
    'prometheus/backfill.yaml.j2': 'a3b448a1772961b02e6b2f75604a4c8bdb91cf6abab7132795c1732aa59dfb67',
    'prometheus/prometheusrule.yaml.j2': 'b44801cb14db2516dc1ed7e0aa10fdc921951ca0aa0c0de6446911c6dc1bf086',
    'prometheus/rules.yaml.j2': '7341d571bd4d0096dd644aff93865b4db318b0c2eeed159d01d1c58ca42969ff',
    'prometheus/tests.yaml.j2': '250ffed649f91bd8a258f8f9e70d17fb5e96f87ac696aeb60cdeb18412c09ed5',
    'runbooks/index.md.j2': '2b65de4e17749cc949a9fdfb4cf9d6e5d01eb8cc1ef85110338b87812c2e4459',
    'runbooks/runbook.md.j2': '6be3cb1d569d0e9d7c8bbe9aaec3ba415d26e216f813411658e41cd7452a03e8',
    'thanos/rules.yaml.j2': 'df5db4c6c453f5ad2cabc9daa6d512b126b4a054594014c1e9ff2073123e9b01',
}

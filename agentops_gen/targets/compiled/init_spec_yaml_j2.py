# Generated from templates/init/spec.yaml.j2 by agentops_gen.targets.precompiled: do not edit.
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'init/spec.yaml.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_service = resolve('service')
    l_0_owner = resolve('owner')
    pass
    yield '# yaml-language-server: $schema=agentops-gen.schema.json   (agentops-gen schema > agentops-gen.schema.json)\n# Starter spec for '
    yield str((undefined(name='service') if l_0_service is missing else l_0_service))
    yield '. Render with: agentops-gen render <spec folder> --out my-out\nversion: agentops-gen/v1\nservice: '
    yield str((undefined(name='service') if l_0_service is missing else l_0_service))
    yield '\nowner: '
    yield str((undefined(name='owner') if l_0_owner is missing else l_0_owner))
    yield '\ndescription: What this agent does, in one sentence.\nperiod: 30d                  # SLO period; an SLO may override it\n# Where the rendered runbooks are served: alerts link to <this>/<service>/<Alert>.md (a relative path is no link in Slack)\nrunbook_base_url: https://git.example.com/'
    yield str((undefined(name='owner') if l_0_owner is missing else l_0_owner))
    yield '/slos/blob/main/my-out/runbooks\n\nslos:\n  - name: availability\n    objective: 99.5          # percent of requests that must succeed\n    description: Agent requests that finish without a server error.\n    sli:\n      ratio:                 # one vector selector each; agentops-gen adds rate() and sum()\n        errors: agent_requests_total{service="'
    yield str((undefined(name='service') if l_0_service is missing else l_0_service))
    yield '",status="error"}\n        total: agent_requests_total{service="'
    yield str((undefined(name='service') if l_0_service is missing else l_0_service))
    yield '"}\n  - name: task-latency\n    objective: 95            # 95% of tasks finish within the threshold (a p95 target)\n    description: Agent tasks that finish within 8 seconds.\n    sli:\n      latency:\n        histogram: agent_task_duration_seconds{service="'
    yield str((undefined(name='service') if l_0_service is missing else l_0_service))
    yield '"}\n        threshold: 8s\n        buckets: [1, 2.5, 5, 8, 15, 30]   # your histogram\'s boundaries; threshold must be one\n\nkpis:\n  - name: cost-per-task\n    description: LLM plus tool spend per finished task.\n    query: sum(rate(agent_cost_usd_total{service="'
    yield str((undefined(name='service') if l_0_service is missing else l_0_service))
    yield '"}[1h])) / sum(rate(agent_tasks_total{service="'
    yield str((undefined(name='service') if l_0_service is missing else l_0_service))
    yield '"}[1h]))\n    unit: USD\n    per: task\n    max: 0.03\n    for: 30m\n\nnotify:\n  critical: pager\n  warning: chat\nreceivers:\n  pager:\n    pagerduty: {routing_key_file: /etc/alertmanager/secrets/pagerduty-'
    yield str((undefined(name='service') if l_0_service is missing else l_0_service))
    yield '}\n  chat:\n    slack: {api_url_file: /etc/alertmanager/secrets/slack-'
    yield str((undefined(name='service') if l_0_service is missing else l_0_service))
    yield ', channel: "#'
    yield str((undefined(name='service') if l_0_service is missing else l_0_service))
    yield '-alerts"}\n'

blocks = {}
debug_info = '2=14&4=16&5=18&9=20&17=22&18=24&24=26&31=28&42=32&44=34'

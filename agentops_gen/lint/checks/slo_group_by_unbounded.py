"""slo/group-by-unbounded: an SLO grouped by a label that looks like one value per user, request or trace."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.lint.context import LintContext, finding, get_in, items
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.registry import Check
from agentops_gen.plan.grouping import unbounded_word

NAME = "slo/group-by-unbounded"
CHECK = Check(
    name=NAME,
    severity="warning",
    summary="`group_by` on a label that looks unbounded (user, session, request or trace ids, prompts, ...).",
    doc="`group_by` makes one SLO per label value: every value gets its own recorded series for every window, "
        "its own burn-rate, outage and no-data alerts and its own page. A label with one value per user, "
        "session, conversation, request or trace (`user_id`, `session_id`, `trace_id`, `request_id`, `prompt`, "
        "an email or an IP) makes that without bound: Prometheus' memory and rule evaluation time grow with "
        "the users, and an incident pages once per user. Group by a bounded label (model, tool, tenant, "
        "region) and keep per-user detail on traces and logs.",
    bad="slos:\n  - name: availability\n    description: Requests without a server error.\n    objective: 99.9\n"
        "    group_by: [user_id]  # flagged\n    sli:\n      ratio:\n"
        "        errors: requests_total{job=\"a\",code=~\"5..\"}\n        total: requests_total{job=\"a\"}\n",
    good="slos:\n  - name: availability\n    description: Requests without a server error.\n    objective: 99.9\n"
         "    group_by: [model]\n    sli:\n      ratio:\n"
         "        errors: requests_total{job=\"a\",code=~\"5..\"}\n        total: requests_total{job=\"a\"}\n",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """Every label of every SLO's group_by, by its name."""
    for src in ctx.specs():
        for i, slo in items(src.data, "slos"):
            labels = get_in(slo, "group_by")
            for j, label in enumerate(labels if isinstance(labels, list) else []):
                word = unbounded_word(label) if isinstance(label, str) else None
                if word is not None:
                    yield finding(src, NAME, ("slos", i, "group_by", j),
                                  f"SLO {slo.get('name')!r} is grouped by {label!r}, which looks like one value "
                                  f"per {word}: one SLO, series set and page per value, without bound; group by "
                                  "a bounded label (model, tool, tenant)")

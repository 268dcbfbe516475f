"""One module per lint check; each defines CHECK and, when it inspects anything, run(ctx).

`render`'s hard errors reach their check by code: whoever makes a SpecError sets its `code` to the
check's name (agentops_gen.errors), never by matching the message.
"""

"""One module per lint check; each defines CHECK and, when it inspects anything, run(ctx).

A module may also define claims(error) to take over load/validation errors of its kind, so
`render`'s hard errors appear in lint under the right check name.
"""

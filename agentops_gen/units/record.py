"""`record`: the class decorator of read-only records (the plan's, the lint registry's, the runbook words).

A record is built once and only read. `@dataclass(frozen=True)` would enforce that at run time, but
Python 3.11 compiles each method it generates with its own `exec` (`__init__`, `__repr__`, `__eq__`,
`__hash__`, `__setattr__`, `__delattr__`): for the 37 record classes a lint imports that was about 35 ms
of CPU, a tenth of a lint. A record gets only `__init__`; mypy --strict (part of `make test`) still
rejects any assignment to a field. Records compare and hash by identity (nothing compares two plans by value);
value types that are compared or used as memo keys (`BurnWindow`, `Matcher`, `Step`, an SLI's
inputs) stay frozen dataclasses.
"""

from dataclasses import dataclass, field
from typing import TypeVar, dataclass_transform

T = TypeVar("T")


@dataclass_transform(frozen_default=True, eq_default=False, field_specifiers=(field,))
def record(cls: type[T]) -> type[T]:
    """A dataclass with only `__init__`, its fields read-only to mypy."""
    return dataclass(eq=False, repr=False)(cls)

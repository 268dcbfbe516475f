"""JSON Schema of the spec language, generated from the pydantic models."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from agentops_gen.spec.service import PlatformSpec, ServiceSpec


def spec_json_schema() -> dict[str, Any]:
    """One schema accepting a service spec or the platform file."""
    schema = TypeAdapter(ServiceSpec | PlatformSpec).json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "agentops-gen spec (agentops-gen/v1)"
    return schema

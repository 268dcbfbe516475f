"""JSON Schema of the spec language, generated from the pydantic models."""

from __future__ import annotations

import ast
import inspect
import itertools
import textwrap
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core.core_schema import ModelSchema

from agentops_gen.spec.common import SpecModel
from agentops_gen.spec.service import PlatformSpec, ServiceSpec


def field_docstrings(cls: type) -> dict[str, str]:
    """The string literal right under each annotated field of the class body, by field name."""
    body = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0]
    assert isinstance(body, ast.ClassDef)
    docs: dict[str, str] = {}
    for field, doc in itertools.pairwise(body.body):
        if (isinstance(field, ast.AnnAssign) and isinstance(field.target, ast.Name)
                and isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant)
                and isinstance(doc.value.value, str)):
            docs[field.target.id] = inspect.cleandoc(doc.value.value)
    return docs


def documented() -> None:
    """Give every spec model field its docstring as description (the schema's and the reference's text).

    Done on demand, not at import (pydantic's use_attribute_docstrings reads each class's source when it
    is defined): validation never reads a description. A second call changes nothing.
    """
    models: list[type[SpecModel]] = []
    todo: list[type[SpecModel]] = [SpecModel]
    while todo:
        model = todo.pop(0)
        models.append(model)
        todo.extend(model.__subclasses__())
    own = {model: field_docstrings(model) for model in models}
    for model in models:
        docs = {k: v for base in reversed(model.__mro__) for k, v in own.get(base, {}).items()}  # inherited fields
        for name, field in model.model_fields.items():
            if field.description is None and name in docs:
                field.description = docs[name]


class _Documented(GenerateJsonSchema):
    """The JSON Schema with each spec model field's description (the models' core schemas have none)."""

    def model_schema(self, schema: ModelSchema) -> JsonSchemaValue:
        """A model's schema; its properties get their fields' descriptions."""
        json_schema = super().model_schema(schema)
        properties = json_schema.get("properties", {})
        for name, field in schema["cls"].model_fields.items():
            prop = properties.get(field.alias or name)
            if field.description and prop is not None:
                prop.setdefault("description", field.description)
        return json_schema


def spec_json_schema() -> dict[str, Any]:
    """One schema accepting a service spec or the platform file."""
    documented()
    schema = TypeAdapter(ServiceSpec | PlatformSpec).json_schema(by_alias=True, schema_generator=_Documented)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "agentops-gen spec (agentops-gen/v1)"
    return schema


def model_json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """One spec model's JSON Schema (keys as written), with the descriptions."""
    documented()
    return model.model_json_schema(by_alias=True, schema_generator=_Documented)

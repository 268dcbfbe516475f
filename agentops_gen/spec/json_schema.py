"""JSON Schema of the spec language, generated from the pydantic models."""

from __future__ import annotations

import ast
import functools
import inspect
import itertools
import sys
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core.core_schema import ModelSchema

from agentops_gen.spec.common import SpecModel
from agentops_gen.spec.service import PlatformSpec, ServiceSpec


def field_docstrings(node: ast.ClassDef) -> dict[str, str]:
    """The string literal right under each annotated field of a class body, by field name."""
    docs: dict[str, str] = {}
    for field, doc in itertools.pairwise(node.body):
        if (isinstance(field, ast.AnnAssign) and isinstance(field.target, ast.Name)
                and isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant)
                and isinstance(doc.value.value, str)):
            docs[field.target.id] = inspect.cleandoc(doc.value.value)
    return docs


@functools.cache
def module_field_docstrings(module: str) -> dict[str, dict[str, str]]:
    """Field docstrings of every class of a module, by qualified name (its source parsed once)."""
    try:
        tree = ast.parse(inspect.getsource(sys.modules[module]))
    except (OSError, TypeError, KeyError):  # a module made at run time has no source file
        return {}
    found: dict[str, dict[str, str]] = {}
    todo: list[tuple[str, ast.AST]] = [("", tree)]
    while todo:
        prefix, node = todo.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                found[prefix + child.name] = field_docstrings(child)
                todo.append((f"{prefix}{child.name}.", child))
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                todo.append((f"{prefix}{child.name}.<locals>.", child))
    return found


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
    own = {model: module_field_docstrings(model.__module__).get(model.__qualname__, {}) for model in models}
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

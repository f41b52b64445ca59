"""Every request body of the app refuses a NUL and a U+202E in each of its string fields
and non-ASCII digits in its number fields: the test walks the app's routes, so a model or
field added later is covered, or this test fails.
"""

from __future__ import annotations

import json
import re
import typing
from decimal import Decimal
from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

from tradecover.api.app import create_app
from tradecover.config import Settings
from tradecover.kit.inputs import InputModel


def _models_in(annotation: Any, seen: set[type[BaseModel]]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in seen:
            seen.add(annotation)
            for field in annotation.model_fields.values():
                _models_in(field.annotation, seen)
        return
    for arg in typing.get_args(annotation):
        _models_in(arg, seen)


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    out: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            out.append(route)
        elif hasattr(route, "original_router"):  # an included router
            out += _api_routes(route.original_router.routes)
    return out


def _request_models() -> set[type[BaseModel]]:
    app = create_app(Settings(database_url="sqlite://"))
    seen: set[type[BaseModel]] = set()
    for route in _api_routes(app.routes):
        for param in route.dependant.body_params:
            _models_in(param.field_info.annotation, seen)
    return seen


MODELS = sorted(_request_models(), key=lambda m: f"{m.__module__}.{m.__qualname__}")


def _texts(model: type[BaseModel]) -> list[str]:
    return [
        name
        for name, field in model.model_fields.items()
        if "str" in str(field.annotation) or "Literal" in str(field.annotation)
    ]


def test_the_app_has_request_models_and_all_derive_from_input_model() -> None:
    assert len(MODELS) > 40
    assert [m.__qualname__ for m in MODELS if not issubclass(m, InputModel)] == []


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__qualname__)
def test_each_string_field_refuses_a_nul_and_a_bidi_override(model: type[BaseModel]) -> None:
    for name in _texts(model):
        for bad in ("A\x00B", "A\u202eB"):
            with pytest.raises(ValidationError) as caught:
                model.model_validate({name: bad})
            assert [(e["loc"], e["type"]) for e in caught.value.errors()] == [
                ((name,), "unsafe_text")
            ], (model, name)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__qualname__)
def test_each_number_field_refuses_full_width_digits(model: type[BaseModel]) -> None:
    numeric = [
        name
        for name, field in model.model_fields.items()
        if re.search(r"\b(Decimal|int|float)\b", str(field.annotation))
        and not re.search(r"\b(str|Literal)\b", str(field.annotation))
    ]
    for name in numeric:
        with pytest.raises(ValidationError) as caught:
            model.model_validate({name: "１００"})
        assert [(e["loc"], e["type"]) for e in caught.value.errors()] == [
            ((name,), "non_ascii_digits")
        ], (model, name)


def test_no_pattern_of_the_api_accepts_non_ascii_digits() -> None:
    schema = json.dumps(create_app(Settings(database_url="sqlite://")).openapi())
    assert "\\\\d" not in schema  # Rust's \d matches "１": patterns say [0-9]


def test_nested_bodies_are_refused_at_their_own_field() -> None:
    from tradecover.declarations.schemas import BatchIn

    item = {
        "invoice_number": "A\x00",
        "goods_description": "two\nlines",
        "invoice_amount": "１００",
    }
    with pytest.raises(ValidationError) as caught:
        BatchIn.model_validate({"declarations": [{}, item]})
    assert [(e["loc"], e["type"]) for e in caught.value.errors()] == [
        (("declarations", 1, "invoice_number"), "unsafe_text")
    ]
    assert Decimal(1)  # the module's number type is imported for the annotations above

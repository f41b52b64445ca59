"""The base of every request body: input hygiene (``kit.text``) applied to all its fields.

Every ``...In`` schema of the API derives from :class:`InputModel` instead of Pydantic's
``BaseModel``; ``tests/unit/kit/test_inputs.py`` walks the app's routes and proves that
each string field of each request model refuses a NUL and a U+202E, so a field added
later is covered or the test fails.
"""

from __future__ import annotations

import types
import typing
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from tradecover.kit.text import has_non_ascii_digits, unsafe_strings

_NUMBER_TYPES = (Decimal, int, float)


def _is_numeric(annotation: Any) -> bool:
    """Whether a field's annotation is (or holds, in a union or container) a number type."""
    if isinstance(annotation, type) and issubclass(annotation, _NUMBER_TYPES):
        return not issubclass(annotation, bool)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _is_numeric(typing.get_args(annotation)[0])
    if origin is not None or isinstance(annotation, types.UnionType):
        return any(_is_numeric(arg) for arg in typing.get_args(annotation))
    return False


def _raw_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [s for item in value for s in _raw_strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _raw_strings(item)]
    return []


class InputModel(BaseModel):
    """A request body: its strings refuse control and bidirectional-formatting characters
    (tab and line breaks only in prose fields), its numbers refuse non-ASCII digits; each
    refusal is a 422 naming the field (``unsafe_text``, ``non_ascii_digits``).
    """

    _numeric_fields: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Note the fields whose type is a number (their raw text is checked for digits)."""
        super().__pydantic_init_subclass__(**kwargs)
        cls._numeric_fields = frozenset(
            name for name, field in cls.model_fields.items() if _is_numeric(field.annotation)
        )

    @model_validator(mode="before")
    @classmethod
    def _refuse_unsafe_input(cls, data: Any) -> Any:
        """Check the raw input (before any field is parsed, so every offending field is
        named even when others are missing): the text of every field (nested bodies
        included, each string by its own field's allowance) and the digits of numbers.
        """
        if not isinstance(data, dict):
            return data
        errors = [
            InitErrorDetails(
                type=PydanticCustomError("unsafe_text", "{problem}", {"problem": problem}),
                loc=tuple(_loc(path)),
                input=value,
            )
            for name, value in data.items()
            for path, problem in unsafe_strings(value, str(name))
        ]
        errors += [
            InitErrorDetails(
                type=PydanticCustomError(
                    "non_ascii_digits",
                    "must be written with the digits 0-9 (full-width and other non-ASCII "
                    "digits are not accepted)",
                ),
                loc=(name,),
                input=data[name],
            )
            for name in cls._numeric_fields
            if name in data and any(has_non_ascii_digits(s) for s in _raw_strings(data[name]))
        ]
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return data


def _loc(path: str) -> list[str | int]:
    """``"items[2].name"`` as a Pydantic location ``("items", 2, "name")``."""
    out: list[str | int] = []
    for part in path.replace("[", ".[").split("."):
        if part.startswith("[") and part.endswith("]"):
            out.append(int(part[1:-1]))
        elif part:
            out.append(part)
    return out

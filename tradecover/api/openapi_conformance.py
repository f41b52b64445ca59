"""Make ``/openapi.json`` say what the server enforces (``docs/operations/api-conformance.md``).

FastAPI derives the schema from the route signatures; two rules the server enforces live
outside them and are written into the schema here:

- **Text hygiene** (``kit.text``): every request string without its own ``pattern``,
  ``enum`` or ``format`` gets a pattern refusing control and bidirectional-formatting
  characters (:data:`LINE_TEXT_PATTERN`; prose fields, :func:`kit.text.allows_line_breaks`,
  :data:`PROSE_PATTERN` allows tab, newline and CRLF).
- **Idempotency keys**: an ``Idempotency-Key`` header whose description begins with
  ``Required`` is marked required (the route answers 422 ``idempotency_key_required``
  without it) and states the printable characters it accepts.
"""

from __future__ import annotations

from typing import Any, Final

from tradecover.kit.text import allows_line_breaks

_REFUSED: Final = (
    "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f"
    "\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069"
)
LINE_TEXT_PATTERN: Final = f"^[^{_REFUSED}\\t\\n\\r]*$"
"""A one-line text: no control, bidirectional-formatting or line-breaking character."""
PROSE_PATTERN: Final = f"^(?:[^{_REFUSED}\\r]|\\r\\n)*$"
"""Prose: the same, but tab, newline and CRLF allowed."""
IDEMPOTENCY_KEY_PATTERN: Final = "^[\\u0020-\\u007e]+$"
"""An ``Idempotency-Key`` as the schema states it: printable ASCII (a header's alphabet)."""
_REF_PREFIX: Final = "#/components/schemas/"


def conform(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` (an OpenAPI document) with the server's text and header rules written in;
    changed in place and returned.
    """
    components = schema.get("components", {}).get("schemas", {})
    request_refs: set[str] = set()
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                _conform_parameter(parameter)
            for media in operation.get("requestBody", {}).get("content", {}).values():
                _collect_refs(media.get("schema", {}), components, request_refs)
                _constrain_text(media.get("schema", {}), "body")
    for name in sorted(request_refs):
        _constrain_text(components[name], name)
    return schema


def _conform_parameter(parameter: dict[str, Any]) -> None:
    name = str(parameter.get("name", ""))
    sub = parameter.get("schema", {})
    if parameter.get("in") == "header" and name.lower() == "idempotency-key":
        text: dict[str, Any] = next(
            (v for v in [sub, *sub.get("anyOf", [])] if v.get("type") == "string"), {}
        )
        text.setdefault("minLength", 1)
        text.setdefault("pattern", IDEMPOTENCY_KEY_PATTERN)
        if str(parameter.get("description", "")).startswith("Required"):
            parameter["required"] = True
            parameter["schema"] = {**text, "title": sub.get("title", name)}
        return
    _constrain_text(sub, name)


def _collect_refs(node: Any, components: dict[str, Any], seen: set[str]) -> None:
    """Every component reachable from ``node`` (``$ref`` followed transitively)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
            name = ref.removeprefix(_REF_PREFIX)
            if name not in seen and name in components:
                seen.add(name)
                _collect_refs(components[name], components, seen)
        for value in node.values():
            _collect_refs(value, components, seen)
    elif isinstance(node, list):
        for value in node:
            _collect_refs(value, components, seen)


def _constrain_text(node: Any, field: str) -> None:
    """Add the hygiene pattern to every unconstrained string schema under ``node``; a
    property's allowance is its own name's.
    """
    if isinstance(node, list):
        for item in node:
            _constrain_text(item, field)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and not {"pattern", "enum", "const", "format"} & set(node):
        node["pattern"] = PROSE_PATTERN if allows_line_breaks(field) else LINE_TEXT_PATTERN
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            for name, sub in value.items():
                _constrain_text(sub, name)
        elif key in ("items", "anyOf", "oneOf", "allOf", "additionalProperties", "prefixItems"):
            _constrain_text(value, field)

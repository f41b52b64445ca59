"""PostgreSQL array literals, bound as ONE text parameter and cast in the statement."""

from __future__ import annotations

from collections.abc import Iterable


def ints(values: Iterable[int]) -> str:
    """Integers as a PostgreSQL array literal, cast in the statement (``::bigint[]``): the
    driver then binds one string instead of inspecting every element of a list.
    """
    return "{" + ",".join(str(int(v)) for v in values) + "}"


def texts(values: Iterable[str]) -> str:
    """Strings as a PostgreSQL array literal (each quoted, with quotes and backslashes
    escaped), cast in the statement (``::text[]``), for the reason of :func:`ints`.
    """
    return (
        "{"
        + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
        + "}"
    )

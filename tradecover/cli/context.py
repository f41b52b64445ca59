"""What every CLI command shares: settings, a transaction, the system actor, error exits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import typer
from rich.console import Console

from tradecover.kit.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

console = Console()
err_console = Console(stderr=True)

EXIT_CODES: list[tuple[type[DomainError], int]] = [
    (ValidationFailed, 4),
    (NotFound, 3),
    (Conflict, 5),
    (PermissionDenied, 6),
    (AuthenticationFailed, 7),
    (DomainError, 1),
]


def exit_code_for(error: DomainError) -> int:
    """The CLI exit code of a domain error (documented in the README)."""
    for kind, code in EXIT_CODES:
        if isinstance(error, kind):
            return code
    return 1


P = ParamSpec("P")
R = TypeVar("R")


def domain_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a domain error into a red message on stderr and its exit code."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except DomainError as error:
            where = f" ({error.field})" if error.field else ""
            err_console.print(f"[red]error[/red] {error.code}{where}: {error.message}")
            raise typer.Exit(exit_code_for(error)) from None

    return wrapper


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One transaction on the configured database."""
    from tradecover.config import get_settings
    from tradecover.db.engine import make_engine, make_session_factory, transaction

    engine = make_engine(get_settings().database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()

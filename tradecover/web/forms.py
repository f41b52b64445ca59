"""What every dashboard form handler shares: reading typed fields, and running its write in
a savepoint.

A form's write runs in a savepoint of the request's transaction; a domain error rolls
back exactly that write and comes back to the handler, which re-renders the page with the
message and the error's 4xx status (never a 500, never a partial write).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import TypeVar

from sqlalchemy.orm import Session

from tradecover.kit.errors import DomainError, ValidationFailed
from tradecover.kit.money import Money, to_decimal

Choice = TypeVar("Choice", bound=Enum)


def in_savepoint(session: Session, work: Callable[[], object]) -> DomainError | None:
    """Run ``work()`` in a savepoint; on a domain error roll it back and return the error."""
    savepoint = session.begin_nested()
    try:
        work()
        savepoint.commit()
    except DomainError as error:
        savepoint.rollback()
        return error
    return None


def form_choice(kind: type[Choice], value: str, *, field: str, message: str) -> Choice:
    """The option chosen in a form as its enum member; 422 ``invalid_form`` otherwise."""
    try:
        return kind(value)
    except ValueError:
        raise ValidationFailed(message, code="invalid_form", field=field) from None


def form_id(value: str, field: str) -> int:
    """A row id chosen in a form; 422 when it is not a positive 64-bit integer."""
    try:
        number = int(value) if value.isascii() else 0  # int("１２") would read 12
    except ValueError:
        number = 0
    if not 1 <= number <= 2**63 - 1:
        raise ValidationFailed("please choose an invoice", code="invalid_form", field=field)
    return number


def form_date(value: str, field: str) -> date:
    """An ISO date typed in a form; 422 otherwise."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            "please give a valid date", code="invalid_form", field=field
        ) from None


def form_decimal(value: str) -> Decimal:
    """A number typed in a form (thousands separators allowed); 422 when not a number."""
    return to_decimal(value.strip().replace(",", "") or "x")


def form_money(value: str, currency: str) -> Money | None:
    """An amount typed in a form in ``currency`` (blank: none); 422 when not a number."""
    if not value.strip():
        return None
    try:
        return Money.of(to_decimal(value.strip()), currency)
    except (InvalidOperation, ValueError, DomainError):
        raise ValidationFailed(
            "please give the amount as a number", code="invalid_form", field="amount"
        ) from None

"""Money: an exact ``Decimal`` amount in an ISO 4217 currency, rounded per currency.

Rounding happens in exactly one place, :func:`round_money`, half-up to the currency's
minor unit (2 for USD/EUR/CNY, 0 for KRW/JPY, 3 for KWD...), read from the ISO 4217
data package (``iso4217``); codes without a minor unit (precious metals, funds, test
codes) are not money a policy can be written in.  Floats are refused.
Persistence stores integer minor units (:meth:`Money.minor_units`) beside the currency,
so SQL sums are exact on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from iso4217 import Currency as Iso4217

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.text import check_number_text


class UnknownCurrency(ValidationFailed):
    """The code is not an ISO 4217 currency tradecover accepts."""

    default_code = "unknown_currency"


class CurrencyMismatch(ValidationFailed):
    """Two amounts in different currencies were combined."""

    default_code = "currency_mismatch"


@lru_cache(maxsize=512)
def _exponent(code: str) -> int | None:
    try:
        exponent = Iso4217(code).exponent
    except ValueError:
        return None
    return exponent if isinstance(exponent, int) else None


_KNOWN: set[str] = set()
"""Codes already found valid: the check on every Money built is a set lookup."""


def is_currency(code: str) -> bool:
    """True if ``code`` is an ISO 4217 alphabetic code with a minor unit (usable for trade)."""
    if type(code) is str and code in _KNOWN:
        return True
    if not isinstance(code, str) or len(code) != 3 or not code.isalpha() or not code.isupper():
        return False
    if _exponent(code) is None:
        return False
    _KNOWN.add(code)
    return True


def check_currency(code: str, *, field: str = "currency") -> str:
    """Return ``code`` if it is a known currency, else raise :class:`UnknownCurrency`."""
    if not isinstance(code, str) or not is_currency(code):
        raise UnknownCurrency(f"{code!r} is not an ISO 4217 currency code", field=field)
    return code


def minor_unit(currency: str) -> int:
    """Number of decimals of the currency's minor unit (ISO 4217 exponent)."""
    exponent = _exponent(currency) if isinstance(currency, str) else None
    if exponent is None:
        check_currency(currency)
        raise AssertionError("unreachable")  # pragma: no cover
    return exponent


def to_decimal(value: Decimal | int | str, *, field: str = "amount") -> Decimal:
    """Convert an exact value to Decimal; floats, non-finite numbers and text written in
    non-ASCII digits (``"１００"``: ``kit.text.NonAsciiDigits``) are refused.
    """
    if isinstance(value, bool | float):
        raise ValidationFailed(f"{field} must be an exact decimal, not a float", field=field)
    if isinstance(value, str):
        check_number_text(value, field=field)
    try:
        result = value if isinstance(value, Decimal) else Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed(f"{field} is not a decimal number: {value!r}", field=field) from None
    if not result.is_finite():
        raise ValidationFailed(f"{field} must be a finite number", field=field)
    return result


@lru_cache(maxsize=512)
def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_unit(currency))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit: the one rounding rule of tradecover."""
    return amount.quantize(_quantum(currency), rounding=ROUND_HALF_UP)


def amount_of_minor(minor: int, currency: str) -> Decimal:
    """The amount of ``minor`` integer minor units of ``currency`` (``Money.from_minor``'s
    amount, for callers that only print it).
    """
    return Decimal(minor).scaleb(-minor_unit(currency))


_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of one currency.  Arithmetic keeps full precision; call :meth:`rounded`."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        amount = self.amount
        if type(amount) is not Decimal or not amount.is_finite():
            object.__setattr__(self, "amount", to_decimal(amount))
        if type(self.currency) is not str or self.currency not in _KNOWN:
            check_currency(self.currency)

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        """Build from an exact value (string, int or Decimal)."""
        return cls(to_decimal(amount), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Zero in ``currency``."""
        return cls(_ZERO, currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        """Build from integer minor units as stored in the database."""
        return cls(amount_of_minor(minor, currency), currency)

    def _same_currency(self, amount: Decimal) -> Money:
        # the result of arithmetic on checked money: a finite Decimal (an overflow raises)
        # in a checked currency, so the checks of ``__post_init__`` are skipped
        result = object.__new__(Money)
        object.__setattr__(result, "amount", amount)
        object.__setattr__(result, "currency", self.currency)
        return result

    def minor_units(self) -> int:
        """The rounded amount as an integer count of minor units (for storage)."""
        return int(round_money(self.amount, self.currency).scaleb(minor_unit(self.currency)))

    def rounded(self) -> Money:
        """This amount rounded half-up to the currency's minor unit."""
        return self._same_currency(round_money(self.amount, self.currency))

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return self._same_currency(self.amount + other.amount)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return self._same_currency(self.amount - other.amount)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, float):
            raise TypeError("Money cannot be multiplied by a float")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return self._same_currency(-self.amount)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def is_zero(self) -> bool:
        """True when the amount is exactly zero."""
        return self.amount == 0

    def __str__(self) -> str:
        return f"{round_money(self.amount, self.currency)} {self.currency}"


def allocate(total: Money, weights: list[Decimal]) -> list[Money]:
    """Split ``total`` by ``weights`` into rounded parts that add up to the rounded total.

    Largest-remainder method: every part is rounded down to the minor unit, then the
    leftover minor units go one each to the parts with the largest remainders.
    """
    if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
        raise ValidationFailed("allocation weights must be non-negative and not all zero")
    target = total.minor_units()
    weight_sum = sum(weights)
    raw = [Decimal(target) * w / weight_sum for w in weights]
    floors = [int(r.to_integral_value(rounding="ROUND_FLOOR")) for r in raw]
    leftover = target - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - floors[i], -i), reverse=True)
    for i in order[: abs(leftover)]:
        floors[i] += 1 if leftover > 0 else -1
    return [Money.from_minor(m, total.currency) for m in floors]

"""The shipment an exporter declares, and the checks every channel applies to it ([domain D-2]).

A :class:`Shipment` holds the fields of the declaration form of [002] (section 8):
insured, policy, buyer, payment terms, transport mode, shipment date, payment due date,
goods description, HS code, invoice number, currency, invoice amount and prepayment.
Amounts are plain ``Decimal`` beside a currency code, so that an unknown currency is
reported like every other bad field instead of failing while the value is built.

:func:`shipment_problems` returns *every* broken rule of one shipment (an upload row
reports all its reasons); :func:`check_shipment` raises the first.  Each problem is a
:class:`~tradecover.kit.errors.ValidationFailed` with a stable ``code`` and the ``field``:

==================================  ===================  ==========================================
code                                field                rule
==================================  ===================  ==========================================
``unknown_currency``                currency             ISO 4217 currency tradecover accepts
``currency_mismatch``               currency             equals the policy currency, when given
``invoice_amount_not_positive``     invoice_amount       invoice amount > 0
``negative_prepayment``             prepayment           prepayment >= 0
``too_many_decimals``               invoice_amount /     no more decimals than the currency has
                                    prepayment
``prepayment_exceeds_invoice``      prepayment           prepayment <= invoice amount
``shipment_date_in_future``         shipment_date        shipment date <= today
``shipment_outside_policy_period``  shipment_date        inception <= shipment date <= expiry
``due_date_before_shipment``        due_date             due date >= shipment date
``credit_period_outside_scope``     due_date             due - shipment <= the scope's max days
``unknown_hs_code``                 hs_code              a valid HS code (reference.hs)
``missing_invoice_number``          invoice_number       not blank, at most 64 characters
``missing_goods_description``       goods_description    not blank, at most 500 characters
==================================  ===================  ==========================================

Whether the country, payment terms and goods fall inside the policy's insurable scope
is not an input error: such a shipment is recorded and the cover decision says
``outside_scope`` (:mod:`tradecover.declarations.cover`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from tradecover.kit.errors import ValidationFailed
from tradecover.kit.money import Money, UnknownCurrency, check_currency, minor_unit
from tradecover.policies import InsurableScope
from tradecover.reference.hs import UnknownHsCode, check_hs_code
from tradecover.reference.payment_terms import PaymentTerms

INVOICE_NUMBER_MAX = 64
"""Longest invoice number accepted, in characters."""
GOODS_DESCRIPTION_MAX = 500
"""Longest goods description accepted, in characters."""


class TransportMode(StrEnum):
    """How the goods travel (the declaration form's transport mode)."""

    SEA = "sea"
    AIR = "air"
    ROAD = "road"
    RAIL = "rail"
    MULTIMODAL = "multimodal"
    POST = "post"  # postal and express courier, common in cross-border e-commerce


@dataclass(frozen=True, slots=True)
class Shipment:
    """One declared shipment, as the channels hand it to the attachment service.

    ``buyer_country`` is the buyer's country (the destination risk), filled by the
    service from the buyer record; it drives the scope and country cover checks.
    """

    insured_org_id: int
    policy_id: int
    buyer_id: int
    payment_terms: PaymentTerms
    transport_mode: TransportMode
    shipment_date: date
    due_date: date
    goods_description: str
    hs_code: str
    invoice_number: str
    currency: str
    invoice_amount: Decimal
    prepayment: Decimal = Decimal(0)
    buyer_country: str | None = None

    @property
    def credit_days(self) -> int:
        """Credit period in days: from shipment to payment due date."""
        return (self.due_date - self.shipment_date).days

    @property
    def invoice(self) -> Money:
        """The invoice amount as money (call after validation)."""
        return Money.of(self.invoice_amount, self.currency)

    @property
    def prepaid(self) -> Money:
        """The prepayment as money (call after validation)."""
        return Money.of(self.prepayment, self.currency)

    @property
    def insured_amount(self) -> Money:
        """What is at risk and bears premium: invoice amount less prepayment ([domain D-9])."""
        return self.invoice - self.prepaid


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _money_problems(shipment: Shipment, policy_currency: str | None) -> list[ValidationFailed]:
    problems: list[ValidationFailed] = []
    places: int | None = None
    try:
        check_currency(shipment.currency)
        places = minor_unit(shipment.currency)
    except UnknownCurrency as exc:
        problems.append(exc)
    if places is not None and policy_currency is not None and shipment.currency != policy_currency:
        problems.append(
            ValidationFailed(
                f"the declaration is in {shipment.currency} but the policy is in {policy_currency}",
                code="currency_mismatch",
                field="currency",
            )
        )
    if shipment.invoice_amount <= 0:
        problems.append(
            ValidationFailed(
                "the invoice amount must be greater than zero",
                code="invoice_amount_not_positive",
                field="invoice_amount",
            )
        )
    if shipment.prepayment < 0:
        problems.append(
            ValidationFailed(
                "the prepayment cannot be negative", code="negative_prepayment", field="prepayment"
            )
        )
    if places is not None:
        for name in ("invoice_amount", "prepayment"):
            if _decimals(getattr(shipment, name)) > places:
                problems.append(
                    ValidationFailed(
                        f"{name} has more decimals than {shipment.currency} allows ({places})",
                        code="too_many_decimals",
                        field=name,
                    )
                )
    if shipment.prepayment > shipment.invoice_amount:
        problems.append(
            ValidationFailed(
                f"the prepayment {shipment.prepayment} exceeds the invoice amount "
                f"{shipment.invoice_amount}",
                code="prepayment_exceeds_invoice",
                field="prepayment",
            )
        )
    return problems


def _date_problems(
    shipment: Shipment,
    *,
    today: date,
    policy_period: tuple[date, date] | None,
    scope: InsurableScope | None,
) -> list[ValidationFailed]:
    problems: list[ValidationFailed] = []
    if shipment.shipment_date > today:
        problems.append(
            ValidationFailed(
                f"the shipment date {shipment.shipment_date.isoformat()} is in the future",
                code="shipment_date_in_future",
                field="shipment_date",
            )
        )
    if policy_period is not None:
        inception, expiry = policy_period
        if not inception <= shipment.shipment_date <= expiry:
            problems.append(
                ValidationFailed(
                    f"the shipment date {shipment.shipment_date.isoformat()} is outside the policy "
                    f"period {inception.isoformat()} to {expiry.isoformat()}",
                    code="shipment_outside_policy_period",
                    field="shipment_date",
                )
            )
    if shipment.due_date < shipment.shipment_date:
        problems.append(
            ValidationFailed(
                "the payment due date is before the shipment date",
                code="due_date_before_shipment",
                field="due_date",
            )
        )
    elif scope is not None and shipment.credit_days > scope.max_credit_days:
        problems.append(
            ValidationFailed(
                f"a credit period of {shipment.credit_days} days is longer than the policy's "
                f"{scope.max_credit_days}",
                code="credit_period_outside_scope",
                field="due_date",
                details={
                    "credit_days": shipment.credit_days,
                    "max_credit_days": scope.max_credit_days,
                },
            )
        )
    return problems


def _text_problems(shipment: Shipment) -> list[ValidationFailed]:
    problems: list[ValidationFailed] = []
    try:
        check_hs_code(shipment.hs_code)
    except UnknownHsCode as exc:
        problems.append(exc)
    number = shipment.invoice_number.strip()
    if not number or len(number) > INVOICE_NUMBER_MAX:
        problems.append(
            ValidationFailed(
                f"the invoice number must be 1 to {INVOICE_NUMBER_MAX} characters",
                code="missing_invoice_number",
                field="invoice_number",
            )
        )
    goods = shipment.goods_description.strip()
    if not goods or len(goods) > GOODS_DESCRIPTION_MAX:
        problems.append(
            ValidationFailed(
                f"the goods description must be 1 to {GOODS_DESCRIPTION_MAX} characters",
                code="missing_goods_description",
                field="goods_description",
            )
        )
    return problems


def shipment_problems(
    shipment: Shipment,
    *,
    today: date,
    scope: InsurableScope | None = None,
    policy_period: tuple[date, date] | None = None,
    policy_currency: str | None = None,
) -> list[ValidationFailed]:
    """Every rule ``shipment`` breaks, in field order; empty when it is valid.

    ``today`` is the business date of the declaration; ``scope`` (the policy's insurable
    scope) bounds the credit period; ``policy_period`` is ``(inception, expiry)``;
    ``policy_currency``, when given, must be the shipment's currency.
    """
    return [
        *_money_problems(shipment, policy_currency),
        *_date_problems(shipment, today=today, policy_period=policy_period, scope=scope),
        *_text_problems(shipment),
    ]


def check_shipment(
    shipment: Shipment,
    *,
    today: date,
    scope: InsurableScope | None = None,
    policy_period: tuple[date, date] | None = None,
    policy_currency: str | None = None,
) -> Shipment:
    """Return ``shipment`` with its HS code normalised, or raise its first problem."""
    problems = shipment_problems(
        shipment,
        today=today,
        scope=scope,
        policy_period=policy_period,
        policy_currency=policy_currency,
    )
    if problems:
        raise problems[0]
    return normalised(shipment)


def normalised(shipment: Shipment) -> Shipment:
    """``shipment`` with its HS code in normal form (call on a shipment without problems)."""
    hs_code = check_hs_code(shipment.hs_code)
    if hs_code == shipment.hs_code:
        return shipment
    return replace(shipment, hs_code=hs_code)

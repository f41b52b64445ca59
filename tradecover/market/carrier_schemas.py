"""API shapes of double insurance: a policy's risk carriers and who insures it
([domain MK-12], [domain MK-15]).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tradecover.kit.inputs import InputModel
from tradecover.kit.money import Money
from tradecover.market.carrier_repository import CarrierView, PolicyInsurers
from tradecover.market.carriers import COMMERCIAL, POLITICAL, Carrier

_ID = Field(ge=1, le=2**63 - 1)


class CarrierIn(InputModel):
    """One risk class's carrier: the insurer, its own rate and its own maximum liability."""

    model_config = ConfigDict(extra="forbid")

    insurer_org_id: int = _ID
    rate_pct: Decimal = Field(gt=0, le=100, max_digits=12, decimal_places=4)
    maximum_liability: Decimal = Field(gt=0, max_digits=20, decimal_places=2)


class CarriersIn(InputModel):
    """Make a policy double-insured: commercial risk with a commercial insurer, political
    risk with the insurer of last resort.
    """

    model_config = ConfigDict(extra="forbid")

    commercial: CarrierIn
    political: CarrierIn
    reason: str = Field(min_length=1, max_length=1000)

    def carriers(self, currency: str) -> list[Carrier]:
        """The two carriers, their limits in the policy's ``currency``."""
        return [
            Carrier(
                risk_class,
                body.insurer_org_id,
                body.rate_pct,
                Money.of(body.maximum_liability, currency),
            )
            for risk_class, body in ((COMMERCIAL, self.commercial), (POLITICAL, self.political))
        ]


class CarrierOut(BaseModel):
    """One carrier as the exporter sees it, with the causes of loss it answers for."""

    risk_class: Literal["commercial", "political"]
    insurer_org_id: int
    insurer_name: str
    causes: list[str]
    rate_pct: Decimal
    currency: str
    maximum_liability: Decimal
    premium: Decimal
    claims_paid: Decimal
    recoveries: Decimal
    remaining_liability: Decimal

    @classmethod
    def of(cls, view: CarrierView, causes: list[str]) -> CarrierOut:
        """From the read model and the loss causes of its risk class."""
        c = view.carrier
        return cls(
            risk_class="commercial" if c.risk_class == COMMERCIAL else "political",
            insurer_org_id=c.insurer_org_id,
            insurer_name=view.insurer_name,
            causes=causes,
            rate_pct=c.rate_pct,
            currency=c.maximum_liability.currency,
            maximum_liability=c.maximum_liability.amount,
            premium=view.premium.amount,
            claims_paid=view.claims_paid.amount,
            recoveries=view.recoveries.amount,
            remaining_liability=view.remaining_liability.amount,
        )


class PolicyInsurersOut(BaseModel):
    """Who insures a policy: the insurer it was issued for on the market and, when it is
    double-insured, both carriers together.
    """

    policy_id: int
    policy_number: str | None
    currency: str
    double_insurance: bool
    issuer_org_id: int | None
    issuer_name: str | None
    issuer_basis: str | None
    carriers: list[CarrierOut]

    @classmethod
    def of(cls, view: PolicyInsurers, causes: dict[str, list[str]]) -> PolicyInsurersOut:
        """From the read model; ``causes`` lists each risk class's causes of loss."""
        return cls(
            policy_id=view.policy_id,
            policy_number=view.policy_number,
            currency=view.currency,
            double_insurance=bool(view.carriers),
            issuer_org_id=view.issuer_org_id,
            issuer_name=view.issuer_name,
            issuer_basis=view.issuer_basis,
            carriers=[
                CarrierOut.of(v, causes.get(v.carrier.risk_class, [])) for v in view.carriers
            ],
        )

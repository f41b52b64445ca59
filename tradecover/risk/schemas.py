"""API shapes of risk runs.  Names are checked by the risk rules (not by the schema) so that
an unknown method or scenario answers 422 with the library's code and the field's name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tradecover.kit.inputs import InputModel
from tradecover.risk.model import RiskRun
from tradecover.risk.service import RunSpec, ScenarioInfo

MAX_API_SCENARIOS = 5_000_000
MAX_API_BUYERS = 1_000_000


class RiskRunIn(InputModel):
    """A risk run to start: the book (or a generated one), the method, levels and stress."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "source": "generated",
                    "buyers": 2000,
                    "book_seed": 7,
                    "basis": "outstanding",
                    "method": "monte_carlo",
                    "confidence_levels": [0.99, 0.995, 0.999],
                    "scenarios": ["tariff_shock_us"],
                    "n_scenarios": 20000,
                    "seed": 1,
                    "importance_sampling": True,
                }
            ]
        },
    )

    source: str = Field(
        default="book",
        max_length=16,
        examples=["book"],
        description="book (the insurer's exposures) or generated",
    )
    basis: str = Field(
        default="outstanding",
        max_length=16,
        examples=["outstanding"],
        description="Exposure at default: outstanding receivables or limit",
    )
    method: str = Field(
        default="monte_carlo",
        max_length=32,
        examples=["monte_carlo"],
        description="monte_carlo, creditrisk_plus or vasicek",
    )
    confidence_levels: list[float] = Field(
        default=[0.99, 0.995, 0.999], min_length=1, max_length=10, examples=[[0.99, 0.995, 0.999]]
    )
    scenarios: list[str] = Field(
        default_factory=list,
        max_length=20,
        examples=[["tariff_shock_us", "recession"]],
        description="Names from GET /api/v1/risk/scenarios",
    )
    n_scenarios: int = Field(
        default=20_000,
        ge=-(2**31),
        le=MAX_API_SCENARIOS,
        examples=[20000],
        description="Monte Carlo scenarios",
    )
    seed: int = Field(default=0, ge=-(2**63), le=2**63 - 1, examples=[1])
    importance_sampling: bool = Field(default=True, examples=[True])
    buyers: int | None = Field(
        default=None,
        ge=-(2**31),
        le=MAX_API_BUYERS,
        examples=[2000],
        description="Size of a generated book",
    )
    book_seed: int = Field(
        default=0, ge=0, le=2**62, examples=[7], description="Seed of a generated book"
    )

    def to_spec(self) -> RunSpec:
        """The service's spec (the rules check every value)."""
        return RunSpec(
            source=self.source,  # type: ignore[arg-type]
            basis=self.basis,  # type: ignore[arg-type]
            method=self.method,  # type: ignore[arg-type]
            confidence_levels=tuple(self.confidence_levels),
            scenarios=tuple(self.scenarios),
            n_scenarios=self.n_scenarios,
            seed=self.seed,
            importance_sampling=self.importance_sampling,
            buyers=self.buyers,
            book_seed=self.book_seed,
        )


class RiskRunError(BaseModel):
    """Why a run failed."""

    code: str
    message: str


class RiskRunOut(BaseModel):
    """A run: its spec, status, progress and, once finished, its result."""

    id: int
    status: str = Field(examples=["finished"])
    spec: dict[str, Any]
    progress_done: int
    progress_total: int
    result: dict[str, Any] | None = None
    error: RiskRunError | None = None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, run: RiskRun, *, with_result: bool = True) -> RiskRunOut:
        """The API view of a run (lists leave the result out)."""
        return cls(
            id=run.id,
            status=run.status,
            spec=run.spec,
            progress_done=run.progress_done,
            progress_total=run.progress_total,
            result=run.result if with_result else None,
            error=RiskRunError(code=run.error_code, message=run.error_message or "")
            if run.error_code
            else None,
            created_by=run.created_by,
            created_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
        )


class ScenarioOut(BaseModel):
    """A shipped stress scenario."""

    name: str = Field(examples=["tariff_shock_us"])
    description: str
    shocks: list[str]

    @classmethod
    def of(cls, info: ScenarioInfo) -> ScenarioOut:
        """From the service's view."""
        return cls(name=info.name, description=info.description, shocks=info.shocks)


class PortfolioYearOut(BaseModel):
    """One year of the state insurer's published portfolio figures (USD 100 million), amounts
    as decimal strings ([000]).
    """

    year: int = Field(examples=[2020])
    insured_amount: str
    premium: str
    claims_paid: str
    loss_ratio: str = Field(description="Claims paid over premium, unrounded")
    loss_ratio_pct: str = Field(examples=["78"])
    published_loss_ratio_pct: str = Field(examples=["78"])

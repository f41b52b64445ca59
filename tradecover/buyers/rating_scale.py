"""The rating scale: grades from a score, the one-year PD of each grade, the rating result.

**Grades.** Twenty grades, 1 (best) to 20 (worst), labelled like the agencies' scale:
1 ``AAA`` ... 10 ``BBB-`` (the last investment grade) ... 19 ``CC``, 20 ``D``.  Grades
1-19 follow from the score (:data:`GRADE_FLOORS`); grade 20 is kept for a **hard stop**
(an insolvency filing or a sanctions hit): no cover, whatever the score.

**Probability of default.** Each grade maps to a one-year PD on a master scale
(:data:`PD_MASTER_SCALE`), strictly increasing with the grade; grade 20 is 100 % (treated
as in default).  The figures are tradecover's calibration of the agencies' long-run
one-year default rates, not a published table: an insurer replaces them with its own
experience by releasing a new :data:`MODEL_VERSION`.

Every result records :data:`MODEL_VERSION`, so every limit decision can say which model
rated the buyer.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from tradecover.kit.errors import ValidationFailed

MODEL_VERSION: Final = "buyer-rating-2026.1"
"""Version of the rating model (point tables, grade floors and master scale)."""

BASE_SCORE: Final = 50
"""Points every rating starts from before its factors are added."""

MIN_SCORE: Final = 0
MAX_SCORE: Final = 100
WORST_GRADE: Final = 20
"""The hard-stop grade (``D``)."""

GRADE_LABELS: Final[tuple[str, ...]] = (
    "AAA",
    "AA+",
    "AA",
    "AA-",
    "A+",
    "A",
    "A-",
    "BBB+",
    "BBB",
    "BBB-",
    "BB+",
    "BB",
    "BB-",
    "B+",
    "B",
    "B-",
    "CCC+",
    "CCC",
    "CC",
    "D",
)
"""Label of grade ``g`` is ``GRADE_LABELS[g - 1]``."""

GRADE_FLOORS: Final[tuple[int, ...]] = (
    90,
    85,
    80,
    76,
    72,
    68,
    64,
    60,
    56,
    52,
    48,
    44,
    40,
    36,
    32,
    27,
    22,
    16,
    MIN_SCORE,
)
"""Lowest score of grades 1..19: a score of at least ``GRADE_FLOORS[g - 1]`` earns grade g."""

PD_MASTER_SCALE: Final[tuple[Decimal, ...]] = tuple(
    Decimal(p)
    for p in (
        "0.0001",
        "0.0002",
        "0.0003",
        "0.0004",
        "0.0005",
        "0.0007",
        "0.0009",
        "0.0013",
        "0.0018",
        "0.0027",
        "0.0040",
        "0.0060",
        "0.0090",
        "0.0140",
        "0.0220",
        "0.0350",
        "0.0600",
        "0.1000",
        "0.2000",
        "1",
    )
)
"""One-year probability of default of grades 1..20 (fractions: 0.0027 = 0.27 %)."""


@dataclass(frozen=True, slots=True)
class Contribution:
    """One factor's part in a rating: the input as shown, its points and why."""

    factor: str
    value: str
    points: int
    explanation: str


@dataclass(frozen=True, slots=True)
class Rating:
    """A rating result: score, grade, one-year PD and each factor's contribution."""

    model_version: str
    score: int
    grade: int
    pd: Decimal
    hard_stop: bool
    hard_stop_reasons: tuple[str, ...]
    contributions: tuple[Contribution, ...]

    @property
    def grade_label(self) -> str:
        """The agency-style label of the grade (``"BBB-"``)."""
        return GRADE_LABELS[self.grade - 1]

    def at_least(self, grade: int) -> bool:
        """True when this grade is ``grade`` or better (a lower number)."""
        return self.grade <= grade


def grade_for_score(score: int) -> int:
    """Grade 1..19 of a score (grade 20 is only given by a hard stop)."""
    return next(g for g, floor in enumerate(GRADE_FLOORS, start=1) if score >= floor)


def pd_for_grade(grade: int) -> Decimal:
    """One-year probability of default of a grade 1..20 (master scale)."""
    if isinstance(grade, bool) or not isinstance(grade, int) or not 1 <= grade <= WORST_GRADE:
        raise ValidationFailed(
            f"grade must be 1..{WORST_GRADE}", code="invalid_grade", field="grade"
        )
    return PD_MASTER_SCALE[grade - 1]

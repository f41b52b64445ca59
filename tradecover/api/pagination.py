"""Pagination of list routes: ``limit``/``offset`` parameters and the page envelope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Path, Query
from pydantic import BaseModel

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list and the total number of matching items."""

    items: list[T]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class PageParams:
    """Which slice of a list the caller wants."""

    limit: int
    offset: int


def page_params(
    limit: Annotated[int, Query(ge=1, le=500, description="Items per page")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip")] = 0,
) -> PageParams:
    """Read ``limit`` and ``offset`` from the query string."""
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]


MAX_ID = 2**63 - 1
IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="Identifier", examples=[1])]

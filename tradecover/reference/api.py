"""HTTP routes of reference data: countries with risk classes, currencies, terms, HS chapters."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/reference", tags=["reference"])

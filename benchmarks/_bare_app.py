"""The baseline the attachment aim is set against: a bare FastAPI + asyncpg app
doing nothing but the transaction pgbench runs (the conditional update of the limit's
reservation row and the insert of the declaration), with none of what a real attachment
does (authentication, idempotency, the cover decision, premium, audit).

A helper, not a benchmark (``run_all.py`` skips files whose name starts with ``_``):
``attachment.py --bare`` serves it beside the app, on the same database, and puts the same
load on it.  It takes the ERP API's request (``POST /api/v1/declarations`` with one
shipment) and answers 201.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import _attachment_sql as sql
import asyncpg  # type: ignore[import-untyped]
import orjson
from fastapi import FastAPI, Request, Response

CAP_MINOR = 10**15
UPDATE = sql.reserve(amount="$2", cap="$3", limits="= $1") + " RETURNING outstanding_minor"
INSERT = (
    sql.declare(invoice="$2", amount="$3", by="bare", source="WHERE l.id = $1") + " RETURNING id"
)


def create_app() -> FastAPI:
    """The bare app on ``TRADECOVER_DATABASE_URL``'s database."""
    dsn = os.environ["TRADECOVER_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=10)
        async with pool.acquire() as connection:
            state["limits"] = {
                (r["policy_id"], r["buyer_id"]): r["id"]
                for r in await connection.fetch("SELECT id, policy_id, buyer_id FROM credit_limits")
            }
        state["pool"] = pool
        yield
        await pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/v1/declarations", status_code=201)
    async def declare(request: Request) -> Response:
        body = orjson.loads(await request.body())
        limit_id = state["limits"][(body["policy_id"], body["buyer_id"])]
        amount = int(Decimal(body["invoice_amount"]) * 100)  # USD minor units
        async with state["pool"].acquire() as connection, connection.transaction():
            await connection.fetchval(UPDATE, limit_id, amount, CAP_MINOR)
            new_id = await connection.fetchval(INSERT, limit_id, body["invoice_number"], amount)
        return Response(
            orjson.dumps({"id": new_id}), status_code=201, media_type="application/json"
        )

    return app

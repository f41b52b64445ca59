"""The ERP route's asynchronous connections: bounded waits, an outage answered at once, and
recovery at once when the database is back.

``psycopg_pool`` on its own answers a lost database slowly: a request waits the pool's
whole ``timeout`` for a connection while the pool reconnects in the background, and its
reconnection attempts back off exponentially (1, 2, 4, ... seconds), so the first request
after the database came back still waits for the next attempt.  :class:`RecoveringPool`
wraps one pool and keeps a flag: once a connection was found lost (its statement failed
on a broken connection, its idle ping went unanswered, or the pool timed out having failed
to connect), every request first tries one connection of its own, bounded by the connect
timeout.  While that fails the request fails at once (a 503 ``database_unavailable`` at
the edge); as soon as it succeeds the database is back, a fresh pool (no backoff) replaces
the lost one, and the old pool is closed in the background.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from weakref import WeakKeyDictionary

import psycopg
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool, PoolTimeout

MakePool = Callable[[WeakKeyDictionary[AsyncConnection[Any], float]], AsyncConnectionPool]
"""Makes a pool (not yet open) whose ``reset`` callback notes when each connection was
returned, in the dictionary it is given."""


class RecoveringPool:
    """A psycopg pool for the event loop that fails at once while its database cannot be
    reached and is replaced by a fresh one the moment the database answers again.

    ``make`` builds the pool (see :data:`MakePool`); ``conninfo`` and ``connect_kwargs``
    (its ``connect_timeout`` included) open the probing connection of a request made while
    the database was lost.  A connection idle for over ``idle_before_ping_s`` is pinged
    before it is handed out (one in use a moment ago is not: no round trip on a busy
    server).  Not yet open: ``await pool.open()`` in the loop that uses it.
    """

    def __init__(
        self,
        make: MakePool,
        *,
        conninfo: str,
        connect_kwargs: dict[str, Any],
        idle_before_ping_s: float,
    ) -> None:
        self._make, self._conninfo, self._connect_kwargs = make, conninfo, connect_kwargs
        self._idle_before_ping_s = idle_before_ping_s
        self._returned: WeakKeyDictionary[AsyncConnection[Any], float] = WeakKeyDictionary()
        self._pool: AsyncConnectionPool | None = None
        self._lost = False
        self._replacing = asyncio.Lock()
        self._retiring: set[asyncio.Task[None]] = set()

    @property
    def lost(self) -> bool:
        """Whether the database was found unreachable and has not answered since."""
        return self._lost

    async def open(self) -> None:
        """Open the pool (its connections are made in the background)."""
        if self._pool is None:
            self._pool = self._make(self._returned)
            await self._pool.open()

    async def close(self) -> None:
        """Close the pool, and wait for the pools being retired."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()
        if self._retiring:
            await asyncio.gather(*self._retiring, return_exceptions=True)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection[Any]]:
        """A connection of the pool for the block, returned to it afterwards.

        Raises :class:`psycopg.OperationalError` (a :class:`~psycopg_pool.PoolTimeout`
        after the pool's bounded ``timeout`` at most) when the database cannot be reached;
        at once while it is known to be lost.
        """
        pool = await self._usable()
        connection = await self._get(pool)
        if not await self._answers(connection):
            await pool.putconn(connection)  # broken: the pool drops it and connects anew
            self._lost = True  # one dead connection, or the database gone? Ask it
            pool = await self._usable()
            connection = await self._get(pool)
        try:
            yield connection
        except BaseException:
            if connection.broken:
                self._lost = True
            raise
        finally:
            await pool.putconn(connection)

    async def _get(self, pool: AsyncConnectionPool) -> AsyncConnection[Any]:
        try:
            return await pool.getconn()
        except PoolTimeout:
            if pool.get_stats().get("connections_errors", 0):
                self._lost = True  # it tried to connect and could not: not merely busy
            raise

    async def _answers(self, connection: AsyncConnection[Any]) -> bool:
        """Whether a connection in use a moment ago (not pinged) or one that answers a
        ping after idling is alive.
        """
        since = self._returned.get(connection)
        if since is None or time.monotonic() - since <= self._idle_before_ping_s:
            return True
        try:
            await connection.execute("")
        except psycopg.Error:
            return False
        return True

    async def _usable(self) -> AsyncConnectionPool:
        """The pool; when the database was lost, first a connection of this request's own
        (it fails at once, or within the connect timeout, while the database is away),
        and when that succeeds a fresh pool in place of the lost one.
        """
        if self._pool is None:
            await self.open()
        if self._lost:
            probe = await AsyncConnection.connect(self._conninfo, **self._connect_kwargs)
            await probe.close()
            async with self._replacing:
                if self._lost:
                    fresh = self._make(self._returned)
                    await fresh.open()
                    old, self._pool = self._pool, fresh
                    self._lost = False
                    if old is not None:
                        self._retire(old)
        assert self._pool is not None
        return self._pool

    def _retire(self, pool: AsyncConnectionPool) -> None:
        """Close a lost pool in the background (its connections in use are closed when
        they are returned; its reconnection attempts stop).
        """
        task = asyncio.get_running_loop().create_task(pool.close())
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)

"""The app served for real, for the tests that need a socket: uvicorn in a thread of the
test process (:func:`serve_app`) or in a process of its own (:func:`serve_process`)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import httpx
import uvicorn
from fastapi import FastAPI

from tests.conftest import TEST_SECRET

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on just now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve_app(
    app: FastAPI,
    *,
    lifespan: Literal["auto", "on", "off"] = "auto",
    log_level: str = "warning",
) -> Iterator[str]:
    """``app`` under uvicorn in a daemon thread on a free port: yields its base URL.

    On leaving, the server is asked to stop, its thread joined and the app's engine disposed.
    """
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host=HOST, port=port, log_level=log_level, lifespan=lifespan)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://{HOST}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.engine.dispose()


@contextmanager
def serve_process(database_url: str) -> Iterator[str]:
    """The app served by its own uvicorn process on ``database_url``: yields its base URL.

    Ready once ``/openapi.json`` answers; a process that dies first fails the test with its
    stderr.  On leaving, the process is terminated and waited for.
    """
    port = free_port()
    env = {
        **os.environ,
        "TRADECOVER_DATABASE_URL": database_url,
        "TRADECOVER_SECRET_KEY": TEST_SECRET,
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "tradecover.api.app:create_app",
        "--host",
        HOST,
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            try:
                if httpx.get(f"{url}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)

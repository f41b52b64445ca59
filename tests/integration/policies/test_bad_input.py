"""Every bad input: a 4xx problem with a stable code, and nothing written."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders.policies import active, application_body, apply, draft, schedule_body
from tests.conftest import Cast, Database
from tests.integration.policies.helpers import counts
from tradecover.kit.dates import business_today

API = "/api/v1"


def _refused(
    c: TestClient,
    db: Database,
    method: str,
    url: str,
    headers: dict[str, str],
    status: int,
    code: str,
    **kwargs: Any,
) -> dict[str, Any]:
    before = counts(db)
    r = c.request(method, url, headers=headers, **kwargs)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = dict(r.json())
    assert body["code"] == code
    assert body["detail"]
    assert counts(db) == before
    return body


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/policies/999"),
        ("POST", "/policies/999/quote"),
        ("POST", "/policies/999/issue"),
        ("GET", "/applications/999"),
        ("GET", "/policies/999/history"),
        ("GET", "/policies/999/endorsements"),
        ("POST", "/renewal-offers/999/accept"),
    ],
)
def test_unknown_ids_answer_404(
    app_client: TestClient, cast: Cast, db: Database, method: str, path: str
) -> None:
    code = _refused(
        app_client,
        db,
        method,
        API + path,
        cast.admin.headers,
        404,
        "policy_not_found"
        if path.startswith("/policies")
        else "application_not_found"
        if path.startswith("/applications")
        else "renewal_offer_not_found",
    )
    assert code["status"] == 404


def test_huge_id_is_a_422_not_a_500(app_client: TestClient, cast: Cast, db: Database) -> None:
    _refused(
        app_client, db, "GET", f"{API}/policies/{2**70}", cast.admin.headers, 422, "invalid_request"
    )


def test_illegal_transitions(app_client: TestClient, cast: Cast, db: Database) -> None:
    c = app_client
    d = draft(c, cast)
    body = _refused(
        c,
        db,
        "POST",
        f"{API}/policies/{d['id']}/issue",
        cast.exporter.headers,
        409,
        "illegal_transition",
    )
    assert body["detail"] == "a draft policy cannot issue (possible: quote, withdraw)"
    _refused(
        c,
        db,
        "POST",
        f"{API}/policies/{d['id']}/suspend",
        cast.finance.headers,
        409,
        "illegal_transition",
        json={"reason": "x"},
    )
    a = active(c, cast)
    _refused(
        c,
        db,
        "POST",
        f"{API}/policies/{a['id']}/quote",
        cast.underwriter.headers,
        409,
        "illegal_transition",
    )
    _refused(
        c,
        db,
        "PUT",
        f"{API}/policies/{a['id']}/schedule",
        cast.underwriter.headers,
        409,
        "illegal_transition",
        json={"schedule": schedule_body(), "reason": "x"},
    )
    _refused(
        c,
        db,
        "POST",
        f"{API}/policies/{a['id']}/reinstate",
        cast.finance.headers,
        409,
        "illegal_transition",
        json={"reason": "x"},
    )
    _refused(
        c,
        db,
        "POST",
        f"{API}/policies/{d['id']}/terminate",
        cast.exporter.headers,
        409,
        "illegal_transition",
        json={"kind": "insured_cancellation", "reason": "x"},
    )
    _refused(
        c,
        db,
        "POST",
        f"{API}/policies/{a['id']}/renewal-offers",
        cast.underwriter.headers,
        409,
        "outside_renewal_window",
    )


@pytest.mark.parametrize(
    ("over", "status", "code", "field"),
    [
        (
            {"indemnity_commercial_pct": "0"},
            422,
            "indemnity_out_of_range",
            "indemnity_commercial_pct",
        ),
        (
            {"indemnity_political_pct": "100.5"},
            422,
            "indemnity_out_of_range",
            "indemnity_political_pct",
        ),
        (
            {"indemnity_political_pct": "-5"},
            422,
            "invalid_request",
            "body.schedule.indemnity_political_pct",
        ),
        ({"maximum_liability": "0"}, 422, "maximum_liability_not_positive", "maximum_liability"),
        (
            {"maximum_liability": 5000000.5},
            422,
            "invalid_request",
            "body.schedule.maximum_liability",
        ),
        (
            {"currency": "XYZ", "expected_turnover": "1", "maximum_liability": "1"},
            422,
            "unknown_currency",
            "currency",
        ),
        ({"currency": "EUR"}, 422, "currency_mismatch", "currency"),
        ({"maximum_liability": "100.001"}, 422, "amount_precision", "maximum_liability"),
        (
            {"scope": {"destination_countries": ["ZZ"]}},
            422,
            "unknown_country",
            "scope.destination_countries[0]",
        ),
        (
            {"scope": {"payment_terms": []}},
            422,
            "invalid_request",
            "body.schedule.scope.payment_terms",
        ),
        ({"unexpected": 1}, 422, "invalid_request", "body.schedule.unexpected"),
    ],
)
def test_bad_schedules_write_nothing(
    app_client: TestClient,
    cast: Cast,
    db: Database,
    over: dict[str, Any],
    status: int,
    code: str,
    field: str,
) -> None:
    app = apply(app_client, cast.exporter)
    body = _refused(
        app_client,
        db,
        "POST",
        f"{API}/applications/{app['id']}/underwrite",
        cast.underwriter.headers,
        status,
        code,
        json={"inception": business_today().isoformat(), "schedule": schedule_body(**over)},
    )
    assert body["field"] == field


@pytest.mark.parametrize(
    ("over", "code", "field"),
    [
        ({"currency": "XYZ"}, "unknown_currency", "currency"),
        ({"destination_countries": ["DE", "XX"]}, "unknown_country", "destination_countries[1]"),
        ({"expected_turnover": "0"}, "amount_not_positive", "expected_turnover"),
        ({"product": "investment_debt"}, "product_not_supported", "product"),
        ({"hs_chapters": ["77"]}, "unknown_hs_code", "hs_chapters[0]"),
        ({"requested_inception": "2999-01-01"}, "date_out_of_range", "requested_inception"),
        ({"expected_turnover": 1000.0}, "invalid_request", "body.expected_turnover"),
        ({"max_credit_days": 400}, "invalid_request", "body.max_credit_days"),
    ],
)
def test_bad_applications_write_nothing(
    app_client: TestClient, cast: Cast, db: Database, over: dict[str, Any], code: str, field: str
) -> None:
    body = _refused(
        app_client,
        db,
        "POST",
        f"{API}/applications",
        cast.exporter.headers,
        422,
        code,
        json=application_body(**over),
    )
    assert body["field"] == field


def test_malformed_json_and_oversized_bodies(
    app_client: TestClient, cast: Cast, db: Database
) -> None:
    headers = {**cast.exporter.headers, "content-type": "application/json"}
    _refused(
        app_client,
        db,
        "POST",
        f"{API}/applications",
        headers,
        400,
        "malformed_json",
        content=b'{"currency": "USD",',
    )
    big = b'{"notes": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    _refused(
        app_client,
        db,
        "POST",
        f"{API}/applications",
        headers,
        413,
        "payload_too_large",
        content=big,
    )


def test_bad_profile_writes_nothing(app_client: TestClient, cast: Cast, db: Database) -> None:
    url = f"{API}/exporters/{cast.exporter.org_id}/profile"
    good = {
        "legal_name": "Acme",
        "size_class": "small",
        "currency": "USD",
        "previous_year_exports": "100",
    }
    cases: list[tuple[dict[str, Any], str]] = [
        ({"currency": "ABC"}, "unknown_currency"),
        ({"destination_countries": ["QQ"]}, "unknown_country"),
        ({"region": "XX-99"}, "unknown_region"),
        ({"main_buyers": [{"name": "B", "country": "ZZ"}]}, "unknown_country"),
        ({"size_class": "huge"}, "invalid_request"),
        ({"legal_name": "A\u0000B"}, "invalid_request"),  # errors[0].type unsafe_text
    ]
    for over, code in cases:
        _refused(
            app_client, db, "PUT", url, cast.exporter.headers, 422, code, json={**good, **over}
        )


def test_bad_termination_and_endorsement(app_client: TestClient, cast: Cast, db: Database) -> None:
    c = app_client
    a = active(c, cast)
    _refused(
        c,
        db,
        "POST",
        f"{API}/policies/{a['id']}/terminate",
        cast.exporter.headers,
        422,
        "invalid_request",
        json={"kind": "vanish", "reason": "x"},
    )
    _refused(
        c,
        db,
        "POST",
        f"{API}/policies/{a['id']}/terminate",
        cast.exporter.headers,
        422,
        "backdated_cancellation",
        json={"kind": "insured_cancellation", "reason": "x", "effective_date": "2020-01-01"},
    )
    _refused(
        c,
        db,
        "POST",
        f"{API}/policies/{a['id']}/terminate",
        cast.underwriter.headers,
        422,
        "wrong_termination_kind",
        json={"kind": "insured_cancellation", "reason": "x"},
    )
    _refused(
        c,
        db,
        "POST",
        f"{API}/policies/{a['id']}/endorsements",
        cast.underwriter.headers,
        422,
        "endorsement_outside_term",
        json={"text": "late", "effective_date": "2099-01-01"},
    )
    _refused(
        c,
        db,
        "POST",
        f"{API}/policies/{a['id']}/suspend",
        cast.finance.headers,
        422,
        "invalid_request",
        json={"reason": ""},
    )


def test_job_dates_out_of_range(app_client: TestClient, cast: Cast, db: Database) -> None:
    for job in ("expire", "offer-renewals"):
        body = _refused(
            app_client,
            db,
            "POST",
            f"{API}/policies/jobs/{job}",
            cast.admin.headers,
            422,
            "date_out_of_range",
            json={"today": "9999-12-31"},
        )
        assert body["field"] == "today"

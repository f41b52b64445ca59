"""End to end: an underwriter decides a credit limit application from the queue page.

A real uvicorn server and Debian's headless Chromium driven by Selenium (see
``test_dashboard.py``).  The exporter applies through the API for more than the automatic
rule allows; the underwriter signs in, approves less with a reason code in the queue's
form, sees the decision confirmed, the limit in force, and its history page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import httpx
import pytest
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from tests.builders.policies import make_policy
from tests.conftest import make_key_actor, make_org, make_user_actor
from tests.e2e.conftest import serve
from tradecover.access.roles import Role
from tradecover.db import bootstrap, migrate
from tradecover.db.engine import make_engine, make_session_factory, transaction

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

EMAIL, PASSWORD = "uw@insurer.example", "correct horse battery"


@dataclass(frozen=True)
class Site:
    """A running dashboard with one limit application waiting in the queue."""

    base_url: str
    application_id: int


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e-limits') / 'limits.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        bootstrap.load_reference_data(session)
        org_id = make_org(session, slug="silk-road-exports", name="Silk Road Exports Co.")
        exporter = make_key_actor(session, org_slug="silk-road-exports", role=Role.EXPORTER)
        make_user_actor(
            session, org_slug="insurer", role=Role.UNDERWRITER, email=EMAIL, password=PASSWORD
        )
        policy_id = make_policy(session, exporter_org_id=org_id, inception=date(2026, 1, 1)).id
    engine.dispose()
    with serve(url) as base:
        with httpx.Client(base_url=base, headers=exporter.headers, timeout=30) as api:
            buyer = api.post(
                "/api/v1/buyers",
                json={
                    "name": "Müller Maschinenbau GmbH",
                    "country": "DE",
                    "registration_number": "HRB 12345",
                    "sector": "machinery",
                    "size": "large",
                    "company_type": "listed",
                    "days_beyond_terms": 0,
                    "financials": {
                        "current_ratio": "2.1",
                        "debt_to_equity": "0.4",
                        "net_margin": "0.12",
                        "interest_cover": "9",
                    },
                },
            )
            assert buyer.status_code == 201, buyer.text
            applied = api.post(
                "/api/v1/limit-applications",
                json={
                    "policy_id": policy_id,
                    "buyer_id": buyer.json()["buyer"]["id"],
                    "request_type": "new_limit",
                    "amount": "300000",
                    "currency": "USD",
                    "payment_terms": "OA",
                    "credit_period_days": 90,
                },
            )
            assert applied.status_code == 201, applied.text
            assert applied.json()["status"] == "pending"
        yield Site(base, int(applied.json()["id"]))


def test_underwriter_approves_less_from_the_queue(site: Site, browser: WebDriver) -> None:
    wait = WebDriverWait(
        browser, 20, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)
    )
    browser.get(site.base_url + "/")
    wait.until(expected_conditions.presence_of_element_located((By.ID, "email")))
    browser.find_element(By.ID, "email").send_keys(EMAIL)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "sign-in").click()
    wait.until(expected_conditions.presence_of_element_located((By.ID, "queue-title")))  # home

    browser.get(site.base_url + "/limits")
    form_css = f"[data-testid=decide-{site.application_id}]"
    wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, form_css)))
    form = browser.find_element(By.CSS_SELECTOR, form_css)
    Select(form.find_element(By.NAME, "outcome")).select_by_value("partly_approved")
    amount = form.find_element(By.NAME, "amount")
    amount.clear()
    amount.send_keys("200000")
    Select(form.find_element(By.NAME, "reason")).select_by_value("weak_financials")
    form.find_element(By.TAG_NAME, "button").click()

    wait.until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "[data-testid=done]"))
    )
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=done]").text == "Decision recorded"
    assert not browser.find_elements(By.CSS_SELECTOR, form_css)
    limits = browser.find_element(By.CSS_SELECTOR, "[data-testid=limits]")
    assert "200,000.00" in limits.text
    limits.find_element(By.CSS_SELECTOR, "tbody a").click()

    wait.until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "[data-testid=versions]"))
    )
    history = browser.find_element(By.CSS_SELECTOR, "[data-testid=versions]").text
    assert "New credit limit" in history and "200,000.00" in history
    assert "Weak financials" in history

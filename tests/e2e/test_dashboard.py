"""End to end: a real uvicorn server and Debian's headless Chromium driven by Selenium.

The browser signs in as an exporter, opens its policy, checks the schedule, switches the
dashboard to Simplified Chinese and saves a screenshot to ``tests/artifacts/``.  When
Chromium or chromedriver is missing the test fails (``make test`` installs them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from tests.builders.policies import make_policy
from tests.conftest import make_org, make_user_actor
from tests.e2e.conftest import serve
from tradecover.access.roles import Role
from tradecover.db import bootstrap, migrate
from tradecover.db.engine import make_engine, make_session_factory, transaction

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
EMAIL, PASSWORD = "li.wei@silk-road.example", "correct horse battery"


@dataclass(frozen=True)
class Site:
    """A running dashboard and the policy the exporter owns."""

    base_url: str
    policy_id: int
    policy_number: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'dashboard.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        bootstrap.load_reference_data(session)
        org_id = make_org(session, slug="silk-road-exports", name="Silk Road Exports Co.")
        make_user_actor(
            session,
            org_slug="silk-road-exports",
            role=Role.EXPORTER,
            email=EMAIL,
            password=PASSWORD,
        )
        policy = make_policy(
            session,
            exporter_org_id=org_id,
            inception=date(2026, 1, 1),
            endorsement="Buyers in Germany covered up to 120 days.",
        )
        policy_id, number = policy.id, policy.number
    engine.dispose()
    assert number is not None
    with serve(url) as base_url:
        yield Site(base_url, policy_id, number)


def test_sign_in_open_a_policy_and_read_it_in_chinese(site: Site, browser: WebDriver) -> None:
    wait = WebDriverWait(
        browser, 20, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)
    )
    browser.get(site.base_url + "/")
    wait.until(expected_conditions.presence_of_element_located((By.ID, "email")))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    browser.find_element(By.ID, "email").send_keys(EMAIL)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "sign-in").click()

    wait.until(expected_conditions.presence_of_element_located((By.ID, "cover-title")))
    assert browser.current_url == site.base_url + "/"  # the exporter's home
    organisation = browser.find_element(By.CSS_SELECTOR, "[data-testid=organisation]")
    assert organisation.text == "Silk Road Exports Co."
    browser.find_element(By.CSS_SELECTOR, "nav.mainnav a[href='/policies']").click()
    wait.until(expected_conditions.presence_of_element_located((By.ID, "policies")))
    browser.find_element(By.LINK_TEXT, site.policy_number).click()

    wait.until(expected_conditions.presence_of_element_located((By.ID, "schedule")))
    assert browser.current_url == f"{site.base_url}/policies/{site.policy_id}"
    assert browser.find_element(By.TAG_NAME, "h1").text == f"Policy {site.policy_number}"
    assert browser.find_element(By.ID, "policy-state").text == "Active"
    assert browser.find_element(By.ID, "maximum-liability").text == "$5,000,000.00"
    schedule = browser.find_element(By.ID, "schedule").text
    assert "Commercial risks: 90% · Political risks: 95%" in schedule
    assert "$4,000,000.00 to $6,000,000.00" in schedule
    assert "Buyers in Germany covered up to 120 days." in browser.page_source
    # the stylesheet came from the app itself and was applied
    topbar = browser.find_element(By.CSS_SELECTOR, ".topbar")
    assert topbar.value_of_css_property("background-color") == "rgba(11, 92, 116, 1)"

    browser.find_element(By.CSS_SELECTOR, "button[data-locale=zh_Hans]").click()
    wait.until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hans")
    assert browser.current_url == f"{site.base_url}/policies/{site.policy_id}"
    assert browser.find_element(By.TAG_NAME, "h1").text == f"保单 {site.policy_number}"
    assert browser.find_element(By.ID, "schedule-h").text == "保险单明细表"
    assert browser.find_element(By.ID, "policy-state").text == "有效"
    body = browser.find_element(By.TAG_NAME, "body").text
    for words in ("统保", "赔偿比例", "保单最高赔偿限额", "批单", "退出登录"):
        assert words in body, words

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "dashboard_policy_zh_Hans.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000

    # remembered: a fresh visit to the list stays in Chinese
    browser.get(site.base_url + "/policies")
    wait.until(expected_conditions.presence_of_element_located((By.ID, "policies")))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hans"
    assert browser.find_element(By.TAG_NAME, "caption").text == "共 1 份保单"

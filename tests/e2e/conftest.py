"""What the end-to-end tests share: Debian's headless Chromium under Selenium, and the app
served by a real uvicorn in a thread of the test process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

from tests.conftest import TEST_SECRET
from tests.servers import serve_app
from tradecover.api.app import create_app
from tradecover.config import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@contextmanager
def serve(database_url: str) -> Iterator[str]:
    """The app on ``database_url`` served on a free port: yields its base URL."""
    app = create_app(Settings(database_url=database_url, secret_key=TEST_SECRET))
    with serve_app(app, lifespan="off") as base_url:
        yield base_url


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    """Headless Chromium; the test fails when it is missing (``make test`` installs it)."""
    assert CHROMIUM.exists(), "chromium is missing: apt-get install chromium chromium-driver"
    assert CHROMEDRIVER.exists(), "chromedriver is missing: apt-get install chromium-driver"
    options = webdriver.ChromeOptions()
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1600",
    ):
        options.add_argument(flag)
    options.binary_location = str(CHROMIUM)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()

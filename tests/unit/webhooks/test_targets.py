"""SSRF rules: https only, public addresses only, every DNS answer checked."""

from __future__ import annotations

import ipaddress

import pytest

from tradecover.kit.errors import ValidationFailed
from tradecover.webhooks import TargetRefused, check_address, parse_url
from tradecover.webhooks.targets import pick_address


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",
        "ftp://example.com/",
        "https://user:pw@example.com/",
        "https:///nohost",
        "https://example.com/#frag",
        "https://example.com:99999/",
    ],
)
def test_urls_outside_the_rules_are_refused(url: str) -> None:
    with pytest.raises(ValidationFailed):
        parse_url(url, development=False)


def test_an_https_url_parses_with_its_port_and_path() -> None:
    target = parse_url("https://Hooks.Example.com/in?x=1", development=False)
    assert (target.host, target.port, target.path) == ("hooks.example.com", 443, "/in?x=1")


def test_http_is_allowed_in_development_mode_only() -> None:
    assert parse_url("http://localhost:8080/", development=True).port == 8080


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "127.0.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
    ],
)
def test_private_loopback_link_local_and_reserved_addresses_are_refused(address: str) -> None:
    with pytest.raises(TargetRefused):
        check_address(ipaddress.ip_address(address), development=False)


def test_public_addresses_pass_and_loopback_only_in_development() -> None:
    check_address(ipaddress.ip_address("93.184.216.34"), development=False)
    check_address(ipaddress.ip_address("2606:4700::1111"), development=False)
    check_address(ipaddress.ip_address("127.0.0.1"), development=True)
    with pytest.raises(TargetRefused):
        check_address(ipaddress.ip_address("10.0.0.1"), development=True)


def test_one_private_answer_among_public_ones_refuses_the_target() -> None:
    target = parse_url("https://hooks.example.com/", development=False)
    with pytest.raises(TargetRefused):
        pick_address(target, ["93.184.216.34", "10.0.0.7"], development=False)
    with pytest.raises(TargetRefused):
        pick_address(target, [], development=False)
    assert str(pick_address(target, ["93.184.216.34"], development=False)) == "93.184.216.34"


def test_http_goes_to_loopback_only_even_in_development() -> None:
    target = parse_url("http://hooks.test/", development=True)
    with pytest.raises(TargetRefused):
        pick_address(target, ["93.184.216.34"], development=True)
    assert str(pick_address(target, ["127.0.0.1"], development=True)) == "127.0.0.1"

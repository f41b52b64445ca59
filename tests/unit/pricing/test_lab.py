"""Pricing lab: source [000]'s adverse selection under a flat rate, made visible."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tradecover.pricing.lab import render_lab_chart, simulate_adverse_selection


def test_flat_rate_drives_the_good_risks_away() -> None:
    rows = simulate_adverse_selection(exporters=600, rounds=6, seed=11)
    assert rows == simulate_adverse_selection(exporters=600, rounds=6, seed=11)
    flat = [r for r in rows if r.regime == "flat"]
    risk = [r for r in rows if r.regime == "risk_based"]
    assert [r.round for r in flat] == [1, 2, 3, 4, 5, 6]
    # under one flat rate the insured pool shrinks and the rate climbs round after round
    assert flat[-1].insured_count < flat[0].insured_count / 3
    assert flat[-1].average_rate > flat[0].average_rate * 2
    # risk-based rates keep most of the market insured and more premium volume
    assert risk[-1].insured_count > 2 * flat[-1].insured_count
    assert risk[-1].premium_volume > flat[-1].premium_volume


def test_chart_is_self_contained_svg() -> None:
    svg = render_lab_chart(simulate_adverse_selection(exporters=200, rounds=4, seed=3))
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(root.findall("{http://www.w3.org/2000/svg}polyline")) == 6
    assert "<script" not in svg
    assert "href" not in svg

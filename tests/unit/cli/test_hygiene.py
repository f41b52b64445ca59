"""The CLI entry's input hygiene: which argument is named what, and what it refuses."""

from __future__ import annotations

import pytest

from tradecover.cli.hygiene import check_command_line, named_arguments
from tradecover.kit.text import UnsafeText


def test_option_values_are_named_by_their_option_and_the_rest_by_position() -> None:
    args = ["countries", "set", "DE", "--reason", "why", "--risk-class=3"]
    assert list(named_arguments(args)) == [
        ("argument 1", "countries", False),
        ("argument 2", "set", False),
        ("argument 3", "DE", False),
        ("argument 4", "--reason", False),
        ("reason", "why", None),
        ("argument 6", "--risk-class", False),
        ("risk_class", "3", None),
    ]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["countries", "set", "D\x00E", "--reason", "x"], "argument 3"),
        (["countries", "set", "DE", "--reason", "pay\u202eable"], "reason"),
        (["countries", "set", "DE", "--reason=a\u2066b"], "reason"),
        (["countries", "set", "DE", "--cap", "1\t000 USD"], "cap"),
        (["countries", "set", "DE", "--rea\x07son", "x"], "argument 4"),
    ],
)
def test_control_and_bidi_characters_are_refused_naming_the_field(
    args: list[str], field: str
) -> None:
    with pytest.raises(UnsafeText) as refused:
        check_command_line(args)
    assert (refused.value.code, refused.value.field) == ("unsafe_text", field)


def test_prose_options_may_hold_line_breaks_and_every_script_passes() -> None:
    check_command_line(
        ["countries", "set", "DE", "--reason", "第一行\r\n둘째\tline", "--effective", "2026-12-07"]
    )
    with pytest.raises(UnsafeText):
        check_command_line(["countries", "set", "DE\n", "--reason", "ok"])

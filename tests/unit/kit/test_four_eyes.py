"""Four eyes: the one maker-checker comparison of limits, claims and premium waivers."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.claims.indemnity import check_four_eyes as claims_four_eyes
from tradecover.kit.errors import PermissionDenied
from tradecover.kit.four_eyes import require_another_person, same_person
from tradecover.limits.checks import check_four_eyes as limits_four_eyes

ACTOR = st.text(alphabet=string.ascii_letters + string.digits + ":", max_size=20)
PAD = st.sampled_from(["", " ", "\t", "  \n"])


@given(ACTOR, PAD)
def test_case_and_surrounding_space_do_not_make_another_person(name: str, pad: str) -> None:
    assert same_person(name, f"{pad}{name.upper()}{pad}")
    assert same_person(f"{pad}{name.lower()}", name)
    assert not same_person(name, f"{name}x")


def test_the_same_person_is_refused_with_the_contexts_words() -> None:
    with pytest.raises(PermissionDenied) as error:
        require_another_person(maker="user:7", checker=" USER:7 ", message="ask someone else")
    assert (error.value.code, error.value.field, error.value.message) == (
        "four_eyes_same_person",
        "approved_by",
        "ask someone else",
    )
    require_another_person(maker="user:7", checker="user:8", message="unused")


def test_limits_and_claims_keep_their_messages() -> None:
    for check, message in [
        (limits_four_eyes, "the second approval must come from another underwriter"),
        (claims_four_eyes, "the second approval must come from another claims handler"),
    ]:
        with pytest.raises(PermissionDenied) as error:
            check(maker="user:1", checker="User:1")
        assert (error.value.code, error.value.field, error.value.message) == (
            "four_eyes_same_person",
            "approved_by",
            message,
        )
        check(maker="user:1", checker="user:2")

"""Tests of buyer name and identifier normalisation and of buyer matching."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.buyers import (
    POSSIBLE_MATCH_THRESHOLD,
    BuyerIdentity,
    InvalidIdentifier,
    MatchVerdict,
    buyer_identity,
    lei_check_digits,
    match_buyer,
    name_similarity,
    normalise_duns,
    normalise_lei,
    normalise_name,
    normalise_national_id,
    rank_matches,
)
from tradecover.kit.errors import ValidationFailed
from tradecover.reference import UnknownCountry


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Müller Maschinenbau GmbH & Co. KG", "muller maschinenbau"),
        ("Acme Co., Ltd.", "acme"),
        ("ACME CO LTD", "acme"),
        ("acme company limited", "acme"),
        ("Société Générale S.A.", "societe generale"),
        ("Apple Inc.", "apple"),
        ("Dell L.L.C.", "dell"),
        ("PT Astra International Tbk", "astra international"),
        ("Kowalski Sp. z o.o.", "kowalski"),
        ("Ørsted A/S", "orsted"),
        ("Straße Bau GmbH", "strasse bau"),
        ("ＡＣＭＥ　Ｔｒａｄｉｎｇ", "acme trading"),  # full-width letters and space
        ("Procter & Gamble Co.", "procter and gamble"),
        ("深圳華為技術有限公司", "深圳华为技术"),
        ("深圳华为技术有限公司", "深圳华为技术"),
        ("台積電股份有限公司", "台积电"),
        ("上海汽車集團股份有限公司", "上海汽车集团"),
        ("北京建工有限責任公司", "北京建工"),
        ("(주)삼성전자", "삼성전자"),
        ("㈜삼성전자", "삼성전자"),
        ("삼성전자 주식회사", "삼성전자"),
        ("삼성전자주식회사", "삼성전자"),
        ("주식회사 엘지화학", "엘지화학"),
        ("トヨタ自動車株式会社", "トヨタ自动车"),
        ("Limited", "limited"),  # a legal form alone is kept, never emptied
        ("  Acme   Trading  ", "acme trading"),
    ],
)
def test_normalise_name(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


def test_lei_check_digits_of_published_leis() -> None:
    # Apple Inc., Deutsche Bank AG, Deutsche Börse AG: LEIs as published by GLEIF.
    assert lei_check_digits("HWUPKR0MPOU8FGXBT3") == "94"
    assert lei_check_digits("7LTWFZYICNSX8D621K") == "86"
    assert lei_check_digits("529900T8BM49AURSDO") == "55"
    assert normalise_lei(" hwupkr0mpou8fgxbt394 ") == "HWUPKR0MPOU8FGXBT394"
    assert normalise_lei("7LTW-FZYI-CNSX-8D62-1K86") == "7LTWFZYICNSX8D621K86"


@pytest.mark.parametrize(
    "raw",
    [
        "HWUPKR0MPOU8FGXBT395",
        "HWUPKR0MPOU8FGXBT39",
        "HWUPKR0MPOU8FGXBT3AB",
        "ÄWUPKR0MPOU8FGXBT394",
        "",
    ],
)
def test_invalid_lei(raw: str) -> None:
    with pytest.raises(InvalidIdentifier) as info:
        normalise_lei(raw)
    assert (info.value.code, info.value.field) == ("invalid_lei", "lei")


@given(st.text(alphabet=string.ascii_uppercase + string.digits, min_size=18, max_size=18))
def test_lei_with_computed_check_digits_is_valid_and_any_other_is_not(base: str) -> None:
    digits = lei_check_digits(base)
    assert normalise_lei(base + digits) == base + digits
    wrong = f"{(int(digits) + 1) % 100:02d}"
    with pytest.raises(InvalidIdentifier):
        normalise_lei(base + wrong)


def test_duns_and_national_ids() -> None:
    assert normalise_duns("15-048-3782") == "150483782"
    assert normalise_duns("150 483 782") == "150483782"
    for bad in ("15048378", "1504837821", "15048378X"):
        with pytest.raises(InvalidIdentifier) as info:
            normalise_duns(bad)
        assert (info.value.code, info.value.field) == ("invalid_duns", "duns")
    assert normalise_national_id("DE 123 456 789", country="DE", field="tax_id") == "123456789"
    assert normalise_national_id("123.456.789", country="DE", field="tax_id") == "123456789"
    assert normalise_national_id("hrb 12345", country="DE", field="r") == "HRB12345"
    assert normalise_national_id("91440300MA5D8X", country="CN", field="tax_id") == "91440300MA5D8X"
    with pytest.raises(InvalidIdentifier) as info:
        normalise_national_id(" - ", country="DE", field="tax_id")
    assert (info.value.code, info.value.field) == ("invalid_identifier", "tax_id")


def test_buyer_identity_validates() -> None:
    buyer = buyer_identity(
        name=" Acme GmbH ",
        country="DE",
        other_names=["", "Acme Handel"],
        lei="",
        duns=None,
        tax_id="DE123456789",
    )
    assert buyer.name == "Acme GmbH"
    assert buyer.other_names == ("Acme Handel",)
    assert buyer.lei is None
    assert buyer.identifier_keys() == {"tax:DE": "123456789"}
    assert buyer.normalised_names == ("acme", "acme handel")
    with pytest.raises(ValidationFailed) as info:
        buyer_identity(name="  ", country="DE")
    assert (info.value.code, info.value.field) == ("name_required", "name")
    with pytest.raises(UnknownCountry):
        buyer_identity(name="Acme", country="XX")


def test_same_on_identifier_even_with_different_names_and_countries() -> None:
    a = buyer_identity(name="Apple Inc.", country="US", lei="HWUPKR0MPOU8FGXBT394")
    b = buyer_identity(name="Apple Computer", country="IE", lei="hwupkr0mpou8fgxbt394")
    result = match_buyer(a, b)
    assert (result.verdict, result.matched_on, result.score) == (MatchVerdict.SAME, "lei", 1.0)


def test_tax_id_only_matches_within_a_country() -> None:
    a = buyer_identity(name="Alpha", country="DE", tax_id="123456789")
    b = buyer_identity(name="Omega", country="AT", tax_id="123456789")
    assert match_buyer(a, b).verdict is MatchVerdict.DIFFERENT
    c = buyer_identity(name="Omega", country="DE", tax_id="DE123456789")
    result = match_buyer(a, c)
    assert (result.verdict, result.matched_on) == (MatchVerdict.SAME, "tax:DE")


def test_same_on_normalised_name_and_country_across_scripts() -> None:
    trad = buyer_identity(name="深圳華為技術有限公司", country="CN")
    simp = buyer_identity(name="深圳华为技术有限公司", country="CN")
    assert match_buyer(trad, simp).verdict is MatchVerdict.SAME
    korean = buyer_identity(name="(주)삼성전자", country="KR")
    assert (
        match_buyer(korean, buyer_identity(name="삼성전자 주식회사", country="KR")).verdict
        is MatchVerdict.SAME
    )
    latin = buyer_identity(
        name="Samsung Electronics Co., Ltd.", country="KR", other_names=["삼성전자주식회사"]
    )
    assert match_buyer(korean, latin).matched_on == "name"
    assert match_buyer(korean, latin).verdict is MatchVerdict.SAME


def test_same_name_other_country_is_different() -> None:
    a = buyer_identity(name="Acme GmbH", country="DE")
    b = buyer_identity(name="Acme GmbH", country="AT")
    result = match_buyer(a, b)
    assert (result.verdict, result.reason) == (MatchVerdict.DIFFERENT, "different countries")


def test_same_name_but_conflicting_identifier_goes_to_review() -> None:
    a = buyer_identity(name="Acme GmbH", country="DE", registration_number="HRB 1")
    b = buyer_identity(name="ACME GmbH", country="DE", registration_number="HRB 2")
    result = match_buyer(a, b)
    assert (result.verdict, result.reason) == (
        MatchVerdict.POSSIBLE,
        "same name and country but different reg:DE",
    )


def test_similar_name_is_possible_dissimilar_is_different() -> None:
    a = buyer_identity(name="Acme Trading Co Ltd", country="GB")
    b = buyer_identity(name="Acme Tradeing Company Limited", country="GB")
    result = match_buyer(a, b)
    assert result.verdict is MatchVerdict.POSSIBLE
    assert result.score == pytest.approx(0.857142857)
    assert result.score >= POSSIBLE_MATCH_THRESHOLD
    c = buyer_identity(name="Zenith Logistics Ltd", country="GB")
    assert match_buyer(a, c).verdict is MatchVerdict.DIFFERENT
    assert name_similarity("Hyundai Motor", "Motor Hyundai Co") == 1.0


def test_rank_matches_orders_same_before_possible() -> None:
    candidate = buyer_identity(name="Acme Trading Ltd", country="GB", duns="150483782")
    pool = [
        buyer_identity(name="Zenith Ltd", country="GB"),
        buyer_identity(name="Acme Tradeing Ltd", country="GB"),
        buyer_identity(name="Something else", country="GB", duns="150483782"),
        buyer_identity(name="Acme Trading", country="FR"),
    ]
    ranked = rank_matches(candidate, pool)
    assert [(i, r.verdict) for i, r in ranked] == [
        (2, MatchVerdict.SAME),
        (1, MatchVerdict.POSSIBLE),
    ]


_names = st.sampled_from(
    [
        "Acme GmbH",
        "ACME Trading Co., Ltd.",
        "Acme Tradeing",
        "深圳华为技术",
        "深圳華為技術有限公司",
        "(주)삼성전자",
        "삼성전자",
        "Zenith",
        "Zenith Ltd",
    ]
)
_identities = st.builds(
    lambda name, country, duns, reg: buyer_identity(
        name=name, country=country, duns=duns, registration_number=reg
    ),
    _names,
    st.sampled_from(["DE", "CN", "KR"]),
    st.sampled_from([None, "150483782", "804735132"]),
    st.sampled_from([None, "A1", "B2"]),
)


@given(_identities, _identities)
def test_matching_is_symmetric(a: BuyerIdentity, b: BuyerIdentity) -> None:
    forward, backward = match_buyer(a, b), match_buyer(b, a)
    assert (forward.verdict, forward.score) == (backward.verdict, backward.score)


@given(st.text(max_size=30), st.text(max_size=30))
def test_similarity_is_symmetric_and_bounded(a: str, b: str) -> None:
    score = name_similarity(a, b)
    assert score == name_similarity(b, a)
    assert 0.0 <= score <= 1.0


@given(st.text(max_size=30))
def test_normalisation_is_idempotent(raw: str) -> None:
    once = normalise_name(raw)
    assert normalise_name(once) == once

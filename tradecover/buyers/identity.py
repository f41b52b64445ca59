"""Who a buyer is: name and identifier normalisation, and the matching of two buyer records.

One registry of buyers is shared by every insured ([domain L-14]), so the same importer
asked for by two exporters must end up as one record.  Matching works in three steps:

1. **Identifiers.** A shared LEI, DUNS number, tax id or registration number (the last two
   within the same country) makes two records the ``same`` buyer.
2. **Exact name.** The same normalised name in the same country is the ``same`` buyer,
   unless both records carry an identifier of one scheme and the values differ: then the
   name alone is not trusted and the pair goes to review (``possible``).
3. **Similar name.** A similar name in the same country (:func:`name_similarity` at or
   above :data:`POSSIBLE_MATCH_THRESHOLD`) is a ``possible`` match for the review queue;
   everything else is ``different``.

Name normalisation (:func:`normalise_name`) folds case and width (Unicode NFKC), strips
diacritics, maps the traditional Chinese characters common in company names to their
simplified forms, removes legal forms ("Co., Ltd.", "GmbH", "S.A.", "LLC", "有限公司",
"股份有限公司", "주식회사", "(주)"...) and punctuation, and collapses whitespace.  It is
deliberately conservative: it never transliterates between scripts, so a Chinese name
and its English trading name match only through :attr:`BuyerIdentity.other_names`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from tradecover.kit.errors import ValidationFailed
from tradecover.reference.countries import check_country

POSSIBLE_MATCH_THRESHOLD: Final = 0.75
"""Lowest :func:`name_similarity` at which two names in one country go to the review queue."""

# --- names ------------------------------------------------------------------------------

# Traditional -> simplified forms of characters frequent in company names and legal forms.
# Not a general converter (that needs a dictionary such as OpenCC): enough to make
# "深圳華為技術有限公司" and "深圳华为技术有限公司" normalise alike.
_TRADITIONAL_TO_SIMPLIFIED: Final[dict[str, str]] = dict(
    zip(
        "責貿實業團際國進發電機產廠灣臺線綫絲鋼鐵銀藥醫療車輪運輸務門開網絡資訊設備導體環農"
        "飲龍鳳億萬豐達聯華廣興紡織製義偉傑賓樂滙匯寶順鴻榮勝騰陽遠質號層術為積動處區歐亞經營"
        "貨儲碼島漢倉庫聖協會礦裝飾價彙衛據復總築鏈",
        "责贸实业团际国进发电机产厂湾台线线丝钢铁银药医疗车轮运输务门开网络资讯设备导体环农"
        "饮龙凤亿万丰达联华广兴纺织制义伟杰宾乐汇汇宝顺鸿荣胜腾阳远质号层术为积动处区欧亚经营"
        "货储码岛汉仓库圣协会矿装饰价汇卫据复总筑链",
        strict=True,
    )
)
_TRANSLATE_CHINESE: Final = str.maketrans(_TRADITIONAL_TO_SIMPLIFIED)

# Legal forms written in CJK scripts, matched as a prefix or suffix of the whole name
# (these scripts write no spaces).  Longest first, after traditional -> simplified.
_CJK_LEGAL_SUFFIXES: Final[tuple[str, ...]] = tuple(
    sorted(
        {
            "股份有限公司",
            "有限责任公司",
            "有限公司",
            "股份公司",
            "公司",
            "株式会社",
            "有限会社",
            "合同会社",
            "주식회사",
            "유한책임회사",
            "유한회사",
            "합자회사",
            "합명회사",
        },
        key=len,
        reverse=True,
    )
)
_CJK_LEGAL_PREFIXES: Final[tuple[str, ...]] = (
    "주식회사",
    "유한책임회사",
    "유한회사",
    "株式会社",
    "有限会社",
    "合同会社",
)
# "(주)", "㈜" (NFKC: "(주)"), "(유)", "(株)", "㈱", "(有)": abbreviated legal forms.
_ABBREVIATED_FORM: Final = re.compile(r"[(（]\s*(?:주|유|株|有|合)\s*[)）]")

# Latin-script legal forms, as token sequences after folding and dot removal.
_LATIN_LEGAL_FORMS: Final[tuple[tuple[str, ...], ...]] = tuple(
    sorted(
        {
            tuple(form.split())
            for form in (
                "co ltd",
                "co limited",
                "company limited",
                "company ltd",
                "ltd",
                "limited",
                "inc",
                "incorporated",
                "corp",
                "corporation",
                "co inc",
                "co",
                "llc",
                "llp",
                "lp",
                "plc",
                "pllc",
                "pte ltd",
                "pvt ltd",
                "private limited",
                "pty ltd",
                "pty",
                "sdn bhd",
                "bhd",
                "gmbh",
                "gmbh and co kg",
                "gmbh co kg",
                "ag",
                "kg",
                "kgaa",
                "ohg",
                "ug",
                "ev",
                "sa",
                "sas",
                "sarl",
                "sasu",
                "snc",
                "srl",
                "spa",
                "sl",
                "slu",
                "sa de cv",
                "sapi de cv",
                "de cv",
                "ltda",
                "eireli",
                "bv",
                "nv",
                "vof",
                "oy",
                "oyj",
                "ab",
                "publ",
                "a s",
                "s a",
                "asa",
                "aps",
                "ks",
                "sp z oo",
                "spzoo",
                "sro",
                "as",
                "ooo",
                "oao",
                "zao",
                "pao",
                "ao",
                "kk",
                "kabushiki kaisha",
                "yugen kaisha",
                "jsc",
                "pjsc",
                "ojsc",
                "cjsc",
                "tbk",
                "pt",
                "jv",
                "ltd co",
                "limited liability company",
                "public limited company",
                "joint stock company",
            )
        },
        key=len,
        reverse=True,
    )
)
# Forms that also stand first in a name ("PT Astra", "OOO Romashka", "KK Sony").
_LATIN_LEADING_FORMS: Final = frozenset(
    {
        ("pt",),
        ("ooo",),
        ("oao",),
        ("zao",),
        ("pao",),
        ("ao",),
        ("kk",),
        ("cv",),
        ("jsc",),
        ("pjsc",),
    }
)


_LETTERS_WITHOUT_MARKS: Final[dict[str, str | int | None]] = {
    "ø": "o",
    "đ": "d",
    "ł": "l",
    "ß": "ss",
    "æ": "ae",
    "œ": "oe",
    "ı": "i",
    "þ": "th",
}
_FOLD_LETTERS: Final = str.maketrans(_LETTERS_WITHOUT_MARKS)


def fold_text(text: str) -> str:
    """Fold case, width and diacritics: NFKC, casefold, drop combining marks, NFC again.

    Hangul syllables decompose into jamo (letters, not marks) and recompose unchanged;
    traditional Chinese characters common in company names become simplified.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFKD", folded)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    # Letters that do not decompose into base + mark.
    stripped = stripped.translate(_FOLD_LETTERS)
    return unicodedata.normalize("NFC", stripped).translate(_TRANSLATE_CHINESE)


def _is_cjk(ch: str) -> bool:
    name = unicodedata.name(ch, "")
    return name.startswith(("CJK", "HANGUL", "HIRAGANA", "KATAKANA"))


def _tokens(folded: str) -> list[str]:
    text = _ABBREVIATED_FORM.sub(" ", folded)
    text = text.replace("&", " and ").replace("+", " and ")
    # Dots vanish ("S.A." -> "sa", "L.L.C." -> "llc"); other punctuation separates words.
    text = text.replace(".", "").replace("'", "").replace("’", "")
    text = "".join(ch if ch.isalnum() else " " for ch in text)
    return text.split()


def _strip_latin_forms(tokens: list[str]) -> list[str]:
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for form in _LATIN_LEGAL_FORMS:
            n = len(form)
            if len(tokens) > n and tuple(tokens[-n:]) == form:
                tokens = tokens[:-n]
                changed = True
                break
        if len(tokens) > 1 and (tokens[0],) in _LATIN_LEADING_FORMS:
            tokens = tokens[1:]
            changed = True
    return tokens


def _strip_cjk_forms(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for token in tokens:
        changed = True
        while changed:
            changed = False
            for suffix in _CJK_LEGAL_SUFFIXES:
                if token.endswith(suffix) and len(token) > len(suffix):
                    token, changed = token[: -len(suffix)], True
                    break
            for prefix in _CJK_LEGAL_PREFIXES:
                if token.startswith(prefix) and len(token) > len(prefix):
                    token, changed = token[len(prefix) :], True
                    break
        out.append(token)
    # A legal form standing alone as a word ("삼성전자 주식회사") goes too.
    kept = [t for t in out if t not in _CJK_LEGAL_SUFFIXES and t not in _CJK_LEGAL_PREFIXES]
    return kept or out


def normalise_name(name: str) -> str:
    """Return the matching form of a company name: folded, legal forms and punctuation gone.

    >>> normalise_name("Müller Maschinenbau GmbH & Co. KG")
    'muller maschinenbau'
    >>> normalise_name("深圳華為技術有限公司")
    '深圳华为技术'
    >>> normalise_name("(주)삼성전자")
    '삼성전자'

    A name made only of a legal form keeps it rather than becoming empty.
    """
    tokens = _tokens(fold_text(name))
    tokens = _strip_cjk_forms(tokens)
    tokens = _strip_latin_forms(tokens)
    return " ".join(tokens)


def _bigrams(text: str) -> list[str]:
    compact = text.replace(" ", "")
    if not compact:
        return []
    if len(compact) == 1:
        return [compact]
    return [compact[i : i + 2] for i in range(len(compact) - 1)]


def _dice(a: Sequence[str], b: Sequence[str]) -> float:
    if not a or not b:
        return 0.0
    counts: dict[str, int] = {}
    for gram in a:
        counts[gram] = counts.get(gram, 0) + 1
    common = 0
    for gram in b:
        if counts.get(gram, 0) > 0:
            counts[gram] -= 1
            common += 1
    return 2 * common / (len(a) + len(b))


def name_similarity(a: str, b: str) -> float:
    """Similarity in [0, 1] of two names, after :func:`normalise_name`; symmetric.

    The larger of two scores: the Sørensen-Dice coefficient of character bigrams of the
    names without spaces (catches spelling variants, and works for CJK names, which have
    no spaces), and the Jaccard index of the word sets (catches reordered words).
    """
    na, nb = normalise_name(a), normalise_name(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 1.0
    dice = _dice(_bigrams(na), _bigrams(nb))
    words_a, words_b = set(na.split()), set(nb.split())
    jaccard = len(words_a & words_b) / len(words_a | words_b)
    return max(dice, jaccard)


# --- identifiers ------------------------------------------------------------------------


class InvalidIdentifier(ValidationFailed):
    """An identifier (LEI, DUNS, tax id, registration number) is malformed."""

    default_code = "invalid_identifier"


_SEPARATORS: Final = re.compile(r"[\s\-./_,]")


def _compact(raw: str) -> str:
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw)).upper()


def _mod97(text: str) -> int:
    """ISO 7064 MOD 97-10 remainder of an alphanumeric string (A=10 ... Z=35)."""
    return int("".join(str(int(ch, 36)) for ch in text)) % 97


def lei_check_digits(base: str) -> str:
    """The two ISO 17442 check digits of an 18-character LEI base (ISO 7064 MOD 97-10)."""
    compact = _compact(base)
    if len(compact) != 18 or not compact.isalnum() or not compact.isascii():
        raise InvalidIdentifier(
            "an LEI base is 18 letters or digits", code="invalid_lei", field="lei"
        )
    return f"{98 - _mod97(compact + '00'):02d}"


def normalise_lei(raw: str, *, field: str = "lei") -> str:
    """Return the LEI in canonical form (20 upper-case characters) or raise ``invalid_lei``.

    ISO 17442: 18 alphanumeric characters and two check digits such that the whole,
    letters read as 10..35, is 1 modulo 97.
    """
    lei = _compact(raw)
    if len(lei) != 20 or not lei.isascii() or not lei.isalnum() or not lei[18:].isdigit():
        raise InvalidIdentifier(
            f"{raw!r} is not a 20-character LEI", code="invalid_lei", field=field
        )
    if _mod97(lei) != 1:
        raise InvalidIdentifier(
            f"{raw!r} fails the LEI check digits (ISO 17442)", code="invalid_lei", field=field
        )
    return lei


def normalise_duns(raw: str, *, field: str = "duns") -> str:
    """Return a D-U-N-S number as its 9 digits (``"15-048-3782"`` -> ``"150483782"``)."""
    duns = _compact(raw)
    if len(duns) != 9 or not duns.isascii() or not duns.isdigit():
        raise InvalidIdentifier(
            f"{raw!r} is not a 9-digit D-U-N-S number", code="invalid_duns", field=field
        )
    return duns


def normalise_national_id(raw: str, *, country: str, field: str) -> str:
    """Normalise a tax id or registration number of ``country`` as a plain string.

    Separators (spaces, hyphens, dots, slashes) go and letters are upper-cased; a leading
    prefix equal to the country code followed by a digit (VAT style, ``"DE123456789"``) is
    dropped, so ``"DE 123 456 789"`` and ``"123456789"`` compare equal.  The format of each
    country's numbers is not checked.
    """
    value = _compact(raw)
    if len(value) > 2 and value.startswith(country) and value[2].isdigit():
        value = value[2:]
    if not value or not value.isalnum():
        raise InvalidIdentifier(
            f"{raw!r} is not an identifier", code="invalid_identifier", field=field
        )
    return value


# --- matching ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BuyerIdentity:
    """What identifies a buyer (or bank): names, country and any identifiers known.

    Build it with :func:`buyer_identity`, which validates and normalises every field.
    """

    name: str
    country: str
    other_names: tuple[str, ...] = ()
    lei: str | None = None
    duns: str | None = None
    tax_id: str | None = None
    registration_number: str | None = None
    normalised_names: tuple[str, ...] = field(default=(), compare=False)

    def identifier_keys(self) -> dict[str, str]:
        """Identifier scheme -> value; national schemes are keyed by country (``tax:CN``)."""
        keys: dict[str, str] = {}
        if self.lei:
            keys["lei"] = self.lei
        if self.duns:
            keys["duns"] = self.duns
        if self.tax_id:
            keys[f"tax:{self.country}"] = self.tax_id
        if self.registration_number:
            keys[f"reg:{self.country}"] = self.registration_number
        return keys


def buyer_identity(
    *,
    name: str,
    country: str,
    other_names: Iterable[str] = (),
    lei: str | None = None,
    duns: str | None = None,
    tax_id: str | None = None,
    registration_number: str | None = None,
) -> BuyerIdentity:
    """Validate and normalise a buyer's identity; blank identifiers count as absent."""
    if not name or not name.strip():
        raise ValidationFailed("a buyer needs a name", code="name_required", field="name")
    code = check_country(country)
    names = (name.strip(), *(n.strip() for n in other_names if n and n.strip()))
    return BuyerIdentity(
        name=names[0],
        country=code,
        other_names=names[1:],
        lei=normalise_lei(lei) if lei and lei.strip() else None,
        duns=normalise_duns(duns) if duns and duns.strip() else None,
        tax_id=(
            normalise_national_id(tax_id, country=code, field="tax_id")
            if tax_id and tax_id.strip()
            else None
        ),
        registration_number=(
            normalise_national_id(registration_number, country=code, field="registration_number")
            if registration_number and registration_number.strip()
            else None
        ),
        normalised_names=tuple(dict.fromkeys(n for n in map(normalise_name, names) if n)),
    )


class MatchVerdict(StrEnum):
    """Whether two records are the same buyer."""

    SAME = "same"
    POSSIBLE = "possible"  # to the review queue
    DIFFERENT = "different"


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The verdict on a pair of records, the evidence (``matched_on``) and the name score."""

    verdict: MatchVerdict
    score: float
    matched_on: str
    reason: str


def _names(identity: BuyerIdentity) -> tuple[str, ...]:
    if identity.normalised_names:
        return identity.normalised_names
    return tuple(n for n in map(normalise_name, (identity.name, *identity.other_names)) if n)


def match_buyer(candidate: BuyerIdentity, existing: BuyerIdentity) -> MatchResult:
    """Decide whether ``candidate`` is ``existing``: same, possible (review) or different.

    Symmetric: swapping the two arguments gives the same result.
    """
    ids_a, ids_b = candidate.identifier_keys(), existing.identifier_keys()
    shared = sorted(k for k in ids_a.keys() & ids_b.keys() if ids_a[k] == ids_b[k])
    if shared:
        return MatchResult(
            MatchVerdict.SAME, 1.0, shared[0], f"same {shared[0].split(':')[0]} identifier"
        )
    conflicting = sorted(k for k in ids_a.keys() & ids_b.keys() if ids_a[k] != ids_b[k])
    if candidate.country != existing.country:
        return MatchResult(MatchVerdict.DIFFERENT, 0.0, "country", "different countries")
    names_a, names_b = _names(candidate), _names(existing)
    if set(names_a) & set(names_b):
        if conflicting:
            return MatchResult(
                MatchVerdict.POSSIBLE,
                1.0,
                "name",
                f"same name and country but different {conflicting[0]}",
            )
        return MatchResult(MatchVerdict.SAME, 1.0, "name", "same normalised name and country")
    score = max((name_similarity(a, b) for a in names_a for b in names_b), default=0.0)
    if score >= POSSIBLE_MATCH_THRESHOLD:
        return MatchResult(
            MatchVerdict.POSSIBLE, score, "name", f"similar name in the same country ({score:.2f})"
        )
    return MatchResult(MatchVerdict.DIFFERENT, score, "name", "names differ")


def rank_matches(
    candidate: BuyerIdentity, existing: Sequence[BuyerIdentity]
) -> list[tuple[int, MatchResult]]:
    """The records of ``existing`` that may be ``candidate``: (index, result), best first.

    ``same`` verdicts come before ``possible`` ones, each by falling score, then index;
    ``different`` records are left out.
    """
    order = {MatchVerdict.SAME: 0, MatchVerdict.POSSIBLE: 1}
    found = [(i, match_buyer(candidate, other)) for i, other in enumerate(existing)]
    kept = [(i, r) for i, r in found if r.verdict is not MatchVerdict.DIFFERENT]
    return sorted(kept, key=lambda item: (order[item[1].verdict], -item[1].score, item[0]))

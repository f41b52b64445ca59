"""The rules in docs/domain stand alone: every citation resolves, every link reaches code.

* every ``[domain X-N]`` cited in the code, tests, benchmarks and docs names a rule whose
  anchor exists on its page;
* no wording that points outside the repository (issue numbers, a guide that is not in it,
  "source 00N" instead of ``[00N]``) is left in ``tradecover/`` or ``docs/``, and the
  rewrite script leaves none anywhere;
* every rule of docs/domain has its "Code:" and "Tests:" links, every relative link of
  docs/ reaches a file (and its anchor), and every function or class a rule names in a
  code link is defined in the file it links.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[3]
DOMAIN = ROOT / "docs" / "domain"
PREFIXES = {
    "P": "policy-lifecycle.md",
    "L": "limits.md",
    "D": "declarations-and-premium.md",
    "C": "claims.md",
    "R": "pricing.md",
    "I": "investment-debt.md",
    "S": "subsidies.md",
    "PF": "portfolio-risk.md",
    "A": "automatic-attachment.md",
    "FR": "feed-reconciliation.md",
    "CS": "consents.md",
    "CO": "coinsurance.md",
    "MK": "market.md",
    "BA": "bank-assignments.md",
    "DT": "domestic-trade-credit.md",
}
CITATION = re.compile(r"\[domain ([A-Z]{1,2})-(\d+)\]")
ANCHOR = re.compile(r'<a id="([a-z0-9-]+)"></a>')
RULE_HEADING = re.compile(r'^## <a id="([a-z]{1,2}-\d+)"></a>([A-Z]{1,2}-\d+) ', re.MULTILINE)
LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")
# The exact wording the project never writes (as the done criterion greps it).
FORBIDDEN = re.compile(r"issue [0-9]|domain\.md|source 00")


def _rewriter() -> ModuleType:
    path = ROOT / "scripts" / "rewrite_citations.py"
    spec = importlib.util.spec_from_file_location("rewrite_citations", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


REWRITER = _rewriter()


def _anchors(page: Path) -> set[str]:
    text = page.read_text(encoding="utf-8")
    heads = {
        re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-")
        for h in re.findall(r"^#+ (.+)$", text, re.MULTILINE)
    }
    return set(ANCHOR.findall(text)) | heads


def _sources() -> list[Path]:
    """The files the rewrite covers (this folder's examples quote the old wording)."""
    return list(REWRITER.files_under(["."]))


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_every_domain_citation_names_a_rule_that_exists() -> None:
    anchors = {prefix: _anchors(DOMAIN / page) for prefix, page in PREFIXES.items()}
    broken = [
        f"{_rel(path)}: [domain {prefix}-{n}]"
        for path in _sources()
        for prefix, n in CITATION.findall(path.read_text(encoding="utf-8"))
        if f"{prefix.lower()}-{n}" not in anchors.get(prefix, set())
    ]
    assert broken == []


def test_the_citation_map_names_only_rules_that_exist() -> None:
    anchors = {prefix: _anchors(DOMAIN / page) for prefix, page in PREFIXES.items()}
    rules = [
        *REWRITER.SECTIONS.values(),
        *(r for by_file in REWRITER.FILE_SECTIONS.values() for r in by_file.values()),
        *(
            m
            for phrases in REWRITER.PHRASES.values()
            for _, new in phrases
            for m in re.findall(r"\[domain ([A-Z]{1,2}-\d+)\]", new)
        ),
    ]
    missing = [r for r in rules if r.lower() not in anchors[r.split("-")[0]]]
    assert missing == []
    pages = [
        t
        for t in REWRITER.PAGES.values()
        if not (ROOT / t.partition("#")[0]).is_file()
        or (t.partition("#")[2] and t.partition("#")[2] not in _anchors(ROOT / t.partition("#")[0]))
    ]
    assert pages == []


@pytest.mark.parametrize("top", ["tradecover", "docs"])
def test_no_wording_points_outside_the_repository(top: str) -> None:
    files = sorted((ROOT / top).rglob("*.py" if top == "tradecover" else "*.md"))
    found = [
        f"{_rel(path)}:{i}: {line.strip()}"
        for path in files
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if FORBIDDEN.search(line)
    ]
    assert found == []


def test_the_rewrite_leaves_no_old_citation_anywhere() -> None:
    left = []
    for path in _sources():
        result = REWRITER.rewrite(_rel(path), path.read_text(encoding="utf-8"))
        assert result.unmapped == [], _rel(path)
        left += [f"{_rel(path)}: {m.group(0)}" for m in REWRITER.FORBIDDEN.finditer(result.text)]
    assert left == []


@pytest.mark.parametrize(
    ("path", "before", "after"),
    [
        (
            "tradecover/limits/versions.py",
            "Source 002 (六.2) and [rules §4]: a limit",
            "[002] (六.2) and [domain L-8]: a limit",
        ),
        (
            "tradecover/claims/indemnity.py",
            "[rules §4] and 7: ``indemnity``",
            "[domain L-1], [domain C-8]: ``indemnity``",
        ),
        (
            "tradecover/declarations/model.py",
            "premium ([rules §5], 6).",
            "premium ([domain D-1], [domain D-9]).",
        ),
        (
            "tradecover/policies/review.py",
            "metrics ([rules §3.4]) and",
            "metrics ([domain P-8]) and",
        ),
        (
            "tests/unit/x.py",
            '"""Bad input (issue 3, bad input)."""',
            '"""Bad input (bad input)."""',
        ),
        ("tests/unit/x.py", '"""Caps hold (issue 3).\n', '"""Caps hold.\n'),
        (
            "tests/unit/x.py",
            '"""Every bad input of issue 2 item 7: a 4xx',
            '"""Every bad input: a 4xx',
        ),
        ("tests/unit/x.py", '"""Issue 14 through the API: it', '"""Through the API: it'),
        ("benchmarks/x.py", "through HTTP (issue 6: p99 < 10 ms).", "through HTTP (p99 < 10 ms)."),
        ("tests/unit/x.py", "pauses ([002] 5; domain.md 3.5).", "pauses ([002] 5; [domain P-10])."),
        (
            "tradecover/x.py",
            "see ``docs/rules/input-hygiene.md``",
            "see ``docs/security/input-hygiene.md``",
        ),
        (
            "docs/architecture.md",
            "[rules](rules/limit-utilisation.md)",
            "[rules](domain/limits.md#l-12)",
        ),
        ("docs/operations/x.md", "[rules](../rules/core.md)", "[rules](../domain/README.md)"),
    ],
)
def test_rewrite_examples_and_a_second_run_changes_nothing(
    path: str, before: str, after: str
) -> None:
    once = REWRITER.rewrite(path, before)
    assert once.text == after
    assert REWRITER.rewrite(path, once.text).text == after


def test_an_unknown_section_is_reported_not_guessed() -> None:
    result = REWRITER.rewrite("tradecover/x.py", "see [rules §42]")
    assert result.text == "see [rules §42]"
    assert result.unmapped == ["[rules §42]"]


@pytest.mark.parametrize("page", sorted(PREFIXES.values()))
def test_every_rule_has_code_and_tests(page: str) -> None:
    text = (DOMAIN / page).read_text(encoding="utf-8")
    blocks = RULE_HEADING.split(text)[1:]
    assert blocks, page
    prefix = next(p for p, name in PREFIXES.items() if name == page)
    numbers = []
    for anchor, rule, body in zip(blocks[0::3], blocks[1::3], blocks[2::3], strict=True):
        assert anchor == rule.lower()
        assert rule.split("-")[0] == prefix
        numbers.append(int(rule.split("-")[1]))
        assert "\nCode: [" in body, rule
        assert "\nTests: [" in body, rule
    assert numbers == list(range(1, len(numbers) + 1))


def test_every_link_in_docs_reaches_a_file_and_anchor() -> None:
    broken = []
    for page in sorted((ROOT / "docs").rglob("*.md")):
        for _, target in LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            dest = (page.parent / file).resolve() if file else page
            if not dest.exists() or (
                anchor and dest.suffix == ".md" and anchor not in _anchors(dest)
            ):
                broken.append(f"{_rel(page)}: {target}")
    assert broken == []


def test_every_name_a_rule_links_is_defined_in_its_file() -> None:
    missing = []
    for page in sorted(DOMAIN.glob("*.md")):
        for text, target in LINK.findall(page.read_text(encoding="utf-8")):
            name = text.strip("`")
            if not (text.startswith("`") and target.endswith(".py")):
                continue
            source = (page.parent / target).resolve().read_text(encoding="utf-8")
            defined = rf"^\s*(?:async def|def|class) {re.escape(name)}\b|^{re.escape(name)}\b"
            if not re.search(defined, source, re.MULTILINE):
                missing.append(f"{page.name}: {name} in {target}")
    assert missing == []

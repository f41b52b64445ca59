"""The official EN 16931 Schematron, compiled to XSLT, run with Saxon (``saxonche``).

Where the operator configures the compiled XSLT of the EN 16931 validation artefacts
(settings ``TRADECOVER_EN16931_UBL_SCHEMATRON_XSLT`` and ``..._CII_SCHEMATRON_XSLT``),
each e-invoice that passed the built-in rules is also transformed by it; every fatal
``svrl:failed-assert`` becomes a reason ``en16931_<assert id>``.  The stylesheet is
compiled once per path and reused (a lock serialises the Saxon processor, which is not
shared safely between threads).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from tradecover.feeds.record import Reason
from tradecover.feeds.safe_xml import XmlLimits, compile_xpath, parse_xml

SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
_FAILED = compile_xpath("//svrl:failed-assert", {"svrl": SVRL_NS})
_TEXT = compile_xpath("svrl:text//text()", {"svrl": SVRL_NS})
_REPORT_LIMITS = XmlLimits(max_bytes=64 * 1024 * 1024, max_depth=32)
SCHEMATRON_FAILED = "schematron_failed"


class SchematronValidator:
    """One compiled Schematron XSLT; :meth:`breaches` runs it on a document."""

    def __init__(self, xslt_path: str | Path) -> None:
        from saxonche import PySaxonProcessor  # loaded only where the operator configures it

        self.path = Path(xslt_path)
        self._lock = threading.Lock()
        self._processor: Any = PySaxonProcessor(license=False)
        compiler = self._processor.new_xslt30_processor()
        self._executable: Any = compiler.compile_stylesheet(stylesheet_file=str(self.path))
        if self._executable is None:
            raise ValueError(f"{self.path} did not compile as XSLT")

    def breaches(self, document: bytes) -> list[Reason]:
        """The fatal failed assertions of ``document`` (already checked safe to parse)."""
        try:
            with self._lock:
                node = self._processor.parse_xml(xml_text=document.decode("utf-8"))
                report = self._executable.transform_to_string(xdm_node=node)
        except Exception as error:  # Saxon raises its own PySaxonApiError and others
            return [Reason(SCHEMATRON_FAILED, str(error)[:300])]
        if not report:
            return [Reason(SCHEMATRON_FAILED, "the stylesheet produced no report")]
        root = parse_xml(report.encode("utf-8"), _REPORT_LIMITS)
        found: list[Reason] = []
        for failed in _FAILED(root):
            if (failed.get("flag") or "fatal") != "fatal":
                continue
            rule = failed.get("id") or "unknown"
            text = " ".join(" ".join(_TEXT(failed)).split())
            found.append(Reason(f"en16931_{rule}", text[:300]))
        return found


@dataclass(frozen=True, slots=True)
class Schematrons:
    """The configured validators per syntax (UBL, CII); None where not configured."""

    ubl: SchematronValidator | None = None
    cii: SchematronValidator | None = None

    @classmethod
    def from_paths(cls, ubl: str | Path | None, cii: str | Path | None) -> Schematrons:
        """Validators of the configured XSLT paths (compiled once, reused)."""
        return cls(
            schematron_validator(ubl) if ubl else None, schematron_validator(cii) if cii else None
        )


_compile_lock = threading.Lock()


@lru_cache(maxsize=4)
def _compiled(path: str) -> SchematronValidator:
    return SchematronValidator(path)


def schematron_validator(xslt_path: str | Path) -> SchematronValidator:
    """The validator of ``xslt_path``, compiled on first use and reused afterwards."""
    with _compile_lock:
        return _compiled(str(Path(xslt_path).resolve()))

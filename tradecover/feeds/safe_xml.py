"""Safe XML parsing for every feed: no DTD, no entity, no network, bounded size and depth.

A document is refused before lxml sees it when it is larger than the limit or declares a
DOCTYPE (which alone is where entities, external or "billion laughs", can be declared); it
is then parsed with entities, DTD loading and the network off and ``huge_tree`` off, and
refused when nested deeper than the limit.  Refusals raise :class:`~.record.Refusal` with
``document_too_large``, ``xml_doctype_forbidden``, ``xml_malformed`` or ``xml_too_deep``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from tradecover.feeds.record import Refusal

DOCUMENT_TOO_LARGE = "document_too_large"
XML_DOCTYPE_FORBIDDEN = "xml_doctype_forbidden"
XML_MALFORMED = "xml_malformed"
XML_TOO_DEEP = "xml_too_deep"

_DOCTYPE_TEXT = re.compile(r"<!DOCTYPE", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class XmlLimits:
    """How large and how deep a document may be (an e-invoice is rarely over 1 MiB)."""

    max_bytes: int = 10 * 1024 * 1024
    max_depth: int = 64


DEFAULT_LIMITS = XmlLimits()

_local = threading.local()


def _parser() -> etree.XMLParser:
    # lxml parsers must not be shared between threads: one per thread.
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            dtd_validation=False,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            collect_ids=False,
        )
        _local.parser = parser
    return parser


@lru_cache(maxsize=8)
def _deeper_than(depth: int) -> etree.XPath:
    """An XPath true when an element sits ``depth + 1`` levels down (evaluated in C)."""
    return etree.XPath("boolean(/*" + "/*" * depth + ")")


def _declares_doctype(data: bytes) -> bool:
    head = data[:4]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        try:
            return _DOCTYPE_TEXT.search(data.decode("utf-16")) is not None
        except UnicodeDecodeError:
            return True  # unreadable as UTF-16 either: refuse rather than guess
    # XML spells it in capitals only; any other spelling is malformed and refused as such
    return b"<!DOCTYPE" in data


def check_size(data: bytes, limits: XmlLimits = DEFAULT_LIMITS) -> None:
    """Refuse a document over ``limits.max_bytes``."""
    if len(data) > limits.max_bytes:
        raise Refusal(DOCUMENT_TOO_LARGE, f"{len(data)} bytes, the limit is {limits.max_bytes}")


def parse_xml(data: bytes, limits: XmlLimits = DEFAULT_LIMITS) -> etree._Element:
    """Parse ``data`` safely and return its root element, or raise a :class:`Refusal`."""
    if not isinstance(data, bytes | bytearray):
        raise Refusal(XML_MALFORMED, "the document is not bytes")
    check_size(data, limits)
    if _declares_doctype(data):
        raise Refusal(
            XML_DOCTYPE_FORBIDDEN, "a DOCTYPE (DTD or entity declarations) is not accepted"
        )
    try:
        root = etree.fromstring(bytes(data), _parser())
    except etree.XMLSyntaxError as error:
        message = str(error)
        if "depth" in message.lower():
            raise Refusal(XML_TOO_DEEP, message) from None
        raise Refusal(XML_MALFORMED, message) from None
    except ValueError as error:  # e.g. an encoding lxml does not know
        raise Refusal(XML_MALFORMED, str(error)) from None
    if root is None:
        raise Refusal(XML_MALFORMED, "no root element")
    if _deeper_than(limits.max_depth)(root):
        raise Refusal(XML_TOO_DEEP, f"elements nested deeper than {limits.max_depth} levels")
    return root


def compile_xpath(expression: str, namespaces: dict[str, str]) -> etree.XPath:
    """An XPath compiled once (module level), returning plain strings (no smart strings)."""
    return etree.XPath(expression, namespaces=namespaces, smart_strings=False)


def first_text(xpath: etree.XPath, node: etree._Element) -> str | None:
    """The first string ``xpath`` finds under ``node``, stripped; None when absent or blank."""
    found = xpath(node)
    if not found:
        return None
    value = found[0]
    text = value if isinstance(value, str) else (value.text or "")
    text = text.strip()
    return text or None


Children = dict[str, list[etree._Element]]
"""The child elements of one element, by tag (Clark notation), in document order."""


def children(node: etree._Element | None) -> Children:
    """One pass over ``node``'s children (cheaper than one XPath call per field)."""
    found: Children = {}
    if node is not None:
        for child in node:
            found.setdefault(child.tag, []).append(child)
    return found


def child(kids: Children, tag: str) -> etree._Element | None:
    """The first child of ``tag``, or None."""
    nodes = kids.get(tag)
    return nodes[0] if nodes else None


def child_text(kids: Children, tag: str) -> str | None:
    """The stripped text of the first child of ``tag``; None when absent or blank."""
    nodes = kids.get(tag)
    if not nodes:
        return None
    text = (nodes[0].text or "").strip()
    return text or None

"""PDF letters in the reader's language: the layout the notices and letters share.

A letter is a title, a block of labelled fields, an optional table and closing
paragraphs, rendered on A4 by reportlab.  Chinese and Korean text is set in the CID fonts
every PDF reader carries (STSong-Light for Simplified Chinese, MSung-Light for
Traditional Chinese, HYSMyeongJo-Medium for Korean: ``UnicodeCIDFont``), so no font file
is shipped or fetched; other languages use Helvetica, but a text that holds Chinese,
Japanese or Korean characters (a buyer's or exporter's own name) is set in a CID font.
Money and dates are written the way the reader's locale writes them (Babel).  The caller
gives every text already translated; this module only lays it out.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tradecover.kit.money import Money

CID_FONTS = {"zh_Hans": "STSong-Light", "zh_Hant": "MSung-Light", "ko": "HYSMyeongJo-Medium"}
"""The built-in CID font of each CJK language of the dashboard."""

LATIN_FONT = "Helvetica"
WIDTH = 170 * mm
"""The width of a letter's text on A4 with margins of 20 mm."""
CHUNK = 40
"""Rows of a letter's table per reportlab table (about a page)."""
MEDIA_TYPE = "application/pdf"


@lru_cache(maxsize=8)
def font_of(locale: str) -> str:
    """The font a letter in ``locale`` is set in (registered with reportlab once)."""
    name = CID_FONTS.get(locale)
    if name is None:
        return LATIN_FONT
    pdfmetrics.registerFont(UnicodeCIDFont(name))
    return name


def _font_for(text: str, font: str) -> str:
    """``font``, or the CID font that can show ``text`` when Helvetica cannot."""
    if font != LATIN_FONT or all(ord(c) < 0x2E80 for c in text):
        return font
    hangul = any(0xAC00 <= ord(c) <= 0xD7AF or 0x1100 <= ord(c) <= 0x11FF for c in text)
    return font_of("ko" if hangul else "zh_Hans")


def _babel_locale(locale: str) -> Locale:
    try:
        return Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def money_text(value: Money, locale: str) -> str:
    """``value`` with its currency, to the currency's minor unit, as ``locale`` writes it."""
    return str(
        format_currency(
            value.rounded().amount,
            value.currency,
            locale=_babel_locale(locale),
            currency_digits=True,
        )
    )


def date_text(value: date | None, locale: str) -> str:
    """A business date as ``locale`` writes it (medium length); a dash when absent."""
    if value is None:
        return "—"
    return str(format_date(value, format="medium", locale=_babel_locale(locale)))


@dataclass(frozen=True, slots=True)
class Letter:
    """What a letter says, every text already in the reader's language."""

    title: str
    fields: Sequence[tuple[str, str]]
    table_header: Sequence[str] = ()
    table_rows: Sequence[Sequence[str]] = ()
    paragraphs: Sequence[str] = field(default_factory=tuple)
    stamp: Sequence[str] = ()
    """Lines printed at the foot of every page: a registered document's number and where
    to verify it (empty: no footer)."""


def render(letter: Letter, locale: str) -> bytes:
    """The PDF of ``letter`` set in the font of ``locale`` (A4, one or more pages).

    The same letter always renders to the same bytes (reportlab's invariant mode: no
    creation time, no random file identifier), so a registered document's hash can be
    compared with a new rendering.
    """
    font = font_of(locale)
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=14)
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=22, spaceAfter=6 * mm)
    cell = ParagraphStyle("cell", parent=body, fontSize=9, leading=11)

    def text(value: str, style: ParagraphStyle = body) -> Paragraph:
        wanted = _font_for(value, font)
        if wanted != font:
            style = ParagraphStyle(f"{style.name}-cid", parent=style, fontName=wanted)
        return Paragraph(escape(value), style)

    story: list[object] = [text(letter.title, title)]
    if letter.fields:
        fields = Table(
            [[text(label), text(value)] for label, value in letter.fields],
            colWidths=[55 * mm, 115 * mm],
            hAlign="LEFT",
        )
        fields.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story += [fields, Spacer(1, 6 * mm)]
    if letter.table_header:
        # the rows are plain strings (a Paragraph per cell costs far more), in the letter's
        # font or, cell by cell, a CID one; tables of CHUNK rows, each with the header,
        # since reportlab splits one long table across pages in quadratic time
        header = [text(h, cell) for h in letter.table_header]
        widths = [WIDTH / len(header)] * len(header)
        rows = [list(row) for row in letter.table_rows]
        for start in range(0, max(len(rows), 1), CHUNK):
            chunk = rows[start : start + CHUNK]
            commands: list[tuple[object, ...]] = [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 1), (-1, -1), font),
                ("FONTSIZE", (0, 1), (-1, -1), 8),
            ]
            for y, row in enumerate(chunk, start=1):
                for x, value in enumerate(row):
                    if (wanted := _font_for(value, font)) != font:
                        commands.append(("FONTNAME", (x, y), (x, y), wanted))
            grid = Table([header, *chunk], colWidths=widths, repeatRows=1, hAlign="LEFT")
            grid.setStyle(TableStyle(commands))
            story.append(grid)
        story.append(Spacer(1, 6 * mm))
    story += [text(p) for p in letter.paragraphs]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=letter.title,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=25 * mm,
        invariant=1,
    )
    stamp = [(line, _font_for(line, font)) for line in letter.stamp]

    def footer(canvas: Any, _document: object) -> None:
        canvas.saveState()
        for row, (line, line_font) in enumerate(stamp):
            canvas.setFont(line_font, 8)
            canvas.drawString(20 * mm, (14 - 4 * row) * mm, line)
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()

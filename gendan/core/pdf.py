"""Printed forms (PDF) with reportlab: A4, a Chinese font, a title, header tables and line tables.

The font: WenQuanYi Micro Hei (TrueType, embedded as a subset, so the PDF shows Chinese on any viewer)
when its file exists, else reportlab's built-in CID font STSong-Light (not embedded: needs a CJK font in
the viewer). Either way the text stays real text that `pdftotext` and search find.

Every piece of user text goes through `para()` / `esc()`: reportlab's paragraphs parse markup, so `<` or
`&` in a customer's requirements must be escaped, not interpreted.
"""

import datetime as dt
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from gendan.core.numbers import money_text, number_text, price_text

logger = logging.getLogger("gendan.pdf")

DEFAULT_FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
FALLBACK_CID_FONT = "STSong-Light"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 14 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
GRID = colors.HexColor("#6b7280")
SHADE = colors.HexColor("#eef0f3")
RISK = colors.HexColor("#b91c1c")


@lru_cache(maxsize=4)
def _font_for(path: str) -> str:
    if path and Path(path).is_file():
        try:
            pdfmetrics.registerFont(TTFont("WQY", path, subfontIndex=0))
            return "WQY"
        except Exception as exc:  # a damaged or unsupported font file: fall back, do not fail the print
            logger.warning(
                "cannot use the PDF font %s (%s); falling back to %s", path, exc, FALLBACK_CID_FONT
            )
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID_FONT))
    return FALLBACK_CID_FONT


def font_name() -> str:
    """The registered font for Chinese text (settings.PDF_FONT_PATH may point at another TrueType file)."""
    return _font_for(str(getattr(settings, "PDF_FONT_PATH", DEFAULT_FONT_PATH) or ""))


def company_name() -> str:
    return str(getattr(settings, "COMPANY_NAME", "") or "")


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    heading: ParagraphStyle
    subtitle: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    label: ParagraphStyle
    small: ParagraphStyle
    risk: ParagraphStyle


def styles() -> Styles:
    font = font_name()
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
    cell = ParagraphStyle("cell", parent=body, fontSize=8.5, leading=11)
    return Styles(
        title=ParagraphStyle("title", parent=body, fontSize=13, leading=17, alignment=TA_CENTER),
        heading=ParagraphStyle(
            "heading", parent=body, fontSize=18, leading=24, alignment=TA_CENTER, spaceAfter=2
        ),
        subtitle=ParagraphStyle(
            "subtitle", parent=body, fontSize=10.5, leading=14, spaceBefore=8, spaceAfter=3
        ),
        body=body,
        cell=cell,
        cell_right=ParagraphStyle("cell_right", parent=cell, alignment=TA_RIGHT),
        label=ParagraphStyle("label", parent=cell, textColor=colors.HexColor("#374151")),
        small=ParagraphStyle(
            "small", parent=body, fontSize=7.5, leading=10, textColor=colors.HexColor("#4b5563")
        ),
        risk=ParagraphStyle("risk", parent=body, textColor=RISK),
    )


def esc(value: Any) -> str:
    return escape(text(value)).replace("\n", "<br/>")


def text(value: Any) -> str:
    """How a value prints: dates ISO, times local to the minute, numbers without float noise."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def qty(value: Decimal | None) -> str:
    """100.000 → 100, 12.500 → 12.5, with thousands separators."""
    return number_text(value)


def money(value: Decimal | None, places: int = 2) -> str:
    return money_text(value, places)


def price(value: Decimal | None) -> str:
    """A unit price: two decimals, more only when it has them (12.50, 0.0125)."""
    return price_text(value)


def para(value: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(esc(value), style)


def kv_table(pairs: Sequence[tuple[str, Any]], st: Styles, *, columns: int = 2) -> Table:
    """Label/value pairs, `columns` pairs per row (labels shaded)."""
    label_w = 22 * mm
    value_w = CONTENT_WIDTH / columns - label_w
    rows: list[list[Any]] = []
    for start in range(0, len(pairs), columns):
        row: list[Any] = []
        for label, value in pairs[start : start + columns]:
            row += [para(label, st.label), value if isinstance(value, Flowable) else para(value, st.cell)]
        row += ["", ""] * (columns - len(pairs[start : start + columns]))
        rows.append(row)
    table = Table(rows, colWidths=[label_w, value_w] * columns)
    commands: list[tuple] = [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    commands += [("BACKGROUND", (2 * i, 0), (2 * i, -1), SHADE) for i in range(columns)]
    table.setStyle(TableStyle(commands))
    return table


def grid_table(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    st: Styles,
    *,
    widths: Sequence[float],
    right: Sequence[int] = (),
    footer: Sequence[Any] | None = None,
    footer_span: int = 1,
) -> Table:
    """A line table: shaded header repeated on each page, `right` columns right-aligned, optional footer
    row whose label spans the first `footer_span` columns."""
    right_set = set(right)

    def cells(values: Sequence[Any]) -> list[Any]:
        return [
            v if isinstance(v, Flowable) else para(v, st.cell_right if i in right_set else st.cell)
            for i, v in enumerate(values)
        ]

    data = [cells(header), *[cells(r) for r in rows]]
    if footer is not None:
        data.append(cells(footer))
    total = sum(widths)
    table = Table(data, colWidths=[w * CONTENT_WIDTH / total for w in widths], repeatRows=1)
    commands: list[tuple] = [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if footer is not None:
        commands.append(("BACKGROUND", (0, -1), (-1, -1), SHADE))
        if footer_span > 1:
            commands.append(("SPAN", (0, -1), (footer_span - 1, -1)))
    table.setStyle(TableStyle(commands))
    return table


def heading_block(document_title: str, st: Styles, *, subtitle: str = "") -> list[Flowable]:
    """Company name, the form's title (e.g. 业务通知单), an optional line under it."""
    story: list[Flowable] = []
    if company := company_name():
        story.append(para(company, st.title))
    story.append(para(document_title, st.heading))
    if subtitle:
        story.append(para(subtitle, ParagraphStyle("sub", parent=st.small, alignment=TA_CENTER)))
    story.append(Spacer(1, 4 * mm))
    return story


def section(title: str, st: Styles, *flowables: Flowable, long: bool = False) -> list[Flowable]:
    """A titled block. Short blocks stay on one page; a `long` one (a line table that may run over pages)
    starts on a new page only if less than 40 mm are left, then splits with its header row repeated."""
    heading = para(title, st.subtitle)
    if long:
        return [CondPageBreak(40 * mm), heading, *flowables]
    return [KeepTogether([heading, *flowables])]


def pdf_bytes(*, title: str, story: list[Flowable], footer: str = "") -> bytes:
    """Lay out `story` on A4 with a footer line: `footer` left, 第 N 页 right."""
    font = font_name()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=title,
        author=company_name() or "gendan",
        creator="gendan",
    )

    def on_page(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 7.5)
        canvas.setFillColor(colors.HexColor("#4b5563"))
        canvas.drawString(MARGIN, MARGIN - 2 * mm, footer)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, MARGIN - 2 * mm, f"第 {document.page} 页")
        canvas.restoreState()

    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def printed_footer(*, user: Any, document_number: str) -> str:
    return f"{document_number} · 打印：{user} · {text(timezone.now())}"


def pdf_response(content: bytes, *, filename: str, inline: bool = True) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["Cache-Control"] = "private, no-store"
    return response

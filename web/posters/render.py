"""A poster's printable A4 page, as PDF (fpdf2, its core Helvetica) or PNG (Pillow).

The QR code (segno) holds the poster's short link. Helvetica covers Latin-1 only: names are
written in it as they are, and any other letter (rare in Kemendagri's names) as its plain
ASCII form, so nothing is dropped silently. Several posters make one PDF of several pages.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence

import segno
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from locales import Translator
from web.posters.facts import Poster

A4_MM = (210.0, 297.0)
PNG_DPI = 150
#: Dark blue (headings) and the ink of the rest.
BLUE = (20, 60, 130)
INK = (30, 30, 30)


#: Punctuation outside Latin-1 that has a plain form (a dash in "4–5" must stay a dash).
_PLAIN = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
    }
)


def latin1(text: str) -> str:
    """``text`` in Helvetica's Latin-1: each other letter as its plain ASCII form (or dropped)."""
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return "".join(_char(c) for c in text.translate(_PLAIN))
    return text


def _char(c: str) -> str:
    if ord(c) < 256:
        return c
    return unicodedata.normalize("NFKD", c).encode("ascii", "ignore").decode("ascii")


def lines(tr: Translator, poster: Poster) -> list[tuple[str, float, tuple[int, int, int]]]:
    """The poster's lines above the QR code: (text, size in points, colour)."""
    return [
        (tr.t("poster.heading"), 20, INK),
        (poster.title, 40, BLUE),
        (poster.place if poster.place != poster.title else "", 16, INK),
        (tr.t("poster.what_1"), 17, INK),
        (tr.t("poster.what_2_wa" if poster.whatsapp_link else "poster.what_2"), 17, INK),
    ]


def below(tr: Translator, poster: Poster) -> list[tuple[str, float, tuple[int, int, int]]]:
    """The lines under the QR code: the link and the unit that answers (with two codes, their
    links are under each, :func:`codes`)."""
    link: list[tuple[str, float, tuple[int, int, int]]] = [
        (tr.t("poster.scan"), 16, INK),
        (poster.link.removeprefix("https://"), 18, BLUE),
    ]
    return [
        *([] if poster.whatsapp_link else link),
        (tr.t("poster.answered_by", unit=poster.unit or "-"), 16, INK),
        (tr.t("poster.footer"), 11, INK),
    ]


def codes(tr: Translator, poster: Poster) -> list[tuple[str, str, str]]:
    """With WhatsApp on, the two codes side by side: (label, link held, short form shown)."""
    if not poster.whatsapp_link:
        return []
    return [
        (tr.t("poster.label_telegram"), poster.link, poster.link.removeprefix("https://")),
        (tr.t("poster.label_whatsapp"), poster.whatsapp_link, f"wa.me/{poster.whatsapp_number}"),
    ]


def _qr_png(link: str, scale: int) -> bytes:
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


QR_MM = 110.0
#: Each of two codes side by side (Telegram, WhatsApp), and the width of its column.
PAIR_QR_MM = 84.0
PAIR_COLUMN_MM = 90.0


def pdf(tr: Translator, posters: Sequence[Poster]) -> bytes:
    """One A4 page per poster."""
    doc = FPDF(orientation="P", unit="mm", format="A4")
    doc.set_auto_page_break(auto=False)
    doc.set_title(latin1(tr.t("poster.document_title")))
    width = A4_MM[0] - 30
    for poster in posters:
        doc.add_page()
        doc.set_y(18)
        for text, size, colour in lines(tr, poster):
            _pdf_line(doc, text, size, colour, width)
        if poster.whatsapp_link:
            _pdf_line(doc, tr.t("poster.scan_two"), 16, INK, width)
            _pdf_pair(doc, codes(tr, poster))
        else:
            y = doc.get_y() + 4
            qr = io.BytesIO(_qr_png(poster.link, 10))
            doc.image(qr, x=(A4_MM[0] - QR_MM) / 2, y=y, w=QR_MM)
            doc.set_y(y + QR_MM + 4)
        for text, size, colour in below(tr, poster):
            _pdf_line(doc, text, size, colour, width)
    return bytes(doc.output())


def _pdf_pair(doc: FPDF, pair: list[tuple[str, str, str]]) -> None:
    """Two labelled codes side by side, each with its short link under it."""
    y = doc.get_y()
    for column, (label, link, shown) in enumerate(pair):
        x = (A4_MM[0] - 2 * PAIR_COLUMN_MM) / 2 + column * PAIR_COLUMN_MM
        doc.set_font("Helvetica", "B", 18)
        doc.set_text_color(*BLUE)
        doc.set_xy(x, y)
        doc.cell(PAIR_COLUMN_MM, 9, latin1(label), align="C")
        qr_x = x + (PAIR_COLUMN_MM - PAIR_QR_MM) / 2
        doc.image(io.BytesIO(_qr_png(link, 10)), x=qr_x, y=y + 10, w=PAIR_QR_MM)
        size = 13.0  # the short link on one line: smaller while it is wider than its column
        doc.set_font("Helvetica", "", size)
        while size > 7 and doc.get_string_width(latin1(shown)) > PAIR_COLUMN_MM - 4:
            size -= 0.5
            doc.set_font("Helvetica", "", size)
        doc.set_text_color(*INK)
        doc.set_xy(x, y + 11 + PAIR_QR_MM)
        doc.cell(PAIR_COLUMN_MM, 6, latin1(shown), align="C")
    doc.set_y(y + 11 + PAIR_QR_MM + 12)


def _pdf_line(
    doc: FPDF, text: str, size: float, colour: tuple[int, int, int], width: float
) -> None:
    if not text:
        return
    doc.set_font("Helvetica", "B" if size >= 18 else "", size)
    doc.set_text_color(*colour)
    doc.set_x(15)
    doc.multi_cell(width, size * 0.5, latin1(text), align="C")
    doc.ln(2)


def png(tr: Translator, poster: Poster) -> bytes:
    """The poster as an A4 image at 150 dpi."""
    size = (round(A4_MM[0] / 25.4 * PNG_DPI), round(A4_MM[1] / 25.4 * PNG_DPI))
    page = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(page)
    y = 100
    for text, points, colour in lines(tr, poster):
        y = _png_line(draw, text, points, colour, y, size[0])
    if poster.whatsapp_link:
        y = _png_line(draw, tr.t("poster.scan_two"), 16, INK, y + 10, size[0])
        y = _png_pair(page, draw, codes(tr, poster), y)
    else:
        qr_px = _px(QR_MM)
        y += 20
        page.paste(_qr_image(poster.link, qr_px), ((size[0] - qr_px) // 2, y))
        y += qr_px + 20
    for text, points, colour in below(tr, poster):
        y = _png_line(draw, text, points, colour, y, size[0])
    out = io.BytesIO()
    page.save(out, format="PNG", dpi=(PNG_DPI, PNG_DPI))
    return out.getvalue()


def _px(mm: float) -> int:
    return round(mm / 25.4 * PNG_DPI)


def _qr_image(link: str, pixels: int) -> Image.Image:
    qr = Image.open(io.BytesIO(_qr_png(link, 10))).convert("RGB")
    return qr.resize((pixels, pixels), Image.Resampling.NEAREST)


def _png_pair(
    page: Image.Image, draw: ImageDraw.ImageDraw, pair: list[tuple[str, str, str]], y: int
) -> int:
    """Two labelled codes side by side, each with its short link under it; the y below them."""
    column, qr_px = _px(PAIR_COLUMN_MM), _px(PAIR_QR_MM)
    left = (page.width - 2 * column) // 2
    label_font = ImageFont.load_default(size=round(18 * PNG_DPI / 72))
    for index, (label, link, shown) in enumerate(pair):
        x = left + index * column
        points = 13.0  # the short link on one line, as on the PDF
        link_font = ImageFont.load_default(size=round(points * PNG_DPI / 72))
        while points > 7 and draw.textlength(shown, font=link_font) > column - 24:
            points -= 0.5
            link_font = ImageFont.load_default(size=round(points * PNG_DPI / 72))
        for text, font, top, colour in (
            (label, label_font, y, BLUE),
            (shown, link_font, y + 50 + qr_px + 10, INK),
        ):
            text_width = draw.textlength(text, font=font)
            draw.text((x + (column - text_width) / 2, top), text, fill=colour, font=font)
        page.paste(_qr_image(link, qr_px), (x + (column - qr_px) // 2, y + 50))
    return y + 50 + qr_px + 60


def _png_line(
    draw: ImageDraw.ImageDraw,
    text: str,
    points: float,
    colour: tuple[int, int, int],
    y: int,
    width: int,
) -> int:
    if not text:
        return y
    font = ImageFont.load_default(size=round(points * PNG_DPI / 72))
    for line in _wrap(draw, text, font, width - 160):
        left, top, right, bottom = draw.textbbox((0, 0), line, font=font)
        draw.text(((width - (right - left)) // 2, y), line, fill=colour, font=font)
        y += int(bottom - top) + round(points * 0.8)
    return y + 10


def _wrap(
    draw: ImageDraw.ImageDraw,
    text: str,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    width: int,
) -> list[str]:
    out: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and draw.textlength(trial, font=font) > width:
            out.append(current)
            current = word
        else:
            current = trial
    return [*out, current] if current else out

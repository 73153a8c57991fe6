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
        (tr.t("poster.what_2"), 17, INK),
    ]


def below(tr: Translator, poster: Poster) -> list[tuple[str, float, tuple[int, int, int]]]:
    """The lines under the QR code: the link and the unit that answers."""
    return [
        (tr.t("poster.scan"), 16, INK),
        (poster.link.removeprefix("https://"), 18, BLUE),
        (tr.t("poster.answered_by", unit=poster.unit or "-"), 16, INK),
        (tr.t("poster.footer"), 11, INK),
    ]


def _qr_png(link: str, scale: int) -> bytes:
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


QR_MM = 110.0


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
        y = doc.get_y() + 4
        doc.image(io.BytesIO(_qr_png(poster.link, 10)), x=(A4_MM[0] - QR_MM) / 2, y=y, w=QR_MM)
        doc.set_y(y + QR_MM + 4)
        for text, size, colour in below(tr, poster):
            _pdf_line(doc, text, size, colour, width)
    return bytes(doc.output())


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
    qr_px = round(QR_MM / 25.4 * PNG_DPI)
    qr = Image.open(io.BytesIO(_qr_png(poster.link, 10))).convert("RGB")
    qr = qr.resize((qr_px, qr_px), Image.Resampling.NEAREST)
    y += 20
    page.paste(qr, ((size[0] - qr_px) // 2, y))
    y += qr_px + 20
    for text, points, colour in below(tr, poster):
        y = _png_line(draw, text, points, colour, y, size[0])
    out = io.BytesIO()
    page.save(out, format="PNG", dpi=(PNG_DPI, PNG_DPI))
    return out.getvalue()


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

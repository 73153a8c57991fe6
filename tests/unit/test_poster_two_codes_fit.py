"""A poster with both codes (Telegram, WhatsApp) still fits one A4 page for the longest desa name
of the kabupaten and a long unit name: zbar reads both codes from the PDF's one page and the PNG,
and nothing is written below the page's bottom margin."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from core.posters import poster_code, start_link, whatsapp_link
from core.regions import LEVEL_VILLAGE, RegionDirectory, place_name, region_label
from locales import Catalogs
from tests.posters_qr import A4_HEIGHT_PT, decode_pdf, decode_png, lowest_word
from web.posters import render
from web.posters.facts import Poster, with_whatsapp


def _longest_desa() -> Poster:
    regions = RegionDirectory("64.08")
    desa = regions.descendants("64.08", LEVEL_VILLAGE)
    longest = max(desa, key=lambda r: len(place_name(regions, r.code)))
    code = poster_code(longest.code)
    return Poster(
        code=code,
        region_code=longest.code,
        title=region_label(longest),
        place=place_name(regions, longest.code),
        link=start_link("kanal_aduan_kabupaten_kutai_timur_bot", code),
        unit="Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Kutai Timur",
    )


def test_the_longest_names_keep_both_codes_on_one_page(tmp_path: Path) -> None:
    tr = Catalogs("id").get("id")
    poster = with_whatsapp(_longest_desa(), tr, "6281100001234")
    wanted = {poster.link, poster.whatsapp_link}
    assert poster.whatsapp_link == whatsapp_link(
        "6281100001234", f"Halo, saya mau lapor untuk {poster.place} (kode {poster.code})"
    )
    pdf, png = tmp_path / "p.pdf", tmp_path / "p.png"
    pdf.write_bytes(render.pdf(tr, [poster]))
    png.write_bytes(render.png(tr, poster))
    pages = decode_pdf(pdf)
    assert len(pages) == 1
    assert set(pages[0]) == wanted
    assert set(decode_png(png)) == wanted
    bottom, word = lowest_word(pdf)
    assert bottom < A4_HEIGHT_PT - 20, (bottom, word)
    with Image.open(png) as image:
        margin = image.convert("L").crop((0, image.height - 60, image.width, image.height))
        assert margin.getextrema() == (255, 255)

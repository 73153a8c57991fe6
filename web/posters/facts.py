"""What a poster says: its place, the unit that answers there, and the bot's link with the
poster's code (the deep-link start parameter, core/posters.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from core.posters import poster_code, start_link, whatsapp_link
from core.regions import LEVEL_DISTRICT, LEVEL_VILLAGE, RegionDirectory, place_name, region_label
from core.routing import kecamatan_of
from locales import Translator
from storage.uow import UnitOfWork


class UnknownPlaceError(ValueError):
    """The code names no desa or kecamatan of the deployment."""


@dataclass(frozen=True)
class Poster:
    code: str  # the poster's code (p64_08_01_2001)
    region_code: str
    title: str  # "Desa Sepaso"
    place: str  # "Desa Sepaso, Kec. Bengalon"
    link: str  # https://t.me/<bot>?start=<code>
    unit: str  # the unit that answers there
    #: With WhatsApp on: the chat link of the second QR code (wa.me, the prepared first message
    #: naming the place and carrying the code) and the number it shows; else "".
    whatsapp_link: str = ""
    whatsapp_number: str = ""


def _check(regions: RegionDirectory, code: str, level: int) -> None:
    region = regions.get(code)
    if region is None or region.level != level or not regions.contains(code):
        raise UnknownPlaceError(code)


def places_of(regions: RegionDirectory, *, desa: str = "", kecamatan: str = "") -> list[str]:
    """The region codes to print: one desa, or every desa of a kecamatan in order."""
    if desa:
        _check(regions, desa, LEVEL_VILLAGE)
        return [desa]
    _check(regions, kecamatan, LEVEL_DISTRICT)
    return [r.code for r in sorted(regions.children(kecamatan), key=lambda r: r.code)]


async def answering_unit(uow: UnitOfWork, region_code: str) -> str:
    """The unit that answers reports from there: the desa's own unit, else its kecamatan's,
    else the coordinator (as routing falls back, core/routing.py)."""
    for area in dict.fromkeys((region_code, kecamatan_of(region_code))):
        unit = await uow.units.by_area(area)
        if unit is not None and unit.active:
            return unit.name
    coordinator = await uow.units.coordinator()
    return coordinator.name if coordinator is not None else ""


async def poster_for(
    uow: UnitOfWork, regions: RegionDirectory, bot_username: str, region_code: str
) -> Poster:
    region = regions.get(region_code)
    if region is None or region.level not in (LEVEL_DISTRICT, LEVEL_VILLAGE):
        raise UnknownPlaceError(region_code)
    code = poster_code(region_code)
    return Poster(
        code=code,
        region_code=region_code,
        title=region_label(region),
        place=place_name(regions, region_code),
        link=start_link(bot_username, code),
        unit=await answering_unit(uow, region_code),
    )


def with_whatsapp(poster: Poster, tr: Translator, number: str) -> Poster:
    """The poster with its WhatsApp code, when ``number`` is set."""
    if not number:
        return poster
    text = tr.t("poster.whatsapp_text", place=poster.place, code=poster.code)
    return replace(poster, whatsapp_link=whatsapp_link(number, text), whatsapp_number=number)


async def posters_for(
    uow: UnitOfWork,
    regions: RegionDirectory,
    tr: Translator,
    codes: Sequence[str],
    *,
    bot_username: str,
    whatsapp: str = "",
) -> list[Poster]:
    """The posters of ``codes`` (the console's and ``aduan poster``'s), each with its WhatsApp
    code when ``whatsapp`` (:func:`core.posters.poster_whatsapp`) is set."""
    made = [await poster_for(uow, regions, bot_username, code) for code in codes]
    return [with_whatsapp(poster, tr, whatsapp) for poster in made]

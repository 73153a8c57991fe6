"""Laporan serupa: before a citizen files what others already reported, show them those open
reports the unit verified and whose reporter chose biasa (what, which desa, status — never who,
the address detail or when) and let them support one instead ("👍 Dukung laporan ini"). See
docs/similar.md.

``offer`` is called by the intake flow once the category, the desa and the location (or its
skip) are known; ``on_button`` takes the offer's buttons.
"""

from __future__ import annotations

from cases.supporters import SupportRefusal, may_merge, support
from cases.supporters import originals as find_originals
from core.similar import Match, Place, offerable, similar
from core.tracking import TrackingCheck, parse_tracking_number
from handlers import draft as drafts
from handlers.actions import InlineKeyboard
from handlers.case import Case
from handlers.consent import ask_consent, current_citizen
from handlers.events import Message
from handlers.formatting import category_name, place_name
from handlers.menu import main_menu
from handlers.notices import refresh_cards
from handlers.steps import ChatStep, about
from handlers.turn import SCOPE_GLOBAL, Turn
from storage.models import Report
from storage.supporters import SupporterRepository, since

SUPPORT = "simsup"
CONTINUE = "simgo"


def _repo(turn: Turn) -> SupporterRepository:
    return SupporterRepository(turn.uow.session)


async def offer(turn: Turn, message: Message) -> None:
    """On the location step: when the message gives (or skips) the location, show similar open
    reports, if any, before the report goes on. Leaves the intake flow to do the rest."""
    draft = drafts.load(turn.conversation)
    config = turn.deps.config
    # A report filed for someone at the counter is not offered as support of another (the
    # officer is not the one who would support it).
    if draft.editing or draft.behalf or config.similar_days <= 0 or not draft.desa:
        return
    latitude = longitude = None
    if message.location is not None:
        latitude, longitude = message.location.latitude, message.location.longitude
        if not config.region_bounds.contains(latitude, longitude):
            return
    elif message.text.strip() != turn.t("gps.skip"):
        return
    citizen = await current_citizen(turn)
    place = Place(
        category=draft.category,
        region_code=draft.desa,
        latitude=latitude,
        longitude=longitude,
        citizen_id=citizen.id if citizen else None,
    )
    candidates = await _repo(turn).candidates(place.category, since(turn.now, config.similar_days))
    matches = similar(
        place,
        [c for c in candidates if offerable(c.status, c.privacy)],
        now=turn.now,
        radius_m=config.similar_radius_meters,
        days=config.similar_days,
    )
    if not matches:
        return
    await _show(turn, matches)


async def _show(turn: Turn, matches: list[Match]) -> None:
    lang = turn.conversation.language
    counts = await _repo(turn).counts([m.candidate.report_id for m in matches])
    lines = [turn.t("similar.found", count=len(matches))]
    rows = []
    for index, found in enumerate(matches, start=1):
        report = await turn.uow.reports.get(found.candidate.report_id)
        if report is None or not _offerable(report):
            continue
        # The desa only: the address detail is the reporter's words ("depan rumah Bu Siti").
        where = place_name(turn.deps.regions, report.region_code)
        if found.distance_m is not None:
            where += " " + turn.t("similar.distance", meters=round(found.distance_m))
        lines.append(
            turn.t(
                "similar.item",
                n=index,
                number=report.tracking_no,
                category=category_name(turn.deps.categories, report.category, lang),
                place=where,
                status=turn.t(f"status.label.{report.status}"),
                supporters=counts.get(report.id, 0),
            )
        )
        label = turn.t("similar.support", n=index)
        rows.append((turn.button(label, SUPPORT, str(report.id), scope=SCOPE_GLOBAL),))
    lines.append(turn.t("similar.choose"))
    rows.append((turn.button(turn.t("similar.continue"), CONTINUE, scope=SCOPE_GLOBAL),))
    turn.send("\n\n".join(lines), InlineKeyboard(rows=tuple(rows)))


async def on_button(turn: Turn, action: str, arg: str) -> bool:
    """The offer's buttons; False for any other button."""
    if action == CONTINUE:
        turn.answer()
        turn.show(turn.t("similar.continued"), None)
        return True
    if action == SUPPORT:
        await _support(turn, arg)
        return True
    return False


def _offerable(report: Report) -> bool:
    """What a citizen may be offered and support: verified, biasa, still open."""
    return offerable(report.status, report.privacy)


async def _support(turn: Turn, arg: str) -> None:
    citizen = await current_citizen(turn)
    if citizen is None:
        turn.answer()
        ask_consent(turn)
        return
    report = await turn.uow.reports.get(int(arg)) if arg.isdigit() else None
    supported = await support(Case(turn.uow, turn.deps, turn.now).work, report, citizen.id)
    if isinstance(supported, SupportRefusal):
        key = "similar.own" if supported == SupportRefusal.OWN else "similar.not_open"
        turn.answer(turn.t(key), alert=True)
        return
    assert report is not None
    turn.answer()
    if supported.added:
        await refresh_cards(Case(turn.uow, turn.deps, turn.now), report)
    # The citizen's own draft is not sent: they follow this report instead.
    conv = turn.conversation
    if conv.step == ChatStep.INTAKE:
        drafts.save(conv, drafts.Draft())
        conv.draft_started_at = None
    # Their next messages (words, photos) are additions for the unit, as a supporter's
    # (handlers/followup.py), until they pick something else.
    conv.step = about(ChatStep.FOLLOWUP, report.id)
    conv.step_seq += 1
    turn.show(turn.t("similar.chosen", number=report.tracking_no), None)
    key = "similar.supported" if supported.added else "similar.already"
    turn.send(
        turn.t(
            key,
            number=report.tracking_no,
            status=turn.t(f"status.label.{report.status}"),
            count=supported.count,
        ),
        main_menu(turn.tr),
    )


# --- the unit: a new report is a duplicate of an open one -------------------------------------

DUPLICATE_ARG = "d"


async def originals(turn: Turn, report: Report) -> list[Report]:
    """Open reports the unit may merge ``report`` into: similar ones filed before it."""
    config = turn.deps.config
    return await find_originals(
        _repo(turn),
        report,
        turn.now,
        radius_m=config.similar_radius_meters,
        days=config.similar_days,
    )


async def original_of(turn: Turn, report: Report, arg: str) -> Report | None:
    """The original named by a picker's ``d<id>`` argument, if it may carry ``report``."""
    digits = arg[len(DUPLICATE_ARG) :]
    original = await turn.uow.reports.get(int(digits)) if digits.isdigit() else None
    return original if may_merge(report, original) else None


async def original_by_number(turn: Turn, report: Report, number: str) -> Report | None:
    """The original named by its tracking number in ``/arsipkan NOMOR duplikat NOMOR_ASLI``."""
    parsed = parse_tracking_number(number)
    if parsed.check != TrackingCheck.VALID:
        return None
    original = await turn.uow.reports.by_tracking_number(parsed.number)
    return original if may_merge(report, original) else None

"""The report card (kartu laporan) officers see in their group, and its action buttons.

The card is sent as Telegram HTML (``SendText.html``): every value in it is escaped, and the
map is a short link. Button data is ``u:<report id>:<action>[:<arg>]``, signed like every
button of the bot; the server checks it again against the report and the chat when it is pressed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Final

from core.callbacks import sign_callback
from core.disclosure import Audience, disclosure
from core.lifecycle import OFFICER_ACTIONS, OPEN_STATUSES, Privacy, ReportStatus
from core.permissions import ARCHIVE_REASONS, ActorKind, CaseAction, refusal
from core.whatsapp import WHATSAPP_CHANNEL
from handlers.actions import InlineButton, InlineKeyboard
from handlers.deps import HandlerDeps
from handlers.formatting import category_name, place_name, short_datetime
from handlers.stage_dates import stage_due
from locales import Translator
from storage.models import Citizen, Report, Unit
from storage.rights import erased_reason

UNIT_SCOPE = "u"
#: Room left for the card's own lines when the description is quoted in it.
CARD_DESCRIPTION_MAX = 3000


@dataclass(frozen=True)
class CardView:
    """What a card shows besides the report itself."""

    unit: Unit | None
    citizen: Citizen | None
    show_identity: bool
    photo_count: int
    moved_to: Unit | None = None
    # Shown in the coordinator's group (which may see more of the reporter, core.disclosure).
    coordinator: bool = False
    # Citizens who support the report (laporan serupa); never who they are.
    supporters: int = 0
    # The day the card is written (local): a deadline gone by says since when it is late.
    today: date | None = None
    # Where the report was transferred from, and the reason given (for the unit holding it now).
    moved_from: Unit | None = None
    moved_reason: str = ""
    # Internal notes on the report (their count only: the words are in the group and console).
    internal_notes: int = 0
    # Voice notes and videos among the evidence (``core.clips``): (voice, video).
    clips: tuple[int, int] = (0, 0)
    # Filed on the citizen's behalf (lapor atas nama warga): how it came and who took it.
    taken_via: str = ""
    taken_by: str = ""


def unit_button(
    deps: HandlerDeps, text: str, report_id: int, action: str, arg: str = ""
) -> InlineButton:
    payload = f"{UNIT_SCOPE}:{report_id}:{action}" + (f":{arg}" if arg else "")
    return InlineButton(text=text, data=sign_callback(payload, deps.config.callback_secret))


def map_link(latitude: float, longitude: float) -> str:
    return f"https://www.openstreetmap.org/?mlat={latitude:.6f}&mlon={longitude:.6f}#map=17/{latitude:.6f}/{longitude:.6f}"


#: How a hidden reporter is named, and the warning beside a reporter the coordinator alone sees.
_HIDDEN = {Privacy.ANONIM: "card.reporter_hidden", Privacy.RAHASIA: "card.reporter_confidential"}
_SHOWN = {
    Privacy.ANONIM: "card.reporter_anonymous_shown",
    Privacy.RAHASIA: "card.reporter_confidential_shown",
}


def reporter_line(tr: Translator, report: Report, view: CardView) -> str:
    """The reporter as ``core.disclosure`` lets this group see them: name and contact, or a
    word saying why they are hidden."""
    privacy = report.privacy
    audience = Audience.COORDINATOR_GROUP if view.coordinator else Audience.UNIT_GROUP
    rule = disclosure(privacy, audience, coordinator_sees_anonymous=view.show_identity)
    if not rule.reporter:
        return tr.t(_HIDDEN[privacy]) if privacy in _HIDDEN else "-"
    if view.citizen is None:
        return "-"
    if reason := erased_reason(view.citizen):
        return tr.t(f"rights.erased_reporter.{reason}")
    contact = f" (@{view.citizen.username})" if view.citizen.username else ""
    if view.citizen.phone:
        contact = f" ({view.citizen.phone})"
    line = f"{view.citizen.name or '-'}{contact}"
    return tr.t(_SHOWN[privacy], reporter=line) if privacy in _SHOWN else line


def _h(text: object) -> str:
    """Text inside a card, which is sent as Telegram HTML (the map is a link)."""
    return escape(str(text), quote=False)


def card_text(tr: Translator, deps: HandlerDeps, report: Report, view: CardView) -> str:
    """The card as Telegram HTML, read top-down: what (category and the citizen's words),
    where (place, address, a short map link), status and deadline, then the rest."""
    lang = tr.language
    description = report.description
    if len(description) > CARD_DESCRIPTION_MAX:
        description = description[:CARD_DESCRIPTION_MAX] + "…"
    status = report.status
    # Each line is escaped whole (the catalogue's words and the values alike); only the map
    # link is HTML.
    where = [_h(tr.t("card.place", place=place_name(deps.regions, report.region_code)))]
    if report.address_detail:
        where.append(_h(tr.t("card.address", address=report.address_detail)))
    if report.latitude is not None and report.longitude is not None:
        url = escape(map_link(report.latitude, report.longitude), quote=True)
        where.append(f'<a href="{url}">{_h(tr.t("card.map_link"))}</a>')
    status_key = "card.status.closed" if report.closed_at else f"card.status.{status.value}"
    what = tr.t(
        "card.what",
        number=report.tracking_no,
        type=tr.t(f"type.{report.report_type}"),
        category=category_name(deps.categories, report.category, lang),
    )
    today = view.today or report.created_at.date()
    due = stage_due(tr, status, report.due_date, deps.calendar, today)
    when = tr.t("card.when", status=tr.t(status_key), due=due)
    rest = tr.t(
        "card.rest",
        unit=view.unit.name if view.unit else "-",
        privacy=tr.t(f"privacy.{report.privacy}"),
        reporter=reporter_line(tr, report, view),
        photos=view.photo_count or tr.t("card.no_photo"),
        created=short_datetime(report.created_at, deps.config.timezone, lang),
    )
    lines = [_h(what), _h(description), "", *where, "", _h(when), "", _h(rest)]
    if report.channel == WHATSAPP_CHANNEL:
        lines += ["", _h(tr.t("wa.card.came_by"))]
    if view.moved_from is not None and view.moved_to is None:
        moved = tr.t("card.moved_from", unit=view.moved_from.name, reason=view.moved_reason or "-")
        lines += ["", _h(moved)]
    if view.taken_via:
        taken = tr.t(f"card.taken.{view.taken_via}", officer=view.taken_by or "-")
        lines += ["", _h(taken)]
    if view.supporters:
        lines += ["", _h(tr.t("card.supporters", count=view.supporters))]
    if any(view.clips):
        lines += ["", _h(tr.t("clips.card", voice=view.clips[0], video=view.clips[1]))]
    if view.internal_notes:
        lines += ["", _h(tr.t("card.internal_notes", count=view.internal_notes))]
    if report.assignee_id and view.moved_to is None:
        lines += ["", _h(tr.t("card.assignee", name=report.assignee_name or "-"))]
    if view.moved_to is not None:
        lines += ["", _h(tr.t("card.moved", unit=view.moved_to.name))]
    elif report.rating is not None:
        lines += ["", _h(tr.t("card.rated", rating=report.rating))]
    return "\n".join(lines)


#: The card's daily actions, on its first screen; the others wait behind "⋯ Lainnya".
FIRST_SCREEN: Final = (
    CaseAction.VERIFY,
    CaseAction.ASK,
    CaseAction.ANSWER,
    CaseAction.NOTE,
    CaseAction.DONE,
)
#: The buttons that switch the card between its two screens (``u:<report id>:mo`` / ``:le``).
MORE_BUTTON = "mo"
LESS_BUTTON = "le"
#: A card's message link (``message_links.action``, otherwise only a prompt's) while the card
#: shows its second screen: a redraw keeps that screen (handlers/card_screens.py).
SHOWING_MORE = "more"


def card_keyboard(
    tr: Translator,
    deps: HandlerDeps,
    report: Report,
    *,
    coordinator: bool = False,
    more: bool = False,
) -> InlineKeyboard | None:
    """The actions possible in the report's status for the group (``coordinator``: the
    coordinator's, which alone may undo a referral): only "💬 Jawab pelapor" (and "📝 Catatan
    internal") while the reporter is asked to confirm, none once it is closed or archived.
    The daily actions (``FIRST_SCREEN``) come first with "⋯ Lainnya"; ``more``: the other
    screen, the rest with "‹ Kembali". A single other button, or no daily one, needs no
    second screen."""
    status = report.status
    kind = ActorKind.COORDINATOR if coordinator else ActorKind.OFFICER
    actions = [action for action in OFFICER_ACTIONS if not refusal(action, status, kind)]
    # An internal note is possible in every status (a reply with the marker, the console), but
    # a closed card keeps no buttons: the note's button comes with the others.
    if not [action for action in actions if action != CaseAction.INTERNAL_NOTE]:
        return None

    def button(action: CaseAction) -> InlineButton:
        return unit_button(deps, tr.t(f"card.button.{action.value}"), report.id, action.value)

    # A new report's daily choice is to verify it or send it where it belongs.
    daily = (*FIRST_SCREEN, CaseAction.TRANSFER) if status == ReportStatus.BARU else FIRST_SCREEN
    first = [button(action) for action in actions if action in daily]
    later = [action for action in actions if action not in daily]
    assigning = [b for row in assignment_row(tr, deps, report) for b in row]
    one_screen = len(later) + len(assigning) <= 1 or not first
    if not one_screen and not more:
        others = unit_button(deps, tr.t("card.button.more"), report.id, MORE_BUTTON)
        return InlineKeyboard(rows=(*_rows(first), (others,)))
    # The other screen's buttons are signed only when shown (each card a bulk transfer sends
    # is a first screen: they were made and thrown away).
    rest = [button(action) for action in later] + assigning
    if one_screen:
        return InlineKeyboard(rows=tuple(_rows(first + rest)))
    back = unit_button(deps, tr.t("card.button.back"), report.id, LESS_BUTTON)
    return InlineKeyboard(rows=(*_rows(rest), (back,)))


#: The card's assignment buttons' name in their data (``u:<report id>:as[:<arg>]``): no arg opens
#: the picker of people, ``me`` takes it, ``0`` releases it, a user id names that person.
ASSIGN_BUTTON = "as"
ASSIGN_SELF = "me"
ASSIGN_RELEASE = "0"


def assignment_row(
    tr: Translator, deps: HandlerDeps, report: Report
) -> tuple[tuple[InlineButton, ...], ...]:
    """👤 Tugaskan and 🙋 Saya tangani (✋ Lepas instead while someone has it), on open reports."""
    if report.status not in OPEN_STATUSES or report.closed_at is not None:
        return ()
    pick = unit_button(deps, tr.t("card.button.assign"), report.id, ASSIGN_BUTTON)
    if report.assignee_id:
        other = unit_button(
            deps, tr.t("card.button.release"), report.id, ASSIGN_BUTTON, ASSIGN_RELEASE
        )
    else:
        other = unit_button(deps, tr.t("card.button.take"), report.id, ASSIGN_BUTTON, ASSIGN_SELF)
    return ((pick, other),)


def archive_keyboard(tr: Translator, deps: HandlerDeps, report_id: int) -> InlineKeyboard:
    rows = [
        (
            unit_button(
                deps, tr.t(f"archive.reason.{reason}"), report_id, CaseAction.ARCHIVE, reason
            ),
        )
        for reason in ARCHIVE_REASONS
    ]
    rows.append((unit_button(deps, tr.t("card.button.cancel"), report_id, "x"),))
    return InlineKeyboard(rows=tuple(rows))


#: The transfer picker's steps to a place: the kecamatan list, then one kecamatan's desa
#: (``k<unit id>``). A unit's id as the argument is the destination itself.
AREA_STEP = "a"
KECAMATAN_STEP = "k"
#: Telegram draws at most 100 buttons under a message.
_PICKER_BUTTONS_MAX = 96


def _rows(buttons: list[InlineButton], per_row: int = 2) -> list[tuple[InlineButton, ...]]:
    return [tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def transfer_keyboard(
    tr: Translator, deps: HandlerDeps, report_id: int, units: list[Unit]
) -> InlineKeyboard:
    """The holder's parent, the OPDs and the coordinator; a desa or kecamatan one step on."""
    buttons = [
        unit_button(deps, unit.name[:40], report_id, CaseAction.TRANSFER, str(unit.id))
        for unit in units
    ]
    rows = _rows(buttons)
    area = tr.t("picker.transfer_area")
    rows.append((unit_button(deps, area, report_id, CaseAction.TRANSFER, AREA_STEP),))
    rows.append((unit_button(deps, tr.t("card.button.cancel"), report_id, "x"),))
    return InlineKeyboard(rows=tuple(rows))


def picker_rows(
    tr: Translator, deps: HandlerDeps, report_id: int, buttons: list[InlineButton]
) -> InlineKeyboard:
    """A picker's ``buttons`` two a row, then its cancel button."""
    rows = _rows(buttons[:_PICKER_BUTTONS_MAX])
    rows.append((unit_button(deps, tr.t("card.button.cancel"), report_id, "x"),))
    return InlineKeyboard(rows=tuple(rows))


def duplicate_keyboard(
    tr: Translator, deps: HandlerDeps, report_id: int, originals: list[Report]
) -> InlineKeyboard:
    """Arsipkan → Duplikat: the open similar reports this one may be merged into."""
    rows = [
        (
            unit_button(
                deps,
                f"🔗 {original.tracking_no}",
                report_id,
                CaseAction.ARCHIVE,
                f"d{original.id}",
            ),
        )
        for original in originals
    ]
    rows.append((unit_button(deps, tr.t("card.button.cancel"), report_id, "x"),))
    return InlineKeyboard(rows=tuple(rows))


def kecamatan_keyboard(
    tr: Translator, deps: HandlerDeps, report_id: int, kecamatan: list[Unit]
) -> InlineKeyboard:
    """Step one to a place: which kecamatan."""
    buttons = [
        unit_button(
            deps, unit.name[:40], report_id, CaseAction.TRANSFER, f"{KECAMATAN_STEP}{unit.id}"
        )
        for unit in kecamatan[:_PICKER_BUTTONS_MAX]
    ]
    rows = _rows(buttons)
    rows.append((unit_button(deps, tr.t("card.button.cancel"), report_id, "x"),))
    return InlineKeyboard(rows=tuple(rows))


def desa_keyboard(
    tr: Translator,
    deps: HandlerDeps,
    report_id: int,
    office: Unit | None,
    desa: list[Unit],
) -> InlineKeyboard:
    """Step two: the kecamatan's office itself, or one of its desa/kelurahan."""
    rows: list[tuple[InlineButton, ...]] = []
    if office is not None:
        label = tr.t("picker.kecamatan_office", unit=office.name[:40])
        rows.append((unit_button(deps, label, report_id, CaseAction.TRANSFER, str(office.id)),))
    buttons = [
        unit_button(deps, unit.name[:40], report_id, CaseAction.TRANSFER, str(unit.id))
        for unit in desa[:_PICKER_BUTTONS_MAX]
    ]
    rows += _rows(buttons)
    back = unit_button(deps, tr.t("picker.back"), report_id, CaseAction.TRANSFER, AREA_STEP)
    rows.append((back, unit_button(deps, tr.t("card.button.cancel"), report_id, "x")))
    return InlineKeyboard(rows=tuple(rows))

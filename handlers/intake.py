"""The new-report conversation (laporan baru), one step per screen, each with Back and Cancel.

The draft and the current step live in the ``conversations`` row, so a citizen can leave and come
back, and a restarted bot carries on where it was.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cases.filing import file_report
from core.categories import Category, category_by_code
from core.inputs import visible
from core.lifecycle import Privacy, ReportType
from core.limits import ADDRESS_MAX, DESCRIPTION_MAX, DESCRIPTION_MIN, MAX_PHOTOS
from core.regions import Region
from handlers import draft as drafts
from handlers import evidence, similar
from handlers.actions import InlineButton, InlineKeyboard, ReplyButton, ReplyKeyboard
from handlers.consent import ask_consent, current_citizen
from handlers.draft import Draft, DraftPhoto, IntakeStep
from handlers.events import ButtonPress, MediaKind, Message
from handlers.formatting import category_name, long_date, place_name, short_datetime
from handlers.menu import main_menu
from handlers.notices import filing_for
from handlers.steps import ChatStep
from handlers.turn import Turn
from storage.models import Report, ReportPhoto

STEPS = (
    IntakeStep.TYPE,
    IntakeStep.CATEGORY,
    IntakeStep.KABUPATEN,
    IntakeStep.KECAMATAN,
    IntakeStep.DESA,
    IntakeStep.ADDRESS,
    IntakeStep.GPS,
    IntakeStep.DESCRIPTION,
    IntakeStep.PHOTOS,
    IntakeStep.PRIVACY,
    IntakeStep.SUMMARY,
)
EDITABLE = (
    IntakeStep.TYPE,
    IntakeStep.CATEGORY,
    IntakeStep.KECAMATAN,
    IntakeStep.ADDRESS,
    IntakeStep.GPS,
    IntakeStep.DESCRIPTION,
    IntakeStep.PHOTOS,
    IntakeStep.PRIVACY,
)
REGION_STEPS = {IntakeStep.KABUPATEN: 2, IntakeStep.KECAMATAN: 3, IntakeStep.DESA: 4}
PAGE_SIZE = 10
SUMMARY_DESCRIPTION_MAX = 1500

Row = tuple[InlineButton, ...]
Rows = tuple[Row, ...]


def _grid(buttons: list[InlineButton], width: int = 2) -> list[Row]:
    return [tuple(buttons[i : i + width]) for i in range(0, len(buttons), width)]


# --- draft helpers -------------------------------------------------------------------------


def _draft(turn: Turn) -> Draft:
    return drafts.load(turn.conversation)


def _update_draft(turn: Turn, **changes: Any) -> Draft:
    return drafts.update(turn.conversation, **changes)


def _has_draft(turn: Turn) -> bool:
    return _draft(turn).in_intake


def _category(turn: Turn) -> Category | None:
    return category_by_code(turn.deps.categories, _draft(turn).category)


def _steps_in_use(turn: Turn) -> tuple[IntakeStep, ...]:
    if turn.deps.regions.is_province:
        return STEPS
    return tuple(s for s in STEPS if s != IntakeStep.KABUPATEN)


# --- entry points --------------------------------------------------------------------------


def begin(turn: Turn, note: str = "") -> None:
    """Menu "Laporan baru": start a draft, or offer the one already started; ``note`` (consent
    just recorded) goes on step 1's screen."""
    if _has_draft(turn):
        offer_resume(turn)
        return
    drafts.save(turn.conversation, Draft(step=IntakeStep.TYPE))
    turn.conversation.draft_started_at = turn.now
    _go(turn, IntakeStep.TYPE, note)


def offer_resume(turn: Turn) -> None:
    conv = turn.conversation
    conv.step = ChatStep.DRAFT_CHOICE
    conv.step_seq += 1
    started = conv.draft_started_at or turn.now
    keyboard = InlineKeyboard(
        rows=(
            (turn.button(turn.t("draft.resume"), "resume"),),
            (turn.button(turn.t("draft.discard"), "discard"),),
        )
    )
    text = turn.t(
        "draft.found",
        started=short_datetime(started, turn.deps.config.timezone, conv.language),
        step=turn.t(f"step.{_draft(turn).step or IntakeStep.TYPE}"),
    )
    turn.show(text, keyboard)


def cancel(turn: Turn) -> None:
    conv = turn.conversation
    had_draft = _has_draft(turn)
    drafts.save(conv, Draft())
    conv.draft_started_at = None
    conv.step = ChatStep.IDLE
    conv.step_seq += 1
    turn.answer()
    if had_draft:
        if isinstance(turn.event, ButtonPress):
            turn.show(turn.t("intake.cancelled"), None)
            turn.send(turn.t("menu.prompt"), main_menu(turn.tr))
        else:
            turn.send(turn.t("intake.cancelled"), main_menu(turn.tr))
    else:
        turn.send(turn.t("intake.nothing_to_cancel"), main_menu(turn.tr))


def _is_stale(turn: Turn) -> bool:
    conv = turn.conversation
    return (
        conv.step == ChatStep.INTAKE and turn.now - conv.updated_at > turn.deps.config.draft_stale
    )


async def on_button(turn: Turn, action: str, arg: str) -> None:
    conv = turn.conversation
    step = _draft(turn).step
    if action == "resume" and step is not None:
        turn.answer()
        _go(turn, step)
        return
    if action == "discard":
        drafts.save(conv, Draft(step=IntakeStep.TYPE))
        conv.draft_started_at = turn.now
        turn.answer()
        _go(turn, IntakeStep.TYPE)
        return
    if action == "cancel":
        cancel(turn)
        return
    if conv.step != ChatStep.INTAKE or step is None:
        turn.answer(turn.t("button.stale"), alert=True)
        return
    if _is_stale(turn):
        turn.answer()
        offer_resume(turn)
        return
    turn.answer()
    await _step_button(turn, step, action, arg)


async def on_message(turn: Turn, message: Message) -> None:
    conv = turn.conversation
    if conv.step == ChatStep.CONSENT:
        ask_consent(turn)
        return
    if conv.step == ChatStep.DRAFT_CHOICE:
        offer_resume(turn)
        return
    step = _draft(turn).step
    if conv.step != ChatStep.INTAKE or step is None:
        _idle_message(turn, message)
        return
    if _is_stale(turn):
        offer_resume(turn)
        return
    await _step_message(turn, step, message)


def _idle_message(turn: Turn, message: Message) -> None:
    if message.media in (MediaKind.PHOTO, MediaKind.IMAGE_DOCUMENT):
        turn.send(turn.t("idle.photo_without_report"), main_menu(turn.tr))
    elif message.media != MediaKind.NONE or message.location is not None:
        turn.send(turn.t("input.unsupported_media"), main_menu(turn.tr))
    else:
        turn.send(turn.t("idle.use_menu"), main_menu(turn.tr))


# --- navigation ----------------------------------------------------------------------------


def _go(turn: Turn, step: IntakeStep, note: str = "") -> None:
    conv = turn.conversation
    conv.step = ChatStep.INTAKE
    conv.step_seq += 1
    _update_draft(turn, step=step, page=0, search="")
    _render(turn, step, note)


def _next(turn: Turn, step: IntakeStep, note: str = "") -> None:
    """The step after ``step``; ``note`` (what was just chosen) opens its screen."""
    steps = _steps_in_use(turn)
    if _draft(turn).editing and step not in (IntakeStep.KABUPATEN, IntakeStep.KECAMATAN):
        _go(turn, IntakeStep.SUMMARY, note)
        return
    _go(turn, steps[steps.index(step) + 1], note)


def _back(turn: Turn, step: IntakeStep) -> None:
    # While editing one field from the summary, Back returns there (desa goes back to kecamatan).
    if step == IntakeStep.EDIT or (_draft(turn).editing and step != IntakeStep.DESA):
        _go(turn, IntakeStep.SUMMARY)
        return
    steps = _steps_in_use(turn)
    index = steps.index(step)
    _go(turn, steps[index - 1] if index > 0 else IntakeStep.TYPE)


def _nav_row(turn: Turn, *, back: bool = True) -> tuple[InlineButton, ...]:
    row = [turn.button(turn.t("nav.back"), "back")] if back else []
    row.append(turn.button(turn.t("nav.cancel"), "cancel"))
    return tuple(row)


def _header(turn: Turn, step: IntakeStep, note: str = "") -> str:
    """The step's first lines: the choices so far (if any), the note on what was just chosen
    (if any: "Baik, tanpa titik lokasi."), then "Langkah n/total · name"."""
    steps = [s for s in _steps_in_use(turn) if s != IntakeStep.SUMMARY]
    if step not in steps:
        return ""
    header = turn.t(
        "step.header", n=steps.index(step) + 1, total=len(steps), name=turn.t(f"step.{step}")
    )
    return "\n".join(line for line in (_chosen_line(turn), note, header) if line)


def _chosen_line(turn: Turn) -> str:
    """``Pengaduan · Air Bersih · 📍 Desa Sepaso, Kec. Bengalon``: what the draft holds so far."""
    draft = _draft(turn)
    parts: list[str] = []
    if draft.type:
        parts.append(turn.t(f"type.{draft.type}"))
    if draft.category:
        parts.append(
            category_name(turn.deps.categories, draft.category, turn.conversation.language)
        )
    place = draft.desa or draft.kecamatan or draft.kabupaten
    if place:
        parts.append(turn.t("intake.chosen.place", place=_place_label(turn, place)))
    return " · ".join(parts)


def _place_label(turn: Turn, code: str) -> str:
    """``Desa Sepaso, Kec. Bengalon``: each level with its kind, up to the deployment's root."""
    regions = turn.deps.regions
    names: list[str] = []
    current = code
    while current and current != regions.root.code and regions.contains(current):
        region = regions.get(current)
        if region is None:
            break
        names.append(turn.t(f"place.{region.kind}", name=region.name))
        current = current.rsplit(".", 1)[0] if "." in current else ""
    return ", ".join(names) if names else code


# --- screens: what each step asks ----------------------------------------------------------


def _render(turn: Turn, step: IntakeStep, note: str = "") -> None:
    """Show the step's screen; a ``note`` on what was just chosen goes under the choices so far
    (one message instead of a message of its own and the screen)."""
    spec = STEP_TABLE[step]
    if spec.render is not None:
        spec.render(turn, note)
        return
    header = _header(turn, step, note)
    text, rows = spec.screen(turn, step, header)
    if note and not header:  # a screen without the header (the summary): the note on top
        text = f"{note}\n{text}"
    turn.show(text, InlineKeyboard(rows=rows))


def _type_screen(turn: Turn, step: IntakeStep, header: str) -> tuple[str, Rows]:
    rows = tuple((turn.button(turn.t(f"type.{t.value}"), "type", t.value),) for t in ReportType)
    return f"{header}\n{turn.t('intake.ask_type')}", (*rows, _nav_row(turn, back=False))


def _category_screen(turn: Turn, step: IntakeStep, header: str) -> tuple[str, Rows]:
    return f"{header}\n{turn.t('intake.ask_category')}", (*_category_rows(turn), _nav_row(turn))


def _address_screen(turn: Turn, step: IntakeStep, header: str) -> tuple[str, Rows]:
    skip: Rows = ((turn.button(turn.t("nav.skip"), "skip"),), _nav_row(turn))
    return f"{header}\n{turn.t('intake.ask_address', max=ADDRESS_MAX)}", skip


def _description_screen(turn: Turn, step: IntakeStep, header: str) -> tuple[str, Rows]:
    text = turn.t("intake.ask_description", min=DESCRIPTION_MIN, max=DESCRIPTION_MAX)
    return f"{header}\n{text}", (_nav_row(turn),)


def _privacy_screen(turn: Turn, step: IntakeStep, header: str) -> tuple[str, Rows]:
    rows = tuple((turn.button(turn.t(f"privacy.{p.value}"), "priv", p.value),) for p in Privacy)
    text = f"{header}\n{turn.t('intake.ask_privacy')}"
    if _draft(turn).privacy_help:
        return f"{text}\n\n{turn.t('privacy.help')}", (*rows, _nav_row(turn))
    more = (turn.button(turn.t("privacy.help_button"), "privhelp"),)
    return text, (*rows, more, _nav_row(turn))


def _edit_screen(turn: Turn, step: IntakeStep, header: str) -> tuple[str, Rows]:
    fields = _grid([turn.button(turn.t(f"step.{s}"), "field", s) for s in EDITABLE])
    return turn.t("intake.ask_field"), (*fields, (turn.button(turn.t("nav.back"), "back"),))


def _category_rows(turn: Turn) -> tuple[tuple[InlineButton, ...], ...]:
    lang = turn.conversation.language
    buttons = [
        turn.button(category_name(turn.deps.categories, c.code, lang), "cat", c.code)
        for c in turn.deps.categories
    ]
    return tuple(_grid(buttons))


def _region_parent(turn: Turn, step: IntakeStep) -> str:
    draft = _draft(turn)
    if step == IntakeStep.DESA:
        return draft.kecamatan
    if step == IntakeStep.KECAMATAN and turn.deps.regions.is_province:
        return draft.kabupaten
    return turn.deps.regions.root.code


REGION_ACTIONS = {IntakeStep.KABUPATEN: "kab", IntakeStep.KECAMATAN: "kec", IntakeStep.DESA: "desa"}


def _region_screen(turn: Turn, step: IntakeStep, header: str) -> tuple[str, Rows]:
    draft = _draft(turn)
    parent = _region_parent(turn, step)
    query = draft.search
    action = REGION_ACTIONS[step]
    if query:
        found = turn.deps.regions.search(query, within=parent, level=REGION_STEPS[step])
        buttons = [turn.button(r.name, action, r.code) for r in found]
        found_rows: list[Row] = [(b,) for b in buttons]
        found_rows.append((turn.button(turn.t("region.show_all"), "all"),))
        if len(found) > 1:
            key = "region.search_several"
        else:
            key = "region.search_results" if found else "region.search_none"
        text = f"{header}\n{turn.t(key, query=query[:60], count=len(found))}"
        return text, (*found_rows, _nav_row(turn))
    regions: list[Region] = turn.deps.regions.children(parent)
    page = draft.page
    pages = max(1, (len(regions) + PAGE_SIZE - 1) // PAGE_SIZE)
    page = min(max(page, 0), pages - 1)
    chunk = regions[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    buttons = [turn.button(r.name, action, r.code) for r in chunk]
    rows = _grid(buttons)
    paging: list[InlineButton] = []
    if page > 0:
        paging.append(turn.button(turn.t("nav.prev"), "page", str(page - 1)))
    if page + 1 < pages:
        paging.append(turn.button(turn.t("nav.next"), "page", str(page + 1)))
    if paging:
        rows.append(tuple(paging))
    # The question names the parent plainly ("Kec. {parent}" is in the catalogue text).
    parent_region = turn.deps.regions.get(parent)
    parent_name = parent_region.name if parent_region is not None else parent
    text = turn.t(f"intake.ask_{step}", parent=parent_name, page=page + 1, pages=pages)
    return f"{header}\n{text}", (*rows, _nav_row(turn))


def _photos_screen(turn: Turn, step: IntakeStep, header: str) -> tuple[str, Rows]:
    photos = _draft(turn).photos
    required = _photos_required(turn)
    rows: list[Row] = []
    if photos:
        rows.append((turn.button(turn.t("photos.done", count=len(photos)), "photos_done"),))
    elif not required:
        rows.append((turn.button(turn.t("nav.skip"), "skip"),))
    key = "intake.ask_photos_required" if required else "intake.ask_photos"
    text = f"{header}\n{turn.t(key, max=MAX_PHOTOS)}"
    if photos:
        text += "\n" + turn.t("photos.count", count=len(photos), max=MAX_PHOTOS)
    return text, (*rows, _nav_row(turn))


def _summary_text(turn: Turn) -> str:
    draft = _draft(turn)
    lang = turn.conversation.language
    description = draft.description
    if len(description) > SUMMARY_DESCRIPTION_MAX:
        description = description[:SUMMARY_DESCRIPTION_MAX] + "…"
    lat, lon = draft.lat, draft.lon
    return turn.t(
        "intake.summary",
        type=turn.t(f"type.{draft.type or 'pengaduan'}"),
        category=category_name(turn.deps.categories, draft.category, lang),
        place=place_name(turn.deps.regions, draft.desa),
        address=draft.address or "-",
        gps=f"{lat:.5f}, {lon:.5f}" if lat is not None and lon is not None else "-",
        description=description,
        photos=len(draft.photos),
        privacy=turn.t(f"privacy.{draft.privacy or 'biasa'}"),
    )


def _summary_screen(turn: Turn, step: IntakeStep, header: str) -> tuple[str, Rows]:
    rows = (
        (turn.button(turn.t("summary.send"), "submit"),),
        (
            turn.button(turn.t("summary.edit"), "edit"),
            turn.button(turn.t("nav.cancel"), "cancel"),
        ),
    )
    return _summary_text(turn), rows


def _render_gps(turn: Turn, note: str) -> None:
    # Sharing a location needs a reply-keyboard button; an inline keyboard cannot ask for it, so
    # this screen is always a new message. The screen pressed to get here is left as it is (as
    # when an address is typed): its buttons answer "no longer valid" (docs/intake.md).
    keyboard = ReplyKeyboard(
        rows=(
            (ReplyButton(turn.t("gps.share"), request_location=True),),
            (ReplyButton(turn.t("gps.skip")),),
            (ReplyButton(turn.t("gps.back")), ReplyButton(turn.t("gps.cancel"))),
        ),
        one_time=True,
    )
    turn.send(f"{_header(turn, IntakeStep.GPS, note)}\n{turn.t('intake.ask_gps')}", keyboard)


def _no_screen(turn: Turn, step: IntakeStep, header: str) -> tuple[str, Rows]:
    raise AssertionError(f"step {step} renders itself")


# --- buttons per step: each handler says whether the press fitted (else "button.stale") ----


async def _pick_type(turn: Turn, step: IntakeStep, arg: str) -> bool:
    if arg not in {t.value for t in ReportType}:
        return False
    _update_draft(turn, type=arg)
    _next(turn, step)
    return True


async def _pick_category(turn: Turn, step: IntakeStep, arg: str) -> bool:
    if category_by_code(turn.deps.categories, arg) is None:
        return False
    _update_draft(turn, category=arg)
    _next(turn, step)
    return True


async def _pick_region(turn: Turn, step: IntakeStep, arg: str) -> bool:
    _choose_region(turn, step, arg)
    return True


async def _region_page(turn: Turn, step: IntakeStep, arg: str) -> bool:
    _update_draft(turn, page=int(arg or "0"))
    _render(turn, step)
    return True


async def _region_all(turn: Turn, step: IntakeStep, arg: str) -> bool:
    _update_draft(turn, search="", page=0)
    _render(turn, step)
    return True


async def _skip_address(turn: Turn, step: IntakeStep, arg: str) -> bool:
    _update_draft(turn, address="")
    _next(turn, step, turn.t("intake.address_skipped"))
    return True


async def _skip_photos(turn: Turn, step: IntakeStep, arg: str) -> bool:
    if _photos_required(turn):
        return False
    _update_draft(turn, photos=())
    _next(turn, step)
    return True


async def _photos_done(turn: Turn, step: IntakeStep, arg: str) -> bool:
    if not _draft(turn).photos:
        return False
    _next(turn, step)
    return True


async def _privacy_help(turn: Turn, step: IntakeStep, arg: str) -> bool:
    _update_draft(turn, privacy_help=True)
    _render(turn, step)
    return True


async def _pick_privacy(turn: Turn, step: IntakeStep, arg: str) -> bool:
    if arg not in {p.value for p in Privacy}:
        return False
    _update_draft(turn, privacy=arg)
    _next(turn, step)
    return True


async def _send(turn: Turn, step: IntakeStep, arg: str) -> bool:
    await _submit(turn)
    return True


async def _open_edit(turn: Turn, step: IntakeStep, arg: str) -> bool:
    _go(turn, IntakeStep.EDIT)
    return True


async def _edit_field(turn: Turn, step: IntakeStep, arg: str) -> bool:
    if arg not in EDITABLE:
        return False
    _update_draft(turn, editing=True)
    _go(turn, IntakeStep(arg))
    return True


def _photos_required(turn: Turn) -> bool:
    category = _category(turn)
    return bool(category and category.photo_required)


def _choose_region(turn: Turn, step: IntakeStep, code: str) -> None:
    parent = _region_parent(turn, step)
    region = turn.deps.regions.get(code)
    if region is None or not code.startswith(parent + ".") or region.level != REGION_STEPS[step]:
        turn.send(turn.t("button.stale"))
        return
    if step == IntakeStep.KABUPATEN:
        _update_draft(turn, kabupaten=code, kecamatan="", desa="")
    elif step == IntakeStep.KECAMATAN:
        _update_draft(turn, kecamatan=code, desa="")
    else:
        _update_draft(turn, desa=code)
    _next(turn, step)


# --- typed input per step ------------------------------------------------------------------


async def _region_search(turn: Turn, step: IntakeStep, message: Message) -> None:
    """A typed name: an exact one (once normalised) is taken at once, and the next screen
    confirms it ("📍 Desa Sepaso, Kec. Bengalon"); otherwise the close names are offered."""
    query = message.text.strip()[:100]
    parent = _region_parent(turn, step)
    exact = turn.deps.regions.exact(query, within=parent, level=REGION_STEPS[step])
    if exact is not None:
        _choose_region(turn, step, exact.code)
        return
    _update_draft(turn, search=query, page=0)
    turn.conversation.step_seq += 1
    _render(turn, step)


async def _address_text(turn: Turn, step: IntakeStep, message: Message) -> None:
    text = message.text.strip()
    if len(text) > ADDRESS_MAX:
        turn.send(turn.t("intake.address_too_long", max=ADDRESS_MAX))
        return
    _update_draft(turn, address=text)
    _next(turn, step)


async def _description_text(turn: Turn, step: IntakeStep, message: Message) -> None:
    text = message.text.strip()
    seen = len(visible(text))  # zero-width and control characters are not words
    if seen < DESCRIPTION_MIN:
        turn.send(turn.t("intake.description_too_short", min=DESCRIPTION_MIN, length=seen))
        return
    if len(text) > DESCRIPTION_MAX:
        turn.send(turn.t("intake.description_too_long", max=DESCRIPTION_MAX, length=len(text)))
        return
    _update_draft(turn, description=text)
    _next(turn, step)


async def _photos_text(turn: Turn, step: IntakeStep, message: Message) -> None:
    turn.send(turn.t("photos.expected", max=MAX_PHOTOS))


async def _use_buttons(turn: Turn, step: IntakeStep, message: Message) -> None:
    turn.send(turn.t("intake.use_buttons"))
    turn.conversation.step_seq += 1
    _render(turn, step)


async def _wrong_media(turn: Turn, step: IntakeStep, message: Message) -> None:
    if message.media in (MediaKind.PHOTO, MediaKind.IMAGE_DOCUMENT):
        turn.send(turn.t("photos.not_now"))
    elif message.location is not None:
        turn.send(turn.t("gps.not_now"))
    else:
        turn.send(turn.t("input.unsupported_media_step", step=turn.t(f"step.{step}")))


async def _photos_media(turn: Turn, step: IntakeStep, message: Message) -> None:
    if message.photos:
        await _add_photos(turn, message)
    else:
        await _wrong_media(turn, step, message)


async def _add_photos(turn: Turn, message: Message) -> None:
    draft = _draft(turn)
    photos = list(draft.photos)
    known = {p.file_unique_id for p in photos}
    unique = {p.file_unique_id: p for p in message.photos}
    fresh = [p for key, p in unique.items() if key not in known]
    rejected = max(0, len(photos) + len(fresh) - MAX_PHOTOS)
    fresh = fresh[: max(0, MAX_PHOTOS - len(photos))]
    used = sum(p.size for p in photos)
    checked = await evidence.inspect(turn, fresh, used)
    for photo, size, mime_type in checked.accepted:
        photos.append(
            DraftPhoto(
                file_id=photo.file_id,
                file_unique_id=photo.file_unique_id,
                media_group_id=photo.media_group_id,
                mime_type=mime_type,
                size=size,
            )
        )
    evidence.tell_refusals(turn, checked.refused)
    refused = evidence.count_refusals(_draft(turn).refused_files, checked.refused)
    _update_draft(turn, photos=tuple(photos), refused_files=refused)
    if rejected:
        turn.send(turn.t("photos.too_many", max=MAX_PHOTOS, rejected=rejected))
    turn.conversation.step_seq += 1
    step = IntakeStep.PHOTOS
    text, rows = _photos_screen(turn, step, _header(turn, step))
    turn.send(text, InlineKeyboard(rows=rows))


async def _gps_message(turn: Turn, step: IntakeStep, message: Message) -> None:
    await similar.offer(turn, message)  # laporan serupa, before the report goes on
    text = message.text.strip()
    if message.location is not None:
        point = message.location
        if not turn.deps.config.region_bounds.contains(point.latitude, point.longitude):
            turn.send(turn.t("gps.outside"))
            return
        _update_draft(turn, lat=point.latitude, lon=point.longitude)
        _next(turn, step, turn.t("gps.saved"))
    elif text == turn.t("gps.skip"):
        _update_draft(turn, lat=None, lon=None)
        _next(turn, step, turn.t("gps.skipped"))
    elif text == turn.t("gps.back"):
        _back(turn, step)
    elif text == turn.t("gps.cancel"):
        cancel(turn)
    else:
        turn.send(turn.t("gps.expected"))


# --- the table of steps --------------------------------------------------------------------

ButtonHandler = Callable[[Turn, IntakeStep, str], Awaitable[bool]]
MessageHandler = Callable[[Turn, IntakeStep, Message], Awaitable[None]]
Screen = Callable[[Turn, IntakeStep, str], tuple[str, Rows]]


@dataclass(frozen=True)
class StepSpec:
    """One screen of the intake: what it asks, and what each kind of input does there.

    ``buttons``: the step's button actions ("back" works everywhere; any other press is stale).
    ``text``: a typed message (default: "please use the buttons" and the screen again).
    ``media``: a photo, a file, a location or a sticker (default: "not at this step").
    ``render``: a screen that is not an inline keyboard (the GPS step's reply keyboard); it is
    given the note that opens the screen ("" for none).
    """

    screen: Screen
    buttons: Mapping[str, ButtonHandler] = field(default_factory=dict)
    text: MessageHandler = _use_buttons
    media: MessageHandler = _wrong_media
    render: Callable[[Turn, str], None] | None = None


_REGION_BUTTONS: Mapping[str, ButtonHandler] = {
    "kab": _pick_region,
    "kec": _pick_region,
    "desa": _pick_region,
    "page": _region_page,
    "all": _region_all,
}
_REGION = StepSpec(screen=_region_screen, buttons=_REGION_BUTTONS, text=_region_search)

STEP_TABLE: Mapping[IntakeStep, StepSpec] = {
    IntakeStep.TYPE: StepSpec(screen=_type_screen, buttons={"type": _pick_type}),
    IntakeStep.CATEGORY: StepSpec(screen=_category_screen, buttons={"cat": _pick_category}),
    IntakeStep.KABUPATEN: _REGION,
    IntakeStep.KECAMATAN: _REGION,
    IntakeStep.DESA: _REGION,
    IntakeStep.ADDRESS: StepSpec(
        screen=_address_screen, buttons={"skip": _skip_address}, text=_address_text
    ),
    IntakeStep.GPS: StepSpec(
        screen=_no_screen, text=_gps_message, media=_gps_message, render=_render_gps
    ),
    IntakeStep.DESCRIPTION: StepSpec(screen=_description_screen, text=_description_text),
    IntakeStep.PHOTOS: StepSpec(
        screen=_photos_screen,
        buttons={"skip": _skip_photos, "photos_done": _photos_done},
        text=_photos_text,
        media=_photos_media,
    ),
    IntakeStep.PRIVACY: StepSpec(
        screen=_privacy_screen, buttons={"privhelp": _privacy_help, "priv": _pick_privacy}
    ),
    IntakeStep.SUMMARY: StepSpec(
        screen=_summary_screen, buttons={"submit": _send, "edit": _open_edit}
    ),
    IntakeStep.EDIT: StepSpec(screen=_edit_screen, buttons={"field": _edit_field}),
}


async def _step_button(turn: Turn, step: IntakeStep, action: str, arg: str) -> None:
    if action == "back":
        _back(turn, step)
        return
    handler = STEP_TABLE[step].buttons.get(action)
    if handler is None or not await handler(turn, step, arg):
        turn.send(turn.t("button.stale"))


async def _step_message(turn: Turn, step: IntakeStep, message: Message) -> None:
    spec = STEP_TABLE[step]
    if message.media != MediaKind.NONE or message.location is not None or message.photos:
        await spec.media(turn, step, message)
    elif step == IntakeStep.GPS or not _gps_key_elsewhere(turn, step, message):
        await spec.text(turn, step, message)


def _gps_key_elsewhere(turn: Turn, step: IntakeStep, message: Message) -> bool:
    """A key of the location step's reply keyboard, pressed at another step.

    Leaving the location step sends one message (the next screen, with inline buttons), so the
    location keyboard stays in the chat, hidden behind the keyboard icon, until a later message
    brings the main menu back (the filed report, Cancel). Its keys then act as their inline
    twins, and are never taken as an address or a description. False for any other text.
    """
    text = message.text.strip()
    if text == turn.t("gps.back"):
        _back(turn, step)
    elif text == turn.t("gps.cancel"):
        cancel(turn)
    elif text == turn.t("gps.skip"):
        turn.conversation.step_seq += 1
        _render(turn, step)  # nothing to skip here: the step's own question again
    else:
        return False
    return True


# --- submit --------------------------------------------------------------------------------


def _missing_step(turn: Turn) -> IntakeStep | None:
    draft = _draft(turn)
    for value, step in (
        (draft.type, IntakeStep.TYPE),
        (draft.category, IntakeStep.CATEGORY),
        (draft.desa, IntakeStep.KECAMATAN),
        (draft.description, IntakeStep.DESCRIPTION),
        (draft.privacy, IntakeStep.PRIVACY),
    ):
        if not value:
            return step
    if _photos_required(turn) and not draft.photos:
        return IntakeStep.PHOTOS
    return None


async def _submit(turn: Turn) -> None:
    citizen = await current_citizen(turn)
    if citizen is None:
        ask_consent(turn)
        return
    missing = _missing_step(turn)
    if missing is not None:
        turn.send(turn.t("intake.missing", step=turn.t(f"step.{missing}")))
        _update_draft(turn, editing=True)
        _go(turn, missing)
        return
    draft = _draft(turn)
    config = turn.deps.config
    report = Report(
        tracking_no="",
        citizen_id=citizen.id,
        channel=turn.channel,
        report_type=draft.type,
        category=draft.category,
        region_code=draft.desa,
        address_detail=draft.address,
        latitude=draft.lat,
        longitude=draft.lon,
        description=draft.description,
        privacy=draft.privacy,
        created_at=turn.now,
        updated_at=turn.now,
    )
    photos = [
        ReportPhoto(
            position=index,
            file_id=p.file_id,
            file_unique_id=p.file_unique_id,
            media_group_id=p.media_group_id,
            mime_type=p.mime_type,
            download_attempts=0,
        )
        for index, p in enumerate(draft.photos)
    ]
    # Files refused as evidence are on the record (reasons and counts, never the files).
    note = evidence.refusals_note(turn, draft.refused_files)
    await file_report(turn.uow, filing_for(turn.deps), turn.now, report, photos, note=note)
    summary = _summary_text(turn)
    conv = turn.conversation
    drafts.save(conv, Draft())
    conv.draft_started_at = None
    conv.step = ChatStep.IDLE
    conv.step_seq += 1
    turn.show(summary + "\n\n" + turn.t("intake.sent_mark"), None)
    turn.send(
        turn.t(
            "intake.submitted",
            number=report.tracking_no,
            due=long_date(report.due_date, conv.language) if report.due_date else "-",
            days=config.deadlines.verify,
        ),
        main_menu(turn.tr),
    )

"""The new-report conversation (laporan baru), one step per screen, each with Back and Cancel.

The draft and the current step live in the ``conversations`` row, so a citizen can leave and come
back, and a restarted bot carries on where it was.
"""

from __future__ import annotations

from typing import Any

from core.categories import Category, category_by_code
from core.inputs import visible
from core.lifecycle import Privacy, ReportType
from core.limits import ADDRESS_MAX, DESCRIPTION_MAX, DESCRIPTION_MIN, MAX_PHOTOS
from core.regions import Region
from core.tracking import new_tracking_number
from handlers import evidence, similar
from handlers.actions import EditText, InlineButton, InlineKeyboard, ReplyButton, ReplyKeyboard
from handlers.case import Case
from handlers.consent import ask_consent, current_citizen
from handlers.events import ButtonPress, MediaKind, Message
from handlers.formatting import category_name, long_date, place_name, short_datetime
from handlers.menu import main_menu
from handlers.notices import deliver_new_report
from handlers.steps import ChatStep
from handlers.turn import Turn
from storage.models import Report, ReportPhoto

STEPS = (
    "type",
    "category",
    "kabupaten",
    "kecamatan",
    "desa",
    "address",
    "gps",
    "description",
    "photos",
    "privacy",
    "summary",
)
EDITABLE = ("type", "category", "kecamatan", "address", "gps", "description", "photos", "privacy")
REGION_STEPS = {"kabupaten": 2, "kecamatan": 3, "desa": 4}
PAGE_SIZE = 10
SUMMARY_DESCRIPTION_MAX = 1500

Row = tuple[InlineButton, ...]
Rows = tuple[Row, ...]


def _grid(buttons: list[InlineButton], width: int = 2) -> list[Row]:
    return [tuple(buttons[i : i + width]) for i in range(0, len(buttons), width)]


# --- draft helpers -------------------------------------------------------------------------


def _draft(turn: Turn) -> dict[str, Any]:
    return dict(turn.conversation.draft or {})


def _update_draft(turn: Turn, **changes: Any) -> dict[str, Any]:
    # A JSON column is only saved when a new value is assigned, so never mutate it in place.
    draft = {**_draft(turn), **changes}
    turn.conversation.draft = draft
    return draft


def _has_draft(turn: Turn) -> bool:
    return bool(turn.conversation.draft and turn.conversation.draft.get("step"))


def _category(turn: Turn) -> Category | None:
    return category_by_code(turn.deps.categories, str(_draft(turn).get("category", "")))


def _steps_in_use(turn: Turn) -> tuple[str, ...]:
    if turn.deps.regions.is_province:
        return STEPS
    return tuple(s for s in STEPS if s != "kabupaten")


# --- entry points --------------------------------------------------------------------------


def begin(turn: Turn) -> None:
    """Menu "Laporan baru": start a draft, or offer the one already started."""
    if _has_draft(turn):
        offer_resume(turn)
        return
    turn.conversation.draft = {"step": "type"}
    turn.conversation.draft_started_at = turn.now
    _go(turn, "type")


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
        step=turn.t(f"step.{_draft(turn).get('step', 'type')}"),
    )
    turn.show(text, keyboard)


def cancel(turn: Turn) -> None:
    conv = turn.conversation
    had_draft = _has_draft(turn)
    conv.draft = {}
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
    if action == "resume" and _has_draft(turn):
        turn.answer()
        _go(turn, str(_draft(turn)["step"]))
        return
    if action == "discard":
        conv.draft = {"step": "type"}
        conv.draft_started_at = turn.now
        turn.answer()
        _go(turn, "type")
        return
    if action == "cancel":
        cancel(turn)
        return
    if conv.step != ChatStep.INTAKE or not _has_draft(turn):
        turn.answer(turn.t("button.stale"), alert=True)
        return
    if _is_stale(turn):
        turn.answer()
        offer_resume(turn)
        return
    turn.answer()
    await _step_button(turn, str(_draft(turn)["step"]), action, arg)


async def on_message(turn: Turn, message: Message) -> None:
    conv = turn.conversation
    if conv.step == ChatStep.CONSENT:
        ask_consent(turn)
        return
    if conv.step == ChatStep.DRAFT_CHOICE:
        offer_resume(turn)
        return
    if conv.step != ChatStep.INTAKE or not _has_draft(turn):
        _idle_message(turn, message)
        return
    if _is_stale(turn):
        offer_resume(turn)
        return
    await _step_message(turn, str(_draft(turn)["step"]), message)


def _idle_message(turn: Turn, message: Message) -> None:
    if message.media in (MediaKind.PHOTO, MediaKind.IMAGE_DOCUMENT):
        turn.send(turn.t("idle.photo_without_report"), main_menu(turn.tr))
    elif message.media != MediaKind.NONE or message.location is not None:
        turn.send(turn.t("input.unsupported_media"), main_menu(turn.tr))
    else:
        turn.send(turn.t("idle.use_menu"), main_menu(turn.tr))


# --- navigation ----------------------------------------------------------------------------


def _go(turn: Turn, step: str) -> None:
    conv = turn.conversation
    conv.step = ChatStep.INTAKE
    conv.step_seq += 1
    _update_draft(turn, step=step, page=0, search="")
    _render(turn, step)


def _next(turn: Turn, step: str) -> None:
    draft = _draft(turn)
    steps = _steps_in_use(turn)
    if draft.get("editing") and step not in ("kabupaten", "kecamatan"):
        _go(turn, "summary")
        return
    _go(turn, steps[steps.index(step) + 1])


def _back(turn: Turn, step: str) -> None:
    # While editing one field from the summary, Back returns there (desa goes back to kecamatan).
    if step == "edit" or (_draft(turn).get("editing") and step != "desa"):
        _go(turn, "summary")
        return
    steps = _steps_in_use(turn)
    index = steps.index(step)
    _go(turn, steps[index - 1] if index > 0 else "type")


def _nav_row(turn: Turn, *, back: bool = True) -> tuple[InlineButton, ...]:
    row = [turn.button(turn.t("nav.back"), "back")] if back else []
    row.append(turn.button(turn.t("nav.cancel"), "cancel"))
    return tuple(row)


def _header(turn: Turn, step: str) -> str:
    steps = [s for s in _steps_in_use(turn) if s != "summary"]
    if step not in steps:
        return ""
    return turn.t(
        "step.header", n=steps.index(step) + 1, total=len(steps), name=turn.t(f"step.{step}")
    )


# --- screens -------------------------------------------------------------------------------


def _render(turn: Turn, step: str) -> None:
    if step == "gps":
        _render_gps(turn)
        return
    text, rows = _screen(turn, step)
    turn.show(text, InlineKeyboard(rows=rows))


def _screen(turn: Turn, step: str) -> tuple[str, Rows]:
    header = _header(turn, step)
    if step == "type":
        rows = tuple((turn.button(turn.t(f"type.{t.value}"), "type", t.value),) for t in ReportType)
        return f"{header}\n{turn.t('intake.ask_type')}", (*rows, _nav_row(turn, back=False))
    if step == "category":
        return f"{header}\n{turn.t('intake.ask_category')}", (
            *_category_rows(turn),
            _nav_row(turn),
        )
    if step in REGION_STEPS:
        return _region_screen(turn, step, header)
    if step == "address":
        skip: Rows = ((turn.button(turn.t("nav.skip"), "skip"),), _nav_row(turn))
        return f"{header}\n{turn.t('intake.ask_address', max=ADDRESS_MAX)}", skip
    if step == "description":
        text = turn.t("intake.ask_description", min=DESCRIPTION_MIN, max=DESCRIPTION_MAX)
        return f"{header}\n{text}", (_nav_row(turn),)
    if step == "photos":
        return _photos_screen(turn, header)
    if step == "privacy":
        rows = tuple((turn.button(turn.t(f"privacy.{p.value}"), "priv", p.value),) for p in Privacy)
        text = f"{header}\n{turn.t('intake.ask_privacy')}"
        if _draft(turn).get("privacy_help"):
            return f"{text}\n\n{turn.t('privacy.help')}", (*rows, _nav_row(turn))
        more = (turn.button(turn.t("privacy.help_button"), "privhelp"),)
        return text, (*rows, more, _nav_row(turn))
    if step == "edit":
        fields = _grid([turn.button(turn.t(f"step.{s}"), "field", s) for s in EDITABLE])
        return turn.t("intake.ask_field"), (*fields, (turn.button(turn.t("nav.back"), "back"),))
    return _summary_screen(turn)


def _category_rows(turn: Turn) -> tuple[tuple[InlineButton, ...], ...]:
    lang = turn.conversation.language
    buttons = [
        turn.button(category_name(turn.deps.categories, c.code, lang), "cat", c.code)
        for c in turn.deps.categories
    ]
    return tuple(_grid(buttons))


def _region_parent(turn: Turn, step: str) -> str:
    draft = _draft(turn)
    if step == "desa":
        return str(draft.get("kecamatan", ""))
    if step == "kecamatan" and turn.deps.regions.is_province:
        return str(draft.get("kabupaten", ""))
    return turn.deps.regions.root.code


def _region_screen(turn: Turn, step: str, header: str) -> tuple[str, Rows]:
    draft = _draft(turn)
    parent = _region_parent(turn, step)
    query = str(draft.get("search", ""))
    action = {"kabupaten": "kab", "kecamatan": "kec", "desa": "desa"}[step]
    if query:
        found = turn.deps.regions.search(query, within=parent, level=REGION_STEPS[step])
        buttons = [turn.button(r.name, action, r.code) for r in found]
        found_rows: list[Row] = [(b,) for b in buttons]
        found_rows.append((turn.button(turn.t("region.show_all"), "all"),))
        key = "region.search_results" if found else "region.search_none"
        text = f"{header}\n{turn.t(key, query=query[:60])}"
        return text, (*found_rows, _nav_row(turn))
    regions: list[Region] = turn.deps.regions.children(parent)
    page = int(draft.get("page", 0))
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


def _photos_screen(turn: Turn, header: str) -> tuple[str, Rows]:
    photos = list(_draft(turn).get("photos", []))
    category = _category(turn)
    required = bool(category and category.photo_required)
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
    description = str(draft.get("description", ""))
    if len(description) > SUMMARY_DESCRIPTION_MAX:
        description = description[:SUMMARY_DESCRIPTION_MAX] + "…"
    lat, lon = draft.get("lat"), draft.get("lon")
    return turn.t(
        "intake.summary",
        type=turn.t(f"type.{draft.get('type', 'pengaduan')}"),
        category=category_name(turn.deps.categories, str(draft.get("category", "")), lang),
        place=place_name(turn.deps.regions, str(draft.get("desa", ""))),
        address=str(draft.get("address") or "-"),
        gps=f"{lat:.5f}, {lon:.5f}" if lat is not None and lon is not None else "-",
        description=description,
        photos=len(draft.get("photos", [])),
        privacy=turn.t(f"privacy.{draft.get('privacy', 'biasa')}"),
    )


def _summary_screen(turn: Turn) -> tuple[str, Rows]:
    rows = (
        (turn.button(turn.t("summary.send"), "submit"),),
        (
            turn.button(turn.t("summary.edit"), "edit"),
            turn.button(turn.t("nav.cancel"), "cancel"),
        ),
    )
    return _summary_text(turn), rows


def _render_gps(turn: Turn) -> None:
    # Sharing a location needs a reply-keyboard button; an inline keyboard cannot ask for it.
    event = turn.event
    if isinstance(event, ButtonPress) and event.message_id is not None:
        turn.emit(
            EditText(chat_id=turn.chat_id, message_id=event.message_id, text=turn.t("intake.noted"))
        )
    keyboard = ReplyKeyboard(
        rows=(
            (ReplyButton(turn.t("gps.share"), request_location=True),),
            (ReplyButton(turn.t("gps.skip")),),
            (ReplyButton(turn.t("gps.back")), ReplyButton(turn.t("gps.cancel"))),
        ),
        one_time=True,
    )
    turn.send(f"{_header(turn, 'gps')}\n{turn.t('intake.ask_gps')}", keyboard)


# --- button handling per step --------------------------------------------------------------


async def _step_button(turn: Turn, step: str, action: str, arg: str) -> None:
    if action == "back":
        _back(turn, step)
    elif action == "type" and step == "type" and arg in {t.value for t in ReportType}:
        _update_draft(turn, type=arg)
        _next(turn, step)
    elif action == "cat" and step == "category" and category_by_code(turn.deps.categories, arg):
        _update_draft(turn, category=arg)
        _next(turn, step)
    elif action in ("kab", "kec", "desa") and step in REGION_STEPS:
        _choose_region(turn, step, arg)
    elif action == "page" and step in REGION_STEPS:
        _update_draft(turn, page=int(arg or "0"))
        _render(turn, step)
    elif action == "all" and step in REGION_STEPS:
        _update_draft(turn, search="", page=0)
        _render(turn, step)
    elif action == "skip" and step == "address":
        _update_draft(turn, address="")
        _next(turn, step)
    elif action == "skip" and step == "photos" and not _photos_required(turn):
        _update_draft(turn, photos=[])
        _next(turn, step)
    elif action == "photos_done" and step == "photos" and _draft(turn).get("photos"):
        _next(turn, step)
    elif action == "privhelp" and step == "privacy":
        _update_draft(turn, privacy_help=True)
        _render(turn, step)
    elif action == "priv" and step == "privacy" and arg in {p.value for p in Privacy}:
        _update_draft(turn, privacy=arg)
        _next(turn, step)
    elif action == "submit" and step == "summary":
        await _submit(turn)
    elif action == "edit" and step == "summary":
        _go(turn, "edit")
    elif action == "field" and step == "edit" and arg in EDITABLE:
        _update_draft(turn, editing=True)
        _go(turn, arg)
    else:
        turn.send(turn.t("button.stale"))


def _photos_required(turn: Turn) -> bool:
    category = _category(turn)
    return bool(category and category.photo_required)


def _choose_region(turn: Turn, step: str, code: str) -> None:
    parent = _region_parent(turn, step)
    region = turn.deps.regions.get(code)
    if region is None or not code.startswith(parent + ".") or region.level != REGION_STEPS[step]:
        turn.send(turn.t("button.stale"))
        return
    if step == "kabupaten":
        _update_draft(turn, kabupaten=code, kecamatan="", desa="")
    elif step == "kecamatan":
        _update_draft(turn, kecamatan=code, desa="")
    else:
        _update_draft(turn, desa=code)
    _next(turn, step)


# --- typed input per step ------------------------------------------------------------------


async def _step_message(turn: Turn, step: str, message: Message) -> None:
    if step == "photos" and message.photos:
        await _add_photos(turn, message)
        return
    if step == "gps":
        await similar.offer(turn, message)  # laporan serupa, before the report goes on
        _gps_message(turn, message)
        return
    if message.media != MediaKind.NONE or message.location is not None:
        _wrong_media(turn, step, message)
        return
    text = message.text.strip()
    if step in REGION_STEPS:
        _update_draft(turn, search=text[:100], page=0)
        turn.conversation.step_seq += 1
        _render(turn, step)
    elif step == "address":
        if len(text) > ADDRESS_MAX:
            turn.send(turn.t("intake.address_too_long", max=ADDRESS_MAX))
            return
        _update_draft(turn, address=text)
        _next(turn, step)
    elif step == "description":
        _description(turn, text)
    elif step == "photos":
        turn.send(turn.t("photos.expected", max=MAX_PHOTOS))
    else:
        turn.send(turn.t("intake.use_buttons"))
        turn.conversation.step_seq += 1
        _render(turn, step)


def _description(turn: Turn, text: str) -> None:
    seen = len(visible(text))  # zero-width and control characters are not words
    if seen < DESCRIPTION_MIN:
        turn.send(turn.t("intake.description_too_short", min=DESCRIPTION_MIN, length=seen))
        return
    if len(text) > DESCRIPTION_MAX:
        turn.send(turn.t("intake.description_too_long", max=DESCRIPTION_MAX, length=len(text)))
        return
    _update_draft(turn, description=text)
    _next(turn, "description")


def _wrong_media(turn: Turn, step: str, message: Message) -> None:
    if message.media in (MediaKind.PHOTO, MediaKind.IMAGE_DOCUMENT):
        turn.send(turn.t("photos.not_now"))
    elif message.location is not None:
        turn.send(turn.t("gps.not_now"))
    else:
        turn.send(turn.t("input.unsupported_media_step", step=turn.t(f"step.{step}")))


async def _add_photos(turn: Turn, message: Message) -> None:
    photos: list[dict[str, Any]] = list(_draft(turn).get("photos", []))
    known = {p["file_unique_id"] for p in photos}
    unique = {p.file_unique_id: p for p in message.photos}
    fresh = [p for key, p in unique.items() if key not in known]
    rejected = max(0, len(photos) + len(fresh) - MAX_PHOTOS)
    fresh = fresh[: max(0, MAX_PHOTOS - len(photos))]
    used = sum(int(p.get("size", 0)) for p in photos)
    checked = await evidence.inspect(turn, fresh, used)
    for photo, size, mime_type in checked.accepted:
        photos.append(
            {
                "file_id": photo.file_id,
                "file_unique_id": photo.file_unique_id,
                "media_group_id": photo.media_group_id,
                "mime_type": mime_type,
                "size": size,
            }
        )
    evidence.tell_refusals(turn, checked.refused)
    refused = evidence.count_refusals(_draft(turn).get("refused_files"), checked.refused)
    _update_draft(turn, photos=photos, refused_files=refused)
    if rejected:
        turn.send(turn.t("photos.too_many", max=MAX_PHOTOS, rejected=rejected))
    turn.conversation.step_seq += 1
    text, rows = _photos_screen(turn, _header(turn, "photos"))
    turn.send(text, InlineKeyboard(rows=rows))


def _gps_message(turn: Turn, message: Message) -> None:
    text = message.text.strip()
    if message.location is not None:
        point = message.location
        if not turn.deps.config.region_bounds.contains(point.latitude, point.longitude):
            turn.send(turn.t("gps.outside"))
            return
        _update_draft(turn, lat=point.latitude, lon=point.longitude)
        turn.send(turn.t("gps.saved"), main_menu(turn.tr))
        _next(turn, "gps")
    elif text == turn.t("gps.skip"):
        _update_draft(turn, lat=None, lon=None)
        turn.send(turn.t("gps.skipped"), main_menu(turn.tr))
        _next(turn, "gps")
    elif text == turn.t("gps.back"):
        turn.send(turn.t("intake.noted"), main_menu(turn.tr))
        _back(turn, "gps")
    elif text == turn.t("gps.cancel"):
        cancel(turn)
    else:
        turn.send(turn.t("gps.expected"))


# --- submit --------------------------------------------------------------------------------


def _missing_step(turn: Turn) -> str:
    draft = _draft(turn)
    for key, step in (
        ("type", "type"),
        ("category", "category"),
        ("desa", "kecamatan"),
        ("description", "description"),
        ("privacy", "privacy"),
    ):
        if not draft.get(key):
            return step
    if _photos_required(turn) and not draft.get("photos"):
        return "photos"
    return ""


async def _unique_tracking_number(turn: Turn) -> str:
    while True:
        number = new_tracking_number()
        if not await turn.uow.reports.tracking_number_taken(number):
            return number


async def _submit(turn: Turn) -> None:
    citizen = await current_citizen(turn)
    if citizen is None:
        ask_consent(turn)
        return
    missing = _missing_step(turn)
    if missing:
        turn.send(turn.t("intake.missing", step=turn.t(f"step.{missing}")))
        _update_draft(turn, editing=True)
        _go(turn, missing)
        return
    draft = _draft(turn)
    config = turn.deps.config
    report = Report(
        tracking_no=await _unique_tracking_number(turn),
        citizen_id=citizen.id,
        channel=turn.channel,
        report_type=str(draft["type"]),
        category=str(draft["category"]),
        region_code=str(draft["desa"]),
        address_detail=str(draft.get("address") or ""),
        latitude=draft.get("lat"),
        longitude=draft.get("lon"),
        description=str(draft["description"]),
        privacy=str(draft["privacy"]),
        created_at=turn.now,
        updated_at=turn.now,
    )
    photos = [
        ReportPhoto(
            position=index,
            file_id=p["file_id"],
            file_unique_id=p["file_unique_id"],
            media_group_id=p.get("media_group_id", ""),
            mime_type=p.get("mime_type", "image/jpeg"),
            download_attempts=0,
        )
        for index, p in enumerate(draft.get("photos", []))
    ]
    case = Case(turn.uow, turn.deps, turn.now)
    # Files refused as evidence are on the record (reasons and counts, never the files).
    event = case.open_report(report, note=evidence.refusals_note(turn, draft.get("refused_files")))
    await turn.uow.reports.add(report, photos, event)
    await deliver_new_report(case, report)
    summary = _summary_text(turn)
    conv = turn.conversation
    conv.draft = {}
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

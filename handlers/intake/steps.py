"""The new-report conversation's steps as one table: what each step asks (its screen), what its
buttons do, and what a typed message or media does there; and the moves between steps.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from core.categories import category_by_code
from core.inputs import visible
from core.lifecycle import Privacy, ReportType
from core.limits import ADDRESS_MAX, DESCRIPTION_MAX, DESCRIPTION_MIN, MAX_PHOTOS
from handlers import similar
from handlers.actions import InlineKeyboard, RemoveKeyboard
from handlers.draft import IntakeStep
from handlers.events import MediaKind, Message
from handlers.intake import poster_step, screens
from handlers.intake.flow import (
    EDITABLE,
    REGION_STEPS,
    area_root,
    cancel,
    draft,
    photos_asked,
    photos_required,
    region_parent,
    steps_in_use,
    update_draft,
)
from handlers.intake.media import keep_early, photos_media, wrong_media
from handlers.intake.screens import Rows, step_header
from handlers.intake.submit import submit
from handlers.steps import ChatStep
from handlers.turn import Turn

# --- navigation ----------------------------------------------------------------------------


def go(turn: Turn, step: IntakeStep, note: str = "") -> None:
    conv = turn.conversation
    leaving_gps = draft(turn).step == IntakeStep.GPS and step != IntakeStep.GPS
    conv.step = ChatStep.INTAKE
    conv.step_seq += 1
    update_draft(turn, step=step, page=0, search="")
    if leaving_gps:
        # Telegram keeps a reply keyboard until a message removes it, and a message carries
        # either that removal or inline buttons: the note (what was chosen) goes first, alone.
        turn.send(note or turn.t("gps.left"), RemoveKeyboard())
        note = ""
    _render(turn, step, note)


def _next(turn: Turn, step: IntakeStep, note: str = "") -> None:
    """The step after ``step``; ``note`` (what was just chosen) opens its screen."""
    steps = steps_in_use(turn)
    if draft(turn).editing and step not in (IntakeStep.KABUPATEN, IntakeStep.KECAMATAN):
        go(turn, IntakeStep.SUMMARY, note)
        return
    go(turn, poster_step.instead(turn, steps[steps.index(step) + 1]), note)


def _back(turn: Turn, step: IntakeStep) -> None:
    # While editing one field from the summary, Back returns there (desa goes back to kecamatan).
    if step == IntakeStep.EDIT or (draft(turn).editing and step != IntakeStep.DESA):
        go(turn, IntakeStep.SUMMARY)
        return
    steps = steps_in_use(turn)
    index = steps.index(poster_step.stands_for(turn, step))
    go(turn, steps[index - 1] if index > 0 else IntakeStep.TYPE)


def _render(turn: Turn, step: IntakeStep, note: str = "") -> None:
    """Show the step's screen; a ``note`` on what was just chosen goes under the choices so far
    (one message instead of a message of its own and the screen)."""
    spec = STEP_TABLE[step]
    if spec.render is not None:
        spec.render(turn, note)
        return
    header = step_header(turn, step, note)
    text, rows = spec.screen(turn, step, header)
    if note and not header:  # a screen without the header (the summary): the note on top
        text = f"{note}\n{text}"
    turn.show(text, InlineKeyboard(rows=rows))


# --- buttons per step: each handler says whether the press fitted (else "button.stale") ----


async def _pick_type(turn: Turn, step: IntakeStep, arg: str) -> bool:
    if arg not in {t.value for t in ReportType}:
        return False
    update_draft(turn, type=arg)
    _next(turn, step)
    return True


async def _pick_category(turn: Turn, step: IntakeStep, arg: str) -> bool:
    if category_by_code(turn.deps.categories, arg) is None:
        return False
    update_draft(turn, category=arg)
    _next(turn, step)
    return True


async def _pick_region(turn: Turn, step: IntakeStep, arg: str) -> bool:
    _choose_region(turn, step, arg)
    return True


async def _region_page(turn: Turn, step: IntakeStep, arg: str) -> bool:
    update_draft(turn, page=int(arg or "0"))
    _render(turn, step)
    return True


async def _region_all(turn: Turn, step: IntakeStep, arg: str) -> bool:
    update_draft(turn, search="", page=0)
    _render(turn, step)
    return True


async def _skip_address(turn: Turn, step: IntakeStep, arg: str) -> bool:
    update_draft(turn, address="")
    _next(turn, step, turn.t("intake.address_skipped"))
    return True


async def _skip_photos(turn: Turn, step: IntakeStep, arg: str) -> bool:
    if photos_required(turn):
        return False
    update_draft(turn, photos=())
    _next(turn, step, turn.t("photos.none_noted") if photos_asked(turn) else "")
    return True


async def _photos_done(turn: Turn, step: IntakeStep, arg: str) -> bool:
    if not draft(turn).photos:
        return False
    _next(turn, step)
    return True


async def _privacy_help(turn: Turn, step: IntakeStep, arg: str) -> bool:
    update_draft(turn, privacy_help=True)
    _render(turn, step)
    return True


async def _pick_privacy(turn: Turn, step: IntakeStep, arg: str) -> bool:
    if arg not in {p.value for p in Privacy}:
        return False
    update_draft(turn, privacy=arg)
    _next(turn, step)
    return True


async def _send(turn: Turn, step: IntakeStep, arg: str) -> bool:
    missing = await submit(turn)
    if missing is not None:
        update_draft(turn, editing=True)
        go(turn, missing)
    return True


async def _open_edit(turn: Turn, step: IntakeStep, arg: str) -> bool:
    go(turn, IntakeStep.EDIT)
    return True


async def _edit_field(turn: Turn, step: IntakeStep, arg: str) -> bool:
    if arg not in EDITABLE:
        return False
    update_draft(turn, editing=True)
    go(turn, IntakeStep(arg))
    return True


async def _pick_place(turn: Turn, step: IntakeStep, arg: str) -> bool:
    """A place found by a typed name anywhere in the kabupaten: a desa fills its kecamatan too
    and the desa step is skipped; a kecamatan goes on to its desa."""
    region = turn.deps.regions.get(arg)
    if region is None or not arg.startswith(area_root(turn) + "."):
        return False
    if region.level == REGION_STEPS[IntakeStep.DESA]:
        update_draft(turn, kecamatan=arg.rsplit(".", 1)[0], desa=arg)
        _next(turn, IntakeStep.DESA)
    elif region.level == REGION_STEPS[IntakeStep.KECAMATAN]:
        update_draft(turn, kecamatan=arg, desa="")
        _next(turn, IntakeStep.KECAMATAN)
    else:
        return False
    return True


def _choose_region(turn: Turn, step: IntakeStep, code: str) -> None:
    parent = region_parent(turn, step)
    region = turn.deps.regions.get(code)
    if region is None or not code.startswith(parent + ".") or region.level != REGION_STEPS[step]:
        turn.send(turn.t("button.stale"))
        return
    if step == IntakeStep.KABUPATEN:
        update_draft(turn, kabupaten=code, kecamatan="", desa="")
    elif step == IntakeStep.KECAMATAN:
        update_draft(turn, kecamatan=code, desa="")
    else:
        update_draft(turn, desa=code)
    _next(turn, step)


# --- typed input per step ------------------------------------------------------------------


async def _region_search(turn: Turn, step: IntakeStep, message: Message) -> None:
    """A typed name: an exact one (once normalised) is taken at once, and the next screen
    confirms it ("📍 Desa Sepaso, Kec. Bengalon"); otherwise the close names are offered."""
    query = message.text.strip()[:100]
    parent = region_parent(turn, step)
    exact = turn.deps.regions.exact(query, within=parent, level=REGION_STEPS[step])
    if exact is not None:
        _choose_region(turn, step, exact.code)
        return
    update_draft(turn, search=query, page=0)
    turn.conversation.step_seq += 1
    _render(turn, step)


async def _address_text(turn: Turn, step: IntakeStep, message: Message) -> None:
    text = message.text.strip()
    if len(text) > ADDRESS_MAX:
        turn.send(turn.t("intake.address_too_long", max=ADDRESS_MAX))
        return
    update_draft(turn, address=text)
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
    update_draft(turn, description=text)
    _next(turn, step)


async def _poster_answer(turn: Turn, step: IntakeStep, arg: str) -> bool:
    target = poster_step.answer(turn, arg)
    if target is not None:
        go(turn, target)
    return target is not None


async def _keep_description(turn: Turn, step: IntakeStep, arg: str) -> bool:
    """ "✅ Gunakan teks ini": the words the draft holds, as they are."""
    if len(visible(draft(turn).description)) < DESCRIPTION_MIN:
        return False
    _next(turn, step)
    return True


async def _photos_text(turn: Turn, step: IntakeStep, message: Message) -> None:
    turn.send(turn.t("photos.expected", max=MAX_PHOTOS))


async def _use_buttons(turn: Turn, step: IntakeStep, message: Message) -> None:
    turn.send(turn.t("intake.use_buttons"))
    turn.conversation.step_seq += 1
    _render(turn, step)


async def _gps_message(turn: Turn, step: IntakeStep, message: Message) -> None:
    await similar.offer(turn, message)  # laporan serupa, before the report goes on
    text = message.text.strip()
    if message.location is not None:
        point = message.location
        if not turn.deps.config.region_bounds.contains(point.latitude, point.longitude):
            turn.send(turn.t("gps.outside"))
            return
        update_draft(turn, lat=point.latitude, lon=point.longitude)
        _next(turn, step, turn.t("gps.saved"))
    elif text == turn.t("gps.skip"):
        update_draft(turn, lat=None, lon=None)
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
    media: MessageHandler = wrong_media
    render: Callable[[Turn, str], None] | None = None


_REGION_BUTTONS: Mapping[str, ButtonHandler] = {
    "kab": _pick_region,
    "kec": _pick_region,
    "desa": _pick_region,
    "page": _region_page,
    "all": _region_all,
    "place": _pick_place,
}
_REGION = StepSpec(screen=screens.region_screen, buttons=_REGION_BUTTONS, text=_region_search)

STEP_TABLE: Mapping[IntakeStep, StepSpec] = {
    IntakeStep.TYPE: StepSpec(screen=screens.type_screen, buttons={"type": _pick_type}),
    IntakeStep.CATEGORY: StepSpec(screen=screens.category_screen, buttons={"cat": _pick_category}),
    IntakeStep.KABUPATEN: _REGION,
    IntakeStep.KECAMATAN: _REGION,
    IntakeStep.DESA: _REGION,
    IntakeStep.ADDRESS: StepSpec(
        screen=screens.address_screen, buttons={"skip": _skip_address}, text=_address_text
    ),
    IntakeStep.GPS: StepSpec(
        screen=screens.no_screen, text=_gps_message, media=_gps_message, render=screens.render_gps
    ),
    IntakeStep.DESCRIPTION: StepSpec(
        screen=screens.description_screen,
        buttons={"keepdesc": _keep_description},
        text=_description_text,
    ),
    IntakeStep.PHOTOS: StepSpec(
        screen=screens.photos_screen,
        buttons={"skip": _skip_photos, "photos_done": _photos_done},
        text=_photos_text,
        media=photos_media,
    ),
    IntakeStep.PRIVACY: StepSpec(
        screen=screens.privacy_screen, buttons={"privhelp": _privacy_help, "priv": _pick_privacy}
    ),
    IntakeStep.SUMMARY: StepSpec(
        screen=screens.summary_screen, buttons={"submit": _send, "edit": _open_edit}
    ),
    IntakeStep.EDIT: StepSpec(screen=screens.edit_screen, buttons={"field": _edit_field}),
    IntakeStep.POSTER: StepSpec(screen=poster_step.screen, buttons={"poster": _poster_answer}),
}


async def step_button(turn: Turn, step: IntakeStep, action: str, arg: str) -> None:
    if action == "back":
        _back(turn, step)
        return
    handler = STEP_TABLE[step].buttons.get(action)
    if handler is None or not await handler(turn, step, arg):
        turn.send(turn.t("button.stale"))


async def step_message(turn: Turn, step: IntakeStep, message: Message) -> None:
    spec = STEP_TABLE[step]
    if message.photos and step != IntakeStep.PHOTOS:
        await keep_early(turn, message)  # sent before the photo step: kept for it
    elif message.media != MediaKind.NONE or message.location is not None or message.photos:
        await spec.media(turn, step, message)
    elif step == IntakeStep.GPS or not _gps_key_elsewhere(turn, step, message):
        await spec.text(turn, step, message)


def _gps_key_elsewhere(turn: Turn, step: IntakeStep, message: Message) -> bool:
    """A key of the location step's reply keyboard (it stays in the chat, hidden, until a later
    message brings the main menu back), pressed at another step: it acts as its inline twin,
    never as an address or a description. False for any other text."""
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

"""The new-report conversation's screens: what each step asks, and its buttons.

Each screen function takes the step and its header (the choices so far, a note, "Langkah n/total")
and gives the text and the inline keyboard's rows; nothing here changes the draft.
"""

from __future__ import annotations

from core.clips import CLIP_LIMITS, clip_kind_of
from core.evidence import MB
from core.lifecycle import Privacy, ReportType
from core.limits import ADDRESS_MAX, DESCRIPTION_MAX, DESCRIPTION_MIN, MAX_PHOTOS
from core.regions import Region
from handlers.actions import InlineButton, ReplyButton, ReplyKeyboard
from handlers.draft import IntakeStep
from handlers.formatting import category_name, place_name
from handlers.intake.flow import (
    EDITABLE,
    REGION_STEPS,
    area_root,
    draft,
    photos_asked,
    photos_required,
    region_parent,
    steps_in_use,
)
from handlers.turn import Turn

PAGE_SIZE = 10
SUMMARY_DESCRIPTION_MAX = 1500
REGION_ACTIONS = {IntakeStep.KABUPATEN: "kab", IntakeStep.KECAMATAN: "kec", IntakeStep.DESA: "desa"}

Row = tuple[InlineButton, ...]
Rows = tuple[Row, ...]


def _grid(buttons: list[InlineButton], width: int = 2) -> list[Row]:
    return [tuple(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def nav_row(turn: Turn, *, back: bool = True) -> tuple[InlineButton, ...]:
    row = [turn.button(turn.t("nav.back"), "back")] if back else []
    row.append(turn.button(turn.t("nav.cancel"), "cancel"))
    return tuple(row)


def step_header(turn: Turn, step: IntakeStep, note: str = "") -> str:
    """The step's first lines: the choices so far (if any), the note on what was just chosen
    (if any: "Baik, tanpa titik lokasi."), then "Langkah n/total · name"."""
    steps = [s for s in steps_in_use(turn) if s != IntakeStep.SUMMARY]
    if step not in steps:
        return ""
    numbered = turn.t(
        "step.header", n=steps.index(step) + 1, total=len(steps), name=turn.t(f"step.{step}")
    )
    return "\n".join(line for line in (_chosen_line(turn), note, numbered) if line)


def _chosen_line(turn: Turn) -> str:
    """``Pengaduan · Air Bersih · 📍 Desa Sepaso, Kec. Bengalon``: what the draft holds so far."""
    current = draft(turn)
    parts: list[str] = []
    if current.type:
        parts.append(turn.t(f"type.{current.type}"))
    if current.category:
        parts.append(
            category_name(turn.deps.categories, current.category, turn.conversation.language)
        )
    place = current.desa or current.kecamatan or current.kabupaten
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


# --- one screen per step -------------------------------------------------------------------


def type_screen(turn: Turn, step: IntakeStep, header: str) -> tuple[str, Rows]:
    rows = tuple((turn.button(turn.t(f"type.{t.value}"), "type", t.value),) for t in ReportType)
    return f"{header}\n{turn.t('intake.ask_type')}", (*rows, nav_row(turn, back=False))


def category_screen(turn: Turn, step: IntakeStep, header: str) -> tuple[str, Rows]:
    return f"{header}\n{turn.t('intake.ask_category')}", (*_category_rows(turn), nav_row(turn))


def address_screen(turn: Turn, step: IntakeStep, header: str) -> tuple[str, Rows]:
    skip: Rows = ((turn.button(turn.t("nav.skip"), "skip"),), nav_row(turn))
    return f"{header}\n{turn.t('intake.ask_address', max=ADDRESS_MAX)}", skip


def description_screen(turn: Turn, step: IntakeStep, header: str) -> tuple[str, Rows]:
    text = turn.t("intake.ask_description", min=DESCRIPTION_MIN, max=DESCRIPTION_MAX)
    # Words the draft already holds (an opening sentence, an edit) are offered to keep.
    offered = draft(turn).description
    if not offered:
        return f"{header}\n{text}", (nav_row(turn),)
    if len(offered) > SUMMARY_DESCRIPTION_MAX:
        offered = offered[:SUMMARY_DESCRIPTION_MAX] + "…"
    shown = turn.t("intake.description_offered", text=offered)
    keep = (turn.button(turn.t("intake.description_keep"), "keepdesc"),)
    return f"{header}\n{text}\n\n{shown}", (keep, nav_row(turn))


def privacy_screen(turn: Turn, step: IntakeStep, header: str) -> tuple[str, Rows]:
    rows = tuple((turn.button(turn.t(f"privacy.{p.value}"), "priv", p.value),) for p in Privacy)
    text = f"{header}\n{turn.t('intake.ask_privacy')}"
    if draft(turn).privacy_help:
        return f"{text}\n\n{turn.t('privacy.help')}", (*rows, nav_row(turn))
    more = (turn.button(turn.t("privacy.help_button"), "privhelp"),)
    return text, (*rows, more, nav_row(turn))


def edit_screen(turn: Turn, step: IntakeStep, header: str) -> tuple[str, Rows]:
    fields = _grid([turn.button(turn.t(f"step.{s}"), "field", s) for s in EDITABLE])
    return turn.t("intake.ask_field"), (*fields, (turn.button(turn.t("nav.back"), "back"),))


def _category_rows(turn: Turn) -> tuple[tuple[InlineButton, ...], ...]:
    lang = turn.conversation.language
    buttons = [
        turn.button(category_name(turn.deps.categories, c.code, lang), "cat", c.code)
        for c in turn.deps.categories
    ]
    return tuple(_grid(buttons))


def region_screen(turn: Turn, step: IntakeStep, header: str) -> tuple[str, Rows]:
    current = draft(turn)
    parent = region_parent(turn, step)
    query = current.search
    action = REGION_ACTIONS[step]
    if query and step == IntakeStep.KABUPATEN:
        found = turn.deps.regions.search(query, within=parent, level=REGION_STEPS[step])
        buttons = [turn.button(r.name, action, r.code) for r in found]
        found_rows: list[Row] = [(b,) for b in buttons]
        found_rows.append((turn.button(turn.t("region.show_all"), "all"),))
        if len(found) > 1:
            key = "region.search_several"
        else:
            key = "region.search_results" if found else "region.search_none"
        text = f"{header}\n{turn.t(key, query=query[:60], count=len(found))}"
        return text, (*found_rows, nav_row(turn))
    if query:
        return _places_found(turn, step, header, query)
    regions: list[Region] = turn.deps.regions.children(parent)
    page = current.page
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
    return f"{header}\n{text}", (*rows, nav_row(turn))


def _places_found(turn: Turn, step: IntakeStep, header: str, query: str) -> tuple[str, Rows]:
    """A name typed at the kecamatan or desa step, looked for among every kecamatan and desa of
    the kabupaten: one match is asked about with its kecamatan ("Desa Sepaso, Kec. Bengalon —
    benar?"), several are offered as buttons. A place of the list the step shows keeps its plain
    name; any other is named with its kecamatan."""
    parent = region_parent(turn, step)
    levels = (REGION_STEPS[IntakeStep.KECAMATAN], REGION_STEPS[IntakeStep.DESA])
    found = turn.deps.regions.search_places(query, within=area_root(turn), levels=levels)
    rows: list[Row] = []
    for region in found:
        listed = region.level == REGION_STEPS[step] and region.code.startswith(parent + ".")
        label = region.name if listed else _place_label(turn, region.code)
        rows.append((turn.button(label, "place", region.code),))
    rows.append((turn.button(turn.t("region.show_all"), "all"),))
    shown = query[:60]
    if len(found) == 1:
        place = _place_label(turn, found[0].code)
        text = turn.t("region.search_one", query=shown, place=place)
    elif found:
        text = turn.t("region.search_several", query=shown, count=len(found))
    else:
        text = turn.t("region.search_none", query=shown)
    return f"{header}\n{text}", (*rows, nav_row(turn))


def clips_hint(turn: Turn) -> str:
    """The photo step's word on voice notes and videos, with their limits (``core.clips``)."""
    return turn.t(
        "clips.hint",
        voice_minutes=CLIP_LIMITS.max_voice_seconds // 60,
        voice_mb=CLIP_LIMITS.max_voice_bytes // MB,
        video_minutes=CLIP_LIMITS.max_video_seconds // 60,
        video_mb=CLIP_LIMITS.max_video_bytes // MB,
    )


def photos_screen(turn: Turn, step: IntakeStep, header: str) -> tuple[str, Rows]:
    photos = draft(turn).photos
    required = photos_required(turn)
    asked = photos_asked(turn)
    rows: list[Row] = []
    clips = any(clip_kind_of(p.mime_type) for p in photos)  # a clip is no photo
    if photos:
        done = "photos.done_one" if len(photos) == 1 else "photos.done"
        if clips:
            done = "photos.done_attachments"
        rows.append((turn.button(turn.t(done, count=len(photos)), "photos_done"),))
    elif not required:
        skip = turn.t("photos.none_button") if asked else turn.t("nav.skip")
        rows.append((turn.button(skip, "skip"),))
    if required:
        key = "intake.ask_photos_required"
    else:
        key = "intake.ask_photos_asked" if asked else "intake.ask_photos"
    text = f"{header}\n{turn.t(key, max=MAX_PHOTOS)}\n{clips_hint(turn)}"
    if photos:
        counted = "photos.count_attachments" if clips else "photos.count"
        text += "\n" + turn.t(counted, count=len(photos), max=MAX_PHOTOS)
    return text, (*rows, nav_row(turn))


def summary_text(turn: Turn) -> str:
    current = draft(turn)
    lang = turn.conversation.language
    description = current.description
    if len(description) > SUMMARY_DESCRIPTION_MAX:
        description = description[:SUMMARY_DESCRIPTION_MAX] + "…"
    lat, lon = current.lat, current.lon
    return turn.t(
        "intake.summary",
        type=turn.t(f"type.{current.type or 'pengaduan'}"),
        category=category_name(turn.deps.categories, current.category, lang),
        place=place_name(turn.deps.regions, current.desa),
        address=current.address or "-",
        gps=f"{lat:.5f}, {lon:.5f}" if lat is not None and lon is not None else "-",
        description=description,
        photos=len(current.photos),
        privacy=turn.t(f"privacy.{current.privacy or 'biasa'}"),
    )


def summary_screen(turn: Turn, step: IntakeStep, header: str) -> tuple[str, Rows]:
    rows = (
        (turn.button(turn.t("summary.send"), "submit"),),
        (
            turn.button(turn.t("summary.edit"), "edit"),
            turn.button(turn.t("nav.cancel"), "cancel"),
        ),
    )
    return summary_text(turn), rows


def render_gps(turn: Turn, note: str) -> None:
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
    turn.send(f"{step_header(turn, IntakeStep.GPS, note)}\n{turn.t('intake.ask_gps')}", keyboard)


def no_screen(turn: Turn, step: IntakeStep, header: str) -> tuple[str, Rows]:
    raise AssertionError(f"step {step} renders itself")

"""The place a poster names (issue 31): a conversation opened from a poster's QR code carries the
poster's code in the draft; when the intake reaches the place steps it asks "Laporan untuk Desa X,
Kec. Y?" first. "Ya" fills the place and skips its steps (a kecamatan's poster goes on to the
desa); "Pilih tempat lain" goes to the place steps as usual. The code stays in the draft, so the
report filed is counted for that poster either way."""

from __future__ import annotations

from core.posters import region_of
from core.regions import LEVEL_VILLAGE, place_name
from core.routing import kecamatan_of
from handlers.draft import IntakeStep
from handlers.intake.flow import REGION_STEPS, draft, steps_in_use, update_draft
from handlers.intake.screens import Rows, nav_row
from handlers.turn import Turn

YES = "yes"
OTHER = "other"


def place_of(turn: Turn) -> str:
    """The region the draft's poster names, when it is a desa or kecamatan of the deployment."""
    region_code = region_of(draft(turn).poster)
    if region_code is None or not turn.deps.regions.contains(region_code):
        return ""
    region = turn.deps.regions.get(region_code)
    return region_code if region is not None and region.level >= 3 else ""


def pending(turn: Turn) -> bool:
    """Whether the place steps start with the poster's question."""
    current = draft(turn)
    return bool(current.poster) and not current.poster_asked and bool(place_of(turn))


def first_place_step(turn: Turn) -> IntakeStep:
    steps = steps_in_use(turn)
    return steps[steps.index(IntakeStep.CATEGORY) + 1]


def instead(turn: Turn, step: IntakeStep) -> IntakeStep:
    """The step to show for ``step``: the poster's question in place of the first place step."""
    return IntakeStep.POSTER if step in REGION_STEPS and pending(turn) else step


def stands_for(turn: Turn, step: IntakeStep) -> IntakeStep:
    """The step of the order ``step`` takes the place of (Back from the poster's question)."""
    return first_place_step(turn) if step == IntakeStep.POSTER else step


def screen(turn: Turn, step: IntakeStep, header: str) -> tuple[str, Rows]:
    place = place_name(turn.deps.regions, place_of(turn))
    rows: Rows = (
        (turn.button(turn.t("poster.confirm_yes"), "poster", YES),),
        (turn.button(turn.t("poster.confirm_other"), "poster", OTHER),),
        nav_row(turn),
    )
    return turn.t("poster.confirm", place=place), rows


def answer(turn: Turn, arg: str) -> IntakeStep | None:
    """The step to go to after the answer ``arg``; None for a press that does not fit."""
    code = place_of(turn)
    if arg == OTHER:
        update_draft(turn, poster_asked=True)
        return first_place_step(turn)
    if arg != YES or not code:
        return None
    region = turn.deps.regions.get(code)
    kecamatan = kecamatan_of(code) if region and region.level == LEVEL_VILLAGE else code
    kabupaten = kecamatan.rsplit(".", 1)[0]
    desa = code if kecamatan != code else ""
    update_draft(turn, poster_asked=True, kabupaten=kabupaten, kecamatan=kecamatan, desa=desa)
    return IntakeStep.ADDRESS if desa else IntakeStep.DESA

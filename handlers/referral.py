"""↗ Bukan kewenangan: the card's picker of outside bodies, the citizen's directions, and the
coordinator's ``/rujukan`` list (docs/training.md).

Referring is ``cases.officer.act`` with the body (one path, one check); the picker's buttons carry
the body's number, which is looked up again when pressed: a body removed since, or a number
forged, gets a clear answer and nothing changes.
"""

from __future__ import annotations

from cases.officer import Officer, OfficerStep, RoleRefusal
from core.permissions import CaseAction, UnitKind
from core.roles import GroupAction, may, required_role
from handlers.actions import InlineKeyboard
from handlers.cards import unit_button
from handlers.events import ButtonPress, Message
from handlers.group_acting import officer_of, perform, say_refused
from handlers.referral_words import contacts
from handlers.turn import Turn
from locales import Translator
from storage import referral_bodies
from storage.models import ReferralBody, Report, Unit

#: Commands of the coordinator's list.
ADD, REMOVE = ("tambah", "add"), ("hapus", "remove")


async def picker(turn: Turn, press: ButtonPress, report: Report) -> None:
    """The bodies to refer ``report`` to (the list as it is now)."""
    from handlers.group_presses import CANCEL
    from handlers.group_presses import picker as show

    bodies = await referral_bodies.active(turn.uow.session)
    if not bodies:
        turn.answer(turn.t("picker.refer_none"), alert=True)
        return
    rows = [
        (unit_button(turn.deps, body.name[:40], report.id, CaseAction.REFER, str(body.id)),)
        for body in bodies[:30]
    ]
    rows.append((unit_button(turn.deps, turn.t("card.button.cancel"), report.id, CANCEL),))
    show(turn, press, report, turn.t("picker.refer"), InlineKeyboard(rows=tuple(rows)))
    turn.answer()


async def refer(turn: Turn, press: ButtonPress, report: Report, officer: Officer, arg: str) -> None:
    """A body was picked: refer the report to it, if it is still on the list."""
    from handlers.group_presses import close_picker

    body = await referral_bodies.get(turn.uow.session, int(arg)) if arg.isdigit() else None
    step = OfficerStep(CaseAction.REFER, body=body)
    if await perform(turn, report, step, officer) and body is not None:
        close_picker(turn, press, turn.t("picker.referred", body=body.name))


def _parts(text: str) -> dict[str, str] | None:
    """``Nama | menangani | alamat | telepon | situs | kanal`` as a body's parts (None: no name,
    too many parts or one too long)."""
    fields = referral_bodies.FIELDS
    parts = [part.strip() for part in text.split("|")]
    if not parts[0] or len(parts) > len(fields):
        return None
    limits = referral_bodies.LIMITS
    if any(len(part) > limits[field] for field, part in zip(fields, parts, strict=False)):
        return None
    return dict(zip(fields, parts + [""] * (len(fields) - len(parts)), strict=True))


def listing(tr: Translator, bodies: list[ReferralBody]) -> str:
    if not bodies:
        return tr.t("referral.empty")
    items = [f"{body.id}. {body.name}\n{contacts(tr, body)}" for body in bodies]
    return "\n\n".join([tr.t("referral.list"), *items])


async def command(turn: Turn, message: Message, unit: Unit, admin: bool | None) -> None:
    """``/rujukan``: the list; in the coordinator's group, its admins and named officers also
    ``tambah`` and ``hapus``."""
    session = turn.uow.session
    verb, _, rest = message.command_args.strip().partition(" ")
    if not verb:
        text = listing(turn.tr, await referral_bodies.active(session))
        turn.send(
            f"{text}\n\n{turn.t('referral.usage')}" if unit.kind == UnitKind.COORDINATOR else text
        )
        return
    if unit.kind != UnitKind.COORDINATOR:
        turn.send(turn.t("referral.coordinator_only"))
        return
    officer = await officer_of(turn, unit, admin)
    if officer.role is not None and not may(officer.role, GroupAction.REFER):
        say_refused(turn, RoleRefusal(GroupAction.REFER, required_role(GroupAction.REFER)))
        return
    if verb.lower() in ADD:
        values = _parts(rest)
        if values is None:
            limits = referral_bodies.LIMITS
            turn.send(
                turn.t(
                    "referral.bad",
                    name=limits["name"],
                    phone=limits["phone"],
                    web=limits["web"],
                    rest=limits["address"],
                )
            )
            return
        added = await referral_bodies.add(session, values, turn.now)
        turn.send(turn.t("referral.added", body=added.name, id=added.id))
    elif verb.lower() in REMOVE and rest.strip().isdigit():
        removed = await referral_bodies.get(session, int(rest.strip()))
        if removed is None or not removed.active:
            turn.send(turn.t("referral.not_found", id=rest.strip()[:12]))
            return
        removed.active = False
        turn.send(turn.t("referral.removed", body=removed.name))
    else:
        turn.send(turn.t("referral.usage"))

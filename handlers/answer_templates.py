"""Ready answers in a unit's group (``core.templates``, ``storage.answer_templates``).

``/templat`` lists the group's templates (the unit's, then the kabupaten-wide ones);
``/templat tambah <judul> | <teks> [| <kategori>]`` and ``/templat hapus N`` keep them, for the
group's admins and named officers (``GroupAction.TEMPLATES``). The coordinator's groups keep the
kabupaten-wide templates.

When 💬 Jawab pelapor, ❓ Minta info or 🏁 Selesai opens its prompt, the templates that fit the
report are offered under it as buttons. A pressed template comes back as a message of its own,
filled in, that is also the prompt: the officer copies it, edits it and replies to it (their
words take the action), or presses "Kirim apa adanya" under it to send it unchanged. Both ways go
through the officers' use case, checked again when taken.
"""

from __future__ import annotations

from cases.officer import Officer, OfficerStep, RoleRefusal, may_start
from core.categories import category_by_code
from core.permissions import CaseAction, UnitKind
from core.purposes import Purpose
from core.regions import place_name
from core.roles import GroupAction, may, required_role
from core.templates import FILL_INS, OFFERED_MAX, TEMPLATE_MAX, TITLE_MAX, fill, parse, problem
from core.templates import unknown_fill_ins as unknown
from handlers import group_replies, typed_prompts
from handlers.actions import EditText, InlineKeyboard, SendText
from handlers.cards import unit_button
from handlers.events import ButtonPress
from handlers.formatting import category_name, long_date
from handlers.group_acting import TEMPLATE_BUTTONS, officer_of, perform, refusal_text, say_refused
from handlers.guard import with_opener
from handlers.turn import Turn
from storage import answer_templates as stored
from storage.models import AnswerTemplate, Report, Unit

#: A template pressed under a prompt (sent back filled) and its "Kirim apa adanya".
PICK = "tp"
SEND = "ts"
BUTTONS = TEMPLATE_BUTTONS
#: The prompts that offer templates.
OFFERED_FOR = frozenset({CaseAction.ANSWER, CaseAction.ASK, CaseAction.DONE})
ADD = ("tambah", "add")
REMOVE = ("hapus", "delete")
#: Characters of a template's words shown in the list.
PREVIEW = 70


def owner(unit: Unit) -> int | None:
    """Whose templates a group keeps: its unit's, or the kabupaten's (the coordinator's)."""
    return None if unit.kind == UnitKind.COORDINATOR else unit.id


def action_of(arg: str) -> tuple[CaseAction, int] | None:
    """``<action>.<template id>`` of a template's button."""
    name, _, number = arg.partition(".")
    try:
        action = CaseAction(name)
    except ValueError:
        return None
    if action not in OFFERED_FOR or not number.isdigit():
        return None
    return action, int(number)


# --- /templat -----------------------------------------------------------------------------------


def needs(args: str) -> tuple[GroupAction, ...]:
    """Keeping templates needs the role; reading them does not."""
    word = args.split(maxsplit=1)[0].lower() if args.strip() else ""
    return (GroupAction.TEMPLATES,) if word in ADD + REMOVE else ()


async def on_command(turn: Turn, args: str, unit: Unit, admin: bool | None) -> None:
    word, _, rest = args.strip().partition(" ")
    word = word.lower()
    if not word:
        await _list(turn, unit)
        return
    if word not in ADD + REMOVE:
        turn.send(turn.t("tpl.usage"))
        return
    officer = await officer_of(turn, unit, admin)
    if officer.role is None or not may(officer.role, GroupAction.TEMPLATES):
        action = GroupAction.TEMPLATES
        turn.send(refusal_text(turn, RoleRefusal(action, required_role(action))))
        return
    if word in ADD:
        await _add(turn, unit, rest)
    else:
        await _remove(turn, unit, rest.strip())


async def _list(turn: Turn, unit: Unit) -> None:
    templates = await stored.listed(turn.uow.session, owner(unit))
    if not templates:
        turn.send(turn.t("tpl.none") + "\n\n" + turn.t("tpl.usage"))
        return
    lines = [turn.t("tpl.list_header")]
    for template in templates:
        words = template.body if len(template.body) <= PREVIEW else template.body[:PREVIEW] + "…"
        key = "tpl.line_kabupaten" if template.unit_id is None else "tpl.line"
        category = _category(turn, template.category)
        lines.append(
            turn.t(key, id=template.id, title=template.title, category=category, words=words)
        )
    turn.send("\n".join(lines) + "\n\n" + turn.t("tpl.usage"))


def _category(turn: Turn, code: str) -> str:
    if not code:
        return turn.t("tpl.every_category")
    return category_name(turn.deps.categories, code, turn.tr.language)


async def _add(turn: Turn, unit: Unit, args: str) -> None:
    draft = parse(args)
    if draft is None:
        turn.send(turn.t("tpl.usage"))
        return
    wrong = problem(draft)
    if wrong:
        known = ", ".join("{" + name + "}" for name in FILL_INS)
        turn.send(
            turn.t(
                f"tpl.refused.{wrong}",
                unknown=", ".join("{" + name + "}" for name in unknown(draft.body)),
                known=known,
                limit=TEMPLATE_MAX if wrong == "too_long" else TITLE_MAX,
            )
        )
        return
    if draft.category and category_by_code(turn.deps.categories, draft.category) is None:
        codes = ", ".join(category.code for category in turn.deps.categories)
        turn.send(turn.t("tpl.refused.category", category=draft.category[:20], codes=codes))
        return
    template = stored.add(turn.uow.session, owner(unit), draft, turn.event.sender.user_id, turn.now)
    await turn.uow.session.flush()
    turn.send(turn.t("tpl.saved", id=template.id, title=template.title))


async def _remove(turn: Turn, unit: Unit, number: str) -> None:
    if not number.isdigit():
        turn.send(turn.t("tpl.usage"))
        return
    if await stored.remove(turn.uow.session, owner(unit), int(number)):
        turn.send(turn.t("tpl.removed", id=number))
    else:
        turn.send(turn.t("tpl.not_found", id=number))


# --- under a prompt ----------------------------------------------------------------------------


async def offer(turn: Turn, press: ButtonPress, report: Report, action: CaseAction) -> None:
    """The templates that fit ``report`` as buttons under the prompt of ``action`` (nothing
    when none fits)."""
    if action not in OFFERED_FOR:
        return
    found = await stored.fitting(turn.uow.session, report.unit_id, report.category, OFFERED_MAX)
    if not found:
        return
    rows = tuple(
        (unit_button(turn.deps, t.title, report.id, PICK, f"{action.value}.{t.id}"),) for t in found
    )
    turn.emit(
        SendText(
            chat_id=turn.chat_id,
            text=turn.t("tpl.offer", number=report.tracking_no),
            markup=InlineKeyboard(rows),
            reply_to_message_id=press.message_id,
        ),
        report.id,
        purpose=Purpose.RELAY,
    )


def fits(template: AnswerTemplate, report: Report) -> bool:
    """Whether ``template`` is one a prompt of ``report`` offers."""
    owned = template.unit_id is None or template.unit_id == report.unit_id
    return owned and template.category in ("", report.category)


def filled(turn: Turn, template: AnswerTemplate, report: Report) -> str:
    """``template``'s words with the report's fill-ins."""
    deps = turn.deps
    due = long_date(report.due_date, "id") if report.due_date is not None else "-"
    values = {
        "nomor": report.tracking_no,
        "kategori": category_name(deps.categories, report.category, "id"),
        "desa": place_name(deps.regions, report.region_code),
        "tenggat": due,
    }
    return fill(template.body, values)


async def on_button(
    turn: Turn,
    press: ButtonPress,
    unit: Unit,
    report: Report,
    name: str,
    arg: str,
    admin: bool | None,
) -> None:
    """A template pressed under a prompt, or its "Kirim apa adanya"."""
    parsed = action_of(arg)
    if parsed is None:
        turn.answer(turn.t("button.unknown"), alert=True)
        return
    action, template_id = parsed
    officer = await officer_of(turn, unit, admin)
    refused = may_start(officer, report, action)
    if refused is not None:
        say_refused(turn, refused)
        return
    template = await stored.get(turn.uow.session, template_id)
    if template is None or not fits(template, report):
        turn.answer(turn.t("tpl.gone"), alert=True)
        return
    text = filled(turn, template, report)
    if name == PICK:
        _send_back(turn, press, report, action, officer, text, arg)
        turn.answer(turn.t("tpl.sent_back"))
        return
    typed_prompts.forget(turn, officer.user_id)
    if action == CaseAction.ANSWER:
        done = await group_replies.answer(turn, report, officer, text)
        turn.answer()
    else:
        done = await perform(turn, report, OfficerStep(action, note=text), officer)
    if done and press.message_id is not None:
        # The button goes, so the same words are not sent twice.
        turn.emit(EditText(chat_id=turn.chat_id, message_id=press.message_id, text=text))


def _send_back(
    turn: Turn,
    press: ButtonPress,
    report: Report,
    action: CaseAction,
    officer: Officer,
    text: str,
    arg: str,
) -> None:
    """The filled words as a message that is the prompt of ``action``: a reply to it takes the
    action with the reply's words; "Kirim apa adanya" takes it with these."""
    typed_prompts.remember(turn, officer.user_id, report.id, action.value)
    button = unit_button(turn.deps, turn.t("tpl.send_as_is"), report.id, SEND, arg)
    turn.emit(
        SendText(
            chat_id=turn.chat_id,
            text=text,
            markup=InlineKeyboard(((button,),)),
            reply_to_message_id=press.message_id,
        ),
        report.id,
        purpose=Purpose.PROMPT,
        link_action=with_opener(action.value, turn.event.sender.user_id),
    )

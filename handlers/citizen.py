"""Citizen commands: /start and consent, help, language, status lookup, "my reports"."""

from __future__ import annotations

from core import commands
from core.timeline import NOT_FOR_CITIZENS, EventKind, event_words
from core.tracking import TrackingCheck, parse_tracking_number, typed_tracking_number
from handlers import draft as drafts
from handlers import intake, posters, rights
from handlers.actions import InlineButton, InlineKeyboard
from handlers.consent import CONSENT_VERSION, THEN_CHOICES, ask_consent, current_citizen
from handlers.events import Message
from handlers.formatting import category_name, place_name, short_date, short_datetime
from handlers.free_text import begin_with_words, take_waiting_words
from handlers.menu import main_menu, menu_choice
from handlers.notices import TEXT_MAX
from handlers.public_link import with_public_link
from handlers.stage_dates import report_due
from handlers.steps import ChatStep
from handlers.turn import SCOPE_GLOBAL, Turn
from storage.models import Citizen, Report, ReportEvent
from storage.supporters import SupporterRepository

STATUS_DESCRIPTION_MAX = 600

COMMANDS_NEW = frozenset(commands.NEW)
#: A main-menu choice (or the consent button's follow-on) → the command it stands for.
_COMMAND_OF = {"new": commands.NEW[0], "status": commands.STATUS[0], "mine": commands.MINE[0]}
COMMANDS_STATUS = frozenset(commands.STATUS)
COMMANDS_MINE = frozenset(commands.MINE)
COMMANDS_HELP = frozenset(commands.HELP)
COMMANDS_LANGUAGE = frozenset(commands.LANGUAGE)
COMMANDS_CANCEL = frozenset(commands.CANCEL)


async def on_command(turn: Turn, message: Message) -> None:
    name = message.command
    if name in commands.START:
        if not await posters.opened_from_poster(turn, message.command_args):
            await start(turn)
    elif name in COMMANDS_HELP:
        turn.send(turn.t("help.text"), main_menu(turn.tr))
    elif name in COMMANDS_LANGUAGE:
        show_language_choice(turn)
    elif name in COMMANDS_CANCEL:
        intake.cancel(turn)
    elif name in COMMANDS_NEW | COMMANDS_STATUS | COMMANDS_MINE:
        await _consented_command(turn, name, message.command_args)
    else:
        turn.send(turn.t("command.unknown"), main_menu(turn.tr))


async def on_menu_text(turn: Turn, message: Message) -> bool:
    """Handle a main-menu button; False when the text is not one."""
    choice = menu_choice(turn.deps.catalogs, message.text)
    if not choice:
        return False
    if choice == "help":
        turn.send(turn.t("help.text"), main_menu(turn.tr))
    elif choice == "language":
        show_language_choice(turn)
    else:
        await _consented_command(turn, _COMMAND_OF[choice], "")
    return True


async def _consented_command(turn: Turn, name: str, args: str) -> None:
    citizen = await current_citizen(turn)
    if citizen is None:
        ask_consent(turn, then=_then_of(name))
        return
    if name in COMMANDS_NEW:
        intake.begin(turn)
    elif name in COMMANDS_STATUS:
        if args:
            await show_status(turn, citizen, args)
        else:
            turn.conversation.step = ChatStep.STATUS_INPUT
            turn.conversation.step_seq += 1
            turn.send(turn.t("status.ask_number"))
    else:
        await show_my_reports(turn, citizen, page=0)


#: The button of one report in "Laporan saya" (its argument: the tracking number).
MY_REPORT = "myr"


async def on_button(turn: Turn, action: str, arg: str) -> bool:
    """Buttons owned here; False when the action belongs to the intake flow."""
    if action == "consent":
        agreed, _, then = arg.partition(".")
        await _consent_answer(turn, agreed=agreed == "yes", then=then)
    elif action == "langmenu":
        turn.answer()
        show_language_choice(turn)
    elif action == "lang":
        await _set_language(turn, arg)
    elif action == MY_REPORT:
        citizen = await current_citizen(turn)
        turn.answer()
        if citizen is None:
            ask_consent(turn)
        else:
            await show_status(turn, citizen, arg)
    elif action == "mine":
        citizen = await current_citizen(turn)
        if citizen is None:
            turn.answer()
            ask_consent(turn)
        else:
            turn.answer()
            await show_my_reports(turn, citizen, page=max(0, int(arg or "0")))
    else:
        return False
    return True


async def start(turn: Turn) -> None:
    citizen = await current_citizen(turn)
    if citizen is None:
        ask_consent(turn)
        return
    turn.send(turn.t("start.welcome_back", name=citizen.name or "-"), main_menu(turn.tr))
    if turn.conversation.step == ChatStep.INTAKE:
        intake.offer_resume(turn)


def _then_of(command: str) -> str:
    """The consent button's follow-on for a command asked for before consenting."""
    if command in COMMANDS_NEW:
        return "new"
    return "status" if command in COMMANDS_STATUS else "mine"


async def _consent_answer(turn: Turn, *, agreed: bool, then: str = "") -> None:
    conv = turn.conversation
    conv.step_seq += 1
    # Words typed before consent (an opening sentence) wait for this answer, and no longer.
    words = take_waiting_words(turn)
    if not agreed:
        conv.step = ChatStep.IDLE
        turn.answer()
        turn.show(turn.t("consent.declined"), None)
        return
    sender = turn.event.sender
    existing = await current_citizen(turn)
    if existing is not None and existing.consent_withdrawn_at is not None:
        rights.consent_again(turn, existing)
    if existing is None:
        await turn.uow.citizens.add(
            Citizen(
                channel=turn.channel,
                user_id=sender.user_id,
                chat_id=turn.chat_id,
                name=sender.display_name[:200],
                username=sender.username[:64],
                language=conv.language,
                consent_at=turn.now,
                consent_version=CONSENT_VERSION,
                created_at=turn.now,
            )
        )
    conv.step = ChatStep.IDLE
    turn.answer(turn.t("consent.thanks_short"))
    if then == "new" or (words and then not in THEN_CHOICES):
        # Step 1 replaces the notice in one edit and says the consent was recorded; an edit to
        # "dicatat" first would be overwritten at once, a counted call nobody sees.
        begin_with_words(turn, words, note=turn.t("consent.accepted"))
        return
    turn.show(turn.t("consent.accepted"), None)
    if then in THEN_CHOICES:
        await _consented_command(turn, _COMMAND_OF[then], "")
        return
    turn.send(turn.t("menu.prompt"), main_menu(turn.tr))


def show_language_choice(turn: Turn) -> None:
    keyboard = InlineKeyboard(
        rows=(
            (
                turn.button(turn.t("language.name_id"), "lang", "id", scope=SCOPE_GLOBAL),
                turn.button(turn.t("language.name_en"), "lang", "en", scope=SCOPE_GLOBAL),
            ),
        )
    )
    turn.send(turn.t("language.choose"), keyboard)


async def _set_language(turn: Turn, language: str) -> None:
    if language not in ("id", "en"):
        turn.answer(turn.t("button.unknown"), alert=True)
        return
    turn.conversation.language = language
    citizen = await current_citizen(turn)
    if citizen is not None:
        citizen.language = language
    turn.answer()
    turn.show(turn.t("language.changed"), None)
    if citizen is None:
        ask_consent(turn)
    else:
        turn.send(turn.t("menu.prompt"), main_menu(turn.tr))


async def lookup_status(turn: Turn, text: str) -> None:
    """A typed tracking number, after "Cek status": the prompt stays open until a valid number
    (or Batal, or a menu button), so a mistyped number's correction is taken."""
    citizen = await current_citizen(turn)
    if citizen is None:
        turn.conversation.step = ChatStep.IDLE
        ask_consent(turn)
        return
    if await show_status(turn, citizen, text, again=True) == TrackingCheck.VALID:
        turn.conversation.step = ChatStep.IDLE


async def on_typed_number(turn: Turn, message: Message) -> bool:
    """A tracking number typed as a whole message outside any step (no "Cek status" pressed)
    is answered as "Cek status" would; False for any other message."""
    conv = turn.conversation
    if (
        message.photos
        or message.location is not None
        or conv.step not in (ChatStep.IDLE, ChatStep.CONSENT)
        or drafts.load(conv).in_intake
        or typed_tracking_number(message.text) is None
    ):
        return False
    citizen = await current_citizen(turn)
    if citizen is None:
        ask_consent(turn, then="status")
    else:
        await show_status(turn, citizen, message.text)
    return True


async def show_status(
    turn: Turn, citizen: Citizen, text: str, *, again: bool = False
) -> TrackingCheck:
    """The report's status as the citizen may see it; how the number read. ``again``: the
    prompt stays open after a number that does not read, and says so."""
    parsed = parse_tracking_number(text)
    if parsed.check != TrackingCheck.VALID:
        if parsed.check == TrackingCheck.MALFORMED:
            said = turn.t("status.malformed")
        else:
            said = turn.t("status.mistyped", number=text.strip()[:20])
        if again:
            said = f"{said}\n{turn.t('status.try_again')}"
        turn.send(said, main_menu(turn.tr))
        return parsed.check
    report = await turn.uow.reports.by_tracking_number(parsed.number)
    supporters = SupporterRepository(turn.uow.session)
    if report is None:
        turn.send(turn.t("status.not_found", number=parsed.number), main_menu(turn.tr))
        return parsed.check
    if report.citizen_id == citizen.id:
        count = await supporters.count(report.id)
        turn.send(_status_text(turn, report, count), main_menu(turn.tr))
    elif await supporters.supports(report.id, citizen.id):
        count = await supporters.count(report.id)
        turn.send(_supported_status_text(turn, report, count), main_menu(turn.tr))
    else:
        turn.send(turn.t("status.not_found", number=parsed.number), main_menu(turn.tr))
    return parsed.check


def _supported_status_text(turn: Turn, report: Report, supporters: int) -> str:
    """What a supporter (laporan serupa) may see: the public status and the steps taken, never
    who filed it, the description, the privacy choice or anyone's words (they may name people),
    and days only: the time of filing would tell who was out there (docs/similar.md)."""
    tz = turn.deps.config.timezone
    lang = turn.conversation.language
    lines = [
        turn.t(
            "status.supported_detail",
            number=report.tracking_no,
            status=turn.t(f"status.label.{report.status}"),
            type=turn.t(f"type.{report.report_type}"),
            category=category_name(turn.deps.categories, report.category, lang),
            place=place_name(turn.deps.regions, report.region_code),
            created=short_date(report.created_at, tz, lang),
            due=report_due(turn.tr, report, turn.deps, turn.now),
        ),
        turn.t("status.supporters", count=supporters),
        "",
        turn.t("status.timeline"),
    ]
    for event in public_events(report):
        stamp = short_date(event.created_at, tz, lang)
        lines.append(f"• {stamp}: {_event_text(turn, event, with_note=False)}")
    return _linked(turn, report, "\n".join(lines))


def _status_text(turn: Turn, report: Report, supporters: int) -> str:
    tz = turn.deps.config.timezone
    lang = turn.conversation.language
    lines = [
        turn.t(
            "status.detail",
            number=report.tracking_no,
            status=turn.t(f"status.label.{report.status}"),
            type=turn.t(f"type.{report.report_type}"),
            category=category_name(turn.deps.categories, report.category, lang),
            place=place_name(turn.deps.regions, report.region_code),
            privacy=turn.t(f"privacy.{report.privacy.value}"),
            created=short_datetime(report.created_at, tz, lang),
            due=report_due(turn.tr, report, turn.deps, turn.now),
            photos=len(report.photos),
            description=_shorten(report.description, STATUS_DESCRIPTION_MAX),
        ),
    ]
    if supporters:
        lines.append(turn.t("status.supporters", count=supporters))
    lines += ["", turn.t("status.timeline")]
    for event in public_events(report):
        stamp = short_datetime(event.created_at, tz, lang)
        # A supporter's words are for the unit: they may name the supporter.
        with_note = event.kind != EventKind.SUPPORTER_NOTE
        lines.append(f"• {stamp}: {_event_text(turn, event, with_note=with_note)}")
    return _linked(turn, report, "\n".join(lines))


def _linked(turn: Turn, report: Report, text: str) -> str:
    """The status answer with its report's public page (``PUBLIC_BASE_URL``), when there is one."""
    return with_public_link(turn.tr, turn.deps.config, report.tracking_no, text, TEXT_MAX)


def public_events(report: Report) -> list[ReportEvent]:
    """The report's timeline as a citizen may read it: internal notes and who handles it
    (the unit's own work) left out."""
    return [event for event in report.events if event.kind not in NOT_FOR_CITIZENS]


def _event_text(turn: Turn, event: ReportEvent, *, with_note: bool) -> str:
    """An event in the citizen's words; the note only when people wrote it (never a code)."""
    words = event_words(event.kind, event.note)
    text = turn.t(words.key, **words.values)
    return f"{text} — {words.note}" if with_note and words.note else text


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


async def show_my_reports(turn: Turn, citizen: Citizen, *, page: int) -> None:
    size = turn.deps.config.reports_page_size
    total = await turn.uow.reports.count_for_citizen(citizen.id)
    if total == 0:
        turn.send(turn.t("mine.empty"), main_menu(turn.tr))
        return
    pages = (total + size - 1) // size
    page = min(page, pages - 1)
    reports = await turn.uow.reports.for_citizen(citizen.id, offset=page * size, limit=size)
    lang = turn.conversation.language
    lines = [turn.t("mine.header", page=page + 1, pages=pages, total=total)]
    for report in reports:
        lines.append(
            turn.t(
                "mine.item",
                number=report.tracking_no,
                status=turn.t(f"status.label.{report.status}"),
                category=category_name(turn.deps.categories, report.category, lang),
                date=short_datetime(report.created_at, turn.deps.config.timezone, lang),
            )
        )
    lines.append(turn.t("mine.hint"))
    # A button per report opens its details: nobody has to type a tracking number.
    rows: list[tuple[InlineButton, ...]] = [
        (
            turn.button(
                turn.t("mine.open", number=report.tracking_no),
                MY_REPORT,
                report.tracking_no,
                scope=SCOPE_GLOBAL,
            ),
        )
        for report in reports
    ]
    buttons = []
    if page > 0:
        buttons.append(turn.button(turn.t("nav.prev"), "mine", str(page - 1), scope=SCOPE_GLOBAL))
    if page + 1 < pages:
        buttons.append(turn.button(turn.t("nav.next"), "mine", str(page + 1), scope=SCOPE_GLOBAL))
    if buttons:
        rows.append(tuple(buttons))
    turn.show("\n".join(lines), InlineKeyboard(rows=tuple(rows)))

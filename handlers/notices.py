"""Every message a report's change causes: outbox rows with a purpose (docs/lifecycle.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from cases.filing import Filing
from core.clips import clip_kind_of
from core.decisions import Audience, Decision, Rules
from core.permissions import UnitKind
from core.purposes import Purpose
from handlers import counter_relay
from handlers.actions import EditText, InlineButton, InlineKeyboard, MediaItem, SendMedia, SendText
from handlers.card_view import StepCards, card_facts, card_view
from handlers.cards import SHOWING_MORE, card_keyboard, card_text
from handlers.case import Case
from handlers.deps import HandlerDeps
from handlers.events import Photo
from handlers.formatting import long_date
from handlers.public_link import with_public_link
from handlers.routing import coordinator_chats, holder_chats, is_coordinator_chat, reachable
from handlers.supporters import tell_supporters
from handlers.turn import global_button
from handlers.wa_notice import wa_notice
from locales import Translator
from storage.card_facts import CardFacts
from storage.models import Report, Unit, UnitChat
from storage.uow import UnitOfWork

#: Telegram's limit for one message.
TEXT_MAX = 4096

# --- media ---------------------------------------------------------------------------------


def as_media(file_id: str, mime_type: str) -> MediaItem:
    # Telegram re-encodes photos as JPEG, and a cleaned copy (``local:``) of an image that came
    # as a file goes as a photo too; only a file kept from before cleaning goes on as a file.
    clip = clip_kind_of(mime_type)
    if clip is not None:
        return MediaItem(file_id, clip=clip.value)
    if file_id.startswith("local:"):
        return MediaItem(file_id)
    return MediaItem(file_id, as_document=mime_type != "image/jpeg")


def media_items(photos: Sequence[Photo]) -> list[MediaItem]:
    return [as_media(p.file_id, p.mime_type) for p in photos]


def evidence_symbol(photos: Sequence[Photo]) -> str:
    """What stands for evidence sent without words: 📷 photos, 🎙️ a voice note, 🎬 a video."""
    symbols = {"": "📷", "voice": "🎙️", "video": "🎬"}
    found = dict.fromkeys(symbols[item.clip] for item in media_items(photos))
    return "".join(found) or "📷"


def media_actions(
    chat_id: str, items: Sequence[MediaItem], *, reply_to_card: bool = True
) -> list[SendMedia]:
    """Photos as one album and image files as another (Telegram does not mix them); each voice
    note or video alone."""
    actions: list[SendMedia] = []
    for as_document in (False, True):
        group = tuple(item for item in items if item.as_document == as_document and not item.clip)
        for start in range(0, len(group), 10):
            actions.append(
                SendMedia(
                    chat_id=chat_id,
                    items=group[start : start + 10],
                    reply_to_purpose=Purpose.CARD if reply_to_card else "",
                )
            )
    for item in items:
        if item.clip:
            actions.append(
                SendMedia(
                    chat_id=chat_id,
                    items=(item,),
                    reply_to_purpose=Purpose.CARD if reply_to_card else "",
                )
            )
    return actions


# --- cards -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewReportCards:
    """The cards a new report owes (``cases.filing.NewReportNotices``), written for the groups."""

    deps: HandlerDeps

    async def new_report(self, uow: UnitOfWork, now: datetime, report: Report, unit: Unit) -> None:
        await post_cards(Case(uow, self.deps, now), report, unit)


def filing_for(deps: HandlerDeps) -> Filing:
    """What ``cases.filing.file_report`` needs, from the handlers' dependencies: every door
    that files a report (the chat, Open311 through ``aduan console``, the tests) uses it."""
    config = deps.config
    rules = Rules(deps.calendar, config.timezone, config.deadlines)
    return Filing(rules, deps.categories, NewReportCards(deps))


async def post_card(
    case: Case,
    report: Report,
    unit: Unit | None,
    chat: UnitChat,
    *,
    facts: CardFacts | None = None,
) -> None:
    """The evidence photos first (an album captioned with the report's number), then the full
    card with its buttons, so the buttons are the last thing on the officers' screen.
    ``facts``: the card's facts read for the step's cards (read here when not given)."""
    tr = case.tr(chat.language)
    facts = facts if facts is not None else await card_facts(case, report, unit)
    evidence = [as_media(e.file_id, e.mime_type) for e in facts.evidence]
    coordinator = await is_coordinator_chat(case, chat)
    view = await card_view(case, report, unit, coordinator=coordinator, facts=facts)
    for action in media_actions(chat.chat_id, evidence, reply_to_card=False):
        clip = action.items[0].clip  # a clip goes alone, named for what it is
        key = f"card.clip_caption.{clip}" if clip else "card.album_caption"
        caption = tr.t(key, number=report.tracking_no)
        case.emit(chat.channel, replace(action, caption=caption), report, purpose=Purpose.ALBUM)
    text = card_text(tr, case.deps, report, view)
    markup = card_keyboard(tr, case.deps, report, coordinator=coordinator)
    case.emit(
        chat.channel,
        SendText(chat_id=chat.chat_id, text=text, markup=markup, html=True),
        report,
        purpose=Purpose.CARD,
    )


async def post_cards(case: Case, report: Report, unit: Unit) -> None:
    """Cards in the holder's groups, and in the coordinator's (full card or a summary line)."""
    facts: CardFacts | None = None
    for chat in await case.uow.units.chats_of(unit.id):
        facts = facts or await card_facts(case, report, unit)
        await post_card(case, report, unit, chat, facts=facts)
    if unit.kind == UnitKind.COORDINATOR:
        return
    for chat in await coordinator_chats(case):
        if case.deps.config.coordinator_summaries_only:
            tr = case.tr(chat.language)
            text = tr.t("coordinator.summary", number=report.tracking_no, unit=unit.name)
            case.emit(
                chat.channel,
                SendText(chat_id=chat.chat_id, text=text),
                report,
                purpose=Purpose.RELAY,
            )
        else:
            facts = facts or await card_facts(case, report, unit)
            await post_card(case, report, unit, chat, facts=facts)


async def refresh_cards(case: Case, report: Report) -> None:
    """Edit the report's cards in the holder's and the coordinator's groups to its new state."""
    unit = await case.uow.units.get(report.unit_id) if report.unit_id else None
    chats = await case.uow.units.chats_of(unit.id) if unit else []
    if unit is None or unit.kind != UnitKind.COORDINATOR:
        chats += await coordinator_chats(case)
    cards = StepCards(case, report, (unit,))
    for chat in chats:
        await edit_card(case, report, unit, chat, moved_to=None, cards=cards)


async def move_cards(case: Case, report: Report, old_unit: Unit | None, to_unit: Unit) -> None:
    """A transfer: the old unit's card says where it went and loses its buttons; the new
    holder (or the coordinator, when it has no group) gets a fresh card. The cards' facts and
    the cards sent before are read once for the three."""
    cards = StepCards(case, report, (old_unit, to_unit))
    if old_unit is not None and old_unit.kind != UnitKind.COORDINATOR:
        for chat in await case.uow.units.chats_of(old_unit.id):
            await edit_card(case, report, old_unit, chat, moved_to=to_unit, cards=cards)
    destination = await reachable(case, to_unit) or to_unit
    for chat in await case.uow.units.chats_of(destination.id):
        await post_card(case, report, to_unit, chat, facts=await cards.facts())
    for chat in await coordinator_chats(case):
        if destination.kind != UnitKind.COORDINATOR:
            await edit_card(case, report, to_unit, chat, moved_to=None, cards=cards)


async def edit_card(
    case: Case,
    report: Report,
    unit: Unit | None,
    chat: UnitChat,
    *,
    moved_to: Unit | None,
    more: bool | None = None,
    cards: StepCards | None = None,
) -> None:
    """The card in ``chat`` written again (``more``: with its other buttons, "⋯ Lainnya"; None:
    on the screen the card's message shows, so a redraw does not take an officer who is in
    "⋯ Lainnya" back); ``cards``: the facts and links of the step's cards (read here when not
    given)."""
    cards = cards or StepCards(case, report, (unit,))
    link = await cards.link(chat)
    if link is None:
        # The card is not sent yet (or the chat was bound after it): nothing to edit.
        return
    if more is None:
        more = link.action == SHOWING_MORE
    tr = case.tr(chat.language)
    coordinator = await is_coordinator_chat(case, chat)
    view = await card_view(case, report, unit, coordinator=coordinator, facts=await cards.facts())
    if moved_to is not None:
        view = replace(view, moved_to=moved_to)
    markup = (
        None
        if moved_to is not None
        else card_keyboard(tr, case.deps, report, coordinator=coordinator, more=more)
    )
    text = card_text(tr, case.deps, report, view)
    edit = EditText(
        chat_id=chat.chat_id, message_id=link.message_id, text=text, markup=markup, html=True
    )
    case.emit(chat.channel, edit, report)


# --- the reporter ----------------------------------------------------------------------------


async def notify_reporter(
    case: Case,
    report: Report,
    key: str,
    *,
    reply_button: bool = True,
    markup: InlineKeyboard | None = None,
    **values: object,
) -> None:
    """A message to the reporter in their language; replying to it reaches the unit."""
    await _notify(case, report, key, values, reply_button=reply_button, markup=markup)


async def _notify(
    case: Case,
    report: Report,
    key: str,
    words: Mapping[str, object],
    *,
    reply_button: bool,
    markup: InlineKeyboard | None = None,
) -> None:
    citizen = await case.uow.citizens.by_id(report.citizen_id)
    if citizen is None:
        return
    if not citizen.chat_id:
        # Unclaimed counter filing (its officer tells them) or removed reporter; supporters hear.
        await counter_relay.tell_officer(case, report, citizen, key, words)
        await tell_supporters(case, report, key, words)
        return
    tr = case.tr(citizen.language)
    text = tr.t(key, number=report.tracking_no, **words)
    text = with_public_link(tr, case.deps.config, report.tracking_no, text, TEXT_MAX)
    if markup is None and reply_button:
        markup = reply_markup(case, tr, report)
    action = SendText(chat_id=citizen.chat_id, text=text, markup=markup)
    case.emit(
        report.channel, action, report, purpose=Purpose.NOTICE, extra=wa_notice(tr, report, key)
    )
    await tell_supporters(case, report, key, words)


def reply_markup(case: Case, tr: Translator, report: Report) -> InlineKeyboard:
    return InlineKeyboard(rows=((citizen_button(case, tr.t("followup.button"), "fu", report),),))


def confirm_markup(case: Case, tr: Translator, report: Report) -> InlineKeyboard:
    """ "Sudah selesai?" yes / no under the unit's final answer."""
    yes = citizen_button(case, tr.t("confirm.yes"), "cyes", report)
    no = citizen_button(case, tr.t("confirm.no"), "cno", report)
    return InlineKeyboard(rows=((yes, no),))


def citizen_button(
    case: Case, text: str, action: str, report: Report, extra: str = ""
) -> InlineButton:
    arg = f"{report.id}" + (f".{extra}" if extra else "")
    return global_button(case.deps, text, action, arg)


async def reporter_language(case: Case, report: Report) -> str:
    citizen = await case.uow.citizens.by_id(report.citizen_id)
    return citizen.language if citizen else "id"


def due_text(report: Report, language: str) -> str:
    return long_date(report.due_date, language) if report.due_date else "-"


# --- the groups --------------------------------------------------------------------------------


async def to_holder_groups(
    case: Case, report: Report, key: str, *, photos: Sequence[Photo] = (), **values: object
) -> None:
    await _to_holder(case, report, key, values, photos)


async def _to_holder(
    case: Case, report: Report, key: str, values: Mapping[str, object], photos: Sequence[Photo]
) -> None:
    items = media_items(photos)
    for chat in await holder_chats(case, report):
        tr = case.tr(chat.language)
        text = tr.t(key, number=report.tracking_no, **values)
        case.emit(
            chat.channel,
            SendText(chat_id=chat.chat_id, text=text[:TEXT_MAX], reply_to_purpose=Purpose.CARD),
            report,
            purpose=Purpose.RELAY,
        )
        for action in media_actions(chat.chat_id, items):
            case.emit(chat.channel, action, report, purpose=Purpose.RELAY)


async def to_coordinator_groups(case: Case, report: Report, key: str, **values: object) -> None:
    unit = await case.uow.units.get(report.unit_id) if report.unit_id else None
    if unit is not None and unit.kind == UnitKind.COORDINATOR:
        return  # the holder's groups already got it
    for chat in await coordinator_chats(case):
        tr = case.tr(chat.language)
        text = tr.t(key, number=report.tracking_no, **values)
        case.emit(
            chat.channel,
            SendText(chat_id=chat.chat_id, text=text, reply_to_purpose=Purpose.CARD),
            report,
            purpose=Purpose.RELAY,
        )


# --- the notices a decision owes -------------------------------------------------------------

Special = Mapping[Audience, Callable[[], Awaitable[None]]]


async def deliver(
    case: Case,
    report: Report,
    decision: Decision,
    words: Mapping[str, object] | None = None,
    *,
    special: Special | None = None,
    photos: Sequence[Photo] = (),
) -> None:
    """Send what ``decision`` owes, in its order, with ``words`` for the messages' placeholders.
    ``special`` sends the audiences whose message needs more than words (a confirmation
    keyboard, moved cards)."""
    values = words or {}
    for owed in decision.notices:
        if special and owed.audience in special:
            await special[owed.audience]()
        elif owed.audience in (Audience.REPORTER, Audience.REPORTER_FINAL):
            reply = owed.audience == Audience.REPORTER
            await _notify(case, report, owed.key, values, reply_button=reply)
        elif owed.audience == Audience.HOLDER:
            await _to_holder(case, report, owed.key, values, photos)
        elif owed.audience == Audience.COORDINATOR:
            await to_coordinator_groups(case, report, owed.key, **values)
        elif owed.audience == Audience.CARDS:
            await refresh_cards(case, report)
        else:
            raise ValueError(f"no sender for {owed.audience} notices here")

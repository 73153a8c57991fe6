"""Replies that arrive before their message's link: held back, never dropped.

A message about a report gets its link (``message_links``) when the outbox records the send, a
moment after Telegram has shown it. A person who replies within that moment would otherwise find
no link: the reply would go nowhere. So a reply to a bot message without a link, in a chat where a
message about a report is still on its way, raises :class:`LinkPendingError`; the inbox leaves the
update (and the chat's later ones) in the queue and runs it again shortly, when the link is there.
The wait is bounded by ``HandlerConfig.link_wait`` from the queued row's creation: a message that
never went out does not hold a chat for ever.
"""

from __future__ import annotations

from handlers.events import Message
from handlers.turn import Turn
from storage.models import MessageLink


class LinkPendingError(Exception):
    """Handle this update again shortly: the message it replies to has no link yet."""


async def replied_link(turn: Turn, message: Message) -> MessageLink | None:
    """The link of the message ``message`` replies to; raises LinkPendingError while it may come."""
    if message.reply_to_message_id is None:
        return None
    link = await turn.uow.links.find(turn.channel, turn.chat_id, message.reply_to_message_id)
    if link is not None or not message.reply_to_bot:
        return link
    since = turn.now - turn.deps.config.link_wait
    # Rows of this very turn (created at ``turn.now``) are not on their way yet.
    if await turn.uow.outbox.links_on_the_way(
        turn.channel, turn.chat_id, since=since, before=turn.now
    ):
        raise LinkPendingError
    return None


async def hold_press_until_linked(turn: Turn, message_id: int | None) -> None:
    """A button pressed on a bot message whose link is not recorded yet (a card pressed the
    instant it appears, now that it is the last message after its photos): raise
    LinkPendingError while that message may still be on its way, so that the change it causes
    can edit the card instead of missing it."""
    if message_id is None:
        return
    if await turn.uow.links.find(turn.channel, turn.chat_id, message_id) is not None:
        return
    since = turn.now - turn.deps.config.link_wait
    if await turn.uow.outbox.links_on_the_way(
        turn.channel, turn.chat_id, since=since, before=turn.now
    ):
        raise LinkPendingError

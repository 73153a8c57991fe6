"""Why a message about a report was sent (``outbox.purpose``, ``message_links.purpose``).

A sent message with a purpose becomes a reply path: an officer replying to a card answers the
reporter, a reply to a prompt performs the prompted action, and a message to the reporter that
fails for good tells the unit (see docs/lifecycle.md). Values are stored: keep them stable.
"""

from enum import StrEnum


class Purpose(StrEnum):
    NONE = ""  # a message that is nobody's reply path
    CARD = "card"  # the report's card in a unit's group
    ALBUM = "album"  # the evidence photos sent just before a card
    RELAY = "relay"  # a message passed on to a group (the reporter's words, a picker, a summary)
    PROMPT = "prompt"  # asks an officer for the words of an action (ForceReply)
    NOTICE = "notice"  # a message to the reporter

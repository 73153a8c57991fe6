"""Size limits (batas ukuran) shared by the conversation, the storage and the channel adapters.

Telegram's own limits are facts of the Bot API; the others are product choices. Screens that quote
a description (summary, status) shorten it so that they still fit in one Telegram message.
"""

from typing import Final

#: Shortest useful complaint description (uraian aduan), in characters.
DESCRIPTION_MIN: Final = 20
#: Free-text address detail (detail alamat: RT/RW, street, landmark).
ADDRESS_MAX: Final = 200
#: Photos (foto bukti) attached to one report; Telegram albums carry 2–10 items.
MAX_PHOTOS: Final = 5

#: Telegram: characters in one text message.
TELEGRAM_TEXT_MAX: Final = 4096
#: Longest description: whatever one Telegram message can carry.
DESCRIPTION_MAX: Final = TELEGRAM_TEXT_MAX
#: Telegram: characters in a photo/document caption.
TELEGRAM_CAPTION_MAX: Final = 1024
#: Telegram: bytes of callback_data in an inline keyboard button.
CALLBACK_DATA_MAX: Final = 64
#: Telegram: items in one media group (album).
TELEGRAM_ALBUM_MIN: Final = 2
TELEGRAM_ALBUM_MAX: Final = 10
#: An officer's words on a report (a question, a follow-up, an answer, a transfer's reason):
#: room left in one Telegram message for the notice around them.
OFFICER_NOTE_MAX: Final = 3500

"""The command vocabulary of each kind of chat, in one place.

Each command is a tuple of the names it answers to: the Indonesian name first (shown in
Telegram's "/" menu), then its aliases. The private chat (citizens) and group chats (officers)
read their commands here, and ``bot.commands`` publishes the menus from the same tuples, so the
lists cannot drift apart: a citizen's command typed in a group is always recognised there and
answered with a pointer to the private chat.
"""

from __future__ import annotations

from typing import Final

from core.permissions import CaseAction

Names = tuple[str, ...]

# --- answered in every chat ------------------------------------------------------------------
START: Final[Names] = ("start",)
HELP: Final[Names] = ("bantuan", "help")

# --- the private chat (citizens) ---------------------------------------------------------------
NEW: Final[Names] = ("baru", "lapor", "new")
STATUS: Final[Names] = ("status", "cek")
MINE: Final[Names] = ("laporansaya", "myreports")
LANGUAGE: Final[Names] = ("bahasa", "language")
CANCEL: Final[Names] = ("batal", "cancel")
#: A citizen's own data: see it, a copy, correct, withdraw consent, removal (handlers/rights.py).
DATA: Final[Names] = ("dataku", "mydata")
#: An officer files a report for a citizen at the counter or by phone (handlers/counter.py).
COUNTER: Final[Names] = ("loket", "atasnama")
#: A citizen follows a report filed for them: /klaim NOMOR KODE.
CLAIM: Final[Names] = ("klaim", "claim")

#: The citizens' "/" menu, in order.
CITIZEN_MENU: Final[Names] = (
    NEW[0],
    STATUS[0],
    MINE[0],
    HELP[0],
    LANGUAGE[0],
    DATA[0],
    CANCEL[0],
)
#: Citizen commands that make no sense in a group: a group answers them with a pointer to the
#: private chat (``START`` and ``HELP`` get the officers' guide there instead).
CITIZEN_ONLY: Final = frozenset(NEW + STATUS + MINE + LANGUAGE + CANCEL + COUNTER + CLAIM + DATA)

# --- group chats (officers) ----------------------------------------------------------------------
REGISTER: Final[Names] = ("daftar", "register")
UNREGISTER: Final[Names] = ("lepas", "unregister")
QUEUE: Final[Names] = ("antrian", "queue")
LATE: Final[Names] = ("terlambat", "late")
REPORT: Final[Names] = ("laporan", "report")
CODE: Final[Names] = ("kode", "code")
FAILED: Final[Names] = ("gagal", "failed")
#: A single-use link into the coordinator's console, sent to the admin's private chat.
CONSOLE: Final[Names] = ("dasbor", "dashboard")
#: The outside bodies reports are referred to (bukan kewenangan): the list, and the
#: coordinator's ``tambah`` / ``hapus``.
REFERRALS: Final[Names] = ("rujukan", "referrals")
TEMPLATES: Final[Names] = ("templat", "template")
#: The officers' whole guide: the pinned one and every other tool (group.guide_more).
GUIDE: Final[Names] = ("panduan", "guide")
#: Officers' action commands and the action each performs.
ACTIONS: Final[dict[str, CaseAction]] = {
    "verifikasi": CaseAction.VERIFY,
    "tanya": CaseAction.ASK,
    "tindaklanjut": CaseAction.NOTE,
    "proses": CaseAction.NOTE,
    "selesai": CaseAction.DONE,
    "alihkan": CaseAction.TRANSFER,
    "arsipkan": CaseAction.ARCHIVE,
}

#: The officers' "/" menu in group chats, in order.
GROUP_MENU: Final[Names] = (
    QUEUE[0],
    LATE[0],
    REPORT[0],
    "verifikasi",
    "tanya",
    "tindaklanjut",
    "selesai",
    "alihkan",
    "arsipkan",
    TEMPLATES[0],
    CODE[0],
    REFERRALS[0],
    FAILED[0],
    CONSOLE[0],
    GUIDE[0],
    REGISTER[0],
    UNREGISTER[0],
    HELP[0],
)

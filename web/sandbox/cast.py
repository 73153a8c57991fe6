"""Who is in the sandbox: the citizens and the officers of the demo groups, one pane each.

Every pane is one chat seen by one person: a citizen's private chat with the bot (on Telegram, or
Wati's on WhatsApp through the fake Graph API), or a unit's group as seen by a named officer who
is an admin of it (so the officer can bind the group and act on cards). The ids are fixed so a
reset gives the same chats back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from emulator import TgUser

PaneKind = Literal["citizen", "whatsapp", "desa", "opd", "coordinator"]

#: The demo desa: Sepaso, Kecamatan Bengalon, Kutai Timur (Kemendagri code).
DEMO_DESA_AREA = "64.08.09.2001"
DEMO_OPD = "dinas-pupr"
COORDINATOR = "diskominfo"
#: The pane of the coordinator's group: its officer is the one the Konsol button signs in.
COORDINATOR_PANE = "koordinator"
#: A point in Sepaso (Bengalon, Kutai Timur), sent when a pane shares its location.
DEMO_LOCATION = (0.8302, 117.8871)


@dataclass(frozen=True)
class Pane:
    """One chat of the page: ``user`` types in it; a group pane names the unit it is bound to
    (``unit_code``, or ``unit_area`` for an area unit whose code the registry assigns).
    ``short`` names the chat in the phone's chat list, where a fifth of 390 px is all there is."""

    key: str
    kind: PaneKind
    chat_id: int
    title: str
    short: str
    user: TgUser
    unit_code: str | None = None
    unit_area: str | None = None

    @property
    def is_group(self) -> bool:
        return self.kind not in ("citizen", "whatsapp")

    @property
    def on_whatsapp(self) -> bool:
        """A citizen writing on WhatsApp: the chat goes through the fake Graph API, and its
        number (``wa_id``) is the chat's id."""
        return self.kind == "whatsapp"

    @property
    def wa_id(self) -> str:
        return str(self.chat_id)

    @property
    def chat_type(self) -> str:
        return "supergroup" if self.is_group else "private"


SITI = TgUser(id=1001, first_name="Siti", last_name="Aminah", username="siti_aminah")
BUDI = TgUser(id=1002, first_name="Budi", last_name="Santoso")
#: A citizen on WhatsApp: her "id" is her number, as WhatsApp's webhook gives it.
WATI = TgUser(id=6281200001003, first_name="Wati", last_name="Lestari")
KADES = TgUser(id=2002, first_name="Pak", last_name="Kades Sepaso")
AGUS = TgUser(id=2004, first_name="Agus", last_name="(PUPR)")
RINA = TgUser(id=2001, first_name="Rina", last_name="(Diskominfo)")

PANES = (
    Pane("siti", "citizen", SITI.id, "Siti Aminah", "Siti", SITI),
    Pane("budi", "citizen", BUDI.id, "Budi Santoso", "Budi", BUDI),
    Pane("wati", "whatsapp", WATI.id, "Wati (WhatsApp)", "Wati", WATI),
    Pane("desa", "desa", -1001002, "Pemdes Sepaso", "Pemdes", KADES, unit_area=DEMO_DESA_AREA),
    Pane("opd", "opd", -1001003, "Aduan Dinas PUPR", "PUPR", AGUS, unit_code=DEMO_OPD),
    Pane(
        COORDINATOR_PANE,
        "coordinator",
        -1001001,
        "Koordinator Aduan Kutim",
        "Koordinator",
        RINA,
        COORDINATOR,
    ),
)


def pane(key: str) -> Pane:
    """The pane called ``key``; KeyError for an unknown one."""
    for item in PANES:
        if item.key == key:
            return item
    raise KeyError(key)

"""↗ Bukan kewenangan end to end, on both frameworks: the real bot against the emulator.

A member may not refer; the desa's head opens the picker of outside bodies; the coordinator
removes one of them while the picker is open, and pressing it then gets a clear answer and
changes nothing; the head refers the report to BPJS Kesehatan: the citizen is told where to go
(its number 165) and what to bring, the cards show the report as referred with no buttons left
for the unit; the coordinator's ↩ undo returns it to the unit as it was, and the citizen hears."""

from __future__ import annotations

from emulator import EmulatorClient
from emulator.chat import ChatView
from tests.e2e.conftest import RunningBot, Settle
from tests.e2e.helpers import ChatOf, labels
from tests.e2e.scenario import FORWARDED, Scenario
from tests.e2e.units import (
    BACK,
    KADES,
    MORE,
    SEPASO_GROUP,
    STAF_DESA,
    card_in,
    event_kinds,
    more_of,
)

REFER = "↗ Bukan kewenangan"
UNDO = "↩ Batalkan rujukan"
REFERRED = "Status: Bukan kewenangan, dirujuk ke instansi lain"


async def test_a_report_referred_outside_and_the_referral_undone(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    settle: Settle,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    sepaso, siti, coordinator = scenario.desa, scenario.citizen, scenario.coordinator
    number, card = await scenario.file()
    assert MORE in labels(card)
    assert REFER in labels(await more_of(sepaso, number))
    await sepaso.press(BACK, number)
    await scenario.verify(number)

    # A plain member of the group may not refer (an admin or a named officer may).
    await more_of(sepaso, number)
    await telegram.press_button(STAF_DESA, REFER, chat_id=SEPASO_GROUP)
    await settle()
    [answer] = (await telegram.callback_answers(SEPASO_GROUP))[-1:]
    assert "hanya admin grup ini atau petugas" in answer["text"]

    # The picker lists the coordinator's bodies; one is removed while it is open.
    picker = await sepaso.press(REFER, "dirujuk ke instansi mana")
    assert "BPJS Kesehatan" in labels(picker)
    listed = await coordinator.send("/rujukan", "Instansi rujukan")
    pln = next(line for line in listed["text"].splitlines() if "PLN" in line)
    removed = pln.split(".", 1)[0]
    await coordinator.send(f"/rujukan hapus {removed}", "dihapus dari daftar rujukan")
    await telegram.press_button(KADES, "PLN", chat_id=SEPASO_GROUP)
    await settle()
    [answer] = (await telegram.callback_answers(SEPASO_GROUP))[-1:]
    assert "tidak ada lagi di daftar rujukan" in answer["text"]
    assert answer["show_alert"]
    await card_in(sepaso, number, showing=FORWARDED)
    assert "rf" not in await event_kinds(database_url)

    # Referred: the citizen learns where to go and what to bring.
    told = await scenario._do(
        siti,
        lambda: telegram.press_button(KADES, "BPJS Kesehatan", chat_id=SEPASO_GROUP),
        "bukan kewenangan",
    )
    assert "BPJS Kesehatan" in told["text"]
    assert "165" in told["text"]
    assert "KTP" in told["text"]
    assert number in told["text"]
    desa_card = await card_in(sepaso, number, showing=REFERRED)
    assert REFER not in labels(desa_card)
    assert UNDO not in labels(desa_card)  # only the coordinator undoes a referral
    coordinator_card = await card_in(coordinator, number, showing=REFERRED)
    assert UNDO in labels(coordinator_card)

    # The coordinator undoes it: back to the unit as it was; the citizen is told.
    back = await scenario._do(
        siti,
        lambda: coordinator.telegram.press_button(
            coordinator.user, UNDO, chat_id=coordinator.chat_id
        ),
        "rujukannya kami batalkan",
    )
    assert "Desa Sepaso" in back["text"]
    await card_in(sepaso, number, showing=FORWARDED)
    assert REFER in labels(await more_of(sepaso, number))
    # The stale card's undo, pressed again: a clear answer, nothing changes.
    [undo] = [
        b
        for row in coordinator_card["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"] == UNDO
    ]
    await telegram.press(
        coordinator.user,
        int(coordinator_card["message_id"]),
        str(undo["callback_data"]),
        chat_id=coordinator.chat_id,
        force=True,
    )
    await settle()
    [answer] = (await telegram.callback_answers(coordinator.chat_id))[-1:]
    assert "tidak sedang dirujuk" in answer["text"]
    kinds = await event_kinds(database_url)
    assert [k for k in kinds if k in ("rf", "urf")] == ["rf", "urf"]


async def test_the_list_is_the_coordinators(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
) -> None:
    """A unit's group reads the list but cannot change it; the coordinator adds a body, and a
    body without a name is refused with the reason."""
    scenario = await Scenario.start(telegram, database_url, chat_of)
    sepaso, coordinator = scenario.desa, scenario.coordinator
    listed = await sepaso.send("/rujukan", "Instansi rujukan")
    assert "165" in listed["text"]
    assert "tambah" not in listed["text"]
    await sepaso.send(
        "/rujukan tambah Samsat | pajak kendaraan", "hanya diubah dari grup koordinator"
    )
    await coordinator.send("/rujukan tambah | tanpa nama", "Nama instansi wajib diisi")
    # Each part is held to its own column's width: a phone number of 100 characters is refused
    # politely, not stored (SQLite would keep it; PostgreSQL would fail the whole step).
    await coordinator.send(
        f"/rujukan tambah PLN | listrik | Jl. Contoh 2 | {'0' * 100}", "telepon 80"
    )
    await coordinator.send(
        "/rujukan tambah UPT Samsat | Pajak kendaraan bermotor | Jl. Contoh 1",
        "UPT Samsat ditambahkan",
    )
    staff = ChatView(telegram, STAF_DESA, SEPASO_GROUP)
    listed = await staff.send("/rujukan", "Instansi rujukan")
    assert "UPT Samsat" in listed["text"]
    assert "Jl. Contoh 1" in listed["text"]

"""The emulator's voice notes and videos: a citizen sends real bytes (the update carries a
``voice``/``video``/``video_note`` whose file getFile serves), and a bot sends them on with
sendVoice/sendVideo/sendVideoNote by file id, as a real aiogram Bot parses them."""

from __future__ import annotations

from aiogram import Bot

from emulator import EmulatorClient, TgUser

CITIZEN = TgUser(id=5001, first_name="Wati")
VOICE = b"OggS" + b"\x00" * 32
VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32


async def _bytes(bot: Bot, file_id: str) -> bytes:
    found = await bot.get_file(file_id)
    assert found.file_path is not None
    downloaded = await bot.download_file(found.file_path)
    assert downloaded is not None
    return downloaded.read()


async def test_clips_go_in_and_out_with_their_bytes(bot: Bot, tg: EmulatorClient) -> None:
    said = await tg.send_voice(CITIZEN, VOICE, duration=12)
    video = await tg.send_video(CITIZEN, VIDEO, duration=4)
    round_note = await tg.send_video(CITIZEN, VIDEO, note=True)
    assert said["voice"]["duration"] == 12
    assert said["voice"]["mime_type"] == "audio/ogg"
    assert video["video"]["mime_type"] == "video/mp4"
    assert "video_note" in round_note
    assert await _bytes(bot, said["voice"]["file_id"]) == VOICE
    assert await _bytes(bot, round_note["video_note"]["file_id"]) == VIDEO

    sent_voice = await bot.send_voice(CITIZEN.id, said["voice"]["file_id"], caption="7KQ4-M2XD-4")
    sent_video = await bot.send_video(CITIZEN.id, video["video"]["file_id"], caption="7KQ4-M2XD-4")
    sent_note = await bot.send_video_note(CITIZEN.id, round_note["video_note"]["file_id"])
    assert sent_voice.voice is not None
    assert sent_voice.caption == "7KQ4-M2XD-4"
    assert sent_video.video is not None
    assert sent_note.video_note is not None
    assert await _bytes(bot, sent_voice.voice.file_id) == VOICE

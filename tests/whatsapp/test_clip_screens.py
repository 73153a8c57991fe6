"""WhatsApp's voice notes and videos on both sides of the seam (issue 30): an OGG voice note or
an MP4 video is an evidence clip kept as a file (its media id means nothing to Telegram); a
song or a 3GP video is not. A clip to a WhatsApp chat is its audio (no caption: the words
follow) or video message."""

from __future__ import annotations

from typing import Any

from bot.whatsapp_events import to_event
from bot.whatsapp_render import render_whatsapp
from handlers.actions import MediaItem, SendMedia
from handlers.events import MediaKind, Message


def _event(kind: str, media: dict[str, Any]) -> Message:
    message = {"from": "628111", "id": "wamid.IN1", "type": kind, kind: media}
    event = to_event({"update_id": 1, "whatsapp": {"message": message, "contact": {}}})
    assert isinstance(event, Message)
    return event


def test_a_voice_note_and_an_mp4_video_are_clips_kept_as_files() -> None:
    voice = _event("audio", {"id": "77", "mime_type": "audio/ogg; codecs=opus", "sha256": "h"})
    assert voice.media is MediaKind.VOICE
    [clip] = voice.clips
    assert (clip.file_id, clip.file_unique_id, clip.mime_type) == ("77", "h", "audio/ogg")
    assert clip.as_file
    assert voice.photos == ()
    video = _event("video", {"id": "78", "mime_type": "video/mp4", "caption": "banjir"})
    assert video.media is MediaKind.VIDEO
    assert video.text == "banjir"
    assert [c.mime_type for c in video.clips] == ["video/mp4"]


def test_a_song_and_a_3gp_video_are_no_clips() -> None:
    song = _event("audio", {"id": "79", "mime_type": "audio/mpeg"})
    assert (song.media, song.clips) == (MediaKind.AUDIO, ())
    clip = _event("video", {"id": "80", "mime_type": "video/3gpp"})
    assert (clip.media, clip.clips) == (MediaKind.VIDEO, ())


def test_a_clip_to_a_whatsapp_chat_is_its_audio_or_video_message() -> None:
    voice = SendMedia("628111", (MediaItem("local:a.ogg", clip="voice"),), caption="Kata kami")
    assert render_whatsapp(voice, list_button="Pilih") == [
        {"op": "audio", "to": "628111", "ref": "local:a.ogg"},
        {"op": "text", "to": "628111", "text": "Kata kami"},
    ]
    video = SendMedia("628111", (MediaItem("local:b.mp4", clip="video"),), caption="Lihat")
    assert render_whatsapp(video, list_button="Pilih") == [
        {"op": "video", "to": "628111", "ref": "local:b.mp4", "caption": "Lihat"}
    ]

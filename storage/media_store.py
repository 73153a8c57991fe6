"""The media store: evidence images on the server's disk, always re-encoded and without metadata.

A citizen's file can carry more than the picture: its name (``Budi_Santoso_KTP.png``), EXIF with
a GPS position, the phone's owner or model, PNG text chunks, XMP, a comment, or bytes that are an
image and an HTML page at once. None of that may reach a unit's group, the console or Open311,
above all for anonymous reports. So an image is decoded and drawn again into a new file from its
pixels alone (orientation applied first), as JPEG, or PNG where it has transparency; whatever does
not decode as a picture is not kept. Files get neutral names (a hash of the clean bytes), so the
same picture sent twice is stored once.

Files the bot sends on from here are named by a reference ``local:<name>`` in place of a Telegram
file id; the outbox uploads the bytes behind it (see ``bot.uploads``).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

#: How a cleaned file is named where a Telegram file id would stand.
LOCAL_PREFIX = "local:"
#: More pixels than any phone camera makes; bigger "images" are refused before decoding.
MAX_PIXELS = 60_000_000
JPEG_QUALITY = 88
_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|ogg|mp4)$")
#: A kept clip's extension by its MIME type (``core.clips``).
CLIP_EXTENSIONS = {"audio/ogg": ".ogg", "video/mp4": ".mp4"}
#: Where cleaned copies are kept, under the media folder; their names match :data:`KEPT_NAME`.
CLEAN_FOLDER = _FOLDER = "clean"
KEPT_NAME = _NAME
#: Where the WhatsApp media id of an uploaded cleaned copy is remembered (``bot.whatsapp_media``),
#: under the copy's name; it goes with the copy.
UPLOADED_FOLDER = "whatsapp-media"


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    mime_type: str  # image/jpeg or image/png

    @property
    def extension(self) -> str:
        return ".png" if self.mime_type == "image/png" else ".jpg"


def clean_image(content: bytes) -> CleanImage | None:
    """The picture in ``content`` drawn into a new file with no metadata, or None if it is not a
    picture Pillow can decode (or is absurdly large)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as opened:
                if opened.width * opened.height > MAX_PIXELS:
                    return None
                opened.seek(0)  # an animation's first frame
                upright = ImageOps.exif_transpose(opened)
                return _redraw(upright)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning):
        return None


def _redraw(image: Image.Image) -> CleanImage:
    transparent = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    mode = "RGBA" if transparent else "RGB"
    converted = image.convert(mode)
    # A new image from the pixels alone: no info dict, no EXIF, ICC, XMP, text or comment.
    pixels = Image.frombytes(mode, converted.size, converted.tobytes())
    out = io.BytesIO()
    if transparent:
        pixels.save(out, "PNG")
        return CleanImage(out.getvalue(), "image/png")
    pixels.save(out, "JPEG", quality=JPEG_QUALITY)
    return CleanImage(out.getvalue(), "image/jpeg")


#: What a redrawn file may say about itself besides its pixels (JFIF header fields, density).
_HARMLESS_INFO = frozenset(
    {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi", "progressive", "progression"}
)


def carries_metadata(content: bytes) -> bool:
    """Whether an image says more than its pixels (EXIF, ICC, XMP, text, comments); True for
    bytes that do not decode, so they are never taken for clean."""
    try:
        with Image.open(io.BytesIO(content)) as opened:
            return bool(opened.getexif()) or bool(set(opened.info) - _HARMLESS_INFO)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return True


def write_atomically(path: Path, content: bytes) -> None:
    """Write then rename, so a crash never leaves a half file that looks complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")
    partial.write_bytes(content)
    os.replace(partial, path)


@dataclass(frozen=True)
class KeptImage:
    """A cleaned image in the store: its ``local:`` reference, size and type."""

    ref: str
    size: int
    mime_type: str


class CleanStore:
    """Cleaned copies of images that came as files, under ``<media_dir>/clean/``."""

    def __init__(self, media_dir: Path) -> None:
        self.root = media_dir / _FOLDER

    def keep(self, content: bytes) -> KeptImage | None:
        """Clean ``content`` and store it; None when it is not a picture. Blocking: run it in a
        thread."""
        cleaned = clean_image(content)
        if cleaned is None:
            return None
        name = hashlib.sha256(cleaned.content).hexdigest()[:32] + cleaned.extension
        path = self.root / name
        if path.is_file():
            os.utime(path)  # kept again: the retention sweep counts its age from now
        else:
            write_atomically(path, cleaned.content)
        return KeptImage(LOCAL_PREFIX + name, len(cleaned.content), cleaned.mime_type)

    def keep_clip(self, content: bytes, mime_type: str) -> KeptImage:
        """Store a voice note or video whose bytes were checked (``core.clips``) as it came: no
        library in the stack strips a clip's metadata (docs/decisions.md). Blocking."""
        name = hashlib.sha256(content).hexdigest()[:32] + CLIP_EXTENSIONS[mime_type]
        path = self.root / name
        if path.is_file():
            os.utime(path)  # kept again: the retention sweep counts its age from now
        else:
            write_atomically(path, content)
        return KeptImage(LOCAL_PREFIX + name, len(content), mime_type)

    def read(self, ref: str) -> bytes | None:
        """The bytes behind a ``local:`` reference; None for a malformed or missing one."""
        name = ref.removeprefix(LOCAL_PREFIX)
        if not ref.startswith(LOCAL_PREFIX) or not _NAME.match(name):
            return None
        try:
            return (self.root / name).read_bytes()
        except OSError:
            return None


def is_local(file_id: str) -> bool:
    return file_id.startswith(LOCAL_PREFIX)


#: The longest side of a list's thumbnail, in pixels (shown at half that on a normal screen).
THUMB_SIDE = 160
THUMB_QUALITY = 75
_THUMBS = "thumbs"


def thumbnail_image(content: bytes) -> bytes | None:
    """A small JPEG of the picture in ``content`` (upright, transparency on white), drawn from
    its pixels alone (no EXIF or any other metadata); None if it does not decode."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as opened:
                if opened.width * opened.height > MAX_PIXELS:
                    return None
                opened.seek(0)
                upright = ImageOps.exif_transpose(opened)
                upright.thumbnail((THUMB_SIDE, THUMB_SIDE))
                rgba = upright.convert("RGBA")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning):
        return None
    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    pixels = Image.frombytes("RGB", flat.size, flat.tobytes())
    out = io.BytesIO()
    pixels.save(out, "JPEG", quality=THUMB_QUALITY)
    return out.getvalue()


class ThumbnailStore:
    """Thumbnails made once and kept under ``<media_dir>/thumbs/``, named by a hash of the
    photo's stored path (a stored photo is never rewritten)."""

    def __init__(self, media_dir: Path) -> None:
        self.root = media_dir / _THUMBS

    def path_of(self, stored: str) -> Path:
        return self.root / (hashlib.sha256(stored.encode()).hexdigest()[:32] + ".jpg")

    def get(self, stored: str, source: bytes | None) -> bytes | None:
        """The thumbnail of the photo at ``stored`` (its bytes ``source``, read by the caller
        from inside the media folder), made and kept the first time. Blocking: run it in a
        thread."""
        path = self.path_of(stored)
        try:
            return path.read_bytes()
        except OSError:
            pass
        made = thumbnail_image(source) if source else None
        if made is not None:
            write_atomically(path, made)
        return made


def remove_kept(media_dir: Path, stored: str | None, ref: str = "") -> None:
    """Delete an evidence file kept under ``media_dir`` (``stored``: its stored path), its
    thumbnail, and the cleaned copy behind a ``local:`` ``ref`` with its WhatsApp media id; what
    is missing already, or lies outside ``media_dir``, is left alone. Blocking: run it in a
    thread."""
    root = media_dir.resolve()
    targets: list[Path] = []
    if stored:
        targets += [Path(stored), ThumbnailStore(media_dir).path_of(stored)]
    name = ref.removeprefix(LOCAL_PREFIX)
    if ref.startswith(LOCAL_PREFIX) and _NAME.match(name):
        targets += [media_dir / _FOLDER / name, media_dir / UPLOADED_FOLDER / name]
    for target in targets:
        resolved = target.resolve()
        if resolved.is_relative_to(root):
            resolved.unlink(missing_ok=True)

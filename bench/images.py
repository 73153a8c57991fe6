"""Evidence photos for the benchmarks: real JPEGs, since the bot keeps only what decodes."""

from __future__ import annotations

import io

from PIL import Image


def photo_jpeg(seed: int = 0, size: tuple[int, int] = (240, 180)) -> bytes:
    """A noisy JPEG (tens of kilobytes, like a phone's compressed photo); ``seed`` varies it."""
    noise = Image.effect_noise(size, 40 + seed % 20).convert("RGB")
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=90)
    return out.getvalue()

"""Real images for the tests, some carrying their owner's identity in metadata (the kinds of
file a citizen's phone really sends)."""

from __future__ import annotations

import io

from PIL import ExifTags, Image, PngImagePlugin

#: What :func:`jpeg_with_identity` and :func:`png_with_identity` carry about their owner.
SECRETS = (b"Rahmat", b"Hidayat", b"Budi", b"Santoso", b"0812345678", b"KTP")
#: Metadata containers that a redrawn image does not have (\xff\xfe: a JPEG comment).
CONTAINERS = (b"Exif", b"tEXt", b"iTXt", b"eXIf", b"\xff\xfe")


def plain_jpeg(tag: int = 0, size: tuple[int, int] = (16, 12)) -> bytes:
    """A small real JPEG; ``tag`` changes its colour (and so its bytes)."""
    out = io.BytesIO()
    Image.new("RGB", size, (tag % 256, 90, 160)).save(out, "JPEG")
    return out.getvalue()


def jpeg_with_identity() -> bytes:
    """A 64×48 JPEG whose EXIF names its owner and where it was taken (turned 90° by its
    orientation tag), with a comment naming the owner's house."""
    exif = Image.Exif()
    exif[ExifTags.Base.Artist] = "Rahmat Hidayat 0812345678"
    exif[ExifTags.Base.Orientation] = 6
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update({1: "N", 2: (0.0, 30.0, 12.5), 3: "E", 4: (117.0, 36.0, 1.0)})
    out = io.BytesIO()
    picture = Image.new("RGB", (64, 48), (180, 120, 60))
    picture.save(out, "JPEG", exif=exif, comment=b"rumah Rahmat Hidayat no. 5")
    return out.getvalue()


def png_with_identity() -> bytes:
    """A 32×32 PNG with text chunks naming its owner and an identity card."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Budi Santoso 0812345678")
    info.add_itxt("Comment", "KTP Budi Santoso")
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (30, 90, 200)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def gif_html_polyglot() -> bytes:
    """Bytes that are a GIF to an image check and an HTML page with a script to a browser that
    sniffs: the GIF header's width field opens a comment the page closes."""
    return (
        b"GIF89a/*\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00*/=0;"
        b"<html><body><script>document.title='PWNED';"
        b"fetch('/laporan').then(r=>r.text()).then(t=>{document.title='STOLEN:'+t.length})"
        b"</script></body></html>"
        b"\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b"
    )


def assert_clean(content: bytes, where: str, sizes: tuple[tuple[int, int], ...]) -> None:
    """``content`` carries none of the owner's identity and no metadata, and decodes as an
    image of one of ``sizes``."""
    for secret in SECRETS + CONTAINERS:
        assert secret not in content, (where, secret)
    with Image.open(io.BytesIO(content)) as picture:
        assert not picture.getexif(), where
        assert picture.size in sizes, (where, picture.size)

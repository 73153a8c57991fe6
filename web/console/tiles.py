"""The map's tiles (``MAP_TILE_URL``): checked once at start, and the one origin the console's
Content-Security-Policy then allows images from. Empty: no tiles, no request leaves the console."""

from __future__ import annotations

from urllib.parse import urlsplit


def tile_origin(template: str) -> str:
    """The origin ``template``'s tiles come from, as a CSP source (``{s}`` subdomains as ``*``);
    "" for no tiles. A template that is not an http(s) address with ``{z}``, ``{x}`` and ``{y}``
    is a ValueError (said at start, not found out on a page)."""
    text = template.strip()
    if not text:
        return ""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"MAP_TILE_URL must be an http(s) address, not {text[:80]!r}")
    if not all(f"{{{key}}}" in text for key in "zxy"):
        raise ValueError("MAP_TILE_URL must hold {z}, {x} and {y}")
    host = parts.netloc.replace("{s}", "*")
    if "{" in host or "}" in host or " " in host or ";" in host or "'" in host:
        raise ValueError(f"MAP_TILE_URL's host may hold only {{s}}: {parts.netloc[:80]!r}")
    return f"{parts.scheme}://{host}"

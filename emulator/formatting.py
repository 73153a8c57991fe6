"""Text rules: Telegram's HTML subset, entity offsets in UTF-16 units, command entities.

Parsing HTML here (instead of just counting characters) makes the emulator reject the same
malformed markup Telegram rejects, e.g. an unescaped ``<`` in user-supplied text, which is the
most common way a bot that works in tests breaks in production.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from emulator.errors import ApiError, bad_request

# Tag name -> entity type, per https://core.telegram.org/bots/api#html-style
_HTML_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]+);")
_ATTR_RE = re.compile(r"""([a-zA-Z][\w-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_TAG_NAME_RE = re.compile(r"^/?\s*([a-zA-Z][\w-]*)")
_COMMAND_RE = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")


def utf16_len(text: str) -> int:
    """Telegram measures offsets and lengths in UTF-16 code units (emoji count twice)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    name: str
    entity_type: str
    offset: int
    extra: dict[str, Any] = field(default_factory=dict)


def _parse_error(reason: str) -> ApiError:
    return bad_request(f"can't parse entities: {reason}")


def _decoded(match: re.Match[str]) -> str:
    """One character reference (``&amp;``, ``&#35;``, ``&#x23;``) as the character it names."""
    body = match.group(1)
    if body.startswith("#x"):
        return chr(int(body[2:], 16))
    if body.startswith("#"):
        return chr(int(body[1:]))
    # An unknown named entity: Telegram keeps it literally.
    return _NAMED_ENTITIES.get(body, match.group(0))


def _unescaped(value: str) -> str:
    """An attribute's value as Telegram reads it: ``href="?a=1&amp;b=2"`` is ``?a=1&b=2``."""
    return _ENTITY_RE.sub(_decoded, value)


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Return (plain text, entities) or raise 400 like Telegram for malformed markup."""
    out: list[str] = []
    offset = 0  # UTF-16 offset of the end of ``out``
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(source)
    while i < n:
        ch = source[i]
        if ch == "&":
            match = _ENTITY_RE.match(source, i)
            decoded = "&" if match is None else _decoded(match)
            i = i + 1 if match is None else match.end()
            out.append(decoded)
            offset += utf16_len(decoded)
            continue
        if ch != "<":
            out.append(ch)
            offset += utf16_len(ch)
            i += 1
            continue
        byte_offset = len(source[:i].encode())
        end = source.find(">", i)
        if end < 0:
            raise _parse_error(f"Can't find end of the tag starting at byte offset {byte_offset}")
        inner = source[i + 1 : end]
        name_match = _TAG_NAME_RE.match(inner)
        if name_match is None:
            raise _parse_error(f'Unsupported start tag "{inner}" at byte offset {byte_offset}')
        name = name_match.group(1).lower()
        if inner.startswith("/"):
            if not stack or stack[-1].name != name:
                raise _parse_error(
                    f'Unmatched end tag at byte offset {byte_offset}, expected "</'
                    f'{stack[-1].name if stack else ""}>", found "</{name}>"'
                )
            opened = stack.pop()
            length = offset - opened.offset
            if length > 0:
                entity: dict[str, Any] = {
                    "type": opened.entity_type,
                    "offset": opened.offset,
                    "length": length,
                    **opened.extra,
                }
                entities.append(entity)
            i = end + 1
            continue
        if name not in _HTML_TAGS:
            raise _parse_error(f'Unsupported start tag "{name}" at byte offset {byte_offset}')
        attrs = {
            m.group(1).lower(): _unescaped(next(g for g in m.groups()[1:] if g is not None))
            for m in _ATTR_RE.finditer(inner[name_match.end() :])
        }
        entity_type = _HTML_TAGS[name]
        extra: dict[str, Any] = {}
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise _parse_error(f'Unsupported start tag "span" at byte offset {byte_offset}')
        if name == "a":
            href = attrs.get("href", "")
            user = re.fullmatch(r"tg://user\?id=(\d+)", href)
            if user is not None:
                entity_type = "text_mention"
                extra["user"] = {"id": int(user.group(1)), "is_bot": False, "first_name": ""}
            else:
                extra["url"] = href
        if name == "blockquote" and "expandable" in inner[name_match.end() :].split():
            entity_type = "expandable_blockquote"
        if name == "tg-emoji":
            extra["custom_emoji_id"] = attrs.get("emoji-id", "")
        if name == "code" and stack and stack[-1].name == "pre" and "class" in attrs:
            # <pre><code class="language-x"> sets the language of the enclosing pre block
            stack[-1].extra["language"] = attrs["class"].removeprefix("language-")
        stack.append(_Open(name, entity_type, offset, extra))
        i = end + 1
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def render_text(source: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Apply ``parse_mode``; MarkdownV2/Markdown are passed through unparsed (not emulated)."""
    if parse_mode is not None and parse_mode.lower() == "html":
        return parse_html(source)
    if parse_mode and parse_mode.lower() not in ("markdown", "markdownv2"):
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    return source, []


def command_entities(text: str) -> list[dict[str, Any]]:
    """The ``bot_command`` entities Telegram attaches to user messages containing /commands."""
    found: list[dict[str, Any]] = []
    for match in _COMMAND_RE.finditer(text):
        found.append(
            {
                "type": "bot_command",
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group(0)),
            }
        )
    return found

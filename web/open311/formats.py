"""The two formats GeoReport v2 speaks: XML (required by the spec) and JSON, both UTF-8.

A response is a list of items (plain dicts, in the spec's field order) under a root element;
in JSON it is the bare list (or one object for ``discovery``), in XML every item is an element.
Nested lists become repeated child elements named by :data:`SINGULAR`.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from aiohttp import web

from core.inputs import clean_text


class Format(StrEnum):
    XML = "xml"
    JSON = "json"


CONTENT_TYPES = {Format.XML: "text/xml", Format.JSON: "application/json"}
#: The element of one entry of a nested list, by the list's name.
SINGULAR = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}

Item = Mapping[str, Any]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    # XML 1.0 cannot carry most control characters: a row stored before input was cleaned
    # must not make the document unreadable for every client.
    return clean_text(str(value))


def _fill(parent: ET.Element, item: Item) -> None:
    for key, value in item.items():
        child = ET.SubElement(parent, key)
        if isinstance(value, Mapping):
            _fill(child, value)
        elif isinstance(value, list | tuple):
            for entry in value:
                grandchild = ET.SubElement(child, SINGULAR.get(key, "item"))
                if isinstance(entry, Mapping):
                    _fill(grandchild, entry)
                else:
                    grandchild.text = _text(entry)
        else:
            child.text = _text(value)


def xml_bytes(root: str, item_tag: str, items: Sequence[Item]) -> bytes:
    element = ET.Element(root)
    for item in items:
        _fill(ET.SubElement(element, item_tag), item)
    return bytes(ET.tostring(element, encoding="utf-8", xml_declaration=True))


def xml_document(root: str, item: Item) -> bytes:
    """One object as the root element itself (``<discovery>``)."""
    element = ET.Element(root)
    _fill(element, item)
    return bytes(ET.tostring(element, encoding="utf-8", xml_declaration=True))


def respond(
    fmt: Format,
    root: str,
    item_tag: str,
    items: Sequence[Item],
    *,
    status: int = 200,
) -> web.Response:
    """A list of items in the asked format."""
    if fmt == Format.JSON:
        body = json.dumps(list(items), ensure_ascii=False).encode("utf-8")
    else:
        body = xml_bytes(root, item_tag, items)
    return _response(fmt, body, status)


def respond_document(fmt: Format, root: str, item: Item) -> web.Response:
    if fmt == Format.JSON:
        body = json.dumps(item, ensure_ascii=False).encode("utf-8")
    else:
        body = xml_document(root, item)
    return _response(fmt, body, 200)


def _response(fmt: Format, body: bytes, status: int) -> web.Response:
    return web.Response(body=body, status=status, content_type=CONTENT_TYPES[fmt], charset="utf-8")


def error_response(fmt: Format, status: int, *descriptions: str) -> web.Response:
    """GeoReport v2 errors: a list of ``{code, description}`` (``<errors><error>`` in XML)."""
    items = [{"code": status, "description": text} for text in descriptions]
    return respond(fmt, "errors", "error", items, status=status)

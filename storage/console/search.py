"""Full-text search of reports for the console (migration 0017 made the indexes).

A search word is one SQL condition, :class:`WordMatch`, compiled per engine: the reports whose
description or address, or a searchable timeline note (``core.timeline.SEARCHABLE_KINDS``),
has a word starting with it. SQLite asks its FTS5 tables (external content, kept by triggers);
PostgreSQL asks ``to_tsvector('simple', …)`` through its GIN expression indexes, so the
expressions here must stay exactly as the migration wrote them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.expression import ColumnElement, FromClause
from sqlalchemy.types import NullType

from core.timeline import INTERNAL, SEARCHABLE_KINDS


def _kinds(internal: bool) -> str:
    kinds = SEARCHABLE_KINDS | INTERNAL if internal else SEARCHABLE_KINDS
    return ", ".join(f"'{kind.value}'" for kind in sorted(kinds))


class WordMatch(ColumnElement[bool]):
    """``report_id`` (a reports' id column) is one of the reports with a word starting with
    ``word`` (letters and digits only: ``core.search.search_words``); with ``internal``, the
    internal notes' words count too (for a viewer who reads them on every report listed). With
    ``in_order`` (a word in very many reports), SQLite is told not to start from the matches
    (``+id``): it walks the list's order index and stops at the page, instead of fetching and
    sorting every match. Its type is none of SQL's: a Boolean would be compared with 1 on
    SQLite. The matches are a set (``UNION ALL``: ``IN`` needs no second de-duplication)."""

    inherit_cache = False
    type = NullType()  # type: ignore[assignment]

    def __init__(
        self,
        report_id: ColumnElement[int] | QueryableAttribute[int],
        word: str,
        *,
        internal: bool = False,
        in_order: bool = False,
    ) -> None:
        if not word.isalnum():
            raise ValueError(f"not a search word: {word!r}")
        self.report_id: ColumnElement[int] = (
            report_id.expression if isinstance(report_id, QueryableAttribute) else report_id
        )
        self.word = word
        self.internal = internal
        self.in_order = in_order

    @property
    def _from_objects(self) -> list[FromClause]:  # the reports table, as its id's
        return list(self.report_id._from_objects)


def _bound(compiler: Any, value: str, **kw: Any) -> str:
    text: str = compiler.process(bindparam(None, value, unique=True), **kw)
    return text


@compiles(WordMatch, "sqlite")
def _sqlite(element: WordMatch, compiler: Any, **kw: Any) -> str:
    phrase = f'"{element.word}"*'
    in_reports = _bound(compiler, phrase, **kw)
    in_notes = _bound(compiler, phrase, **kw)
    report_id = compiler.process(element.report_id, **kw)
    if element.in_order:
        report_id = f"+{report_id}"
    return (
        f"{report_id} IN (SELECT rowid FROM report_search WHERE report_search MATCH "
        f"{in_reports} UNION ALL SELECT report_id FROM report_events WHERE id IN (SELECT rowid "
        f"FROM report_event_search WHERE report_event_search MATCH {in_notes}) "
        f"AND kind IN ({_kinds(element.internal)}))"
    )


@compiles(WordMatch, "postgresql")
def _postgresql(element: WordMatch, compiler: Any, **kw: Any) -> str:
    query = f"{element.word}:*"
    in_reports = _bound(compiler, query, **kw)
    in_notes = _bound(compiler, query, **kw)
    report_id = compiler.process(element.report_id, **kw)
    return (
        f"{report_id} IN (SELECT id FROM reports WHERE to_tsvector('simple', description || ' ' "
        f"|| address_detail) @@ to_tsquery('simple', {in_reports}) UNION ALL SELECT report_id "
        f"FROM report_events WHERE to_tsvector('simple', note) @@ to_tsquery('simple', "
        f"{in_notes}) AND kind IN ({_kinds(element.internal)}))"
    )

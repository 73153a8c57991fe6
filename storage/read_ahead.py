"""Report cards' links read ahead for a batch of the console's requests (issue 27: a bulk
transfer of 500 reports within 5 s).

A transfer edits the report's cards, so it reads where they were sent (``message_links``, one
statement a transfer). A batch on SQLite that reads its reports ahead
(``storage.console.bulk_requests``) reads their cards' links with them in one statement and
holds them here for its transaction; ``LinkRepository.of_report`` answers from them. A link
added in the transaction forgets its report's (read again when asked).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import MessageLink

_KEY = "aduan_cards_read_ahead"


def _held(session: AsyncSession) -> dict[int, list[MessageLink]]:
    """The links held for the session's current transaction (a new one starts empty; outside
    a transaction nothing is held)."""
    transaction = session.sync_session.get_transaction()
    if transaction is None:
        return {}
    found = session.info.get(_KEY)
    if not isinstance(found, tuple) or found[0] is not transaction:
        found = session.info[_KEY] = (transaction, {})
    held: dict[int, list[MessageLink]] = found[1]
    return held


def hold_cards(
    session: AsyncSession, report_ids: Iterable[int], links: Iterable[MessageLink]
) -> None:
    """The card links of ``report_ids`` (all of them, oldest first), held for the transaction."""
    held = _held(session)
    for report_id in report_ids:
        held[report_id] = []
    for link in sorted(links, key=lambda row: row.id):
        held[link.report_id].append(link)


def held_cards(session: AsyncSession, report_id: int) -> list[MessageLink] | None:
    """The report's card links read ahead in this transaction (None: not read ahead)."""
    found = _held(session).get(report_id)
    return list(found) if found is not None else None


def forget_cards(session: AsyncSession, report_id: int) -> None:
    _held(session).pop(report_id, None)

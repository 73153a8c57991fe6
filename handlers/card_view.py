"""A card's view (``handlers.cards.CardView``) from the report and its facts
(``storage.card_facts``): the facts are read once for all the cards a step writes."""

from __future__ import annotations

from core.clips import ClipKind, clip_kind_of
from core.purposes import Purpose
from handlers.cards import CardView
from handlers.case import Case
from storage.card_facts import CardFacts, read_card_facts
from storage.models import MessageLink, Report, Unit, UnitChat


async def card_facts(case: Case, report: Report, *units: Unit | None) -> CardFacts:
    """The report's card facts, with where a transfer into each of ``units`` came from."""
    if report.id is None:
        return CardFacts()
    facts = await read_card_facts(case.uow.session, report.id, (u.id for u in units if u))
    case.supporters_counted[report.id] = facts.supporters
    return facts


async def card_view(
    case: Case, report: Report, unit: Unit | None, *, coordinator: bool, facts: CardFacts
) -> CardView:
    """The card of ``report`` as ``unit`` holds it (``facts`` read with ``unit`` among its
    units, or the "came from" line is left out)."""
    moved_from, reason = None, ""
    came = facts.moved_into.get(unit.id) if unit is not None else None
    if came is not None:
        moved_from, reason = await case.uow.units.get(came[0]), came[1]
    kinds = [clip_kind_of(e.mime_type) for e in facts.evidence]
    return CardView(
        unit=unit,
        citizen=await case.uow.citizens.by_id(report.citizen_id),
        show_identity=coordinator and case.deps.config.coordinator_sees_identity,
        coordinator=coordinator,
        photo_count=kinds.count(None),
        clips=(kinds.count(ClipKind.VOICE), kinds.count(ClipKind.VIDEO)),
        supporters=facts.supporters,
        today=case.today(),
        moved_from=moved_from,
        moved_reason=reason,
        internal_notes=facts.internal_notes,
        taken_via=facts.taken_via,
        taken_by=facts.taken_by,
    )


class StepCards:
    """The cards of one report a step writes (a transfer: the old group's, the new group's and
    the coordinator's): its facts and its sent cards' links, each read once, when a card first
    needs them (a report with no card to edit reads no facts for it)."""

    def __init__(self, case: Case, report: Report, units: tuple[Unit | None, ...]) -> None:
        self.case, self.report, self.units = case, report, units
        self._facts: CardFacts | None = None
        self._links: dict[tuple[str, str], MessageLink] | None = None

    async def facts(self) -> CardFacts:
        if self._facts is None:
            self._facts = await card_facts(self.case, self.report, *self.units)
        return self._facts

    async def link(self, chat: UnitChat) -> MessageLink | None:
        """The newest card of the report sent to ``chat``, if any."""
        if self._links is None:
            self._links = {}
            if self.report.id is not None:
                links = await self.case.uow.links.of_report(self.report.id, Purpose.CARD)
                for link in links:  # oldest first: the newest stays
                    self._links[(link.channel, link.chat_id)] = link
        return self._links.get((chat.channel, chat.chat_id))

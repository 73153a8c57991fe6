"""What a unit's group reads (the ``view`` role: every member): its open reports (``/antrian``),
the late ones (``/terlambat``, the coordinator's), the messages that could not be delivered
(``/gagal``, the coordinator's). Nothing here changes a report.
"""

from __future__ import annotations

from core.deadlines import UNIT_STAGES
from core.lifecycle import OPEN_STATUSES
from core.permissions import UnitKind, may_act
from handlers import reminders
from handlers.group_acting import case_of, holder
from handlers.turn import Turn
from storage.models import Report, Unit


def visible(unit: Unit, report: Report) -> bool:
    """Whether a group of ``unit`` sees ``report`` at all (its own unit's; the coordinator's
    group sees every report)."""
    return may_act(unit.kind, unit.id, report.unit_id)


async def failed_deliveries(turn: Turn, unit: Unit) -> None:
    if unit.kind != UnitKind.COORDINATOR:
        turn.send(turn.t("group.coordinator_only"))
        return
    rows = await turn.uow.outbox.failed(limit=20)
    if not rows:
        turn.send(turn.t("group.failed_none"))
        return
    lines = [turn.t("group.failed_header", count=len(rows))]
    for row in rows:
        report = await turn.uow.reports.get(row.report_id) if row.report_id else None
        lines.append(
            turn.t(
                "group.failed_item",
                number=report.tracking_no if report else "-",
                error=(row.error or "-")[:80],
            )
        )
    turn.send("\n".join(lines))


async def queue(turn: Turn, unit: Unit) -> None:
    statuses = [s.value for s in OPEN_STATUSES]
    limit = turn.deps.config.queue_page_size
    if unit.kind == UnitKind.COORDINATOR:
        reports = await turn.uow.reports.open_all(statuses, limit=limit)
    else:
        reports = await turn.uow.reports.open_for_unit(unit.id, statuses, limit=limit)
    if not reports:
        turn.send(turn.t("queue.empty", unit=unit.name))
        return
    if unit.kind == UnitKind.COORDINATOR:
        total = await turn.uow.reports.count_open_all(statuses)
    else:
        total = await turn.uow.reports.count_open_for_unit(unit.id, statuses)
    today = case_of(turn).today()
    coordinator = unit.kind == UnitKind.COORDINATOR
    items = [
        reminders.report_line(
            turn.tr, turn.deps, report, today, await holder(turn, report) if coordinator else None
        )
        for report in reports
    ]
    head = [turn.t("queue.header", unit=unit.name, count=total)]
    tail = [turn.t("clock.more", count=total - len(reports))] if total > len(reports) else []
    turn.send(reminders.fit(turn.tr, head, items, tail))


async def late(turn: Turn, unit: Unit) -> None:
    """/terlambat (coordinator): every late report, grouped by the unit that holds it."""
    if unit.kind != UnitKind.COORDINATOR:
        turn.send(turn.t("late.coordinator_only"))
        return
    today = case_of(turn).today()
    stages = [s.value for s in UNIT_STAGES]
    counts = await turn.uow.reports.late_counts(today, stages)
    if not counts:
        turn.send(turn.t("late.none"))
        return
    reports = await turn.uow.reports.late(today, stages, limit=turn.deps.config.queue_page_size * 5)
    by_unit: dict[int | None, list[Report]] = {}
    for report in reports:
        by_unit.setdefault(report.unit_id, []).append(report)
    items: list[str] = []
    for unit_id, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        holder = await turn.uow.units.get(unit_id)
        items.append(turn.t("late.unit", unit=holder.name if holder else "-", count=count))
        items += [
            "  " + reminders.report_line(turn.tr, turn.deps, report, today)
            for report in by_unit.get(unit_id, [])
        ]
    head = [turn.t("late.header", count=sum(counts.values()))]
    turn.send(reminders.fit(turn.tr, head, items, [turn.t("late.footer")]))

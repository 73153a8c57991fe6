"""Sending the new report: the draft, once complete, is filed through
:func:`cases.filing.file_report`, and the conversation goes back to the menu."""

from __future__ import annotations

from cases.filing import file_report
from handlers import counter_filing, evidence
from handlers import draft as drafts
from handlers.consent import ask_consent, current_citizen
from handlers.draft import Draft, IntakeStep
from handlers.formatting import long_date
from handlers.intake.flow import draft, photos_required
from handlers.intake.screens import summary_text
from handlers.menu import main_menu
from handlers.notices import filing_for
from handlers.steps import ChatStep
from handlers.turn import Turn
from storage.models import PosterReport, Report, ReportPhoto


def _missing_step(turn: Turn) -> IntakeStep | None:
    current = draft(turn)
    for value, step in (
        (current.type, IntakeStep.TYPE),
        (current.category, IntakeStep.CATEGORY),
        (current.desa, IntakeStep.KECAMATAN),
        (current.description, IntakeStep.DESCRIPTION),
        (current.privacy, IntakeStep.PRIVACY),
    ):
        if not value:
            return step
    if photos_required(turn) and not current.photos:
        return IntakeStep.PHOTOS
    return None


async def submit(turn: Turn) -> IntakeStep | None:
    """File the draft as a report; or, when an answer is missing, say so and return the step to
    go back to (the caller goes there); or ask for consent first."""
    current = draft(turn)
    behalf = current.behalf
    # Filed on a citizen's behalf (/loket): the citizen given is the reporter, never the officer.
    citizen = None if behalf else await current_citizen(turn)
    if citizen is None and not behalf:
        ask_consent(turn)
        return None
    missing = _missing_step(turn)
    if missing is not None:
        turn.send(turn.t("intake.missing", step=turn.t(f"step.{missing}")))
        return missing
    if behalf:
        citizen = await counter_filing.citizen_for(turn, behalf)
    assert citizen is not None
    config = turn.deps.config
    report = Report(
        tracking_no="",
        citizen_id=citizen.id,
        channel=counter_filing.via_of(behalf) if behalf else turn.channel,
        report_type=current.type,
        category=current.category,
        region_code=current.desa,
        address_detail=current.address,
        latitude=current.lat,
        longitude=current.lon,
        description=current.description,
        privacy=current.privacy,
        created_at=turn.now,
        updated_at=turn.now,
    )
    photos = [
        ReportPhoto(
            position=index,
            file_id=p.file_id,
            file_unique_id=p.file_unique_id,
            media_group_id=p.media_group_id,
            mime_type=p.mime_type,
            download_attempts=0,
        )
        for index, p in enumerate(current.photos)
    ]
    # Files refused as evidence are on the record (reasons and counts, never the files).
    note = evidence.refusals_note(turn, current.refused_files)
    code = counter_filing.new_code() if behalf else ""
    stored = counter_filing.beside(turn, behalf, code) if behalf else None
    if current.poster and not behalf:

        async def stored(report: Report) -> None:  # which poster it came from (issue 31)
            turn.uow.session.add(PosterReport(report_id=report.id, poster_code=current.poster))

    await file_report(
        turn.uow, filing_for(turn.deps), turn.now, report, photos, note=note, beside=stored
    )
    summary = summary_text(turn)
    conv = turn.conversation
    drafts.save(conv, Draft())
    conv.draft_started_at = None
    conv.step = ChatStep.IDLE
    conv.step_seq += 1
    turn.show(summary + "\n\n" + turn.t("intake.sent_mark"), None)
    if behalf:
        counter_filing.send_slip(turn, report, behalf, code)
        return None
    turn.send(
        turn.t(
            "intake.submitted",
            number=report.tracking_no,
            due=long_date(report.due_date, conv.language) if report.due_date else "-",
            days=config.deadlines.verify,
        ),
        main_menu(turn.tr),
    )
    return None

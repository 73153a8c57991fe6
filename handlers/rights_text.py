"""The words of /dataku: what the bot holds about a citizen, in plain words and as the copy's
two files (readable text and JSON)."""

from __future__ import annotations

import json
from datetime import datetime

from core.whatsapp import WHATSAPP_CHANNEL
from handlers.formatting import category_name, place_name, short_datetime
from handlers.turn import Turn
from storage.citizen_rights import Holdings

#: Reports listed on the screen (a message holds 4,096 characters); the copy lists them all.
SHOWN_REPORTS = 40


def dpo_line(turn: Turn) -> str:
    """Who answers for the data (DPO_NAME, DPO_CONTACT) and how long it is kept."""
    config = turn.deps.config
    if config.dpo_name and config.dpo_contact:
        dpo = f"{config.dpo_name} ({config.dpo_contact})"
    elif (
        config.dpo_name or config.dpo_contact
    ):  # a contact alone names the office, as the console does
        dpo = config.dpo_name or config.dpo_contact
    else:
        dpo = turn.t("rights.dpo_default")
    return turn.t("rights.dpo", dpo=dpo, retention=turn.t("rights.retention"))


def _when(turn: Turn, moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return short_datetime(moment, turn.deps.config.timezone, turn.conversation.language)


def _account(turn: Turn, held: Holdings) -> str:
    """The chat account: a Telegram @username, or a WhatsApp number shown by its last digits."""
    if turn.channel == WHATSAPP_CHANNEL:
        return "••••" + turn.event.sender.user_id[-4:]
    return f"@{held.username}" if held.username else "-"


def summary(turn: Turn, held: Holdings) -> str:
    """The screen /dataku shows."""
    consent = _when(turn, held.consent_at)
    if held.consent_withdrawn_at is not None:
        consent = turn.t("rights.consent_withdrawn", at=_when(turn, held.consent_withdrawn_at))
    account = "whatsapp" if turn.channel == WHATSAPP_CHANNEL else "telegram"
    lines = [
        turn.t(
            "rights.summary",
            name=held.name or "-",
            account=turn.t(f"rights.account.{account}"),
            username=_account(turn, held),
            phone=held.phone or turn.t("rights.no_phone"),
            language=turn.t(f"language.name_{held.language}"),
            consent=consent,
            reports=len(held.reports),
            supported=len(held.supported),
            photos=held.photos,
            clips=held.clips,
        )
    ]
    for report in held.reports[:SHOWN_REPORTS]:
        lines.append(_report_line(turn, report.number, report.status, report.closed))
    if len(held.reports) > SHOWN_REPORTS:
        lines.append(turn.t("rights.more", count=len(held.reports) - SHOWN_REPORTS))
    if held.supported:
        supported = ", ".join(held.supported[:SHOWN_REPORTS])
        lines.append(turn.t("rights.supported_list", numbers=supported))
    lines += ["", dpo_line(turn), "", turn.t("rights.choose")]
    return "\n".join(lines)


def _report_line(turn: Turn, number: str, status: str, closed: bool) -> str:
    state = turn.t("rights.closed") if closed else turn.t("rights.open")
    return f"• {number}: {turn.t(f'status.label.{status}')} ({state})"


def copy_text(turn: Turn, held: Holdings) -> str:
    """The readable file: the summary and every report in full."""
    lang = turn.conversation.language
    lines = [summary(turn, held).rsplit("\n\n", 1)[0], ""]
    for report in held.reports:
        lines += [
            turn.t(
                "rights.copy_report",
                number=report.number,
                status=turn.t(f"status.label.{report.status}"),
                category=category_name(turn.deps.categories, report.category, lang),
                place=place_name(turn.deps.regions, report.region_code),
                address=report.address or "-",
                created=_when(turn, report.created_at),
                privacy=turn.t(f"privacy.{report.privacy}"),
                photos=report.photos,
                clips=report.clips,
                description=report.description,
            ),
            "",
        ]
    return "\n".join(lines)


def copy_json(turn: Turn, held: Holdings) -> str:
    """The machine-readable file (field names in English, values as stored)."""
    data = {
        "name": held.name,
        "telegram_username": held.username,
        "phone": held.phone,
        "language": held.language,
        "consent_at": held.consent_at.isoformat(),
        "consent_withdrawn_at": (
            held.consent_withdrawn_at.isoformat() if held.consent_withdrawn_at else None
        ),
        "reports": [
            {
                "tracking_no": r.number,
                "status": r.status,
                "category": r.category,
                "region_code": r.region_code,
                "address": r.address,
                "latitude": r.latitude,
                "longitude": r.longitude,
                "description": r.description,
                "privacy": r.privacy,
                "created_at": r.created_at.isoformat(),
                "closed": r.closed,
                "photos": r.photos,
                "clips": r.clips,
                "identity_removal_waits_for_closing": r.removal_waits,
            }
            for r in held.reports
        ],
        "supported_reports": held.supported,
        "data_protection_officer": {
            "name": turn.deps.config.dpo_name,
            "contact": turn.deps.config.dpo_contact,
        },
    }
    return json.dumps(data, ensure_ascii=False, indent=2)

"""What the console's record of processing (web/console/processing.py) says, read from the
settings by web/from_settings.py."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProcessingFacts:
    """What the record of processing says, read from the settings (web/from_settings.py)."""

    dpo_name: str = ""
    dpo_contact: str = ""
    #: Months a closed report keeps its reporter's identity / its photos; None: not limited.
    identity_months: int | None = None
    media_months: int | None = None
    outbox_days: int = 90
    #: Months the console's access log is kept; None: not limited.
    access_months: int | None = None
    engine: str = "SQLite"
    coordinator_sees_identity: bool = False
    open311_publishes: bool = True

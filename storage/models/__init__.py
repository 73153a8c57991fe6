"""SQLAlchemy 2 models. Schema changes go through Alembic migrations in ``storage/migrations``.

One module per group of tables; this package names them all (and importing it registers every
table on ``Base.metadata``), so callers import from ``storage.models``."""

from storage.models.base import NAMING, Base, UTCDateTime
from storage.models.console import (
    ApiKey,
    ConsoleAudit,
    ConsoleLogin,
    ConsoleRequest,
    ConsoleSession,
)
from storage.models.counter import CounterFiling
from storage.models.messaging import InboxUpdate, Lease, OutboxMessage
from storage.models.monthly import MonthlyAreaSummaryRun, MonthlySummaryRun
from storage.models.people import Citizen, Conversation
from storage.models.posters import PosterReport, PosterScan
from storage.models.referral import ReferralBody
from storage.models.region_rollup import ReportRegionDays, ReportRegionMonth
from storage.models.reports import (
    CONSOLE_DAY_COLUMNS,
    CONSOLE_UNIT_COLUMNS,
    RATED_COMMENT_COLUMNS,
    RATED_WITH_COMMENT,
    STAGE_DUE_COLUMNS,
    DigestRun,
    MessageLink,
    Report,
    ReportEvent,
    ReportPhoto,
    ReportSupporter,
)
from storage.models.retention import ReportHold
from storage.models.rights import DataRequest, PendingErasure
from storage.models.rollup import (
    ROLLUP_MEASURES,
    ROLLUP_STATUSES,
    ROLLUP_SUMS,
    ROLLUP_TYPES,
    ReportDay,
    ReportMonthCategory,
    ReportMonthDays,
)
from storage.models.search import ConsoleView, described_by_models
from storage.models.templates import AnswerTemplate
from storage.models.units import BindingCode, Unit, UnitChat, UnitMember, UnitOfficer
from storage.models.whatsapp import WhatsAppDelivery, WhatsAppHeld, WhatsAppWindow

__all__ = [
    "CONSOLE_DAY_COLUMNS",
    "CONSOLE_UNIT_COLUMNS",
    "NAMING",
    "RATED_COMMENT_COLUMNS",
    "RATED_WITH_COMMENT",
    "ROLLUP_MEASURES",
    "ROLLUP_STATUSES",
    "ROLLUP_SUMS",
    "ROLLUP_TYPES",
    "STAGE_DUE_COLUMNS",
    "AnswerTemplate",
    "ApiKey",
    "Base",
    "BindingCode",
    "Citizen",
    "ConsoleAudit",
    "ConsoleLogin",
    "ConsoleRequest",
    "ConsoleSession",
    "ConsoleView",
    "Conversation",
    "CounterFiling",
    "DataRequest",
    "DigestRun",
    "InboxUpdate",
    "Lease",
    "MessageLink",
    "MonthlyAreaSummaryRun",
    "MonthlySummaryRun",
    "OutboxMessage",
    "PendingErasure",
    "PosterReport",
    "PosterScan",
    "ReferralBody",
    "Report",
    "ReportDay",
    "ReportEvent",
    "ReportHold",
    "ReportMonthCategory",
    "ReportMonthDays",
    "ReportPhoto",
    "ReportRegionDays",
    "ReportRegionMonth",
    "ReportSupporter",
    "UTCDateTime",
    "Unit",
    "UnitChat",
    "UnitMember",
    "UnitOfficer",
    "WhatsAppDelivery",
    "WhatsAppHeld",
    "WhatsAppWindow",
    "described_by_models",
]

"""What each audience may see of a report and of its reporter, by the privacy the citizen chose.

One table, read by :func:`disclosure`. The choices mean what the intake screen says:

- **biasa** — the report may be published (without the reporter); the units handling it see who
  filed it, so they can ask and answer.
- **anonim** — the report may be published; who filed it is hidden from the units and from every
  output. Only the coordinator may see it, and only with ``COORDINATOR_SEES_IDENTITY``.
- **rahasia** — the report is never published (no public page, no Open311); who filed it is seen
  by the coordinator only. The units handling it see the report, not the reporter.

Nothing public ever names a reporter, whatever the choice; logs name none either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from core.lifecycle import Privacy


class Audience(StrEnum):
    UNIT_GROUP = "unit_group"  # the holder's Telegram group (desa, kecamatan, OPD)
    COORDINATOR_GROUP = "coordinator_group"  # the coordinator's Telegram group
    CONSOLE_COORDINATOR = "console_coordinator"  # the console, signed in as the coordinator
    CONSOLE_UNIT = "console_unit"  # the console, signed in as a unit
    EXPORT = "export"  # exports (SP4N-LAPOR! carriage, the yearly evaluation)
    OPEN311 = "open311"  # the Open311 GeoReport API
    PUBLIC_PAGE = "public_page"  # anything published
    LOG = "log"  # log lines


@dataclass(frozen=True)
class Disclosure:
    report: bool  # whether the report appears at all
    reporter: bool  # whether the reporter's name and username appear


_BOTH = Disclosure(report=True, reporter=True)
_REPORT = Disclosure(report=True, reporter=False)
_NOTHING = Disclosure(report=False, reporter=False)
#: Anonim in the coordinator's views: the reporter only with COORDINATOR_SEES_IDENTITY.
_ON_REQUEST = Disclosure(report=True, reporter=False)

_A = Audience
_TABLE: Mapping[Privacy, Mapping[Audience, Disclosure]] = MappingProxyType(
    {
        Privacy.BIASA: {
            _A.UNIT_GROUP: _BOTH,
            _A.COORDINATOR_GROUP: _BOTH,
            _A.CONSOLE_COORDINATOR: _BOTH,
            _A.CONSOLE_UNIT: _BOTH,
            _A.EXPORT: _REPORT,
            _A.OPEN311: _REPORT,
            _A.PUBLIC_PAGE: _REPORT,
            _A.LOG: _REPORT,
        },
        Privacy.ANONIM: {
            _A.UNIT_GROUP: _REPORT,
            _A.COORDINATOR_GROUP: _ON_REQUEST,
            _A.CONSOLE_COORDINATOR: _ON_REQUEST,
            _A.CONSOLE_UNIT: _REPORT,
            _A.EXPORT: _REPORT,
            _A.OPEN311: _REPORT,
            _A.PUBLIC_PAGE: _REPORT,
            _A.LOG: _REPORT,
        },
        Privacy.RAHASIA: {
            _A.UNIT_GROUP: _REPORT,
            _A.COORDINATOR_GROUP: _BOTH,
            _A.CONSOLE_COORDINATOR: _BOTH,
            _A.CONSOLE_UNIT: _REPORT,
            _A.EXPORT: _REPORT,
            _A.OPEN311: _NOTHING,
            _A.PUBLIC_PAGE: _NOTHING,
            _A.LOG: _REPORT,
        },
    }
)

_COORDINATOR_VIEWS = frozenset({Audience.COORDINATOR_GROUP, Audience.CONSOLE_COORDINATOR})


def disclosure(
    privacy: Privacy, audience: Audience, *, coordinator_sees_anonymous: bool = False
) -> Disclosure:
    """What ``audience`` may see of a report filed with ``privacy``."""
    rule = _TABLE[privacy][audience]
    if privacy == Privacy.ANONIM and audience in _COORDINATOR_VIEWS and coordinator_sees_anonymous:
        return _BOTH
    return rule

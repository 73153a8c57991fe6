"""Each privacy choice means what the intake screen says, for every audience."""

from __future__ import annotations

import pytest

from core.disclosure import Audience, disclosure
from core.lifecycle import Privacy

PUBLIC = (Audience.OPEN311, Audience.PUBLIC_PAGE)
OUTPUTS = (Audience.EXPORT, Audience.LOG, *PUBLIC)


@pytest.mark.parametrize("privacy", list(Privacy))
@pytest.mark.parametrize("audience", list(Audience))
@pytest.mark.parametrize("setting", [False, True])
def test_every_cell(privacy: Privacy, audience: Audience, setting: bool) -> None:
    rule = disclosure(privacy, audience, coordinator_sees_anonymous=setting)
    coordinator = audience in (Audience.COORDINATOR_GROUP, Audience.CONSOLE_COORDINATOR)
    units = audience in (Audience.UNIT_GROUP, Audience.CONSOLE_UNIT)
    # Whether the report appears: everywhere, except rahasia in anything public.
    assert rule.report is not (privacy == Privacy.RAHASIA and audience in PUBLIC)
    # Whether the reporter appears: never in outputs; to units only for biasa; to the
    # coordinator for biasa and rahasia, and for anonim only with the setting.
    if audience in OUTPUTS:
        expected = False
    elif units:
        expected = privacy == Privacy.BIASA
    else:
        assert coordinator
        expected = privacy != Privacy.ANONIM or setting
    assert rule.reporter is expected

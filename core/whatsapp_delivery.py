"""What a failed WhatsApp delivery means, by Meta's error code (docs/whatsapp.md).

A message the Cloud API accepted may still fail on its way; the status webhook then carries an
error code. Some codes are passing trouble (Meta's own hiccup, a rate limit hit on the way): the
message is sent again through the outbox, :data:`MAX_ATTEMPTS` times in all. The others will not
heal by sending again: the failure is surfaced to the unit and on the report's timeline, under
one of :data:`WA_REASONS` (the words are ``event.undeliverable.<reason>`` and
``delivery.failed.<reason>`` in locales/).
"""

from __future__ import annotations

from typing import Final

#: Meta's codes worth sending again: generic user error (131000), service unavailable
#: (131016), throughput (130429), pair rate (131056), spam rate (131048), "something went
#: wrong" (1, 2), temporarily unavailable (133004).
TRANSIENT: Final = frozenset({1, 2, 130429, 131000, 131016, 131048, 131056, 133004})
#: Sends in all (the first one and its resends).
MAX_ATTEMPTS: Final = 3
#: The permanent codes with words of their own; any other is ``wa_other``.
REASON_OF_CODE: Final = {
    131026: "wa_undeliverable",  # not on WhatsApp, an old app, or the terms not accepted
    131051: "wa_unsupported",  # a message type the citizen's app cannot show
    131047: "wa_window",  # re-engagement: more than 24 hours since the citizen last wrote
}
WA_OTHER: Final = "wa_other"
WA_RETRIES_SPENT: Final = "wa_retries"
#: Every reason a failed WhatsApp delivery is surfaced under (core.timeline's known notes).
WA_REASONS: Final = frozenset({*REASON_OF_CODE.values(), WA_OTHER, WA_RETRIES_SPENT})
RETRY: Final = "retry"


def failure_action(code: int | None, attempt: int) -> str:
    """:data:`RETRY`, or the reason a failure is surfaced under."""
    if code in TRANSIENT:
        return RETRY if attempt < MAX_ATTEMPTS else WA_RETRIES_SPENT
    return REASON_OF_CODE.get(code or 0, WA_OTHER)

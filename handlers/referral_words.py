"""How an outside body (bukan kewenangan) is told to a citizen and listed to officers."""

from __future__ import annotations

from locales import Translator
from storage.models import ReferralBody

_CONTACTS = ("handles", "address", "phone", "web", "channel")


def contacts(tr: Translator, body: ReferralBody) -> str:
    """What the body handles and how to reach it, one line each (only the parts known)."""
    lines = [
        tr.t(f"referral.{part}", text=getattr(body, part))
        for part in _CONTACTS
        if getattr(body, part)
    ]
    if not any(getattr(body, part) for part in _CONTACTS[1:]):
        lines.append(tr.t("referral.no_contacts"))
    return "\n".join(lines)

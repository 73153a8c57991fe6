"""Who in a unit's group may do what (peran dalam grup unit): one table, read by one function.

A unit's group holds three kinds of people: its **admins** (the creator and the administrators
Telegram lists for the group), the **officers the unit named** (``aduan units officers``) and its
**members** (everyone else in it). A group grows by invite links, so membership alone must not be
enough for the steps that close or move a report; those are for admins and named officers.
Changing who receives reports (codes, binding, release) stays with the group's Telegram admins,
who also control who is in the group. Members do the everyday work: read, reply to the
reporter, verify, ask and record a follow-up. The table is the whole rule; handlers ask
:func:`may` and turn a refusal into a sentence with :func:`required_role`.

The coordinator's group follows the same table for its own people; *which* reports a group may
touch at all (its own unit's, or any for the coordinator) is ``core.permissions.may_act``.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from core.lifecycle import ROWS, CaseAction
from core.lifecycle import GroupRole as GroupRole


class GroupAction(StrEnum):
    """What someone does in a unit's group; case actions keep their button values."""

    VIEW = "view"  # /antrian, /laporan, /terlambat, /gagal: reading what the unit holds
    ANSWER = CaseAction.ANSWER.value  # a reply to a card, relayed to the reporter
    VERIFY = CaseAction.VERIFY.value
    ASK = CaseAction.ASK.value
    NOTE = CaseAction.NOTE.value
    DONE = CaseAction.DONE.value
    TRANSFER = CaseAction.TRANSFER.value
    ARCHIVE = CaseAction.ARCHIVE.value
    INTERNAL_NOTE = CaseAction.INTERNAL_NOTE.value  # 📝 a note for the unit and coordinator
    RECATEGORIZE = CaseAction.RECATEGORIZE.value  # 🏷 change a misfiled report's category
    REFER = CaseAction.REFER.value  # ↗ Bukan kewenangan: refer to an outside body
    UNREFER = CaseAction.UNREFER.value  # undo a referral (the coordinator's group)
    ISSUE_CODE = "kode"  # /kode: a binding code for a unit (coordinator's group only)
    BIND = "daftar"  # /daftar: bind this group to a unit
    RELEASE = "lepas"  # /lepas: release this group
    ANSWER_OTHERS_PROMPT = "prompt_other"  # answering a prompt another person opened
    TAKE = "take"  # 🙋 Saya tangani: take a report yourself (or let go of your own)
    ASSIGN = "assign"  # 👤 Tugaskan: name another officer responsible, or release theirs
    FILE_ON_BEHALF = "behalf"  # /loket: file a report for a citizen at the counter or by phone
    TEMPLATES = "templat"  # /templat tambah, /templat hapus: keep the unit's ready answers


_RANKS = list(GroupRole)


def _from(least: GroupRole) -> frozenset[GroupRole]:
    """``least`` and every role above it."""
    return frozenset(_RANKS[_RANKS.index(least) :])


#: What a group may do besides the case actions (theirs come from the lifecycle table).
_GROUP_ONLY: Mapping[GroupAction, GroupRole] = {
    GroupAction.VIEW: GroupRole.MEMBER,
    GroupAction.ISSUE_CODE: GroupRole.ADMIN,
    GroupAction.BIND: GroupRole.ADMIN,
    GroupAction.RELEASE: GroupRole.ADMIN,
    GroupAction.ANSWER_OTHERS_PROMPT: GroupRole.OFFICER,
    GroupAction.TAKE: GroupRole.MEMBER,
    GroupAction.ASSIGN: GroupRole.OFFICER,
    GroupAction.FILE_ON_BEHALF: GroupRole.MEMBER,
    GroupAction.TEMPLATES: GroupRole.OFFICER,
}


def _least(action: GroupAction) -> GroupRole:
    if action in _GROUP_ONLY:
        return _GROUP_ONLY[action]
    role = ROWS[CaseAction(action.value)].role
    if role is None:  # pragma: no cover (a group action needs its least role in the table)
        raise RuntimeError(f"no group role for {action}")
    return role


#: The role table: each action and the roles allowed to do it (the case actions' least role is
#: the lifecycle table's ``role``).
ROLE_TABLE: Mapping[GroupAction, frozenset[GroupRole]] = MappingProxyType(
    {action: _from(_least(action)) for action in GroupAction}
)


def may(role: GroupRole, action: GroupAction) -> bool:
    """Whether someone with ``role`` in a unit's group may do ``action``."""
    return role in ROLE_TABLE[action]


def required_role(action: GroupAction) -> GroupRole:
    """The least role that may do ``action`` (what a refusal names)."""
    allowed = ROLE_TABLE[action]
    return next(role for role in GroupRole if role in allowed)


def needs_admin(action: GroupAction) -> bool:
    """Whether a member alone may not do ``action`` (so the group's admins must be asked)."""
    return not may(GroupRole.MEMBER, action)


def for_case(action: CaseAction) -> GroupAction:
    """The group action of an officer's case action."""
    return GroupAction(action.value)

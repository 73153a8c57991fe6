"""The role table: every action has a rule, and the rule is the one the docs promise."""

from __future__ import annotations

import pytest

from core.permissions import ACTORS, ActorKind, CaseAction
from core.roles import ROLE_TABLE, GroupAction, GroupRole, for_case, may, needs_admin, required_role

MEMBER_MAY = {
    GroupAction.VIEW,
    GroupAction.ANSWER,
    GroupAction.VERIFY,
    GroupAction.ASK,
    GroupAction.NOTE,
    GroupAction.INTERNAL_NOTE,
    GroupAction.TAKE,  # 🙋 Saya tangani: a report nobody has, or letting go of one's own
    GroupAction.FILE_ON_BEHALF,  # /loket: a desa's staff take reports at the counter
}

#: Binding the group to a unit stays with the group's Telegram admins.
ADMIN_ONLY = {GroupAction.ISSUE_CODE, GroupAction.BIND, GroupAction.RELEASE}


def test_every_action_has_a_rule() -> None:
    assert set(ROLE_TABLE) == set(GroupAction)


@pytest.mark.parametrize("action", list(GroupAction))
@pytest.mark.parametrize("role", list(GroupRole))
def test_each_cell_of_the_table(role: GroupRole, action: GroupAction) -> None:
    expected = (
        role == GroupRole.ADMIN
        or action in MEMBER_MAY
        or (role == GroupRole.OFFICER and action not in ADMIN_ONLY)
    )
    assert may(role, action) is expected
    assert needs_admin(action) is (action not in MEMBER_MAY)
    if action in MEMBER_MAY:
        least = GroupRole.MEMBER
    elif action in ADMIN_ONLY:
        least = GroupRole.ADMIN
    else:
        least = GroupRole.OFFICER
    assert required_role(action) == least


@pytest.mark.parametrize(
    "action", [a for a in CaseAction if ActorKind.OFFICER in ACTORS.get(a, frozenset())]
)
def test_every_officer_case_action_is_in_the_table(action: CaseAction) -> None:
    assert for_case(action) in ROLE_TABLE

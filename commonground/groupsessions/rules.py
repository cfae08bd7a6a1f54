"""Who may do what in a running session (autodiscovered by `rules`).

Running a session is `groups.run_session` (the group's facilitators and the admin). A
housekeeping action is marked done by its owner or by those who run the group's sessions.
Safeguarding concerns are read by the safeguarding lead and whoever recorded them (selectors).
"""

from __future__ import annotations

from typing import Any

import rules

from commonground.access.policy import standing_for


@rules.predicate
def owns_action(user: Any, action: Any) -> bool:
    if action is None:
        return False
    own = standing_for(user, action.group).person
    return own is not None and action.owner_id == own.pk


@rules.predicate
def runs_actions_group(user: Any, action: Any) -> bool:
    return action is not None and bool(user.has_perm("groups.run_session", action.group))


rules.add_perm("groupsessions.mark_action_done", owns_action | runs_actions_group)

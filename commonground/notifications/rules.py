"""Who may see and do what with notifications (autodiscovered by `rules`)."""

from __future__ import annotations

from typing import Any

import rules

from commonground.access.rules import is_org_admin, is_self


@rules.predicate
def is_recipient(user: Any, notification: Any) -> bool:
    """Only the person it was sent to, signed in as themselves."""
    if not getattr(user, "is_authenticated", False) or notification is None:
        return False
    return notification.recipient.user_id == user.pk


# A notification is seen by its recipient only; anyone else gets a 404.
rules.add_perm("notifications.view_notification", is_recipient)
# The printable letter queue of an organisation: its admin prints and posts them.
rules.add_perm("notifications.manage_letters", is_org_admin)
# A person chooses for themselves how their emails come (one by one or a daily digest).
rules.add_perm("notifications.change_notificationpreference", is_self)

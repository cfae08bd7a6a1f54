"""The roles a person can hold in an organisation, and what each implies for access."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", "Organisation admin"
    SW_MEMBER = "sw_member", "Support & Wellbeing group member"
    FACILITATOR = "facilitator", "Facilitator"
    TRAINED_TEAM_MEMBER = "trained_team_member", "Trained team member"
    HR_OFFICER = "hr_officer", "HR officer"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Safeguarding lead"
    LINE_MANAGER = "line_manager", "Line manager"
    COUNCIL_MANAGER = "council_manager", "Council manager"
    BUDDY_COORDINATOR = "buddy_coordinator", "Buddy coordinator"
    STAFF_MEMBER = "staff_member", "Member of staff"


# Roles whose holders may see confidential records (case notes, safeguarding, supervision
# notes, support needs). They must sign in with a second factor.
CONFIDENTIAL_ROLES: frozenset[str] = frozenset(
    {
        Role.ORG_ADMIN,
        Role.SW_MEMBER,
        Role.FACILITATOR,
        Role.TRAINED_TEAM_MEMBER,
        Role.HR_OFFICER,
        Role.SAFEGUARDING_LEAD,
        Role.LINE_MANAGER,
        Role.COUNCIL_MANAGER,
        Role.BUDDY_COORDINATOR,
    }
)

# Roles that coordinate people and so may see the organisation's directory (names, pronouns,
# roles; not contact details or anything confidential).
DIRECTORY_ROLES: frozenset[str] = CONFIDENTIAL_ROLES

"""people.services for roles: who gives and ends them, overlaps, and keeping an admin."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commonground.access.policy import standing
from commonground.audit.tests.helpers import invalid, nothing_written
from commonground.people import services
from commonground.people.models import RoleAssignment
from commonground.people.roles import Role
from commonground.testing.factories import RoleAssignmentFactory, person_with_login
from commonground.testing.personas import Personas

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)
NOT_ADMINS = ["party", "supporter", "unrelated", "other_org"]


def assign(personas: Personas, **values: Any) -> RoleAssignment:
    values.setdefault("role", Role.SW_MEMBER)
    values.setdefault("starts_on", TODAY)
    return services.role_assign(actor=personas.admin.user, person=personas.party, **values)


def test_the_admin_gives_a_role_from_a_date(personas: Personas) -> None:
    assignment = assign(personas, ends_on=TODAY + 30 * DAY, note="Elected at the AGM")

    assert assignment.organisation == personas.org
    assert assignment.created_by == personas.admin.user
    assert assignment.is_current()


def test_the_admin_giving_themselves_a_role_sees_it_at_once(personas: Personas) -> None:
    user = personas.admin.user
    assert not standing(user, personas.org).has(Role.SAFEGUARDING_LEAD)

    services.role_assign(
        actor=user, person=personas.admin, role=Role.SAFEGUARDING_LEAD, starts_on=TODAY
    )

    assert standing(user, personas.org).has(Role.SAFEGUARDING_LEAD)


@pytest.mark.parametrize("name", NOT_ADMINS)
def test_only_the_admin_gives_roles(personas: Personas, name: str) -> None:
    with nothing_written(), pytest.raises(PermissionDenied):
        services.role_assign(
            actor=personas.all()[name].user,
            person=personas.party,
            role=Role.ORG_ADMIN,
            starts_on=TODAY,
        )


def test_a_party_cannot_make_themselves_admin(personas: Personas) -> None:
    with nothing_written(), pytest.raises(PermissionDenied):
        services.role_assign(
            actor=personas.party.user, person=personas.party, role=Role.ORG_ADMIN, starts_on=TODAY
        )


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"role": "king"}, "role", "invalid_choice"),
        ({"ends_on": TODAY - DAY}, "ends_on", "role_ends_after_start"),
    ],
)
def test_role_assign_refuses_bad_values(
    personas: Personas, values: dict[str, Any], field: str, code: str
) -> None:
    with nothing_written(), pytest.raises(ValidationError) as error:
        assign(personas, **values)

    assert invalid(error.value, field, code)


@pytest.mark.parametrize(
    ("held", "asked"),
    [
        ((-10, None), (0, None)),
        ((-10, 10), (5, 20)),
        ((5, 20), (-10, 10)),
        ((0, 0), (0, 0)),
        ((-10, 10), (-5, 5)),
        ((-5, 5), (-10, None)),
    ],
    ids=[
        "open role already held",
        "starts inside",
        "ends inside",
        "same day",
        "inside",
        "open new role around it",
    ],
)
def test_a_role_cannot_overlap_the_same_role(
    personas: Personas, held: tuple[int, int | None], asked: tuple[int, int | None]
) -> None:
    def day(offset: int | None) -> dt.date | None:
        return None if offset is None else TODAY + offset * DAY

    assign(personas, starts_on=day(held[0]), ends_on=day(held[1]))

    with nothing_written(), pytest.raises(ValidationError) as error:
        assign(personas, starts_on=day(asked[0]), ends_on=day(asked[1]))

    assert invalid(error.value, "role", "role_no_overlap")


def test_a_role_may_follow_the_same_role_that_ended(personas: Personas) -> None:
    assign(personas, starts_on=TODAY - 30 * DAY, ends_on=TODAY - DAY)

    assert assign(personas, starts_on=TODAY).is_current()


def test_different_roles_may_overlap(personas: Personas) -> None:
    assign(personas, role=Role.SW_MEMBER)

    assert assign(personas, role=Role.FACILITATOR).is_current()


# Ending roles


def test_the_admin_ends_a_role(personas: Personas) -> None:
    assignment = personas.supporter.roles.get()

    ended = services.role_end(actor=personas.admin.user, assignment=assignment, ends_on=TODAY)

    assert ended.ends_on == TODAY
    assert not RoleAssignment.objects.current(on=TODAY + DAY).filter(pk=assignment.pk).exists()


@pytest.mark.parametrize("name", NOT_ADMINS)
def test_only_the_admin_ends_roles(personas: Personas, name: str) -> None:
    assignment = personas.supporter.roles.get()

    with nothing_written(), pytest.raises(PermissionDenied):
        services.role_end(actor=personas.all()[name].user, assignment=assignment, ends_on=TODAY)


def test_a_role_cannot_end_before_it_starts(personas: Personas) -> None:
    assignment = personas.supporter.roles.get()

    with nothing_written(), pytest.raises(ValidationError) as error:
        services.role_end(
            actor=personas.admin.user,
            assignment=assignment,
            ends_on=assignment.starts_on - DAY,
        )

    assert invalid(error.value, "ends_on", "role_ends_after_start")


@pytest.mark.parametrize("ends_on", [TODAY - DAY, TODAY], ids=["yesterday", "today"])
def test_the_last_admin_cannot_end_their_own_role(personas: Personas, ends_on: dt.date) -> None:
    assignment = personas.admin.roles.get(role=Role.ORG_ADMIN)

    with nothing_written(), pytest.raises(ValidationError) as error:
        services.role_end(actor=personas.admin.user, assignment=assignment, ends_on=ends_on)

    assert invalid(error.value, "ends_on", "org_keeps_an_admin")


def test_the_last_admin_cannot_end_their_role_on_a_future_date_either(personas: Personas) -> None:
    assignment = personas.admin.roles.get(role=Role.ORG_ADMIN)

    with nothing_written(), pytest.raises(ValidationError) as error:
        services.role_end(actor=personas.admin.user, assignment=assignment, ends_on=TODAY + 7 * DAY)

    assert invalid(error.value, "ends_on", "org_keeps_an_admin")


def test_the_last_admin_may_hand_over_to_a_successor_who_starts_the_next_day(
    personas: Personas,
) -> None:
    RoleAssignmentFactory(
        person=person_with_login(personas.org), role=Role.ORG_ADMIN, starts_on=TODAY + 8 * DAY
    )
    assignment = personas.admin.roles.get(role=Role.ORG_ADMIN)

    ended = services.role_end(
        actor=personas.admin.user, assignment=assignment, ends_on=TODAY + 7 * DAY
    )

    assert ended.ends_on == TODAY + 7 * DAY


def test_an_admin_may_step_down_when_another_admin_remains(personas: Personas) -> None:
    person_with_login(personas.org, Role.ORG_ADMIN)
    assignment = personas.admin.roles.get(role=Role.ORG_ADMIN)

    ended = services.role_end(actor=personas.admin.user, assignment=assignment, ends_on=TODAY)

    assert ended.ends_on == TODAY
    assert not ended.is_current(on=TODAY + DAY)


def test_an_admin_in_another_organisation_does_not_count(personas: Personas) -> None:
    assignment = personas.admin.roles.get(role=Role.ORG_ADMIN)
    assert personas.other_org.roles.filter(role=Role.ORG_ADMIN).exists()

    with nothing_written(), pytest.raises(ValidationError) as error:
        services.role_end(actor=personas.admin.user, assignment=assignment, ends_on=TODAY)

    assert invalid(error.value, "ends_on", "org_keeps_an_admin")


def test_an_admin_role_that_starts_later_does_not_count(personas: Personas) -> None:
    RoleAssignmentFactory(
        person=person_with_login(personas.org),
        role=Role.ORG_ADMIN,
        starts_on=TODAY + 10 * DAY,
    )
    assignment = personas.admin.roles.get(role=Role.ORG_ADMIN)

    with nothing_written(), pytest.raises(ValidationError) as error:
        services.role_end(actor=personas.admin.user, assignment=assignment, ends_on=TODAY)

    assert invalid(error.value, "ends_on", "org_keeps_an_admin")

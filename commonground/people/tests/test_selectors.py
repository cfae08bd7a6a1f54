"""people.selectors: each read is already filtered by need to know."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commonground.people import selectors
from commonground.people.models import MembershipChange, MembershipStatus
from commonground.people.roles import Role
from commonground.testing.factories import (
    PersonFactory,
    QualificationFactory,
    RoleAssignmentFactory,
    person_with_login,
)
from commonground.testing.personas import Personas

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def user(personas: Personas, name: str) -> Any:
    return personas.all()[name].user


@pytest.mark.parametrize(
    ("name", "sees"),
    [
        ("party", True),
        ("supporter", True),
        ("admin", True),
        ("unrelated", True),
        ("other_org", False),
    ],
)
def test_organisation_get_is_for_its_members(personas: Personas, name: str, sees: bool) -> None:
    if sees:
        assert selectors.organisation_get(actor=user(personas, name), slug="riverside")
    else:
        with pytest.raises(Http404):
            selectors.organisation_get(actor=user(personas, name), slug="riverside")


def test_an_unknown_organisation_looks_the_same_as_a_hidden_one(personas: Personas) -> None:
    with pytest.raises(Http404):
        selectors.organisation_get(actor=personas.admin.user, slug="nowhere")


@pytest.mark.parametrize(
    ("name", "sees"),
    [
        ("party", False),
        ("supporter", True),
        ("admin", True),
        ("unrelated", False),
        ("other_org", False),
    ],
)
def test_the_directory_is_for_those_who_coordinate_people(
    personas: Personas, name: str, sees: bool
) -> None:
    if sees:
        people = selectors.people_directory(actor=user(personas, name), organisation=personas.org)
        assert {p.full_name for p in people} == {
            "Pat Party",
            "Sam Supporter",
            "Alex Admin",
            "Uma Unrelated",
        }
    else:
        with pytest.raises(PermissionDenied):
            selectors.people_directory(actor=user(personas, name), organisation=personas.org)


def test_the_directory_searches_names_and_email(personas: Personas) -> None:
    def search(text: str) -> list[str]:
        return [
            p.full_name
            for p in selectors.people_directory(
                actor=personas.admin.user, organisation=personas.org, search=text
            )
        ]

    assert search("pat") == ["Pat Party"]
    assert search("supporter@") == ["Sam Supporter"]


def test_the_directory_filters_by_current_role_and_status(personas: Personas) -> None:
    RoleAssignmentFactory(
        person=personas.unrelated,
        role=Role.FACILITATOR,
        starts_on=TODAY - 30 * DAY,
        ends_on=TODAY - DAY,
    )
    PersonFactory(organisation=personas.org, full_name="Hana Hiatus", membership_status="hiatus")

    by_role = selectors.people_directory(
        actor=personas.admin.user, organisation=personas.org, role=Role.FACILITATOR
    )
    by_status = selectors.people_directory(
        actor=personas.admin.user, organisation=personas.org, status=MembershipStatus.HIATUS
    )

    assert [p.full_name for p in by_role] == ["Sam Supporter"]
    assert [p.full_name for p in by_status] == ["Hana Hiatus"]


def test_the_directory_shows_only_current_roles(personas: Personas) -> None:
    RoleAssignmentFactory(person=personas.supporter, role=Role.SW_MEMBER, starts_on=TODAY + DAY)

    people = selectors.people_directory(actor=personas.admin.user, organisation=personas.org)
    supporter = next(p for p in people if p.pk == personas.supporter.pk)

    assert [r.role for r in supporter.current_roles] == [Role.FACILITATOR]


def test_the_directory_needs_the_same_queries_for_any_number_of_people(
    personas: Personas,
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            for person in selectors.people_directory(
                actor=personas.admin.user, organisation=personas.org
            ):
                _ = (person.user, person.current_roles)
        return len(captured)

    queries()  # the actor's standing is looked up once and then cached
    few = queries()
    for _ in range(5):
        RoleAssignmentFactory(person=PersonFactory(organisation=personas.org))

    assert queries() == few


@pytest.mark.parametrize(
    ("name", "sees"),
    [
        ("party", True),
        ("supporter", True),
        ("admin", True),
        ("unrelated", False),
        ("other_org", False),
    ],
)
def test_person_get_and_their_records_follow_need_to_know(
    personas: Personas, name: str, sees: bool
) -> None:
    actor, party = user(personas, name), personas.party
    reads = [
        lambda: selectors.person_get(actor=actor, organisation=personas.org, pk=party.pk),
        lambda: selectors.person_roles(actor=actor, person=party),
        lambda: selectors.person_qualifications(actor=actor, person=party),
        lambda: selectors.person_membership_history(actor=actor, person=party),
    ]
    for read in reads:
        if sees:
            read()
        else:
            with pytest.raises(Http404):
                read()


def test_a_person_in_another_organisation_is_not_found(personas: Personas) -> None:
    with pytest.raises(Http404):
        selectors.person_get(
            actor=personas.other_org.user, organisation=personas.other, pk=personas.party.pk
        )


def test_membership_history_is_newest_first(personas: Personas) -> None:
    party, now = personas.party, timezone.now()

    def step(status: str, days_ago: int, recorded_minutes_ago: int) -> MembershipChange:
        return MembershipChange.objects.create(
            person=party,
            status=status,
            effective_on=TODAY - days_ago * DAY,
            recorded_at=now - dt.timedelta(minutes=recorded_minutes_ago),
            reason="x",
        )

    joined = step(MembershipStatus.ACTIVE, 100, 300)
    removed = step(MembershipStatus.REMOVED, 10, 10)
    hiatus = step(MembershipStatus.HIATUS, 50, 200)
    reinstated_same_day = step(MembershipStatus.REINSTATED, 10, 5)

    history = selectors.person_membership_history(actor=personas.admin.user, person=party)

    assert list(history) == [reinstated_same_day, removed, hiatus, joined]


def test_roles_are_listed_newest_first(personas: Personas) -> None:
    older = RoleAssignmentFactory(
        person=personas.party, role=Role.SW_MEMBER, starts_on=TODAY - 99 * DAY, ends_on=TODAY - DAY
    )
    newer = RoleAssignmentFactory(person=personas.party, role=Role.SW_MEMBER, starts_on=TODAY)

    roles = selectors.person_roles(actor=personas.admin.user, person=personas.party)

    assert list(roles) == [newer, older]


@pytest.mark.parametrize(
    ("name", "sees"),
    [
        ("party", True),
        ("supporter", False),
        ("admin", True),
        ("unrelated", False),
        ("other_org", False),
    ],
)
def test_confidential_details_are_for_the_person_and_the_admin(
    personas: Personas, name: str, sees: bool
) -> None:
    if sees:
        details = selectors.person_confidential(actor=user(personas, name), person=personas.party)
        assert details == {
            "gender": "Woman",
            "gender_value": "woman",
            "support_needs": "Uses a wheelchair; asthma.",
        }
    else:
        with pytest.raises(PermissionDenied):
            selectors.person_confidential(actor=user(personas, name), person=personas.party)


def test_the_safeguarding_lead_may_break_glass_with_a_reason(personas: Personas) -> None:
    lead = person_with_login(personas.org, Role.SAFEGUARDING_LEAD)

    with pytest.raises(PermissionDenied):
        selectors.person_confidential(actor=lead.user, person=personas.party)
    details = selectors.person_confidential(
        actor=lead.user, person=personas.party, reason="Disclosure", break_glass=True
    )

    assert details["support_needs"] == "Uses a wheelchair; asthma."


@pytest.mark.parametrize("name", ["party", "supporter", "admin", "unrelated", "other_org"])
def test_only_the_safeguarding_lead_may_break_glass(personas: Personas, name: str) -> None:
    with pytest.raises(PermissionDenied):
        selectors.person_confidential(
            actor=user(personas, name), person=personas.party, reason="Curious", break_glass=True
        )


def test_the_safeguarding_lead_cannot_break_glass_on_themselves(personas: Personas) -> None:
    lead = person_with_login(personas.org, Role.SAFEGUARDING_LEAD)

    with pytest.raises(PermissionDenied):
        selectors.person_confidential(actor=lead.user, person=lead, reason="Me", break_glass=True)


@pytest.mark.parametrize(
    ("name", "sees"),
    [
        ("party", False),
        ("supporter", True),
        ("admin", True),
        ("unrelated", False),
        ("other_org", False),
    ],
)
def test_a_qualification_or_role_is_seen_with_its_person(
    personas: Personas, name: str, sees: bool
) -> None:
    person = PersonFactory(organisation=personas.org)
    qualification = QualificationFactory(person=person)
    assignment = RoleAssignmentFactory(person=person, role=Role.SW_MEMBER)
    actor = user(personas, name)
    reads = [
        lambda: selectors.qualification_get(actor=actor, person=person, pk=qualification.pk),
        lambda: selectors.role_assignment_get(actor=actor, person=person, pk=assignment.pk),
    ]
    for read in reads:
        if sees:
            read()
        else:
            with pytest.raises(Http404):
                read()


def test_a_person_sees_their_own_qualifications_and_roles(personas: Personas) -> None:
    qualification = QualificationFactory(person=personas.supporter)
    assignment = personas.supporter.roles.get()
    actor = personas.supporter.user

    assert selectors.qualification_get(actor=actor, person=personas.supporter, pk=qualification.pk)
    assert selectors.role_assignment_get(actor=actor, person=personas.supporter, pk=assignment.pk)


def test_actor_person_is_their_own_record_in_that_organisation(personas: Personas) -> None:
    assert selectors.actor_person(actor=personas.party.user, organisation=personas.org) == (
        personas.party
    )
    assert selectors.actor_person(actor=personas.party.user, organisation=personas.other) is None

"""people.services for organisations and people: permissions, validation, what is written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commonground.audit.tests.helpers import invalid, nothing_written
from commonground.people import services
from commonground.people.models import MembershipChange, MembershipStatus, Person
from commonground.testing.factories import PersonFactory
from commonground.testing.personas import Personas

TODAY = timezone.localdate()
NOT_ADMINS = ["party", "supporter", "unrelated", "other_org"]


def actor(personas: Personas, name: str) -> Any:
    return personas.all()[name].user


def create(personas: Personas, **values: Any) -> Person:
    values.setdefault("full_name", "Nadia New")
    return services.person_create(actor=personas.admin.user, organisation=personas.org, **values)


# Organisations


def test_the_admin_changes_the_organisations_details(personas: Personas) -> None:
    services.organisation_update(
        actor=personas.admin.user, organisation=personas.org, name="Riverside Co-op"
    )

    personas.org.refresh_from_db()
    assert personas.org.name == "Riverside Co-op"


@pytest.mark.parametrize("name", NOT_ADMINS)
def test_only_the_admin_changes_the_organisation(personas: Personas, name: str) -> None:
    with nothing_written(), pytest.raises(PermissionDenied):
        services.organisation_update(
            actor=actor(personas, name), organisation=personas.org, name="Taken over"
        )


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"name": "  "}, "name", "required"),
        ({"kind": "club"}, "kind", "invalid_choice"),
        ({"contact_email": "not-an-email"}, "contact_email", "invalid"),
    ],
)
def test_organisation_update_refuses_bad_values(
    personas: Personas, values: dict[str, Any], field: str, code: str
) -> None:
    with nothing_written(), pytest.raises(ValidationError) as error:
        services.organisation_update(actor=personas.admin.user, organisation=personas.org, **values)

    assert invalid(error.value, field, code)


def test_organisation_update_refuses_unknown_fields(personas: Personas) -> None:
    with nothing_written(), pytest.raises(ValidationError, match="Unknown fields: slug"):
        services.organisation_update(
            actor=personas.admin.user, organisation=personas.org, slug="elsewhere"
        )


def test_organisation_create_refuses_a_slug_in_use(personas: Personas) -> None:
    with nothing_written(), pytest.raises(ValidationError) as error:
        services.organisation_create(name="Riverside", slug="riverside")

    assert invalid(error.value, "slug", "unique")


# Adding people


def test_the_admin_adds_a_person_with_a_first_membership_step(personas: Personas) -> None:
    person = create(
        personas,
        full_name="  Nadia New ",
        email=" Nadia@Example.TEST ",
        contact_channels=["email", "post", "email"],
        postal_address="1 High Street",
    )

    assert person.full_name == "Nadia New"
    assert person.email == "nadia@example.test"
    assert person.contact_channels == ["email", "post"]
    assert person.membership_since == TODAY
    step = person.membership_changes.get()
    assert (step.status, step.effective_on) == (MembershipStatus.ACTIVE, TODAY)
    assert step.recorded_by == personas.admin.user


def test_a_person_can_be_added_with_no_electronic_contact(personas: Personas) -> None:
    person = create(personas, contact_channels=["post"], postal_address="1 High Street")

    assert not person.uses_electronic_communication


@pytest.mark.parametrize("name", NOT_ADMINS)
def test_only_the_admin_adds_people(personas: Personas, name: str) -> None:
    with nothing_written(), pytest.raises(PermissionDenied):
        services.person_create(
            actor=actor(personas, name), organisation=personas.org, full_name="Someone"
        )


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"full_name": "   "}, "full_name", "required"),
        ({"gender": "other"}, "gender", "invalid_choice"),
        ({"contact_channels": ["pigeon"]}, "contact_channels", "contact_channel_known"),
        ({"contact_channels": ["email"]}, "email", "contact_channel_needs_details"),
        ({"contact_channels": ["sms"]}, "phone", "contact_channel_needs_details"),
        ({"contact_channels": ["phone"]}, "phone", "contact_channel_needs_details"),
        ({"contact_channels": ["post"]}, "postal_address", "contact_channel_needs_details"),
        ({"membership_status": "gone"}, "membership_status", "invalid_choice"),
        ({"email": "not-an-email"}, "email", "invalid"),
    ],
)
def test_person_create_refuses_bad_values(
    personas: Personas, values: dict[str, Any], field: str, code: str
) -> None:
    with nothing_written(), pytest.raises(ValidationError) as error:
        create(personas, **values)

    assert invalid(error.value, field, code)


def test_person_create_refuses_unknown_fields(personas: Personas) -> None:
    with nothing_written(), pytest.raises(ValidationError, match="Unknown fields: shoe_size"):
        create(personas, shoe_size="9")


# Changing a person


def test_the_admin_changes_any_detail(personas: Personas) -> None:
    services.person_update(
        actor=personas.admin.user,
        person=personas.party,
        full_name="Patricia Party",
        support_needs="Uses a wheelchair.",
    )

    personas.party.refresh_from_db()
    assert personas.party.full_name == "Patricia Party"
    assert personas.party.support_needs == "Uses a wheelchair."


def test_a_person_changes_their_own_contact_details(personas: Personas) -> None:
    services.person_update(
        actor=personas.party.user,
        person=personas.party,
        preferred_name="Pat",
        pronouns="she/her",
        phone="07700 900000",
        contact_channels=["sms", "email"],
    )

    personas.party.refresh_from_db()
    assert personas.party.display_name == "Pat"
    assert personas.party.contact_channels == ["sms", "email"]


@pytest.mark.parametrize(
    "values",
    [{"full_name": "Someone Else"}, {"support_needs": ""}, {"gender": "man"}],
    ids=["full name", "support needs", "gender"],
)
def test_a_person_cannot_change_the_rest_of_their_own_record(
    personas: Personas, values: dict[str, Any]
) -> None:
    with nothing_written(), pytest.raises(PermissionDenied):
        services.person_update(actor=personas.party.user, person=personas.party, **values)


@pytest.mark.parametrize("name", ["supporter", "unrelated", "other_org"])
def test_others_cannot_change_a_person(personas: Personas, name: str) -> None:
    with nothing_written(), pytest.raises(PermissionDenied):
        services.person_update(actor=actor(personas, name), person=personas.party, pronouns="x")


def test_removing_the_email_of_someone_reached_by_email_is_refused(personas: Personas) -> None:
    with nothing_written(), pytest.raises(ValidationError) as error:
        services.person_update(actor=personas.party.user, person=personas.party, email="")

    assert invalid(error.value, "email", "contact_channel_needs_details")


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"full_name": ""}, "full_name", "required"),
        ({"gender": "robot"}, "gender", "invalid_choice"),
        ({"contact_channels": ["fax"]}, "contact_channels", "contact_channel_known"),
        ({"contact_channels": ["post"]}, "postal_address", "contact_channel_needs_details"),
    ],
)
def test_person_update_refuses_bad_values(
    personas: Personas, values: dict[str, Any], field: str, code: str
) -> None:
    with nothing_written(), pytest.raises(ValidationError) as error:
        services.person_update(actor=personas.admin.user, person=personas.party, **values)

    assert invalid(error.value, field, code)


def test_person_update_refuses_unknown_fields(personas: Personas) -> None:
    with nothing_written(), pytest.raises(ValidationError, match="Unknown fields: organisation"):
        services.person_update(
            actor=personas.admin.user, person=personas.party, organisation=personas.other
        )


# Membership


def change(personas: Personas, **values: Any) -> MembershipChange:
    values.setdefault("status", MembershipStatus.HIATUS)
    values.setdefault("effective_on", TODAY)
    values.setdefault("reason", "Taking time out")
    return services.membership_change(actor=personas.admin.user, person=personas.party, **values)


def test_a_membership_change_sets_the_status_and_is_kept_in_the_history(
    personas: Personas,
) -> None:
    step = change(personas)

    personas.party.refresh_from_db()
    assert personas.party.membership_status == MembershipStatus.HIATUS
    assert step.reason == "Taking time out"
    assert step.recorded_by == personas.admin.user


@pytest.mark.parametrize("name", NOT_ADMINS)
def test_only_the_admin_changes_membership(personas: Personas, name: str) -> None:
    with nothing_written(), pytest.raises(PermissionDenied):
        services.membership_change(
            actor=actor(personas, name),
            person=personas.party,
            status=MembershipStatus.LEFT,
            effective_on=TODAY,
            reason="Left",
        )


def test_the_admin_cannot_change_their_own_membership(personas: Personas) -> None:
    with nothing_written(), pytest.raises(PermissionDenied):
        services.membership_change(
            actor=personas.admin.user,
            person=personas.admin,
            status=MembershipStatus.LEFT,
            effective_on=TODAY,
            reason="Leaving",
        )


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"status": "vanished"}, "status", "invalid_choice"),
        ({"status": MembershipStatus.ACTIVE}, "status", "membership_status_unchanged"),
        (
            {"effective_on": TODAY + dt.timedelta(days=1)},
            "effective_on",
            "membership_date_not_future",
        ),
        ({"reason": "  "}, "reason", "required"),
    ],
)
def test_membership_change_refuses_bad_values(
    personas: Personas, values: dict[str, Any], field: str, code: str
) -> None:
    with nothing_written(), pytest.raises(ValidationError) as error:
        change(personas, **values)

    assert invalid(error.value, field, code)


def test_a_membership_change_cannot_be_dated_before_the_last_one(personas: Personas) -> None:
    change(personas, effective_on=TODAY - dt.timedelta(days=5))

    with nothing_written(), pytest.raises(ValidationError) as error:
        change(
            personas,
            status=MembershipStatus.ACTIVE,
            effective_on=TODAY - dt.timedelta(days=6),
            reason="Back",
        )

    assert invalid(error.value, "effective_on", "membership_date_in_order")


# Logins


def test_the_admin_gives_a_person_a_login(
    personas: Personas, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    person = PersonFactory(organisation=personas.org, email="Ivy@Example.test")

    with django_capture_on_commit_callbacks(execute=True):
        user = services.person_invite(actor=personas.admin.user, person=person)

    person.refresh_from_db()
    assert person.user == user
    assert user.email == "ivy@example.test"
    assert not user.has_usable_password()
    assert [m.to for m in mailoutbox] == [["ivy@example.test"]]


@pytest.mark.parametrize("name", NOT_ADMINS)
def test_only_the_admin_gives_logins(personas: Personas, name: str) -> None:
    person = PersonFactory(organisation=personas.org)

    with nothing_written(), pytest.raises(PermissionDenied):
        services.person_invite(actor=actor(personas, name), person=person)


def test_an_invitation_needs_an_email_address(personas: Personas) -> None:
    person = PersonFactory(organisation=personas.org, email="", contact_channels=[])

    with nothing_written(), pytest.raises(ValidationError) as error:
        services.person_invite(actor=personas.admin.user, person=person)

    assert invalid(error.value, "email", "invite_needs_email")


def test_a_person_is_invited_once(personas: Personas) -> None:
    with nothing_written(), pytest.raises(ValidationError) as error:
        services.person_invite(actor=personas.admin.user, person=personas.party)

    assert invalid(error.value, "email", "invite_once")


def test_one_login_belongs_to_one_person_in_an_organisation(personas: Personas) -> None:
    twin = PersonFactory(organisation=personas.org, email=personas.party.user.email)

    with nothing_written(), pytest.raises(ValidationError) as error:
        services.person_invite(actor=personas.admin.user, person=twin)

    assert invalid(error.value, "email", "person_one_per_user_per_org")

"""factory_boy factories for tests. Importable from every app's tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from allauth.mfa.models import Authenticator
from django.utils import timezone

from commonground.accounts.models import User
from commonground.people.models import (
    MembershipStatus,
    Organisation,
    Person,
    Qualification,
    QualificationKind,
    RoleAssignment,
)
from commonground.people.roles import Role

PASSWORD = "correct-horse-battery-staple"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    kind = Organisation.Kind.OTHER


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    organisation = factory.SubFactory(OrganisationFactory)
    full_name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"person{n}@example.test")
    contact_channels = factory.LazyFunction(lambda: ["email"])
    membership_status = MembershipStatus.ACTIVE
    membership_since = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=365))


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SelfAttribute("person.organisation")
    role = Role.FACILITATOR
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Qualification

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SelfAttribute("person.organisation")
    kind = QualificationKind.FACILITATOR_TRAINING
    obtained_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=100))


def give_mfa(user: User) -> Authenticator:
    """A TOTP authenticator, as if the person had set one up (the MFA rule is then met)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    return TOTP.activate(user, generate_totp_secret()).instance


def person_with_login(
    organisation: Organisation,
    *roles: str,
    email: str | None = None,
    mfa: bool = True,
    **person_fields: Any,
) -> Person:
    """A person with a login and the given current roles (with MFA set up if a role needs it)."""
    user = UserFactory(**({"email": email} if email else {}))
    person = PersonFactory(organisation=organisation, user=user, email=user.email, **person_fields)
    for role in roles:
        RoleAssignmentFactory(person=person, role=role)
    if mfa and roles:
        give_mfa(user)
    return person

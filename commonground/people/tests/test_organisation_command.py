from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from commonground.audit.models import AuditEntry
from commonground.people.models import Organisation, Person
from commonground.people.roles import Role
from commonground.policies.models import PolicyAdoption

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_operator_creates_an_organisation_with_its_first_admin(capsys) -> None:
    call_command(
        "organisation",
        "create",
        "Harbour Housing Co-op",
        "--kind",
        "housing_coop",
        "--admin-email",
        "Chair@Harbour.test",
        "--admin-name",
        "Robin Chair",
        "--adopt",
        "ASH",
    )
    org = Organisation.objects.get(slug="harbour-housing-co-op")
    admin = Person.objects.get(organisation=org)
    assert admin.user is not None and admin.user.email == "chair@harbour.test"
    assert admin.roles.get().role == Role.ORG_ADMIN
    assert PolicyAdoption.objects.filter(organisation=org, policy="ASH").exists()
    assert len(mail.outbox) == 1 and "/accounts/password/reset/key/" in mail.outbox[0].body
    assert AuditEntry.objects.filter(organisation=org).count() >= 3
    assert "Robin Chair <chair@harbour.test>" in capsys.readouterr().out


def test_a_taken_address_is_refused_and_nothing_is_made() -> None:
    call_command(
        "organisation", "create", "Harbour", "--admin-email", "a@h.test", "--admin-name", "A"
    )
    with pytest.raises(CommandError, match="exists already"):
        call_command(
            "organisation", "create", "Harbour", "--admin-email", "b@h.test", "--admin-name", "B"
        )
    assert Organisation.objects.count() == 1 and Person.objects.count() == 1

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from commonground.accounts.models import User
from commonground.audit.models import AuditEntry
from commonground.audit.services import audit_verify
from commonground.demo.data import DEMO_PASSWORD, ORGANISATIONS
from commonground.people.models import (
    MembershipStatus,
    Organisation,
    Person,
    Qualification,
    QualificationKind,
    RoleAssignment,
)
from commonground.people.roles import Role
from commonground.policies.models import PolicyAdoption

pytestmark = pytest.mark.django_db

POLICY_ORGANISATIONS = {
    "ash": ("ASH Housing Co-op", Organisation.Kind.HOUSING_COOP),
    "peer-support-plus": ("Peer Support Plus", Organisation.Kind.CHARITY),
    "woughton": ("Woughton Community Council", Organisation.Kind.COMMUNITY_COUNCIL),
    "imhp": ("IMHP (Improving Mental Health Provision CIC)", Organisation.Kind.CIC),
    "buddy-scheme": ("Pathfinder Buddy Scheme", Organisation.Kind.BUDDY_SCHEME),
}


def run_load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def output(settings) -> str:  # type: ignore[no-untyped-def]
    if connection.vendor != "sqlite":
        pytest.skip("The demo loads only into SQLite.")
    return run_load_demo()


def logins_in(output: str) -> list[tuple[str, str, str]]:
    """(email, organisation, role) for every row of the printed logins table."""
    rows = []
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.split("  ") if cell.strip()]
        if len(cells) == 3 and cells[0].endswith(".demo") and "@" in cells[0]:
            rows.append((cells[0], cells[1], cells[2]))
    return rows


def current_sw_members() -> list[Person]:
    ash = Organisation.objects.get(slug="ash")
    ids = (
        RoleAssignment.objects.current()
        .filter(organisation=ash, role=Role.SW_MEMBER)
        .values_list("person_id", flat=True)
    )
    return list(Person.objects.filter(pk__in=ids))


def test_it_loads_five_organisations_named_after_the_policies(output: str) -> None:
    organisations = {o.slug: (o.name, o.kind) for o in Organisation.objects.all()}
    assert organisations == POLICY_ORGANISATIONS
    assert "Loaded 5 demo organisations" in output


def test_each_organisation_adopts_its_own_policy(output: str) -> None:
    adopted = dict(PolicyAdoption.objects.values_list("organisation__slug", "policy"))
    assert adopted == {
        "ash": "ASH",
        "peer-support-plus": "PSP",
        "woughton": "WCC",
        "imhp": "IMHP",
        "buddy-scheme": "BUD",
    }


def test_every_demo_login_in_the_table_signs_in_with_the_demo_password(output: str) -> None:
    rows = logins_in(output)
    assert len(rows) >= 15
    assert f"password {DEMO_PASSWORD}" in output
    for email, organisation, _role in rows:
        client = Client()
        assert client.login(email=email, password=DEMO_PASSWORD), email
        person = Person.objects.get(user__email=email)
        assert person.organisation.name == organisation
        assert person.email == email


@pytest.mark.real_password_hashing
def test_the_demo_password_is_hashed_with_argon2() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("The demo loads only into SQLite.")
    run_load_demo()
    hashes = set(User.objects.values_list("password", flat=True))
    assert len(hashes) == 1  # hashed once for every login
    assert hashes.pop().startswith("argon2")
    assert Client().login(email="admin@ash.demo", password=DEMO_PASSWORD)


def test_every_organisation_has_an_admin_a_worker_and_a_plain_member_login(output: str) -> None:
    for organisation in Organisation.objects.all():
        with_login = Person.objects.filter(organisation=organisation, user__isnull=False)
        role_sets = [
            set(RoleAssignment.objects.current().filter(person=p).values_list("role", flat=True))
            for p in with_login
        ]
        assert any(Role.ORG_ADMIN in roles for roles in role_sets), organisation
        assert any(roles and Role.ORG_ADMIN not in roles for roles in role_sets), organisation
        assert any(not roles or roles == {Role.STAFF_MEMBER} for roles in role_sets), organisation


def test_ASH_18_the_sw_group_has_about_ten_members_at_least_six_and_half_women(
    output: str,
) -> None:
    members = current_sw_members()
    women = [p for p in members if p.gender == "woman"]
    assert 6 <= len(members) <= 12
    assert len(women) * 2 >= len(members)


def test_ASH_20_facilitators_have_attended_the_course_and_others_help_with_admin(
    output: str,
) -> None:
    ash = Organisation.objects.get(slug="ash")
    course_holders = set(
        Qualification.objects.current()
        .filter(organisation=ash, kind=QualificationKind.CONFLICT_FACILITATION_INTRO)
        .values_list("person_id", flat=True)
    )
    facilitators = set(
        RoleAssignment.objects.current()
        .filter(organisation=ash, role=Role.FACILITATOR)
        .values_list("person_id", flat=True)
    )
    assert facilitators
    assert facilitators <= course_holders
    admin_only = {p.pk for p in current_sw_members()} - course_holders
    assert admin_only
    assert not admin_only & facilitators


def test_PSP_4_every_current_facilitator_holds_current_facilitator_training(
    output: str,
) -> None:
    psp = Organisation.objects.get(slug="peer-support-plus")
    facilitators = set(
        RoleAssignment.objects.current()
        .filter(organisation=psp, role=Role.FACILITATOR)
        .values_list("person_id", flat=True)
    )
    trained = set(
        Qualification.objects.current()
        .filter(organisation=psp, kind=QualificationKind.FACILITATOR_TRAINING)
        .values_list("person_id", flat=True)
    )
    assert len(facilitators) >= 2
    assert facilitators <= trained


def test_IMHP_1_and_IMHP_2_trained_team_members_have_dbs_checks_and_one_has_expired(
    output: str,
) -> None:
    imhp = Organisation.objects.get(slug="imhp")
    trained = set(
        RoleAssignment.objects.current()
        .filter(organisation=imhp, role=Role.TRAINED_TEAM_MEMBER)
        .values_list("person_id", flat=True)
    )
    dbs = Qualification.objects.filter(organisation=imhp, kind=QualificationKind.DBS_CHECK)
    current_dbs = set(dbs.current().values_list("person_id", flat=True))
    expired = [q for q in dbs if not q.is_current()]
    assert len(trained) >= 2
    assert len(trained & current_dbs) >= 2
    assert len(expired) == 1
    assert expired[0].person_id in trained
    assert expired[0].reference  # the certificate number, kept encrypted


def test_some_people_use_no_electronic_communication_and_have_a_postal_address(
    output: str,
) -> None:
    offline = [p for p in Person.objects.all() if not p.uses_electronic_communication]
    assert len(offline) >= 3
    assert any("post" in p.contact_channels and p.postal_address for p in offline)
    assert all(p.phone or p.postal_address for p in offline)


def test_membership_histories_include_a_hiatus_a_leaver_and_a_reinstatement(
    output: str,
) -> None:
    statuses = set(Person.objects.values_list("membership_status", flat=True))
    assert {MembershipStatus.HIATUS, MembershipStatus.LEFT, MembershipStatus.REINSTATED} <= statuses
    # Reinstated people (one from the people data, one through the demo's CRM, ASH-16) were
    # members, had membership removed, and were reinstated.
    reinstated = Person.objects.filter(membership_status=MembershipStatus.REINSTATED)
    assert reinstated.exists()
    for person in reinstated:
        history = [
            c.status for c in person.membership_changes.order_by("effective_on", "recorded_at")
        ]
        assert history[0] == MembershipStatus.ACTIVE
        assert history[-2:] == [MembershipStatus.REMOVED, MembershipStatus.REINSTATED]


def test_an_ended_role_keeps_its_dates(output: str) -> None:
    ended = RoleAssignment.objects.filter(ends_on__isnull=False)
    assert ended.exists()
    assert all(not role.is_current() for role in ended)


def test_no_attendee_of_the_buddy_session_appears_by_name(output: str) -> None:
    attendees = {
        "Cath Cunningham", "Mike Asburner", "Vince Bailey", "Lynda Bailey", "Shen Brown",
        "Lesley Eagle", "Sheila Gill", "Tabby Mansha", "Liz Phillips", "Rose Powell",
        "Simon Walker", "Mike Wood", "Janet Hilken", "Roy Dawson", "Geeta Patel",
    }  # fmt: skip
    surnames = {name.split()[-1] for name in attendees}
    for person in Person.objects.all():
        assert person.full_name not in attendees
        assert person.full_name.split()[-1] not in surnames, person.full_name


def test_the_audit_log_records_the_load_and_its_chain_verifies(output: str) -> None:
    report = audit_verify()
    assert report.ok, report.message
    for person in Person.objects.all():
        assert AuditEntry.objects.filter(
            object_type="people.person", object_id=str(person.pk), action=AuditEntry.Action.CREATE
        ).exists()
    # Membership changes need an admin's hand: each organisation's own demo admin made them.
    # Every step of the people data's histories, and the CRM demo's removals and reinstatement.
    changes = AuditEntry.objects.filter(summary="Membership changed").select_related("actor")
    assert changes.count() >= sum(len(p.history) for o in ORGANISATIONS for p in o.people)
    for entry in changes:
        assert entry.actor is not None
        assert entry.actor.email.startswith("admin@")


def test_a_second_run_changes_nothing(output: str) -> None:
    counts = [
        model.objects.count()
        for model in (Organisation, Person, User, RoleAssignment, Qualification, AuditEntry)
    ]
    again = run_load_demo()
    assert "loaded already" in again
    assert "nothing was changed" in again
    assert logins_in(again) == logins_in(output)
    assert counts == [
        model.objects.count()
        for model in (Organisation, Person, User, RoleAssignment, Qualification, AuditEntry)
    ]


def test_it_refuses_a_database_that_is_not_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connection, "vendor", "postgresql")
    with pytest.raises(CommandError, match="only into a SQLite database"):
        run_load_demo()
    assert not Organisation.objects.exists()


def test_it_refuses_in_production(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="PRODUCTION=true"):
        run_load_demo()
    assert not Organisation.objects.exists()

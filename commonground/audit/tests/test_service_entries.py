"""Every change made through people.services, and every confidential read, is on the log once,
with old and new values, and confidential values never appear there in clear."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from commonground.audit.models import AuditEntry
from commonground.audit.services import CONFIDENTIAL_MARK, audit_verify
from commonground.audit.tests.tamper import raw_rows
from commonground.people import selectors, services
from commonground.people.models import MembershipStatus, QualificationKind
from commonground.people.roles import Role
from commonground.testing.factories import QualificationFactory, person_with_login
from commonground.testing.personas import Personas

TODAY = timezone.localdate()
SECRET_NEED = "Panic attacks in crowded rooms"
SECRET_REFERENCE = "DBS-0099887766"


class Written:
    entries: list[AuditEntry]


@contextmanager
def one_entry() -> Iterator[Written]:
    """Asserts that the block writes exactly one audit entry, and hands it back."""
    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    written = Written()
    yield written
    written.entries = list(AuditEntry.objects.filter(seq__gt=last).order_by("seq"))
    assert len(written.entries) == 1, [str(e) for e in written.entries]
    assert audit_verify().ok


def entry_of(written: Written) -> AuditEntry:
    return written.entries[0]


def assert_not_in_log(*clear: str) -> None:
    log = raw_rows("audit_auditentry")
    for value in clear:
        assert value not in log


def test_person_create_records_the_new_values_and_hides_confidential_ones(
    personas: Personas,
) -> None:
    with one_entry() as written:
        person = services.person_create(
            actor=personas.admin.user,
            organisation=personas.org,
            full_name="Nadia New",
            email="nadia@example.test",
            contact_channels=["email"],
            gender="non_binary",
            support_needs=SECRET_NEED,
        )

    entry = entry_of(written)
    assert (entry.action, entry.object_type, entry.object_id) == (
        "create",
        "people.person",
        str(person.pk),
    )
    assert entry.actor == personas.admin.user
    assert entry.organisation == personas.org
    assert entry.changes["full_name"] == [None, "Nadia New"]
    assert entry.changes["support_needs"] == [None, CONFIDENTIAL_MARK]
    assert entry.changes["gender"] == [None, CONFIDENTIAL_MARK]
    assert_not_in_log(SECRET_NEED, "non_binary")


def test_person_update_records_old_and_new_values(personas: Personas) -> None:
    with one_entry() as written:
        services.person_update(
            actor=personas.admin.user,
            person=personas.party,
            pronouns="she/her",
            support_needs=SECRET_NEED,
            gender="prefer_not_to_say",
        )

    entry = entry_of(written)
    assert entry.action == "update"
    assert entry.changes["pronouns"] == ["", "she/her"]
    assert entry.changes["support_needs"] == [CONFIDENTIAL_MARK, CONFIDENTIAL_MARK]
    assert entry.changes["gender"] == [CONFIDENTIAL_MARK, CONFIDENTIAL_MARK]
    assert_not_in_log(SECRET_NEED, "Uses a wheelchair", "prefer_not_to_say", '"woman"')


def test_person_update_by_the_person_themselves_is_recorded_as_theirs(personas: Personas) -> None:
    with one_entry() as written:
        services.person_update(actor=personas.party.user, person=personas.party, pronouns="they")

    assert entry_of(written).actor == personas.party.user


def test_person_update_that_changes_nothing_writes_nothing(personas: Personas) -> None:
    before = AuditEntry.objects.count()

    services.person_update(
        actor=personas.admin.user, person=personas.party, full_name=personas.party.full_name
    )

    assert AuditEntry.objects.count() == before


def test_membership_change_records_the_status_and_the_reason(personas: Personas) -> None:
    with one_entry() as written:
        services.membership_change(
            actor=personas.admin.user,
            person=personas.party,
            status=MembershipStatus.HIATUS,
            effective_on=TODAY,
            reason="Taking time out",
        )

    entry = entry_of(written)
    assert entry.changes == {"membership_status": ["active", "hiatus"]}
    assert entry.reason == "Taking time out"


def test_role_assign_records_the_role_and_its_dates(personas: Personas) -> None:
    with one_entry() as written:
        assignment = services.role_assign(
            actor=personas.admin.user,
            person=personas.party,
            role=Role.SW_MEMBER,
            starts_on=TODAY,
        )

    entry = entry_of(written)
    assert (entry.action, entry.object_type, entry.object_id) == (
        "create",
        "people.roleassignment",
        str(assignment.pk),
    )
    assert entry.changes["role"] == [None, "sw_member"]
    assert entry.changes["starts_on"] == [None, TODAY.isoformat()]
    assert entry.changes["person_id"] == [None, personas.party.pk]


def test_role_end_records_the_end_date(personas: Personas) -> None:
    assignment = personas.supporter.roles.get()

    with one_entry() as written:
        services.role_end(
            actor=personas.admin.user, assignment=assignment, ends_on=TODAY, reason="Stepped down"
        )

    entry = entry_of(written)
    assert entry.changes == {"ends_on": [None, TODAY.isoformat()]}
    assert entry.reason == "Stepped down"


def test_qualification_record_hides_the_reference(personas: Personas) -> None:
    with one_entry() as written:
        services.qualification_record(
            actor=personas.admin.user,
            person=personas.supporter,
            kind=QualificationKind.DBS_CHECK,
            obtained_on=TODAY - dt.timedelta(days=10),
            reference=SECRET_REFERENCE,
        )

    entry = entry_of(written)
    assert entry.changes["kind"] == [None, "dbs_check"]
    assert entry.changes["reference"] == [None, CONFIDENTIAL_MARK]
    assert_not_in_log(SECRET_REFERENCE)


def test_qualification_update_records_old_and_new_values(personas: Personas) -> None:
    qualification = QualificationFactory(person=personas.supporter, reference=SECRET_REFERENCE)

    with one_entry() as written:
        services.qualification_update(
            actor=personas.admin.user,
            qualification=qualification,
            title="Level 2",
            reference="DBS-NEW-111",
        )

    entry = entry_of(written)
    assert entry.changes["title"] == ["", "Level 2"]
    assert entry.changes["reference"] == [CONFIDENTIAL_MARK, CONFIDENTIAL_MARK]
    assert_not_in_log(SECRET_REFERENCE, "DBS-NEW-111")


def test_qualification_delete_records_what_was_removed_and_why(personas: Personas) -> None:
    qualification = QualificationFactory(person=personas.supporter, reference=SECRET_REFERENCE)

    with one_entry() as written:
        services.qualification_delete(
            actor=personas.admin.user, qualification=qualification, reason="Recorded in error"
        )

    entry = entry_of(written)
    assert entry.action == "delete"
    assert entry.changes["kind"] == ["facilitator_training", None]
    assert entry.reason == "Recorded in error"
    assert_not_in_log(SECRET_REFERENCE)


def test_organisation_update_records_old_and_new_values(personas: Personas) -> None:
    with one_entry() as written:
        services.organisation_update(
            actor=personas.admin.user, organisation=personas.org, phone="01234 567890"
        )

    entry = entry_of(written)
    assert (entry.object_type, entry.object_id) == ("people.organisation", str(personas.org.pk))
    assert entry.changes == {"phone": ["", "01234 567890"]}


def test_person_invite_records_the_login(personas: Personas) -> None:
    person = services.person_create(
        actor=personas.admin.user,
        organisation=personas.org,
        full_name="Ivy Invitee",
        email="ivy@example.test",
        contact_channels=["email"],
    )

    with one_entry() as written:
        services.person_invite(actor=personas.admin.user, person=person)

    assert entry_of(written).changes == {"login": [None, "invited"]}


def test_a_refused_change_writes_nothing(personas: Personas) -> None:
    before = AuditEntry.objects.count()

    with pytest.raises(PermissionDenied):
        services.person_update(actor=personas.unrelated.user, person=personas.party, pronouns="x")

    assert AuditEntry.objects.count() == before


def test_reading_confidential_details_is_a_read_entry(personas: Personas) -> None:
    with one_entry() as written:
        details = selectors.person_confidential(actor=personas.admin.user, person=personas.party)

    entry = entry_of(written)
    assert details["support_needs"] == "Uses a wheelchair; asthma."
    assert entry.action == AuditEntry.Action.READ
    assert (entry.object_type, entry.object_id) == ("people.person", str(personas.party.pk))
    assert entry.actor == personas.admin.user
    assert entry.changes == {"fields": ["gender", "support_needs"]}
    assert_not_in_log("Uses a wheelchair")


def test_a_person_reading_their_own_details_is_on_the_log_too(personas: Personas) -> None:
    with one_entry() as written:
        selectors.person_confidential(actor=personas.party.user, person=personas.party)

    assert entry_of(written).actor == personas.party.user


def test_break_glass_is_recorded_with_its_reason(personas: Personas) -> None:
    lead = person_with_login(personas.org, Role.SAFEGUARDING_LEAD)

    with one_entry() as written:
        selectors.person_confidential(
            actor=lead.user,
            person=personas.party,
            reason="Disclosure at tonight's session",
            break_glass=True,
        )

    entry = entry_of(written)
    assert entry.action == AuditEntry.Action.BREAK_GLASS
    assert entry.reason == "Disclosure at tonight's session"
    assert entry.actor == lead.user


@pytest.mark.parametrize("persona", ["supporter", "unrelated", "other_org"])
def test_a_refused_confidential_read_writes_nothing(personas: Personas, persona: str) -> None:
    before = AuditEntry.objects.count()

    with pytest.raises(PermissionDenied):
        selectors.person_confidential(actor=personas.all()[persona].user, person=personas.party)

    assert AuditEntry.objects.count() == before


def test_break_glass_without_a_reason_is_refused_and_writes_nothing(personas: Personas) -> None:
    lead = person_with_login(personas.org, Role.SAFEGUARDING_LEAD)
    before = AuditEntry.objects.count()

    with pytest.raises(PermissionDenied, match="reason"):
        selectors.person_confidential(
            actor=lead.user, person=personas.party, reason="  ", break_glass=True
        )

    assert AuditEntry.objects.count() == before

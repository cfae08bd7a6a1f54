"""ASH Housing Co-op's demo cases, one at each stage, made through the casework services."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util

from django.utils import timezone

from commonground.agreements.services import agreement_sign
from commonground.casework import services
from commonground.casework.models import Case
from commonground.people.models import Organisation, Person


def _person(organisation: Organisation, name: str) -> Person:
    return Person.objects.get(organisation=organisation, full_name=name)


def load_ash_cases(organisation: Organisation) -> list[Case]:
    admin = _person(organisation, "Marguerite Okafor").user
    now = timezone.now()

    def ago(days: float) -> dt.datetime:
        return now - dt.timedelta(days=days)

    def case(title: str, asker: str, other: str, days: float, pair: tuple[str, str]) -> Case:
        made = services.case_request(
            actor=admin,
            organisation=organisation,
            title=title,
            parties=[_person(organisation, other)],
            requested_by=_person(organisation, asker),
            received_at=ago(days),
        )
        for name in pair:
            services.supporter_assign(
                actor=admin, case=made, person=_person(organisation, name), role="facilitator"
            )
        return made

    requested = services.case_request(
        actor=admin,
        organisation=organisation,
        title="Shared garden use",
        parties=[_person(organisation, "Nadia Haddad")],
        requested_by=_person(organisation, "Gareth Llewellyn"),
        received_at=ago(1),
    )
    initial = case(
        "Noise through the wall",
        "Winifred Abara",
        "Gareth Llewellyn",
        6,
        ("Rosalind Achterberg", "Harriet Pembleton"),
    )
    services.initial_conversation_record(actor=admin, case=initial, held_at=ago(4))
    self_managed = case(
        "Parking in the yard",
        "Callum Reid",
        "Nadia Haddad",
        12,
        ("Kwame Mensah-Boateng", "Jules Fairweather"),
    )
    services.initial_conversation_record(actor=admin, case=self_managed, held_at=ago(10))
    services.path_choose(actor=admin, case=self_managed, path="self_managed")
    individual = case(
        "Bins and the back path",
        "Gareth Llewellyn",
        "Callum Reid",
        9,
        ("Siobhan Delaney", "Priya Raghunathan"),
    )
    services.initial_conversation_record(actor=admin, case=individual, held_at=ago(7))
    services.path_choose(actor=admin, case=individual, path="facilitated")
    services.individual_conversation_record(
        actor=admin, case=individual, party=individual.parties.get(alias="Member A"), held_at=ago(3)
    )
    services.offer_make(actor=admin, case=individual, kind="shuttle_mediation")
    # Both parties sign for themselves, so this case is between the two ASH members with logins.
    agreed = case(
        "Kitchen rota",
        "Imogen Stroud",
        "Tomasz Wierzbicki",
        20,
        ("Adaeze Nwosu", "Rosalind Achterberg"),
    )
    services.case_screen(actor=admin, case=agreed, outside_internal_support=False)
    services.initial_conversation_record(actor=admin, case=agreed, held_at=ago(18))
    services.path_choose(actor=admin, case=agreed, path="facilitated")
    for party in agreed.parties.all():
        services.individual_conversation_record(
            actor=admin, case=agreed, party=party, held_at=ago(14)
        )
    services.group_meeting_record(actor=admin, case=agreed, held_at=ago(8))
    agreement = services.shared_agreement_draft(
        actor=admin,
        case=agreed,
        title="Kitchen rota",
        agreements="We take turns to clean the shared kitchen, Monday to Sunday, on the rota by the door.",
    )
    version = agreement.current_version
    assert version is not None
    for signer in agreement.parties.select_related("person__user"):
        agreement_sign(actor=signer.person.user, party=signer, version=version)
    services.note_write(
        actor=_person(organisation, "Rosalind Achterberg").user,
        case=agreed,
        text="Imogen works nights: meetings after 2pm suit her.",
    )
    return [requested, initial, self_managed, individual, agreed]


def load_other_ash_modules(organisation: Organisation) -> None:
    """The CRM and the S&W group's own demo records, where those modules provide them."""
    for name in ("commonground.resolution.demo", "commonground.swgroup.demo"):
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        load = getattr(module, "load", None)
        if callable(load):
            load(organisation)

from __future__ import annotations

from collections.abc import Iterable

from django.apps import AppConfig


def _supporters(organisation_id: int, subject_id: str) -> Iterable[int]:
    from commonground.groups.selectors import facilitator_ids

    if not subject_id.isdigit():
        return ()
    return facilitator_ids(int(subject_id), organisation_id=organisation_id)


def _supported_groups(organisation_id: int, person_id: int) -> Iterable[str]:
    from commonground.groups.selectors import facilitated_group_ids

    return [str(pk) for pk in facilitated_group_ids(person_id, organisation_id=organisation_id)]


class GroupsConfig(AppConfig):
    name = "commonground.groups"
    label = "groups"
    verbose_name = "Peer support groups"

    def ready(self) -> None:
        from commonground.agreements.supporters import register_subject

        # PSP-5: a group's facilitators look after its guidelines with the group.
        register_subject(
            "groups.supportgroup", supporters=_supporters, supported_subjects=_supported_groups
        )

from __future__ import annotations

from collections.abc import Iterable

from django.apps import AppConfig


def _supporters(organisation_id: int, subject_id: str) -> Iterable[int]:
    from commonground.casework.models import Case
    from commonground.casework.selectors_core import current_supporter_ids

    if not subject_id.isdigit():
        return ()
    case = Case.objects.filter(pk=int(subject_id), organisation_id=organisation_id).first()
    return current_supporter_ids(case) if case is not None else ()


def _supported_cases(organisation_id: int, person_id: int) -> Iterable[str]:
    from django.db.models import Q
    from django.utils import timezone

    from commonground.casework.models import CaseSupporter

    today = timezone.localdate()
    return [
        str(pk)
        for pk in CaseSupporter.objects.filter(
            person_id=person_id, case__organisation_id=organisation_id, starts_on__lte=today
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .values_list("case_id", flat=True)
    ]


class CaseworkConfig(AppConfig):
    name = "commonground.casework"
    label = "casework"

    def ready(self) -> None:
        from commonground.agreements.supporters import register_subject

        # ASH-5: the case's current supporters run its Shared Agreements.
        register_subject(
            "casework.case", supporters=_supporters, supported_subjects=_supported_cases
        )

"""Who stands where in a case: read by the casework pages and by the other ASH apps
(the CRM, the S&W group's spending approvals) so the answer is written once."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from commonground.casework.models import Case, CaseParty, CaseSupporter


def current_supporter_ids(case: Case | int, on: dt.date | None = None) -> set[int]:
    """Person ids of the case's current supporters (pair, admin help, external in their dates)."""
    day = on or timezone.localdate()
    case_id = case if isinstance(case, int) else case.pk
    return set(
        CaseSupporter.objects.filter(case_id=case_id, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .values_list("person_id", flat=True)
    )


def party_ids(case: Case | int) -> set[int]:
    case_id = case if isinstance(case, int) else case.pk
    return set(CaseParty.objects.filter(case_id=case_id).values_list("person_id", flat=True))

"""Who supports an agreement without signing it, and so may see and run it.

Two ways, both checked by the same permission rules:

- an AgreementParty with the role "supporter" (sees, does not sign), added like any party;
- a module registers, for its subject type, who supports the record an agreement is attached
  to: `register_subject("casework.case", supporters=..., supported_subjects=...)`. The casework
  module then decides, once, that a case's assigned S&W pair supports its Shared Agreements.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

# (organisation id, subject id) -> ids of the people who support that record.
SupportersOf = Callable[[int, str], Iterable[int]]
# (organisation id, person id) -> ids of the records of this type the person supports.
SubjectsSupportedBy = Callable[[int, int], Iterable[str]]


@dataclass(frozen=True)
class SubjectAccess:
    supporters: SupportersOf
    supported_subjects: SubjectsSupportedBy | None = None


_REGISTRY: dict[str, SubjectAccess] = {}


def register_subject(
    subject_type: str,
    *,
    supporters: SupportersOf,
    supported_subjects: SubjectsSupportedBy | None = None,
) -> None:
    """Let the supporters of `subject_type` records see and run the agreements attached to them.

    Call from a module's AppConfig.ready(). `supported_subjects` lets the list of "my
    agreements" include them; without it they reach the agreements from the module's pages."""
    _REGISTRY[subject_type] = SubjectAccess(supporters, supported_subjects)


def unregister_subject(subject_type: str) -> None:
    _REGISTRY.pop(subject_type, None)


def subject_supporter_ids(
    organisation_id: int, subject_type: str, subject_id: str
) -> frozenset[int]:
    access = _REGISTRY.get(subject_type) if subject_type else None
    if access is None or not subject_id:
        return frozenset()
    return frozenset(int(pk) for pk in access.supporters(organisation_id, subject_id))


def supported_subjects(organisation_id: int, person_id: int) -> list[tuple[str, list[str]]]:
    """For each registered subject type, the records `person_id` supports."""
    found = []
    for subject_type, access in _REGISTRY.items():
        if access.supported_subjects is not None:
            ids = [str(i) for i in access.supported_subjects(organisation_id, person_id)]
            if ids:
                found.append((subject_type, ids))
    return found


def supporter_person_ids(agreement: Any) -> frozenset[int]:
    """Everyone who supports `agreement`: its supporter parties and its subject's supporters."""
    explicit = {p.person_id for p in agreement.parties.all() if p.role == "supporter"}
    return frozenset(explicit) | subject_supporter_ids(
        agreement.organisation_id, agreement.subject_type, agreement.subject_id
    )


@dataclass(frozen=True)
class SubjectRef:
    """What a new agreement would be attached to; the object `agreements.add_agreement` checks."""

    organisation_id: int
    subject_type: str = ""
    subject_id: str = ""

"""The shapes the API reads and writes.

Input schemas forbid unknown fields, so a misspelt field is an error rather than silently
ignored. Lengths follow the model fields, so an over-long value is refused before it reaches
a service. Confidential values are never part of an output schema except the confidential one.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from django.conf import settings
from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from commonground.audit.models import AuditEntry
from commonground.people.models import (
    ContactChannel,
    MembershipStatus,
    Organisation,
    QualificationKind,
)
from commonground.people.roles import Role

# The largest id a database row can have (a signed 64-bit integer); larger ones cannot exist.
MAX_ID = 2**63 - 1
# Far beyond any real list, small enough that page × page_size stays a valid SQL offset.
MAX_PAGE = 10**9

LONG_TEXT = 10_000


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> Any:
    # Without this a number, or a string of digits, would be read as a Unix timestamp.
    if isinstance(value, dt.date) or (isinstance(value, str) and ISO_DATE.fullmatch(value)):
        return value
    raise PydanticCustomError("date_format", "Give the date as YYYY-MM-DD, for example 2026-03-31.")


Date = Annotated[dt.date, BeforeValidator(_iso_date)]


def _storable(value: Any) -> Any:
    """Refuse text no database can store: NUL characters and unpaired surrogates."""
    texts = value if isinstance(value, list) else [value]
    for text in texts:
        if isinstance(text, str):
            if "\x00" in text:
                raise PydanticCustomError("text_nul", "Text cannot contain a NUL character.")
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise PydanticCustomError(
                    "text_encoding", "Text must be valid Unicode (UTF-8)."
                ) from None
    return value


class Clean(Schema):
    """Every text field is checked to be storable."""

    @field_validator("*", mode="before")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        return _storable(value)


class Input(Clean):
    model_config = ConfigDict(extra="forbid")


def _no_defaults(schema: dict[str, Any]) -> None:
    # In a change, a field left out stays as it is; the placeholder defaults mean nothing.
    for field in schema.get("properties", {}).values():
        field.pop("default", None)


class Patch(Input):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_no_defaults)


# Errors


class ErrorItem(Schema):
    field: str | None = Field(
        description="The input field the problem is with, or null for the request as a whole."
    )
    rule: str = Field(description="A stable code for the rule that was broken.")
    message: str = Field(description="A sentence saying what is wrong and how to put it right.")


class ErrorsOut(Schema):
    errors: list[ErrorItem]


# Paging


class PageQuery(Clean):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Which page, counting from 1.")
    page_size: int = Field(
        settings.API_PAGE_SIZE_DEFAULT,
        ge=1,
        le=settings.API_PAGE_SIZE_MAX,
        description=f"How many items a page holds, at most {settings.API_PAGE_SIZE_MAX}.",
    )


class PageOut(Schema):
    count: int = Field(description="How many items there are on all pages together.")
    page: int
    pages: int = Field(description="How many pages there are (at least 1).")


# Me and organisations


class RoleHeld(Schema):
    role: Role
    label: str


class MyOrganisationOut(Schema):
    slug: str
    name: str
    roles: list[RoleHeld] = Field(description="The roles you hold there today.")


class MeOut(Schema):
    email: str
    organisations: list[MyOrganisationOut]


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: Organisation.Kind
    contact_email: str
    phone: str
    address: str
    description: str


class OrganisationPatch(Patch):
    name: str = Field("", max_length=200)
    kind: Organisation.Kind = Organisation.Kind.OTHER
    contact_email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    address: str = Field("", max_length=LONG_TEXT)
    description: str = Field("", max_length=LONG_TEXT)


# People


class PeopleQuery(PageQuery):
    q: str = Field("", max_length=200, description="Part of a name or email address.")
    role: Role | None = Field(None, description="Only people who hold this role today.")
    status: MembershipStatus | None = Field(None, description="Only people with this status.")


class PersonSummaryOut(Schema):
    id: int
    full_name: str
    preferred_name: str
    display_name: str
    pronouns: str
    membership_status: MembershipStatus
    has_login: bool
    roles: list[RoleHeld] = Field(description="The roles the person holds today.")

    @staticmethod
    def resolve_has_login(obj: Any) -> bool:
        return obj.user_id is not None

    @staticmethod
    def resolve_roles(obj: Any) -> list[dict[str, str]]:
        return [{"role": r.role, "label": r.get_role_display()} for r in obj.current_roles]


class PersonPageOut(PageOut):
    items: list[PersonSummaryOut]


class ContactOut(Schema):
    email: str
    phone: str
    postal_address: str
    contact_channels: list[ContactChannel] = Field(
        description="Ways to get in touch, most preferred first."
    )


class PersonOut(Schema):
    id: int
    full_name: str
    preferred_name: str
    display_name: str
    pronouns: str
    membership_status: MembershipStatus
    membership_since: dt.date | None
    has_login: bool
    contact: ContactOut | None = Field(
        description="Contact details, or null if you may not see them."
    )


class PersonCreate(Input):
    full_name: str = Field(max_length=200)
    preferred_name: str = Field("", max_length=100)
    pronouns: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    postal_address: str = Field("", max_length=LONG_TEXT)
    contact_channels: list[ContactChannel] = Field(default_factory=list, max_length=10)
    membership_status: MembershipStatus = MembershipStatus.ACTIVE
    membership_since: Date | None = None


class PersonPatch(Patch):
    full_name: str = Field("", max_length=200)
    preferred_name: str = Field("", max_length=100)
    pronouns: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    postal_address: str = Field("", max_length=LONG_TEXT)
    contact_channels: list[ContactChannel] = Field(default_factory=list, max_length=10)


class ConfidentialQuery(Clean):
    break_glass: bool = Field(
        False, description="Safeguarding lead only: see the record without need to know."
    )
    reason: str = Field("", max_length=2000, description="Why; needed to break glass.")


class ConfidentialOut(Schema):
    gender: str = Field(description="The gender as shown to people, or empty.")
    gender_value: str = Field(description="The gender's code, or empty.")
    support_needs: str


# Membership


class MembershipChangeIn(Input):
    status: MembershipStatus
    effective_on: Date
    reason: str = Field(max_length=LONG_TEXT)


class MembershipChangeOut(Schema):
    id: int
    status: MembershipStatus
    effective_on: dt.date
    reason: str
    recorded_at: dt.datetime


# Roles


class RoleAssignmentOut(Schema):
    id: int
    role: Role
    label: str
    starts_on: dt.date
    ends_on: dt.date | None
    note: str
    is_current: bool

    @staticmethod
    def resolve_label(obj: Any) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_is_current(obj: Any) -> bool:
        return bool(obj.is_current())


class RoleAssignmentIn(Input):
    role: Role
    starts_on: Date
    ends_on: Date | None = None
    note: str = Field("", max_length=300)


class RoleEndIn(Input):
    ends_on: Date | None = Field(
        None, description="The last day the role is held; today if left out."
    )
    reason: str = Field("", max_length=LONG_TEXT)


# Qualifications


class QualificationOut(Schema):
    id: int
    kind: QualificationKind
    kind_label: str
    title: str
    display_title: str
    obtained_on: dt.date
    expires_on: dt.date | None
    note: str
    is_current: bool

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_is_current(obj: Any) -> bool:
        return bool(obj.is_current())


REFERENCE_DESCRIPTION = (
    "A certificate number or the like: confidential, stored encrypted, never returned."
)


class QualificationIn(Input):
    kind: QualificationKind
    obtained_on: Date
    expires_on: Date | None = None
    title: str = Field("", max_length=200)
    reference: str = Field("", max_length=2000, description=REFERENCE_DESCRIPTION)
    note: str = Field("", max_length=300)


class QualificationPatch(Patch):
    kind: QualificationKind = QualificationKind.OTHER
    obtained_on: Date = Field(default_factory=dt.date.today)
    expires_on: Date | None = None
    title: str = Field("", max_length=200)
    reference: str = Field("", max_length=2000, description=REFERENCE_DESCRIPTION)
    note: str = Field("", max_length=300)


class ReasonIn(Input):
    reason: str = Field(max_length=LONG_TEXT)


class ReasonQuery(Clean):
    reason: str = Field("", max_length=LONG_TEXT, description="Why, if not given in the body.")


# Audit


class AuditQuery(PageQuery):
    action: AuditEntry.Action | None = Field(None, description="Only entries of this kind.")
    object_type: str = Field(
        "", max_length=100, description="For example people.person or people.qualification."
    )
    object_id: str = Field("", max_length=64)


class AuditEntryOut(Schema):
    seq: int
    created_at: dt.datetime
    actor_label: str
    action: AuditEntry.Action
    object_type: str
    object_id: str
    summary: str
    changes: dict[str, Any] = Field(
        description="{field: [old, new]}; confidential values never appear in clear."
    )
    reason: str
    ip_address: str | None


class AuditPageOut(PageOut):
    items: list[AuditEntryOut]


# Policies


class PolicyParamOut(Schema):
    name: str
    kind: str = Field(description="duration, count, share, flag, qualification or list.")
    value: str = Field(description="The number in force for this organisation.")
    default: str = Field(description="The policy's own number.")
    changed: bool = Field(description="Whether the organisation uses its own number.")
    reason: str = Field(description="Why the organisation changed it (empty if unchanged).")
    note: str


class PolicyRuleOut(Schema):
    id: str
    kind: str
    summary: str
    clause: str = Field(description="The sentence of the source policy the rule comes from.")
    params: list[PolicyParamOut]


class PolicyOut(Schema):
    code: str
    title: str
    source: str
    rules: list[PolicyRuleOut]


class PolicyValueIn(Input):
    value: str | None = Field(
        max_length=200,
        description="The new value, such as “6 weeks” or “4”; null for the policy's own.",
    )
    reason: str = Field(max_length=LONG_TEXT, description="Why; members see it beside the rule.")


# Obligations


class ObligationQuery(PageQuery):
    show: str = Field(
        "mine",
        pattern="^(mine|overseen)$",
        description="mine: you act on it; overseen: you oversee it.",
    )


class ObligationOut(Schema):
    id: int
    rule_id: str
    title: str
    direction: str = Field(description="by: due by the date; not_before: may not happen before it.")
    due_on: dt.date
    status: str = Field(
        description="upcoming, due_soon, overdue, waiting, open_now, met, waived or cancelled."
    )
    trigger_event: str
    trigger_at: dt.datetime
    why: str = Field(description="A sentence saying how the date follows from the rule.")
    subject_type: str
    subject_id: str


class ObligationPageOut(PageOut):
    items: list[ObligationOut]

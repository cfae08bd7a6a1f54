"""Forms for the people pages. They check shape (lengths, dates, choices); services check rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from commonground.people.models import (
    ContactChannel,
    Gender,
    MembershipStatus,
    Person,
    QualificationKind,
)
from commonground.people.roles import Role
from commonground.people.services import OWN_DETAIL_FIELDS
from commonground.web.forms import DateInput, Form

# Long enough for any real address or note; short enough that a pasted novel is refused politely.
ADDRESS_MAX = 1000
NOTES_MAX = 5000
REASON_MAX = 2000


def _blank_choice(choices: list[tuple[str, str]], label: str) -> list[tuple[str, str]]:
    return [("", label), *choices]


class SearchInput(forms.TextInput):
    input_type = "search"


class DirectoryFilterForm(Form):
    q = forms.CharField(
        label="Search by name or email",
        required=False,
        max_length=200,
        widget=SearchInput(),
    )
    role = forms.ChoiceField(
        label="Role", required=False, choices=_blank_choice(Role.choices, "Any role")
    )
    status = forms.ChoiceField(
        label="Membership",
        required=False,
        choices=_blank_choice(MembershipStatus.choices, "Any status"),
    )

    def filters(self) -> dict[str, str]:
        """The valid filters only; a filter that does not make sense is left out, not an error page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "search": (data.get("q") or "").strip(),
            "role": data.get("role") or "",
            "status": data.get("status") or "",
        }


class TelInput(forms.TextInput):
    input_type = "tel"


class ContactChannelsField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


def _ordered_channel_choices(current: list[str]) -> list[tuple[str, str]]:
    """The person's chosen channels first, in their order, so saving keeps their preference."""
    labels = dict(ContactChannel.choices)
    first = [(c, labels[c]) for c in current if c in labels]
    rest = [(value, label) for value, label in ContactChannel.choices if value not in current]
    return first + rest


class OwnDetailsForm(Form):
    """What a person may change about themselves (services.OWN_DETAIL_FIELDS)."""

    preferred_name = forms.CharField(
        label="Preferred name",
        required=False,
        max_length=100,
        help_text="What you like to be called, if not your full name.",
    )
    pronouns = forms.CharField(
        label="Pronouns", required=False, max_length=40, help_text="For example she/her, they/them."
    )
    email = forms.EmailField(label="Email address", required=False, max_length=254)
    phone = forms.CharField(
        label="Phone number",
        required=False,
        max_length=40,
        widget=TelInput(attrs={"autocomplete": "tel"}),
    )
    postal_address = forms.CharField(
        label="Postal address",
        required=False,
        max_length=ADDRESS_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
    )
    contact_channels = ContactChannelsField(
        label="Ways to get in touch",
        required=False,
        choices=ContactChannel.choices,
        help_text=(
            "Tick every way that suits. Someone who ticks neither email nor text message "
            "is kept informed by phone or letter."
        ),
    )

    def __init__(self, *args: Any, person: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = list(person.contact_channels or []) if person is not None else []
        channels = self.fields["contact_channels"]
        assert isinstance(channels, forms.ChoiceField)
        channels.choices = _ordered_channel_choices(current)
        self.fields["email"].widget.attrs.setdefault("autocomplete", "email")

    def service_values(self) -> dict[str, Any]:
        values = {
            name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data
        }
        return {k: v for k, v in values.items() if k in self.allowed_fields()}

    @classmethod
    def allowed_fields(cls) -> frozenset[str]:
        return OWN_DETAIL_FIELDS


class PersonForm(OwnDetailsForm):
    """Everything an organisation admin records about a person."""

    full_name = forms.CharField(label="Full name", max_length=200)
    gender = forms.ChoiceField(
        label="Gender",
        required=False,
        choices=_blank_choice(Gender.choices, "Not recorded"),
        help_text="Confidential. Recorded only where a policy rule needs it.",
    )
    support_needs = forms.CharField(
        label="Support needs",
        required=False,
        max_length=NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Confidential. Health, access or other needs the organisation should know about.",
    )

    field_order = [
        "full_name",
        "preferred_name",
        "pronouns",
        "email",
        "phone",
        "postal_address",
        "contact_channels",
        "gender",
        "support_needs",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "preferred_name"
        ].help_text = "What they like to be called, if not their full name."

    @classmethod
    def allowed_fields(cls) -> frozenset[str]:
        return frozenset({*OWN_DETAIL_FIELDS, "full_name", "gender", "support_needs"})


class PersonCreateForm(PersonForm):
    membership_status = forms.ChoiceField(
        label="Membership", choices=MembershipStatus.choices, initial=MembershipStatus.ACTIVE
    )
    membership_since = forms.DateField(
        label="Member since",
        required=False,
        widget=DateInput(),
        help_text="Leave blank for today.",
    )

    def clean_membership_since(self) -> Any:
        since = self.cleaned_data.get("membership_since")
        if since and since > timezone.localdate():
            raise forms.ValidationError("The date someone joined cannot be in the future.")
        return since


class MembershipChangeForm(Form):
    status = forms.ChoiceField(label="New membership status", choices=MembershipStatus.choices)
    effective_on = forms.DateField(
        label="Date it takes effect", widget=DateInput(), help_text="Today or earlier."
    )
    reason = forms.CharField(
        label="Reason",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="It stays on the person's membership history.",
    )


class RoleAssignForm(Form):
    role = forms.ChoiceField(label="Role", choices=_blank_choice(Role.choices, "Choose a role"))
    starts_on = forms.DateField(label="Starts on", widget=DateInput())
    ends_on = forms.DateField(
        label="Ends on",
        required=False,
        widget=DateInput(),
        help_text="Leave blank if the role has no set end.",
    )
    note = forms.CharField(label="Note", required=False, max_length=300)


class RoleEndForm(Form):
    ends_on = forms.DateField(
        label="Last day in the role", widget=DateInput(), help_text="The role ends after this day."
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class QualificationForm(Form):
    kind = forms.ChoiceField(
        label="Kind", choices=_blank_choice(QualificationKind.choices, "Choose a kind")
    )
    title = forms.CharField(
        label="Title",
        required=False,
        max_length=200,
        help_text="The course or check's own name, if it has one. Needed when the kind is “Other”.",
    )
    obtained_on = forms.DateField(label="Date obtained", widget=DateInput())
    expires_on = forms.DateField(
        label="Expiry date",
        required=False,
        widget=DateInput(),
        help_text="Leave blank if it does not expire.",
    )
    reference = forms.CharField(
        label="Reference",
        required=False,
        max_length=200,
        help_text="Confidential, for example a DBS certificate number.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    note = forms.CharField(label="Note", required=False, max_length=300)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            # The recorded reference is never shown here; a blank box keeps it as it is.
            self.fields["reference"].help_text = (
                "Confidential. The recorded reference is not shown; leave blank to keep it, "
                "or type a new one to replace it."
            )

    def service_values(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        if self.editing and not values.get("reference"):
            values.pop("reference", None)
        return values


class ReasonForm(Form):
    reason = forms.CharField(
        label="Reason", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class BreakGlassForm(Form):
    reason = forms.CharField(
        label="Why do you need to see these details now?",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, the safeguarding concern you are acting on.",
    )


class ConfirmForm(Form):
    """A form with nothing to fill in, used to confirm an action and carry its errors."""

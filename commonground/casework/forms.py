"""Forms for the case pages. Each keeps what was typed when a service refuses it."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone

from commonground.casework.models import Case, CaseParty, CaseSupporter, SupportOffer
from commonground.casework.services import PATHS
from commonground.web.forms import DateInput, Form


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def when_field(label: str, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        help_text=help_text,
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


def now_local() -> str:
    return f"{timezone.localtime():%Y-%m-%dT%H:%M}"


class PeopleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class RequestForm(Form):
    title = forms.CharField(
        label="A short title",
        max_length=120,
        help_text="Shown to everyone in the case; keep names out, for example “Noise between flats”.",
    )
    parties = PeopleChoice(
        label="Who else is involved",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose everyone in the conflict besides the person asking.",
    )
    summary = forms.CharField(
        label="What is happening",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Confidential: seen only by those supporting the case.",
    )

    def __init__(self, *args: Any, people: Any, on_behalf: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["parties"]).queryset = people
        if on_behalf:
            self.fields["requested_by"] = PersonChoice(
                label="Who is asking for help",
                queryset=people,
                required=False,
                help_text="When the office or S&W records a request on someone's behalf. "
                "Leave empty if you are asking for yourself.",
            )
            self.order_fields(["requested_by", "title", "parties", "summary"])


class ScreeningForm(Form):
    outside_internal_support = forms.BooleanField(
        label="It involves violence, threats or criminal behaviour (ASH-25)", required=False
    )
    authorities_contacted = forms.BooleanField(
        label="The authorities have been contacted", required=False
    )
    authorities_contacted_by = forms.CharField(
        label="Who contacted them", max_length=200, required=False
    )
    external_investigation = forms.BooleanField(
        label="An external investigation is under way; support continues alongside it",
        required=False,
    )
    external_route = forms.CharField(
        label="The external route recommended",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Leave empty for the policy's own recommendation.",
    )


class AssignForm(Form):
    person = PersonChoice(label="Who", queryset=None)
    role = forms.ChoiceField(
        label="Role on the case", choices=CaseSupporter.Role.choices, widget=forms.RadioSelect
    )
    ends_on = forms.DateField(
        label="Access ends on",
        required=False,
        widget=DateInput(),
        help_text="Needed for an external facilitator, who sees only this case until then.",
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["person"]).queryset = people


class DeclareForm(Form):
    note = forms.CharField(
        label="Anything to add",
        required=False,
        max_length=300,
        help_text="You will not be assigned to this case.",
    )


class SupporterEndForm(Form):
    reason = forms.CharField(
        label="Why their support ends early",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the case's history. They no longer see the case from today.",
    )


class HeldForm(Form):
    held_at = when_field("When it was held")


class PathForm(Form):
    path = forms.ChoiceField(
        label="What happens next", choices=list(PATHS.items()), widget=forms.RadioSelect
    )


class PartyChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.alias} ({obj.person.display_name})"


class IndividualForm(Form):
    party = PartyChoice(label="With whom", queryset=CaseParty.objects.none())
    held_at = when_field("When it was held")

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["party"]).queryset = case.parties.select_related("person")


class GroupMeetingForm(Form):
    starts_at = when_field("Starts at")
    duration_minutes = forms.IntegerField(
        label="How long (minutes)", min_value=15, max_value=480, initial=120
    )
    place = forms.CharField(
        label="Where",
        required=False,
        max_length=500,
        help_text="Shown only to those taking part.",
    )


class AgreementForm(Form):
    title = forms.CharField(label="Title", max_length=200)
    agreements = forms.CharField(
        label="What we agree",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="In the words of the members who made them (ASH-5).",
    )
    needs = forms.CharField(
        label="What each of us needs", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReviewForm(Form):
    held_at = when_field("When the review was held")
    agreement: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Shared Agreement", queryset=None
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[
            ("kept", "Kept"),
            ("upgraded", "Upgraded (the terms were changed and signed again)"),
            ("broken", "Broken"),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when it was broken: say how.",
    )

    def __init__(self, *args: Any, agreements: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["agreement"]).queryset = agreements


class OfferForm(Form):
    kind = forms.ChoiceField(label="What is offered (ASH-26)")
    party = PartyChoice(
        label="To whom",
        queryset=CaseParty.objects.none(),
        required=False,
        help_text="Leave empty for everyone in the case.",
    )
    offsite = forms.BooleanField(label="Off-site accommodation (ASH-24)", required=False)
    starts_on = forms.DateField(label="From", required=False, widget=DateInput())
    ends_on = forms.DateField(label="Until", required=False, widget=DateInput())
    note = forms.CharField(label="Note", required=False, max_length=300)

    def __init__(self, *args: Any, case: Case, kinds: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["kind"]).choices = [
            (k, k.replace("_", " ").capitalize()) for k in kinds
        ]
        cast(Any, self.fields["party"]).queryset = case.parties.select_related("person")


class OfferChangeForm(Form):
    status = forms.ChoiceField(label="Status", choices=SupportOffer.Status.choices)
    ends_on = forms.DateField(
        label="Extend until",
        required=False,
        widget=DateInput(),
        help_text="Off-site accommodation beyond the usual limit needs a reason (ASH-24).",
    )
    reason = forms.CharField(
        label="Why the extension is approved",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(Form):
    about = PartyChoice(label="About", queryset=CaseParty.objects.none(), required=False)
    text = forms.CharField(
        label="Confidential note",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10_000,
        help_text="About a member's needs (health, for example). Seen only by the case's "
        "current supporters, never by the parties (ASH-12).",
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["about"]).queryset = case.parties.select_related("person")

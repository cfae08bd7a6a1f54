"""Forms for agreements. Each keeps what was typed when a service refuses it."""

from __future__ import annotations

from typing import Any

from django import forms

from commonground.agreements.kinds import KINDS, KindSpec, PartyRole
from commonground.agreements.models import Agreement, AgreementParty, AgreementReview
from commonground.people.models import Person
from commonground.web.forms import DateInput, Form


class KindForm(Form):
    kind = forms.ChoiceField(
        label="What kind of agreement is it?",
        choices=[(k, f"{spec.label} ({spec.rule_id})") for k, spec in KINDS.items()],
        widget=forms.RadioSelect,
    )


class TermsForm(Form):
    """The title, dates and sections of one kind of agreement."""

    title = forms.CharField(
        max_length=200,
        help_text="A plain title everyone in it will recognise. The terms are kept confidential; "
        "the title appears in lists and notices.",
    )
    starts_on = forms.DateField(label="Starts on", required=False, widget=DateInput())
    ends_on = forms.DateField(label="Ends on", required=False, widget=DateInput())
    review_on = forms.DateField(
        label="Review on",
        required=False,
        widget=DateInput(),
        help_text="When to look at it again.",
    )

    def __init__(
        self, *args: Any, spec: KindSpec, manual_review: bool, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        if spec.needs_dates:
            self.fields["starts_on"].required = True
            self.fields["ends_on"].required = True
            self.fields["ends_on"].help_text = f"It is time limited ({spec.rule_id})."
        if not manual_review:
            del self.fields["review_on"]
        for section in spec.sections:
            self.fields[section.key] = forms.CharField(
                label=section.label,
                help_text=section.hint,
                required=section.required,
                max_length=10_000,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        if editing:
            self.fields["change_note"] = forms.CharField(
                label="What changed, and why",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="Everyone in it sees this beside the new version.",
            )

    def sections(self) -> dict[str, str]:
        return {s.key: self.cleaned_data.get(s.key) or "" for s in self.spec.sections}


class PartyForm(Form):
    person = forms.ModelChoiceField(queryset=Person.objects.none(), label="Person")
    role = forms.ChoiceField(
        label="Their part in it",
        help_text="A supporter sees the agreement and helps with it but does not sign it.",
    )

    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (  # type: ignore[attr-defined]
            Person.objects.filter(organisation=agreement.organisation)
            .exclude(agreement_parties__agreement=agreement)
            .order_by("full_name", "pk")
        )
        roles = dict.fromkeys([PartyRole.PARTY, *agreement.spec.party_roles])
        self.fields["role"].choices = [(r, PartyRole(r).label) for r in roles]  # type: ignore[attr-defined]


class SignForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    confirm = forms.BooleanField(
        label="I have read this version and I agree to it",
        error_messages={"required": "Tick the box to say you have read it and agree."},
    )


class DisagreementForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    text = forms.CharField(
        label="What you disagree with",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    initials = forms.CharField(
        label="Your initials",
        max_length=10,
        help_text="You initial it yourself (WCC-7).",
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": "6"}),
    )


class BreachForm(Form):
    occurred_on = forms.DateField(label="When it happened", widget=DateInput())
    by_party = forms.ModelChoiceField(
        queryset=AgreementParty.objects.none(),
        label="Who broke it",
        required=False,
        empty_label="Not one person / not known",
    )
    description = forms.CharField(
        label="What happened", max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["by_party"]
        field.queryset = AgreementParty.objects.filter(agreement=agreement).select_related("person")
        field.label_from_instance = lambda p: p.person.display_name


class ReviewForm(Form):
    outcome = forms.ChoiceField(
        label="What the review decided",
        choices=AgreementReview.Outcome.choices,
        widget=forms.RadioSelect,
        help_text="To upgrade it, change the terms first; everyone then signs the new version.",
    )
    note = forms.CharField(
        label="Notes from the review",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class EndForm(Form):
    reason = forms.CharField(
        label="Why it ends",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: the end date came, or an emergency exit (BUD-8).",
    )


class ConfirmForm(Form):
    confirm = forms.BooleanField(
        label="Yes, start the review",
        error_messages={"required": "Tick the box to confirm."},
    )


class ListFilterForm(Form):
    show = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("mine", "Agreements I am in or support"), ("all", "Every agreement")],
    )

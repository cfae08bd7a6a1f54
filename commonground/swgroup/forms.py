"""Forms for the S&W group's pages. Each keeps what was typed when a service refuses it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from commonground.casework.models import Case
from commonground.people.models import Person
from commonground.swgroup.money import parse_pounds
from commonground.swgroup.services import category_label
from commonground.web.forms import DateInput, Form


class PoundsField(forms.CharField):
    """An amount typed in pounds (120.50, £1,200), cleaned to whole pence."""

    def __init__(self, *, allow_zero: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)
        self.allow_zero = allow_zero

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if text in (None, ""):
            return 0 if self.allow_zero else None
        try:
            pence = parse_pounds(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from exc
        if pence == 0 and not self.allow_zero:
            raise forms.ValidationError("Give an amount of more than £0.00.", code="min_value")
        return pence


class ConfirmMixin(forms.Form):
    confirm = forms.BooleanField(
        label="I have read the warning and want to go ahead",
        required=False,
    )


class RoleEndForm(Form, ConfirmMixin):
    ends_on = forms.DateField(
        label="Last day in the group", widget=DateInput(), help_text="The role ends after this day."
    )
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept on the role's history, for example “stepping back for a while”.",
    )
    field_order = ["ends_on", "reason", "confirm"]


class RoleGiveForm(Form, ConfirmMixin):
    person = forms.ModelChoiceField(
        label="Who joins the group", queryset=Person.objects.none(), empty_label="Choose someone"
    )
    starts_on = forms.DateField(label="Joins on", widget=DateInput())
    note = forms.CharField(
        label="Note",
        max_length=300,
        required=False,
        help_text="For example “helping with admin until the course” (ASH-20).",
    )
    field_order = ["person", "starts_on", "note", "confirm"]

    def __init__(self, *args: Any, candidates: Iterable[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["person"]
        field.queryset = Person.objects.filter(pk__in=[p.pk for p in candidates]).order_by(
            "full_name", "pk"
        )


class GroupMeetingForm(Form):
    starts_at = forms.DateTimeField(
        label="Starts at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    duration_minutes = forms.IntegerField(
        label="How long, in minutes", min_value=5, max_value=600, initial=90
    )
    convenor = forms.ModelChoiceField(
        label="Who convenes it",
        queryset=Person.objects.none(),
        empty_label="Choose a group member",
    )
    place = forms.CharField(label="Place", max_length=500, required=False)

    def __init__(self, *args: Any, members: Iterable[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["convenor"]
        field.queryset = Person.objects.filter(pk__in=[p.pk for p in members]).order_by(
            "full_name", "pk"
        )


class ReviewForm(Form):
    reviewed_on = forms.DateField(label="Reviewed on", widget=DateInput())
    note = forms.CharField(
        label="What changed, if anything",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BudgetForm(Form):
    starts_on = forms.DateField(
        label="Budget year starts on", widget=DateInput(), help_text="The period is set by ASH-23."
    )

    def __init__(self, *args: Any, categories: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category_names = list(categories)
        for name in self.category_names:
            self.fields[name] = PoundsField(
                label=f"{category_label(name)} (£)", allow_zero=True, required=False
            )

    def amounts(self) -> dict[str, int]:
        return {name: int(self.cleaned_data.get(name) or 0) for name in self.category_names}


class SpendingRequestForm(Form):
    amount = PoundsField(label="Amount (£)", help_text="In pounds and pence, such as 120.50.")
    category = forms.ChoiceField(label="Budget category")
    case = forms.ModelChoiceField(
        label="Case it supports, if any",
        queryset=Case.objects.none(),
        required=False,
        empty_label="Not for a particular case",
    )
    reason = forms.CharField(
        label="What the money is for",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    emergency = forms.BooleanField(
        label="This is an emergency decision",
        required=False,
        help_text="Emergency decisions need the same agreement as any other (ASH-22).",
    )

    def __init__(self, *args: Any, categories: Iterable[str], cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category: Any = self.fields["category"]
        category.choices = [("", "Choose a category")] + [
            (name, category_label(name)) for name in categories
        ]
        case: Any = self.fields["case"]
        case.queryset = cases
        case.label_from_instance = lambda c: f"{c.reference}: {c.title}"

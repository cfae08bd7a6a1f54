from __future__ import annotations

from django import forms

from commonground.accounts.models import ApiToken
from commonground.web.forms import Form


class ApiTokenCreateForm(Form):
    name = forms.CharField(
        label="Name",
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text="What the token is for, so you can tell it apart later. For example “Spreadsheet import”.",
    )

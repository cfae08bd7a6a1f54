"""The dashboard and the organisation's own pages (home, settings, audit log)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from commonground.access.policy import standing
from commonground.audit.models import AuditEntry
from commonground.people.models import Organisation
from commonground.people.roles import Role
from commonground.people.selectors import organisation_get
from commonground.people.services import organisation_update
from commonground.web import selectors
from commonground.web.forms import ModelForm


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    summaries = selectors.dashboard(actor=request.user)
    return render(request, "web/dashboard.html", {"summaries": summaries})


@login_required
def organisation_home(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    st = standing(request.user, organisation)
    return render(
        request,
        "web/organisation_home.html",
        {
            "current_organisation": organisation,
            "organisation": organisation,
            "me": st.person,
            "can_see_directory": request.user.has_perm("people.view_directory", organisation),
            "is_admin": st.is_admin,
            "role_labels": sorted(Role(r).label for r in st.roles),
        },
    )


class OrganisationSettingsForm(ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "contact_email", "phone", "address", "description"]
        labels = {"contact_email": "Contact email", "address": "Postal address"}
        help_texts = {
            "description": "A sentence or two that people see on the organisation's page."
        }
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }


@login_required
@require_http_methods(["GET", "POST"])
def organisation_settings(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    if not request.user.has_perm("people.change_organisation", organisation):
        raise PermissionDenied("Only an organisation admin can change its settings.")
    form = OrganisationSettingsForm(
        request.POST or None, instance=Organisation.objects.get(pk=organisation.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            organisation_update(
                actor=request.user,
                organisation=organisation,
                **{name: form.cleaned_data[name] for name in form.Meta.fields},
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Organisation settings saved.")
            return redirect("organisation_settings", org=organisation.slug)
    return render(
        request,
        "web/organisation_settings.html",
        {"current_organisation": organisation, "organisation": organisation, "form": form},
    )


AUDIT_PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("", "Any action"), *AuditEntry.Action.choices], required=False, label="Action"
    )
    object_type = forms.CharField(
        required=False, max_length=100, label="Record type", help_text="For example people.person"
    )
    object_id = forms.CharField(required=False, max_length=64, label="Record number")


@login_required
def audit_log(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.audit_entries(
        actor=request.user,
        organisation=organisation,
        action=filters.get("action", ""),
        object_type=filters.get("object_type", ""),
        object_id=filters.get("object_id", ""),
    ).select_related("actor")
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/audit_log.html",
        {
            "current_organisation": organisation,
            "organisation": organisation,
            "form": form,
            "page_obj": page,
            "entries": page.object_list,
            "querystring_without_page": (query.urlencode() + "&") if query else "",
        },
    )

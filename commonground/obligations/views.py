"""Deadlines: mine, the ones I oversee, and each one with its "why"."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from commonground.audit.models import AuditEntry
from commonground.obligations import selectors
from commonground.obligations.services import obligation_waive
from commonground.people.selectors import organisation_get
from commonground.web.forms import Form

PAGE_SIZE = 50


@login_required
def obligation_list(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    show = request.GET.get("show", "mine")
    if show == "overseen":
        queryset = selectors.overseen_obligations(actor=request.user, organisation=organisation)
    else:
        show = "mine"
        queryset = selectors.my_obligations(actor=request.user, organisation=organisation)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "obligations/list.html",
        {
            "current_organisation": organisation,
            "organisation": organisation,
            "show": show,
            "page_obj": page,
            "obligations": page.object_list,
            "querystring_without_page": f"show={show}&",
        },
    )


class WaiveForm(Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label="Why it is waived",
        help_text="This stays on the record.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def obligation_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    obligation = selectors.obligation_get(actor=request.user, organisation=organisation, pk=pk)
    can_waive = request.user.has_perm("obligations.waive_obligation", obligation)
    form = WaiveForm(request.POST or None) if can_waive and obligation.state == "open" else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("You cannot waive this.")
        if form.is_valid():
            try:
                obligation_waive(
                    actor=request.user, obligation=obligation, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, "Waived, with your reason on the record.")
                return redirect(
                    "obligations:obligation_detail", org=organisation.slug, pk=obligation.pk
                )
    history = AuditEntry.objects.filter(
        object_type="obligations.obligation", object_id=str(obligation.pk)
    ).order_by("seq")
    return render(
        request,
        "obligations/detail.html",
        {
            "current_organisation": organisation,
            "organisation": organisation,
            "obligation": obligation,
            "why": selectors.explain(obligation),
            "form": form,
            "history": history,
        },
    )

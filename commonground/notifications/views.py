"""Notification pages: my in-app inbox, my email settings, and the organisation's letter queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from commonground.notifications import selectors
from commonground.notifications.forms import DigestPreferenceForm
from commonground.notifications.services import (
    letter_mark_posted,
    notification_mark_read,
    notification_preference_set,
    notifications_mark_all_read,
)
from commonground.people.selectors import organisation_get

PAGE_SIZE = 50


@login_required
@require_http_methods(["GET"])
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox(actor=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/inbox.html",
        {
            "page_obj": page,
            "notifications": page.object_list,
            "unread": selectors.inbox_unread_count(actor=request.user),
            "querystring_without_page": "",
        },
    )


@login_required
@require_http_methods(["GET"])
def notification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.inbox_item_get(actor=request.user, pk=pk)
    return render(request, "notifications/detail.html", {"notification": notification})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.inbox_item_get(actor=request.user, pk=pk)
    notification_mark_read(actor=request.user, notification=notification)
    messages.success(request, "Marked as read.")
    return redirect("notifications:inbox")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(actor=request.user)
    messages.success(request, f"{count} marked as read." if count else "Nothing was unread.")
    return redirect("notifications:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    choices = selectors.my_preferences(actor=request.user)
    form = DigestPreferenceForm(request.POST if request.method == "POST" else None, choices=choices)
    if request.method == "POST" and form.is_valid():
        for name, person in form.people.items():
            notification_preference_set(
                actor=request.user, person=person, daily_digest=form.cleaned_data[name]
            )
        messages.success(request, "Saved how your emails come.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@login_required
@require_http_methods(["GET"])
def letter_queue(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    letters = selectors.letters_to_post(actor=request.user, organisation=organisation)
    return render(
        request,
        "notifications/letter_queue.html",
        {
            "current_organisation": organisation,
            "organisation": organisation,
            "letters": letters,
            "undeliverable": selectors.letters_undeliverable(
                actor=request.user, organisation=organisation
            )[:20],
        },
    )


@login_required
@require_http_methods(["GET"])
def letters_print(request: HttpRequest, org: str, pk: int | None = None) -> HttpResponse:
    """A page to print: one letter, or every letter waiting, one per sheet."""
    organisation = organisation_get(actor=request.user, slug=org)
    if pk is None:
        letters = list(selectors.letters_to_post(actor=request.user, organisation=organisation))
    else:
        letters = [selectors.letter_get(actor=request.user, organisation=organisation, pk=pk)]
    return render(
        request,
        "notifications/letters_print.html",
        {"organisation": organisation, "letters": letters},
    )


@login_required
@require_POST
def letter_posted(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    letter = selectors.letter_get(actor=request.user, organisation=organisation, pk=pk)
    try:
        letter_mark_posted(actor=request.user, notification=letter)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Letter to {letter.recipient.display_name} marked as posted.")
    return redirect("notifications:letter_queue", org=organisation.slug)

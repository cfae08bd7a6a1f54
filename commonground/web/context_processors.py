from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from commonground.access.policy import organisations_of


def common(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    orgs = organisations_of(user) if user is not None and user.is_authenticated else []
    return {
        "site_name": settings.SITE_NAME,
        "my_organisations": orgs,
        "demo_mode": not settings.MFA_REQUIRED_FOR_CONFIDENTIAL_ROLES and not settings.PRODUCTION,
    }

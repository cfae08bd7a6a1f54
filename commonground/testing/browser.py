"""Helpers for the browser tests: Debian's Chromium driven by Playwright, scanned by axe-core."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from axe_playwright_python.sync_playwright import Axe

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The standards the scans hold pages to: WCAG 2.0, 2.1 and 2.2, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
PHONE_VIEWPORT = {"width": 375, "height": 740}


def chromium_path() -> str:
    path = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not path:
        raise RuntimeError(
            "Chromium is not installed: `apt-get install chromium` (or set CHROMIUM)."
        )
    return path


@dataclass
class AxeReport:
    """Serious and critical axe-core violations found across the pages visited."""

    pages: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    axe: Axe = field(default_factory=Axe)

    def scan(self, page: Any, label: str) -> None:
        results = self.axe.run(
            page,
            options={
                "runOnly": {"type": "tag", "values": WCAG_TAGS},
                "resultTypes": ["violations"],
            },
        )
        self.pages.append(label)
        title = page.title().strip()
        # WCAG 2.4.2: every page has a title that says what the page is (not just the site).
        if not title or title.startswith("–") or title.startswith("Common Ground"):
            self.problems.append(f"{label} ({page.url}): page title is “{title}”")
        for violation in results.response["violations"]:
            if violation.get("impact") in BLOCKING_IMPACTS:
                targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
                self.problems.append(
                    f"{label} ({page.url}): {violation['id']} [{violation['impact']}] "
                    f"{violation['help']} at {targets}"
                )

    def assert_clean(self) -> None:
        assert not self.problems, "axe-core found problems:\n" + "\n".join(self.problems)


def current_totp(user: Any) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in(page: Any, base_url: str, email: str, password: str, user: Any = None) -> None:
    """Sign in through the real sign-in page, giving the TOTP code if asked for one."""
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    # A code typed as its 30-second period ends is refused (no tolerance): the next period's
    # code is then a new one, so a second try always lands in a period of its own.
    for _attempt in range(2):
        if not page.locator("input[name=code]").count():
            break
        page.fill("input[name=code]", current_totp(user))
        page.locator("form button[type=submit]").first.click()
        page.wait_for_load_state()
    assert not page.locator("input[name=code]").count(), f"{email}: the TOTP code was refused"

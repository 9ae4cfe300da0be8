"""Staff filter consent events by the decision the list shows, and read it on the event's page.

Set SCREENSHOTS_DIR to keep screenshots of the pages at phone and desktop width.
"""

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from apps.consent.evidence import Evidence
from apps.consent.models import Channel
from apps.consent.services import consent_grant
from tests.consent.factories import published_purpose
from tests.consent.legacy import legacy_no
from tests.e2e.admin_sign_in import admin_sign_in
from tests.profiles.factories import ProfileFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "consent-decisions-e2e"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
EVENTS = "/admin/consent/consentevent/"


def _shoot(page: Page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for label, size in (("390", PHONE), ("1366", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=f"{folder}/{name}-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def test_staff_filter_stored_nos_by_what_they_decided_and_read_it_on_the_event(
    live_server, page: Page, console_errors: list[str]
):
    purpose = published_purpose(key="personalization")
    refusing, withdrawing = ProfileFactory.create_batch(2)
    # Both "no"s stored the old way, as withdrawals: a first no, and a yes taken back.
    refusal = legacy_no(refusing, purpose)
    consent_grant(
        profile=withdrawing,
        purpose_version=purpose.current_version,
        channel=Channel.WEB,
        collection_point="preference-center",
        evidence=Evidence(),
        language="de",
    )
    legacy_no(withdrawing, purpose)
    get_user_model().objects.create_superuser(username="brand", password=PASSWORD)
    page.set_viewport_size(DESKTOP)
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    admin_sign_in(page, f"{live_server.url}/admin/login/?next={EVENTS}", "brand", PASSWORD)

    filters = page.locator("#changelist-filter")
    expect(filters).to_contain_text("Entscheidung")
    filters.get_by_role("link", name="Abgelehnt", exact=True).click()

    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".field-decision_shown")).to_have_text("Abgelehnt")
    _shoot(page, "admin-consent-events-refused")

    rows.first.locator("th a").click()
    page.get_by_label("Warum musst du die Daten dieser Person sehen?").fill("Ticket 4711")
    page.locator("[name=_access_reason]").click()

    expect(page.locator(".field-action")).to_contain_text("Widerrufen")
    decision = page.locator(".field-decision_explained")
    expect(decision).to_contain_text("Entscheidung")
    expect(decision).to_contain_text(
        "Abgelehnt (gespeichert als „Widerrufen“, bevor Ablehnungen eine eigene Aktion hatten)"
    )
    expect(page.locator(".field-receipt_id")).to_contain_text(str(refusal.receipt_id))
    _shoot(page, "admin-consent-event-refused")
    assert console_errors == []

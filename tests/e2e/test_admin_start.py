"""Staff land on a start page that shows what their role needs: the campaign manager what is
live and what ends soon, the privacy officer the open data requests and failing webhooks."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.privacy.models import DataRequest
from apps.privacy.roles import CAMPAIGN_MANAGER, PRIVACY_OFFICER, roles_sync
from tests.campaigns.factories import CampaignFactory
from tests.challenges.factories import ChallengeFactory
from tests.e2e.admin_sign_in import admin_sign_in
from tests.e2e.conftest import PHONE
from tests.e2e.tour import DESKTOP, screenshot
from tests.partners.factories import WebhookEndpointFactory
from tests.privacy.factories import DataRequestFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "start-page-e2e"


def _log_in(page: Page, live_server, role: str) -> None:
    roles_sync()  # an earlier browser test emptied the database, groups included
    user = User.objects.create_user(username=role.lower(), password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    # Admin pages link no icon; the browser's guess would log a 404 as a console error.
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    admin_sign_in(page, f"{live_server.url}/admin/login/?next=/admin/", user.username, PASSWORD)


def test_the_campaign_manager_starts_with_what_is_live_and_ends_soon(
    live_server, page: Page, console_errors: list[str]
):
    now = timezone.now()
    CampaignFactory(title_de="Welcher Frühstückstyp bist du?", ends_at=now + timedelta(days=4))
    CampaignFactory(title_de="Snack-Umfrage Herbst")
    ChallengeFactory(title_de="Sieben Tage Snack", ends_at=now + timedelta(days=9))
    _log_in(page, live_server, CAMPAIGN_MANAGER)

    live = page.get_by_role("region", name="Jetzt live")
    expect(live.get_by_role("link", name="Snack-Umfrage Herbst")).to_be_visible()
    ending = page.get_by_role("region", name="Endet in den nächsten 14 Tagen")
    expect(ending.get_by_role("link", name="Welcher Frühstückstyp bist du?")).to_be_visible()
    expect(ending.get_by_role("link", name="Sieben Tage Snack")).to_be_visible()
    expect(page.get_by_role("link", name="Kampagnen & Challenges").first).to_be_visible()
    expect(page.get_by_text("Offene Datenanfragen")).to_have_count(0)
    expect(page.get_by_text("System", exact=True)).to_have_count(0)
    expect(page.locator("#site-name")).to_contain_text("Resonanz")
    screenshot(page, "admin-start-campaign-manager")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("region", name="Ending in the next 14 days")).to_be_visible()
    expect(page.get_by_role("link", name="Campaigns & challenges").first).to_be_visible()
    page.get_by_role("link", name="Campaigns", exact=True).first.click()
    page.set_viewport_size(DESKTOP)
    expect(page.get_by_role("columnheader", name="Completion rate")).to_be_visible()
    page.get_by_role("button", name="Deutsch").click()
    expect(page.get_by_role("columnheader", name="Abschlussquote")).to_be_visible()
    page.set_viewport_size(PHONE)
    screenshot(page, "admin-campaign-list")
    assert console_errors == []


def test_the_privacy_officer_starts_with_open_requests_and_failing_webhooks(
    live_server, page: Page, console_errors: list[str]
):
    now = timezone.now()
    DataRequestFactory(kind=DataRequest.Kind.ERASURE, due_at=now - timedelta(days=2))
    DataRequestFactory(due_at=now + timedelta(days=25))
    WebhookEndpointFactory(
        url="https://crm.example.com/hooks", failing_since=now - timedelta(hours=30)
    )
    _log_in(page, live_server, PRIVACY_OFFICER)

    requests = page.get_by_role("region", name="Offene Datenanfragen")
    expect(requests.get_by_role("listitem")).to_have_count(2)
    expect(requests.get_by_role("listitem").first).to_contain_text("überfällig seit")
    webhooks = page.get_by_role("region", name="Fehlschlagende Webhook-Endpunkte")
    expect(webhooks).to_contain_text("https://crm.example.com/hooks")
    expect(page.get_by_text("Jetzt live")).to_have_count(0)
    expect(page.get_by_role("link", name="Datenschutz").first).to_be_visible()
    screenshot(page, "admin-start-privacy-officer")

    overdue = DataRequest.objects.order_by("due_at").first()
    requests.get_by_role("link").first.click()
    expect(page).to_have_url(f"{live_server.url}/admin/privacy/datarequest/{overdue.pk}/change/")
    assert console_errors == []

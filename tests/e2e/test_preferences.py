from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.preferences.models import Declaration, DeclarationHistory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _row(page: Page, key: str):
    return page.locator(f"#pref-{key}")


def test_edit_delete_and_reconfirm_preferences_on_a_phone(
    live_server, page: Page, console_errors: list[str]
):
    from tests.consent.factories import published_purpose
    from tests.preferences.factories import AttributeFactory

    purpose = published_purpose(key="personalization")
    AttributeFactory(key="snack", purpose=purpose, freshness_days=30, choices=["sweet", "salty"])
    AttributeFactory(key="drink", purpose=purpose, choices=["tea", "coffee"])

    page.goto(f"{live_server.url}/me/")
    page.locator("#consent-personalization").get_by_role("button", name="Ja").click()
    expect(page.locator("#consent-personalization").get_by_role("status")).to_be_visible()
    page.reload()

    # Tell and then change a preference, in place.
    _row(page, "snack").get_by_role("link", name="Erzähl es uns").click()
    _row(page, "snack").get_by_label("sweet (de)").check()
    _row(page, "snack").get_by_role("button", name="Speichern").click()
    expect(_row(page, "snack").locator(".pref-row__value")).to_have_text("sweet (de)")
    _row(page, "snack").get_by_role("link", name="Ändern").click()
    _row(page, "snack").get_by_label("salty (de)").check()
    _row(page, "snack").get_by_role("button", name="Speichern").click()
    expect(_row(page, "snack").locator(".pref-row__value")).to_have_text("salty (de)")

    # Tell another one and delete it.
    _row(page, "drink").get_by_role("link", name="Erzähl es uns").click()
    _row(page, "drink").get_by_label("tea (de)").check()
    _row(page, "drink").get_by_role("button", name="Speichern").click()
    expect(_row(page, "drink").locator(".pref-row__value")).to_have_text("tea (de)")
    _row(page, "drink").get_by_role("button", name="Löschen").click()
    expect(_row(page, "drink").get_by_role("status")).to_have_text(
        "Gelöscht. Wir nutzen es nicht mehr."
    )

    # A stale preference asks "still true?"; one tap confirms it.
    Declaration.objects.filter(attribute__key="snack").update(
        confirmed_at=timezone.now() - timedelta(days=31)
    )
    page.reload()
    expect(_row(page, "snack").get_by_text("Stimmt das noch?")).to_be_visible()
    _row(page, "snack").get_by_role("button", name="Ja, stimmt noch").click()
    expect(_row(page, "snack").get_by_role("status")).to_have_text("Danke fürs Bestätigen.")

    assert list(Declaration.objects.values_list("attribute__key", "value")) == [("snack", "salty")]
    assert list(
        DeclarationHistory.objects.filter(attribute__key="snack")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["declared", "changed", "confirmed"]
    assert console_errors == []

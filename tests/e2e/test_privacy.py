import json
import zipfile

import pytest
from playwright.sync_api import Page, expect

from apps.privacy.models import DataRequest
from apps.profiles.models import Profile
from tests.celery_broker import celery_broker
from tests.consent.factories import published_purpose

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def jobs_at_once(settings, tmp_path):
    settings.PRIVACY_EXPORT_ROOT = tmp_path / "exports"
    with celery_broker("memory://", eager=True):
        yield


def test_download_everything_then_delete_everything_on_a_phone(
    live_server, page: Page, jobs_at_once, console_errors: list[str]
):
    published_purpose(key="personalization")
    # English, so the test reads the same before and after new translations arrive.
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/me/consents/")
    page.locator("#consent-personalization").get_by_role("button", name="Yes").click()
    expect(page.locator("#consent-personalization").get_by_role("status")).to_be_visible()

    page.goto(f"{live_server.url}/me/")
    page.get_by_role("link", name="Download or delete everything").click()
    expect(page.get_by_role("heading", name="Your data and privacy")).to_be_visible()

    page.get_by_role("button", name="Request a copy of my data").click()
    download_link = page.get_by_role("link", name="Download my data (ZIP)")
    expect(download_link).to_be_visible(timeout=15_000)
    with page.expect_download() as started:
        download_link.click()
    download = started.value
    assert download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(download.path()) as archive:
        assert set(archive.namelist()) == {
            "resonanz-export.json",
            "summary.html",
            "export_schema.json",
        }
        document = json.loads(archive.read("resonanz-export.json"))
    assert [c["purpose"] for c in document["consent"]["choices"]] == ["personalization"]

    page.locator("#delete").get_by_role("link", name="Delete everything").click()
    page.get_by_role("link", name="Continue").click()
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Delete everything").click()

    expect(page.get_by_role("heading", name="Your data is being deleted")).to_be_visible()
    (profile,) = Profile.objects.all()
    assert profile.kind == Profile.Kind.ERASED
    assert list(DataRequest.objects.values_list("kind", "status").order_by("kind")) == [
        ("erasure", "done"),
        ("export", "done"),
    ]
    page.goto(f"{live_server.url}/me/privacy/")
    expect(page.get_by_role("button", name="Request a copy of my data")).to_be_visible()
    assert console_errors == []

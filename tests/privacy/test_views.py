"""The customer's data and privacy page: download everything, exchange receipts, who looked,
and deleting everything."""

import re
import zipfile
from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.campaigns.models import Campaign
from apps.campaigns.services import (
    answer_submit,
    participation_complete,
    participation_keep_answers,
    participation_start,
)
from apps.privacy.models import DataRequest
from apps.privacy.services import access_log_record
from apps.privacy.services.data_requests import data_request_create, export_download_token
from apps.privacy.services.exports import data_request_export_build
from apps.profiles.models import Identifier, Profile
from apps.profiles.selectors import SESSION_KEY
from apps.profiles.services import profile_sign_in_as
from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory
from tests.consent.factories import grant_consent, published_purpose
from tests.loyalty.factories import EarningRuleFactory
from tests.preferences.factories import AttributeFactory
from tests.profiles.factories import ProfileFactory
from tests.profiles.helpers import browse_as

pytestmark = pytest.mark.django_db

CENTER = "/me/privacy/"
EXPORT = "/me/privacy/export/"
STATUS = "/me/privacy/export/status/"
ERASE = "/me/privacy/delete/"
CONFIRM = "/me/privacy/delete/confirm/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _finished_plays(profile: Profile, count: int) -> None:
    """Finished campaigns whose answers declared something and earned points."""
    purpose = published_purpose(key="personalization")
    grant_consent(profile, purpose)
    snack = AttributeFactory(key="snack", purpose=purpose, choices=["sweet", "savory"])
    EarningRuleFactory(event_name="quiz.completed", points=10)
    for number in range(count):
        campaign = CampaignFactory(slug=f"quiz-{number}", kind=Campaign.Kind.TRIVIA)
        campaign.purposes.add(purpose)
        question = QuestionFactory(campaign=campaign, position=1)
        option = OptionFactory(
            question=question,
            is_correct=True,
            attribute=snack,
            attribute_value=["sweet", "savory"][number % 2],
        )
        play = participation_start(campaign=campaign, profile=profile, locale="de")
        answer_submit(participation=play, question_id=question.pk, option_ids=[option.pk])
        participation_keep_answers(participation=participation_complete(participation=play))


def _member(email: str = "kim@example.com") -> Profile:
    return profile_sign_in_as(
        kind=Identifier.Kind.EMAIL, value=email, current=ProfileFactory(), locale="de"
    )


# The page ------------------------------------------------------------------------------


def test_the_page_creates_no_profile_for_a_first_time_visitor(client):
    response = client.get(CENTER)

    assert response.status_code == 200
    assert response.context["has_data"] is False
    assert not Profile.objects.exists()
    assert SESSION_KEY not in client.session


def test_the_preference_center_links_to_the_page(visitor):
    assert CENTER in visitor.get("/me/").content.decode()


@pytest.mark.parametrize("plays", [1, 10])
def test_the_page_takes_a_fixed_number_of_queries(
    visitor, profile, admin_user, plays, django_assert_max_num_queries
):
    _finished_plays(profile, plays)
    access_log_record(
        profiles=[profile] * plays, data_category="declarations", staff_user=admin_user
    )

    with django_assert_max_num_queries(14):
        response = visitor.get(CENTER)

    assert response.status_code == 200
    assert len(response.context["receipts"]) == plays
    assert all(receipt.told for receipt in response.context["receipts"])


def test_the_page_shows_what_each_campaign_gave_for_what_it_was_told(visitor, profile, english):
    _finished_plays(profile, 1)

    visitor.cookies["django_language"] = "en"
    response = visitor.get(CENTER)

    body = response.content.decode()
    assert "Quiz quiz-0" in body
    assert "sweet (en)" in body
    assert "You got 10 points for taking part." in body
    assert "/me/consents/#consent-personalization" in body
    assert response.context["receipts"][0].points == 10


def test_the_access_log_is_paginated(visitor, profile, admin_user):
    access_log_record(profiles=[profile] * 30, data_category="declarations", staff_user=admin_user)

    first = visitor.get(CENTER)
    second = visitor.get(CENTER, {"page": 2})

    assert len(first.context["access_log"].object_list) == 25
    assert len(second.context["access_log"].object_list) == 5
    assert visitor.get(CENTER, {"page": "nonsense"}).status_code == 200


# Export ------------------------------------------------------------------------------------


def test_requesting_an_export_needs_the_csrf_token(profile):
    client = browse_as(Client(enforce_csrf_checks=True), profile)

    assert client.post(EXPORT).status_code == 403
    assert not DataRequest.objects.exists()


def test_an_export_request_shows_the_pending_copy_and_polls(visitor, profile):
    response = visitor.post(EXPORT, **HTMX)

    assert response.status_code == 200
    body = response.content.decode()
    assert 'hx-trigger="every 2s"' in body
    assert f'href="{CENTER}#export"' in body  # the refresh link, for pages without JavaScript
    assert DataRequest.objects.get().status == DataRequest.Status.PENDING


def test_the_status_poll_shows_the_download_once_ready(visitor, profile, export_root):
    data_request = data_request_create(profile=profile, kind=DataRequest.Kind.EXPORT)
    assert 'hx-trigger="every 2s"' in visitor.get(STATUS, **HTMX).content.decode()

    data_request_export_build(data_request_id=data_request.pk)

    body = visitor.get(STATUS, **HTMX).content.decode()
    assert "hx-trigger" not in body
    assert "/me/privacy/export/" in re.search(r'href="([^"]+)" download', body).group(1)


def test_the_status_poll_without_htmx_goes_to_the_page(visitor):
    response = visitor.get(STATUS)

    assert (response.status_code, response["Location"]) == (302, f"{CENTER}#export")


def test_an_export_asked_for_twenty_times_in_a_minute_runs_once(
    visitor, profile, export_root, monkeypatch, django_capture_on_commit_callbacks
):
    from apps.privacy.services import exports

    runs = []
    build = exports.data_request_export_build
    monkeypatch.setattr(
        "apps.privacy.tasks.data_request_export_build",
        lambda **kwargs: runs.append(kwargs) or build(**kwargs),
    )

    with django_capture_on_commit_callbacks(execute=True):
        statuses = [visitor.post(EXPORT).status_code for _ in range(20)]

    assert set(statuses) == {302, 429}
    assert statuses[:10] == [302] * 10
    assert len(runs) == 1
    data_request = DataRequest.objects.get()
    assert data_request.status == DataRequest.Status.DONE
    assert visitor.get(CENTER).context["download_url"]


def test_an_export_for_a_visitor_with_no_data_is_explained(client):
    response = client.post(EXPORT, follow=True)

    assert response.status_code == 200
    assert not Profile.objects.exists()
    assert len(response.context["messages"]) == 1


# Download ----------------------------------------------------------------------------------


@pytest.fixture
def ready_export(profile, export_root) -> DataRequest:
    data_request = data_request_create(profile=profile, kind=DataRequest.Kind.EXPORT)
    return data_request_export_build(data_request_id=data_request.pk)


def _download_url(data_request: DataRequest) -> str:
    token = export_download_token(data_request=data_request)
    return reverse("privacy:export-download", kwargs={"token": token})


def test_the_owner_downloads_the_zip(visitor, ready_export):
    response = visitor.get(_download_url(ready_export))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(BytesIO(b"".join(response.streaming_content)))
    assert "resonanz-export.json" in archive.namelist()


def test_a_download_link_in_someone_elses_session_is_refused(client, ready_export):
    browse_as(client, ProfileFactory())

    response = client.get(_download_url(ready_export))

    assert response.status_code == 403
    assert (
        "jemand anderem" in response.content.decode() or "someone else" in response.content.decode()
    )


def test_a_download_link_without_a_session_offers_to_sign_in(client, ready_export):
    response = client.get(_download_url(ready_export))

    assert response.status_code == 403
    assert response.context["action_url"].startswith("/sign-in/?next=%2Fme%2Fprivacy%2Fexport%2F")


def test_an_expired_download_link_is_gone(visitor, ready_export, english):
    url = _download_url(ready_export)

    visitor.cookies["django_language"] = "en"
    with time_machine.travel(timezone.now() + timedelta(days=7, seconds=5)):
        response = visitor.get(url)

    assert response.status_code == 410
    assert "This download link has expired" in response.content.decode()


def test_a_forged_download_link_is_refused(visitor, ready_export):
    assert visitor.get("/me/privacy/export/not-a-token/").status_code == 403


def test_a_download_whose_file_was_deleted_is_gone(visitor, ready_export):
    url = _download_url(ready_export)
    DataRequest.objects.filter(pk=ready_export.pk).update(file="")

    assert visitor.get(url).status_code == 410


# Erasure -----------------------------------------------------------------------------------


def _mailed_link() -> str:
    return re.search(r"http://127\.0\.0\.1:8000(\S+)", mail.outbox[-1].body).group(1)


def test_a_member_confirms_the_erasure_with_the_link_mailed_to_them(
    client, export_root, django_capture_on_commit_callbacks
):
    member = _member()
    browse_as(client, member)
    assert client.get(ERASE).context["email"] == "kim@example.com"

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(ERASE).status_code == 200
    link = _mailed_link()
    assert client.get(CONFIRM).status_code == 403  # not without the link

    response = client.post(link, follow=True)  # the sign-in link, tapped
    assert response.redirect_chain[-1][0].startswith(f"{CONFIRM}?r=")
    assert response.status_code == 200
    assert "form" in response.context

    nonce = response.redirect_chain[-1][0].split("r=", 1)[1]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CONFIRM, {"r": nonce, "understood": "on"})

    assert response["Location"] == "/me/privacy/delete/started/"
    data_request = DataRequest.objects.get(kind=DataRequest.Kind.ERASURE)
    assert data_request.status == DataRequest.Status.DONE
    assert SESSION_KEY not in client.session
    assert client.get("/me/privacy/delete/started/").status_code == 200
    member.refresh_from_db()
    assert member.kind == Profile.Kind.ERASED


def test_the_mailed_link_opened_in_another_browser_does_not_confirm(
    client, django_capture_on_commit_callbacks
):
    browse_as(client, _member())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(ERASE)
    link = _mailed_link()

    other = Client()
    response = other.post(link, follow=True)

    assert response.status_code == 403
    assert not DataRequest.objects.exists()


def test_a_customer_without_an_address_confirms_with_a_tick(visitor, profile):
    page = visitor.get(ERASE)
    assert CONFIRM in page.content.decode()
    assert visitor.get(CONFIRM).status_code == 200

    assert visitor.post(CONFIRM).status_code == 400
    response = visitor.post(CONFIRM, {"understood": "on"})

    assert response.status_code == 302
    assert DataRequest.objects.get().kind == DataRequest.Kind.ERASURE


def test_confirming_the_erasure_needs_the_csrf_token(profile):
    client = browse_as(Client(enforce_csrf_checks=True), profile)

    assert client.post(CONFIRM, {"understood": "on"}).status_code == 403
    assert not DataRequest.objects.exists()


def test_confirming_twice_makes_one_request(visitor, profile):
    session = visitor.cookies["sessionid"].value
    visitor.post(CONFIRM, {"understood": "on"})
    visitor.cookies["sessionid"] = session  # the second tab still had the old session

    visitor.post(CONFIRM, {"understood": "on"})

    assert DataRequest.objects.count() == 1


def test_a_customer_in_the_middle_of_a_quiz_is_told_the_answers_go_too(visitor, profile, english):
    campaign = CampaignFactory(slug="long-one", title_en="The long one")
    QuestionFactory(campaign=campaign, position=1)
    participation_start(campaign=campaign, profile=profile, locale="de")

    visitor.cookies["django_language"] = "en"
    for url in (ERASE, CONFIRM):
        body = visitor.get(url).content.decode()
        assert "You are in the middle of “The long one”" in body


def test_there_is_nothing_to_erase_for_a_visitor_without_data(client):
    assert client.get(ERASE).status_code == 200
    assert client.post(CONFIRM, {"understood": "on"}).status_code == 400
    assert not Profile.objects.exists()


def test_asking_for_the_link_too_often_is_slowed_down(client, settings):
    browse_as(client, _member())

    statuses = [client.post(ERASE).status_code for _ in range(7)]

    assert 429 in statuses
    assert 500 not in statuses

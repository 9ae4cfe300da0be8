"""Staff play any campaign as their test customer in the admin's preview, and it counts nowhere."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from apps.campaigns.models import Campaign, OptionTally, Participation
from apps.insights.models import OptionDayTally
from apps.insights.services import answers_tally_sweep
from apps.profiles.models import Profile
from apps.profiles.selectors import SESSION_KEY
from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory

pytestmark = pytest.mark.django_db

PREVIEW = "/preview/de/c/snack-quiz/"


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_user("redaktion", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_campaign"))
    client.force_login(user)
    return user


def _play_through(client, options, prefix=PREVIEW, **headers):
    client.post(f"{prefix}start/", headers=headers)
    client.post(f"{prefix}q/1/answer/", {"option": options["right"].pk}, headers=headers)
    return client.post(f"{prefix}q/2/answer/", {"option": options["salty"].pk}, headers=headers)


def test_preview_sends_a_visitor_without_admin_login_to_the_login(client, snack_quiz):
    response = client.get(PREVIEW)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_preview_is_not_found_for_a_signed_in_non_staff_user(client, snack_quiz):
    client.force_login(get_user_model().objects.create_user("kundin", password="x"))

    assert client.get(PREVIEW).status_code == 404


def test_preview_is_not_found_for_staff_who_may_not_see_campaigns(client, snack_quiz):
    client.force_login(get_user_model().objects.create_user("support", is_staff=True))

    assert client.get(PREVIEW).status_code == 404
    assert not Profile.objects.filter(is_test=True).exists()


@pytest.mark.password_only
def test_preview_asks_staff_for_their_second_factor_before_a_draft(client, snack_quiz):
    user = get_user_model().objects.create_superuser("chefin", password="x")
    client.force_login(user)

    response = client.get(PREVIEW)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not Profile.objects.filter(is_test=True).exists()


def test_preview_alone_may_be_framed_and_only_by_our_own_pages(client, staff, snack_quiz):
    preview = client.get(PREVIEW)
    public = client.get("/c/snack-quiz/")

    assert preview.status_code == 200
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]
    assert public["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in public["Content-Security-Policy"]


def test_an_unpublished_campaign_is_seen_in_the_preview_only(client, staff):
    draft = CampaignFactory(slug="entwurf", status=Campaign.Status.DRAFT, title_de="Entwurf")
    QuestionFactory(campaign=draft, position=1)

    assert client.get("/c/entwurf/").status_code == 404
    assert client.post("/c/entwurf/start/").status_code == 404
    assert not Participation.objects.exists()
    page = client.get("/preview/de/c/entwurf/")
    assert page.status_code == 200
    assert "Entwurf" in page.text
    assert client.post("/preview/de/c/entwurf/start/")["Location"] == ("/preview/de/c/entwurf/q/1/")


def test_preview_is_labelled_and_speaks_the_chosen_language(client, staff, snack_quiz):
    german = client.get(PREVIEW).text
    english = client.get("/preview/en/c/snack-quiz/").text

    assert "Testmodus \u2013 zählt nicht" in german
    assert "Test mode \u2013 does not count" in english
    assert "Testmodus" not in client.get("/c/snack-quiz/").text


def test_a_test_play_goes_to_the_end_inside_the_preview_as_the_test_customer(
    client, staff, snack_quiz
):
    _campaign, _first, _second, options = snack_quiz

    last = _play_through(client, options)

    assert last["Location"] == f"{PREVIEW}q/2/"
    assert client.get(f"{PREVIEW}result/").status_code == 200
    play = Participation.objects.get()
    assert play.is_completed
    assert play.profile.is_test
    assert play.profile.test_of == staff
    # The browser keeps no customer of its own from it.
    assert SESSION_KEY not in client.session


def test_htmx_pages_of_the_preview_stay_in_it(client, staff, snack_quiz):
    _campaign, _first, _second, options = snack_quiz
    client.post(f"{PREVIEW}start/")

    answered = client.post(
        f"{PREVIEW}q/1/answer/", {"option": options["right"].pk}, headers={"HX-Request": "true"}
    )
    last = client.post(
        f"{PREVIEW}q/2/answer/", {"option": options["salty"].pk}, headers={"HX-Request": "true"}
    )

    assert f'href="{PREVIEW}q/2/"' in answered.text
    assert last.status_code == 200


def test_a_test_play_adds_to_no_poll_tally_and_no_insights_tally(client, staff, purpose):
    poll = CampaignFactory(slug="umfrage", kind=Campaign.Kind.POLL)
    question = QuestionFactory(campaign=poll, position=1)
    yes = OptionFactory(question=question, position=1)
    OptionFactory(question=question, position=2)

    client.post("/preview/de/c/umfrage/start/")
    client.post("/preview/de/c/umfrage/q/1/answer/", {"option": yes.pk})
    answers_tally_sweep()

    assert Participation.objects.get().is_completed
    assert not OptionTally.objects.filter(count__gt=0).exists()
    assert not OptionDayTally.objects.exists()


def test_a_real_play_still_adds_to_the_tally(client, purpose):
    poll = CampaignFactory(slug="umfrage", kind=Campaign.Kind.POLL)
    question = QuestionFactory(campaign=poll, position=1)
    yes = OptionFactory(question=question, position=1)

    client.post("/c/umfrage/start/")
    client.post("/c/umfrage/q/1/answer/", {"option": yes.pk})

    assert OptionTally.objects.get(option=yes).count == 1


def test_reset_gives_the_staff_user_a_fresh_test_customer(client, staff, snack_quiz):
    _campaign, _first, _second, options = snack_quiz
    _play_through(client, options)
    before = Profile.objects.get(test_of=staff)

    response = client.post(reverse("test-customer-reset"), {"next": "/admin/"})
    client.get(PREVIEW)

    assert response["Location"] == "/admin/"
    after = Profile.objects.get(test_of=staff)
    assert after != before
    assert not Participation.objects.filter(profile=after).exists()
    before.refresh_from_db()
    assert before.is_test


def test_reset_refuses_an_address_off_the_site(client, staff):
    response = client.post(reverse("test-customer-reset"), {"next": "https://evil.example/"})

    assert response["Location"] == reverse("admin:index")


def test_the_campaign_change_page_frames_the_preview_beside_the_form(admin_client, snack_quiz):
    campaign = snack_quiz[0]

    html = admin_client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk])).text

    assert f'<iframe class="builder__frame" name="campaign-preview" src="{PREVIEW}"' in html
    assert 'href="/preview/en/c/snack-quiz/" target="campaign-preview"' in html
    assert "Testdaten zurücksetzen" in html


def test_preview_intro_reads_a_fixed_number_of_queries(
    client, staff, snack_quiz, django_assert_num_queries
):
    client.get(PREVIEW)  # the test customer is made once

    # Session, user, the second factor's device, their permissions (2), campaign, test
    # customer, play, purposes, consent.
    with django_assert_num_queries(10):
        client.get(PREVIEW)


def test_a_consent_answered_in_the_preview_is_the_test_customers(client, staff, snack_quiz):
    from apps.consent.models import ConsentState

    response = client.post(
        reverse("consent:decide", args=["personalization"]),
        {"decision": "grant", "collection_point": "campaign:snack-quiz"},
        headers={
            "HX-Request": "true",
            "HX-Current-URL": f"http://testserver{PREVIEW}result/",
        },
    )

    assert response.status_code == 200
    assert ConsentState.objects.get().profile.test_of == staff
    assert SESSION_KEY not in client.session


def test_a_forged_preview_header_gives_a_customer_no_test_customer(client, snack_quiz):
    from apps.consent.models import ConsentState

    client.post(
        reverse("consent:decide", args=["personalization"]),
        {"decision": "grant", "collection_point": "campaign:snack-quiz"},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{PREVIEW}"},
    )

    assert not Profile.objects.filter(is_test=True).exists()
    assert not ConsentState.objects.filter(profile__is_test=True).exists()


def test_a_campaign_not_saved_yet_has_no_preview(admin_client):
    html = admin_client.get(reverse("admin:campaigns_campaign_add")).text

    assert "<iframe" not in html

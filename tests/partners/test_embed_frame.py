"""Pages framed by a brand's site under /embed/: which pages, which headers, which cookies."""

import pytest
from django.test import Client
from django.urls import get_script_prefix, reverse

from apps.core.embedding import EMBED_HOST_SESSION_KEY, EMBED_THEME_SESSION_KEY
from apps.partners.models import EmbedOrigin
from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory
from tests.partners.factories import PartnerClientFactory

pytestmark = pytest.mark.django_db

SHOP = "https://shop.example"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def shop_origin() -> EmbedOrigin:
    return EmbedOrigin.objects.create(partner=PartnerClientFactory(), origin=SHOP)


@pytest.fixture
def quiz():
    campaign = CampaignFactory(slug="snack-quiz")
    for position in (1, 2):
        question = QuestionFactory(campaign=campaign, position=position)
        OptionFactory(question=question, is_correct=True)
        OptionFactory(question=question)
    return campaign


def _frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(part.strip() for part in policy.split(";") if "frame-ancestors" in part)


# Routing


def test_a_campaign_is_served_under_embed_with_every_link_inside_it(client, shop_origin, quiz):
    response = client.get("/embed/c/snack-quiz/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'action="/embed/c/snack-quiz/start/"' in html
    assert 'action="/embed/i18n/setlang/"' in html
    assert 'href="/embed/me/"' in html
    assert 'href="/"' not in html
    assert get_script_prefix() == "/"


def test_the_script_prefix_is_restored_after_an_embedded_page(client, shop_origin, quiz):
    client.get("/embed/c/snack-quiz/")

    html = client.get("/c/snack-quiz/").content.decode()

    assert 'action="/c/snack-quiz/start/"' in html
    assert "/embed/" not in html
    assert reverse("campaigns:intro", args=["snack-quiz"]) == "/c/snack-quiz/"


def test_the_player_redirects_stay_in_the_frame(client, shop_origin, quiz):
    response = client.post("/embed/c/snack-quiz/start/")

    assert response.status_code == 302
    assert response["Location"].startswith("/embed/c/snack-quiz/q/1/")


def test_htmx_answers_push_addresses_inside_the_frame(client, shop_origin, quiz):
    client.post("/embed/c/snack-quiz/start/")
    option = quiz.questions.get(position=1).options.first()

    response = client.post("/embed/c/snack-quiz/q/1/answer/", {"option": option.pk}, headers=HTMX)

    for header in ("HX-Push-Url", "HX-Redirect", "HX-Location", "Location"):
        if header in response:
            assert response[header].startswith("/embed/"), header


@pytest.mark.parametrize(
    "path",
    [
        "/embed/admin/",
        "/embed/admin/login/",
        "/embed/api/v1/campaigns/",
        "/embed/preview/de/c/snack-quiz/",
        "/embed/c/snack-quiz/preview/",
        "/embed/me/privacy/",
        "/embed/me/challenges/",
        "/embed/sign-out/",
        "/embed/nowhere/",
        "/embed/embed/embed/",
    ],
)
def test_pages_outside_the_allowlist_are_not_found_under_embed(client, shop_origin, quiz, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["X-Frame-Options"] == "DENY" or "frame-ancestors" in response.get(
        "Content-Security-Policy", ""
    )


def test_the_partners_top_level_link_at_embed_is_not_a_framed_page(client):
    response = client.get("/embed/", {"token": "nonsense"})

    assert response.status_code == 400
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


# Framing headers


def test_embedded_pages_may_be_framed_by_the_allowed_sites_only(client, shop_origin, quiz):
    inactive = PartnerClientFactory()
    inactive.is_active = False
    inactive.save()
    EmbedOrigin.objects.create(partner=inactive, origin="https://x.example")

    response = client.get("/embed/c/snack-quiz/")

    assert "X-Frame-Options" not in response
    assert _frame_ancestors(response) == f"frame-ancestors {SHOP}"
    assert "form-action 'self'" in response["Content-Security-Policy"]


def test_every_other_page_keeps_deny(client, shop_origin, quiz):
    for path in ("/c/snack-quiz/", "/me/", "/admin/login/"):
        response = client.get(path, follow=True)

        assert response["X-Frame-Options"] == "DENY", path
        assert _frame_ancestors(response) == "frame-ancestors 'none'", path


def test_without_any_allowed_site_nobody_may_frame(client, quiz):
    response = client.get("/embed/c/snack-quiz/")

    assert _frame_ancestors(response) == "frame-ancestors 'none'"


# The frame's entry


def test_the_entry_remembers_the_site_and_theme_and_drops_its_parameters(client, shop_origin, quiz):
    response = client.get(
        "/embed/c/snack-quiz/",
        {
            "host": "https://Shop.example/",
            "theme-brand": "#AA0000",
            "theme-radius": "8",
            "theme-text": "red; background:url(x)",
            "utm_source": "shop",
        },
    )

    assert response.status_code == 303
    assert response["Location"].startswith("/embed/c/snack-quiz/?utm_source=shop&embed-session=")
    assert client.session[EMBED_HOST_SESSION_KEY] == SHOP
    assert client.session[EMBED_THEME_SESSION_KEY] == {"color-brand": "#aa0000", "radius": "8px"}
    # The cookie came back: on to the page, without the session in its address.
    checked = client.get(response["Location"])
    assert checked.status_code == 303
    assert checked["Location"] == "/embed/c/snack-quiz/?utm_source=shop"
    page = client.get(checked["Location"]).content.decode()
    assert f'data-embed-host="{SHOP}"' in page
    assert 'data-embed-campaign="snack-quiz"' in page
    assert 'href="/embed/theme.css"' in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"theme-brand": "#abc", "theme-background": "#112233"},
            "--color-brand: #abc; --color-bg: #112233;",
        ),
        ({"theme-surface": "blue", "theme-radius": "33"}, ":root { }"),
        ({"theme-radius": "0px", "theme-text": "#1234567"}, "--radius: 0px;"),
    ],
)
def test_the_theme_stylesheet_holds_only_checked_values(
    client, shop_origin, quiz, params, expected
):
    client.get("/embed/c/snack-quiz/", {"host": SHOP, **params})

    response = client.get("/embed/theme.css")

    assert response["Content-Type"].startswith("text/css")
    assert expected in response.content.decode()


def test_the_theme_stylesheet_is_not_served_outside_the_frame(client):
    assert client.get("/theme.css").status_code == 404


def test_the_entry_language_is_activated_and_remembered(client, shop_origin, quiz):
    response = client.get("/embed/c/snack-quiz/", {"host": SHOP, "lang": "en"})

    assert response.cookies["django_language"].value == "en"
    page = client.get(response["Location"], follow=True)
    assert page["Content-Language"] == "en"
    assert "Skip to content" in page.content.decode()


def test_a_site_that_is_not_allowed_gets_a_clear_page_anyone_may_frame(client, shop_origin, quiz):
    response = client.get("/embed/c/snack-quiz/", {"host": "https://evil.example"})

    assert response.status_code == 403
    html = response.content.decode()
    assert "Diese Website darf diese Kampagne nicht zeigen" in html
    assert "https://evil.example" in html
    assert "<form" not in html
    assert _frame_ancestors(response) == "frame-ancestors *"
    assert "X-Frame-Options" not in response
    assert EMBED_HOST_SESSION_KEY not in client.session


@pytest.mark.parametrize(
    "host", ["javascript:alert(1)", "http://shop.example", "https://a.b/c", ""]
)
def test_a_host_that_is_no_allowed_origin_is_refused(client, shop_origin, quiz, host):
    assert client.get("/embed/c/snack-quiz/", {"host": host}).status_code == 403


def test_a_referer_from_a_site_that_is_not_allowed_is_refused(client, shop_origin, quiz):
    response = client.get("/embed/c/snack-quiz/", headers={"Referer": "https://evil.example/p"})

    assert response.status_code == 403


def test_referers_from_the_allowed_site_and_from_the_frame_itself_are_fine(
    client, shop_origin, quiz
):
    assert client.get("/embed/c/snack-quiz/", headers={"Referer": f"{SHOP}/"}).status_code == 200
    own = "http://testserver/embed/c/snack-quiz/"
    assert client.get("/embed/c/snack-quiz/", headers={"Referer": own}).status_code == 200


# Cookies


def test_the_frames_cookies_are_partitioned_and_cross_site(client, shop_origin, quiz):
    response = client.get("/embed/c/snack-quiz/", {"host": SHOP, "lang": "de"})
    page = client.get(response["Location"], follow=True)

    for cookies in (response.cookies, page.cookies):
        for name, morsel in cookies.items():
            header = morsel.OutputString()
            assert "SameSite=None; Partitioned" in header, name
            assert "Secure" in header, name
    assert {"sessionid", "django_language"} <= set(response.cookies)
    assert "csrftoken" in page.cookies


def test_cookies_outside_the_frame_stay_lax_and_unpartitioned(client, quiz):
    response = client.get("/c/snack-quiz/")

    header = response.cookies["csrftoken"].OutputString()
    assert "SameSite=Lax" in header
    assert "Partitioned" not in header


# Queries


def test_an_embedded_question_page_reads_as_few_rows_as_the_plain_one(
    client, shop_origin, quiz, django_assert_num_queries
):
    client.get("/embed/c/snack-quiz/", {"host": SHOP})
    client.post("/embed/c/snack-quiz/start/")
    client.get("/embed/c/snack-quiz/q/1/")

    # session, profile, campaign, participation, the play's answers, re-prompt, last-seen
    # update: the allowed sites come from the process cache
    with django_assert_num_queries(7):
        response = client.get("/embed/c/snack-quiz/q/1/")
    assert response.status_code == 200


def test_the_language_switch_in_the_frame_stays_in_it(client, shop_origin, quiz):
    response = client.post(
        "/embed/i18n/setlang/", {"language": "en", "next": "/embed/c/snack-quiz/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/embed/c/snack-quiz/"
    assert "Partitioned" in response.cookies["django_language"].OutputString()
    assert client.get("/embed/c/snack-quiz/")["Content-Language"] == "en"


def test_a_form_in_the_frame_posts_with_its_partitioned_csrf_cookie(shop_origin, quiz):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/embed/c/snack-quiz/")
    token = page.context["csrf_token"]

    response = browser.post(
        "/embed/c/snack-quiz/start/",
        {"csrfmiddlewaretoken": str(token)},
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/embed/c/snack-quiz/q/1/")

import pytest
from django.urls import reverse
from django.utils import translation

from apps.privacy.roles import ANALYST, CAMPAIGN_MANAGER, PRIVACY_OFFICER, SUPPORT

pytestmark = pytest.mark.django_db

SECTION_NAMES = {
    "campaigns": "Kampagnen & Challenges",
    "loyalty": "Treue & Prämien",
    "customers": "Kundinnen & Kunden",
    "personalisation": "Personalisierung",
    "insights": "Auswertungen",
    "privacy": "Datenschutz",
    "partners": "Partner",
    "system": "System",
}


def _sections(response) -> list[str]:
    return [app["app_label"] for app in response.context["app_list"]]


def _pages(response) -> set[str]:
    return {
        f"{model['model']._meta.app_label}.{model['model']._meta.model_name}"
        for app in response.context["app_list"]
        for model in app["models"]
    }


@pytest.mark.parametrize(
    ("role", "sections"),
    [
        (CAMPAIGN_MANAGER, ["campaigns", "loyalty", "personalisation", "insights", "privacy"]),
        (ANALYST, ["insights"]),
        (PRIVACY_OFFICER, ["customers", "personalisation", "privacy", "partners"]),
        (SUPPORT, ["customers", "privacy"]),
    ],
)
def test_each_role_sees_only_the_sections_it_may_use(client, staff_login, role, sections):
    staff_login(role)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert _sections(response) == sections
    html = response.content.decode()
    for slug, name in SECTION_NAMES.items():
        assert (name.replace("&", "&amp;") in html) == (slug in sections), slug


def test_a_campaign_manager_sees_the_purposes_to_pick_but_no_customer_data(client, staff_login):
    staff_login(CAMPAIGN_MANAGER)

    pages = _pages(client.get(reverse("admin:index")))

    assert {"campaigns.campaign", "challenges.challenge", "loyalty.reward"} <= pages
    assert "consent.purpose" in pages
    assert not {"profiles.profile", "loyalty.ledgerentry", "consent.consentevent"} & pages


def test_the_superuser_sees_every_section_in_the_order_of_the_job(admin_client):
    response = admin_client.get(reverse("admin:index"))

    assert _sections(response) == list(SECTION_NAMES)
    system = response.context["app_list"][-1]
    names = {model["model"]._meta.model_name for model in system["models"]}
    assert {"outboxevent", "accesstoken", "grant", "idtoken", "rolluprun", "user"} <= names


def test_machinery_stays_closed_to_staff_given_its_permission_by_hand(client, staff_login):
    from django.contrib.auth.models import Permission

    user = staff_login(None)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_outboxevent", "view_accesstoken"])
    )

    assert _sections(client.get(reverse("admin:index"))) == []
    assert client.get(reverse("admin:core_outboxevent_changelist")).status_code == 403
    assert client.get(reverse("admin:oauth2_provider_accesstoken_changelist")).status_code == 403
    assert client.get(reverse("admin:section", args=["system"])).status_code == 404


def test_a_section_page_lists_its_pages_under_its_name(client, staff_login):
    staff_login(CAMPAIGN_MANAGER)

    response = client.get(reverse("admin:section", args=["campaigns"]))

    assert response.status_code == 200
    assert [app["app_label"] for app in response.context["app_list"]] == ["campaigns"]
    assert "Kampagnen &amp; Challenges" in response.content.decode()


def test_an_unknown_section_is_not_found(admin_client):
    assert admin_client.get(reverse("admin:section", args=["nope"])).status_code == 404


def test_the_sidebar_shows_the_sections_on_every_page(client, staff_login):
    staff_login(CAMPAIGN_MANAGER)

    response = client.get(reverse("admin:campaigns_campaign_changelist"))

    assert [app["app_label"] for app in response.context["available_apps"]] == [
        "campaigns",
        "loyalty",
        "personalisation",
        "insights",
        "privacy",
    ]


def test_the_header_names_the_product_and_the_program(client, staff_login, settings):
    settings.PROGRAM_NAME = "Genuss Club"
    staff_login(CAMPAIGN_MANAGER)

    html = client.get(reverse("admin:index")).content.decode()

    assert '<span class="site-name__product">Resonanz</span>' in html
    assert "Genuss Club" in html
    assert "<title>Startseite | Resonanz</title>" in html


def test_the_sections_read_in_english_for_staff_who_chose_english(client, staff_login):
    staff_login(PRIVACY_OFFICER, language="en")

    response = client.get(reverse("admin:index"))

    with translation.override("en"):
        names = [str(app["name"]) for app in response.context["app_list"]]
    assert names == ["Customers", "Personalisation", "Privacy", "Partners"]
    assert "Kundinnen" not in response.content.decode()


def test_staff_who_manage_groups_find_them_under_system_without_the_machinery(client, staff_login):
    from django.contrib.auth.models import Permission

    user = staff_login(None)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_group", "view_outboxevent"])
    )

    app_list = client.get(reverse("admin:index")).context["app_list"]

    assert [app["app_label"] for app in app_list] == ["system"]
    assert [model["object_name"] for model in app_list[0]["models"]] == ["Group"]

"""An outcome's next-step link leads to this site or an https address, never elsewhere."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.campaigns.models import Campaign
from apps.privacy.roles import CAMPAIGN_MANAGER, roles_sync
from tests.campaigns.factories import OutcomeFactory
from tests.campaigns.test_builder_admin import ADD, _new_campaign_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client):
    roles_sync()
    user = User.objects.create_user(username="manager", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=CAMPAIGN_MANAGER))
    client.force_login(user)
    return client


def test_the_builder_refuses_a_protocol_relative_next_step_link_on_its_field(manager):
    data = _new_campaign_data(manager, **{"outcomes-0-next_step_url": "//evil.example"})

    response = manager.post(ADD, data)

    assert response.status_code == 200
    assert "Nutze einen Pfad auf dieser Website oder eine https-Adresse." in (
        response.content.decode()
    )
    assert not Campaign.objects.exists()


def test_the_builder_keeps_a_next_step_link_on_the_site(manager):
    data = _new_campaign_data(manager, **{"outcomes-0-next_step_url": "/c/snack-quiz/"})

    response = manager.post(ADD, data)

    assert response.status_code == 302
    outcome = Campaign.objects.get(slug="fruehstueck").outcomes.get()
    assert outcome.next_step_url == "/c/snack-quiz/"


@pytest.mark.parametrize("link", ["//evil.example", "/\\evil.example", "http://shop.example"])
def test_an_outcome_refuses_links_that_leave_the_site_unsafely(link):
    outcome = OutcomeFactory.build(next_step_url=link)

    with pytest.raises(ValidationError) as error:
        outcome.clean_fields(exclude=["campaign", "image"])

    with translation.override("en"):
        assert error.value.message_dict["next_step_url"] == [
            "Use a path on this site or an https address."
        ]

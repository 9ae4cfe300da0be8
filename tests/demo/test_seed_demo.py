import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from apps.core.demo import DEMO_STAFF_PASSWORD, DEMO_STAFF_USERNAME

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_in_tmp")]


def test_seed_demo_creates_a_staff_account_and_prints_its_credentials(settings, capsys):
    settings.DEBUG = True

    call_command("seed_demo")

    user = get_user_model().objects.get(username=DEMO_STAFF_USERNAME)
    assert user.is_staff
    assert user.check_password(DEMO_STAFF_PASSWORD)
    output = capsys.readouterr().out
    assert DEMO_STAFF_USERNAME in output
    assert DEMO_STAFF_PASSWORD in output


def test_seed_demo_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    before = list(get_user_model().objects.values())

    call_command("seed_demo")

    assert list(get_user_model().objects.values()) == before


def test_seed_demo_refuses_outside_demo_mode(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="demo mode"):
        call_command("seed_demo")

    assert not get_user_model().objects.exists()


def test_seed_demo_adds_a_realistic_vocabulary(settings):
    from apps.preferences.models import Attribute

    settings.DEBUG = True
    call_command("seed_demo")

    attributes = Attribute.objects.select_related("purpose")
    assert attributes.count() >= 12
    assert len({a.purpose.key for a in attributes}) >= 4
    assert all(a.label_de and a.label_en for a in attributes)
    assert all(a.values.exists() for a in attributes if a.has_choices)

import pytest
from django.utils import translation

from apps.audit.models import AccessLog
from apps.audit.selectors import access_log_for_profile
from apps.audit.services import access_log_reasons_forget, access_log_record, config_snapshot
from apps.preferences.models import Attribute
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db


def test_access_log_record_writes_one_row_per_profile_read_by_staff(admin_user):
    profiles = ProfileFactory.create_batch(3)

    access_log_record(profiles=profiles, data_category="consent_history", staff_user=admin_user)

    assert AccessLog.objects.filter(actor_kind="staff", staff_user=admin_user).count() == 3


def test_access_log_record_for_a_partner_names_the_purpose(profile):
    (entry,) = access_log_record(
        profiles=[profile],
        data_category="declarations",
        partner_name="Shop",
        purpose_key="partner_sharing",
    )

    assert (entry.actor_kind, entry.purpose_key) == ("partner", "partner_sharing")
    assert list(access_log_for_profile(profile=profile)) == [entry]


@pytest.mark.parametrize("actors", [{}, {"partner_name": "Shop", "staff_user": "both"}])
def test_access_log_record_needs_exactly_one_actor(profile, admin_user, actors):
    if actors.get("staff_user") == "both":
        actors["staff_user"] = admin_user

    with pytest.raises(ValueError, match="exactly one actor"):
        access_log_record(profiles=[profile], data_category="consent_history", **actors)

    assert not AccessLog.objects.exists()


def test_access_log_reasons_forget_blanks_the_reasons_and_keeps_the_reads(profile, admin_user):
    access_log_record(
        profiles=[profile],
        data_category="consent_history",
        staff_user=admin_user,
        reason="Ticket 4711 from Kim Example",
    )

    forgotten = access_log_reasons_forget(profiles=[profile])

    assert forgotten == 1
    assert list(AccessLog.objects.values_list("reason", "data_category")) == [
        ("", "consent_history")
    ]


def test_config_snapshot_keeps_each_language_and_not_the_text_read_in_the_staff_language():
    attribute = Attribute(key="diet", label_de="Ernährung", label_en="Diet")
    with translation.override("en"):
        snapshot = config_snapshot(attribute)
    assert snapshot["label_de"] == "Ernährung"
    assert snapshot["label_en"] == "Diet"
    assert "label" not in snapshot

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from apps.audit.models import AccessLog, ConfigChange
from apps.audit.services import config_change_record, config_snapshot
from apps.consent.models import Purpose
from apps.consent.services import purpose_version_create_draft
from apps.core.models import ImmutableRecordError
from apps.partners.models import PartnerClient
from apps.privacy.models import RetentionRule
from apps.privacy.processing import record_of_processing
from apps.privacy.roles import ANALYST, CAMPAIGN_MANAGER, PRIVACY_OFFICER, ROLES, SUPPORT
from apps.profiles.models import Identifier
from apps.profiles.services import profile_sign_in_as
from tests.consent.factories import published_purpose
from tests.preferences.factories import AttributeFactory

pytestmark = pytest.mark.django_db


def _staff(client, role: str | None = None, username: str = "staff") -> User:
    user = User.objects.create_user(username=username, password="x", is_staff=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return user


@pytest.fixture
def member():
    return profile_sign_in_as(
        kind=Identifier.Kind.EMAIL, value="kim@example.com", current=None, locale="de"
    )


# Roles


def test_the_migration_creates_every_role_with_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)
    for role in (CAMPAIGN_MANAGER, PRIVACY_OFFICER, SUPPORT):
        assert Group.objects.get(name=role).permissions.exists()


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (
            CAMPAIGN_MANAGER,
            ["campaigns_campaign", "loyalty_reward", "challenges_challenge"],
            [
                "profiles_profile",
                "preferences_declaration",
                "personalization_churnscore",
                "loyalty_ledgerentry",
                "consent_consentevent",
                "audit_accesslog",
            ],
        ),
        (
            PRIVACY_OFFICER,
            ["audit_accesslog", "consent_consentevent", "privacy_retentionrule"],
            ["campaigns_campaign", "loyalty_ledgerentry", "preferences_declaration"],
        ),
        (
            SUPPORT,
            ["profiles_profile", "loyalty_account"],
            ["campaigns_campaign", "audit_accesslog", "consent_purpose", "auth_group"],
        ),
        (
            ANALYST,
            ["insights_program", "insights_campaign"],
            ["profiles_profile", "campaigns_campaign", "preferences_declaration"],
        ),
    ],
)
def test_each_role_sees_in_the_admin_what_it_needs_and_nothing_else(client, role, allowed, refused):
    _staff(client, role)

    for name in allowed:
        page = name if name.startswith("insights_") else f"{name}_changelist"
        assert client.get(reverse(f"admin:{page}")).status_code == 200, name
    for name in refused:
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 403, name


def test_a_role_cannot_widen_its_own_permissions(client):
    officer = _staff(client, PRIVACY_OFFICER)
    officer.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="auth", codename__endswith="group")
    )
    group = Group.objects.get(name=PRIVACY_OFFICER)
    before = set(group.permissions.values_list("pk", flat=True))

    page = client.get(reverse("admin:auth_group_change", args=[group.pk]))
    response = client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {
            "name": PRIVACY_OFFICER,
            "permissions": list(Permission.objects.values_list("pk", flat=True)),
        },
    )

    assert page.status_code == 200
    assert "deine eigenen Berechtigungen" in page.content.decode()
    assert response.status_code == 403
    assert set(group.permissions.values_list("pk", flat=True)) == before


def test_the_support_role_gives_a_reason_before_seeing_a_customer_and_it_is_logged(client, member):
    support = _staff(client, SUPPORT)
    url = reverse("admin:profiles_profile_change", args=[member.pk])

    asked = client.get(url)
    assert asked.status_code == 200
    assert b"kim@example.com" not in asked.content
    assert not AccessLog.objects.filter(profile=member).exists()

    too_short = client.post(url, {"_access_reason": "1", "reason": "no"})
    assert b"kim@example.com" not in too_short.content

    client.post(url, {"_access_reason": "1", "reason": "Ticket 4711: points missing"})
    shown = client.get(url)

    assert b"kim@example.com" in shown.content
    log = AccessLog.objects.get(profile=member, staff_user=support, data_category="profile")
    assert log.reason == "Ticket 4711: points missing"


# Record of processing


def test_the_record_of_processing_is_built_from_the_configuration(django_assert_num_queries):
    purpose = published_purpose(key="personalization")
    AttributeFactory(key="diet", purpose=purpose, is_special_category=True)
    AttributeFactory(key="budget", purpose=purpose)
    partner = PartnerClient.objects.create(name="Shop", key="shop")
    partner.allowed_purposes.add(purpose)
    RetentionRule.objects.create(
        purpose=purpose, data_kind=RetentionRule.DataKind.ANSWERS, days_after_withdrawal=7
    )

    with django_assert_num_queries(6):
        record = record_of_processing()

    (entry,) = [p for p in record["purposes"] if p["key"] == "personalization"]
    assert entry["lawful_basis"] == "consent"
    assert {a["key"] for a in entry["attributes"]} == {"diet", "budget"}
    assert entry["special_categories"] == ["diet"]
    assert entry["recipients"] == [{"partner": "shop", "name": "Shop", "active": True}]
    assert entry["retention"]["answers"]["days_after_withdrawal"] == 7
    assert entry["retention"]["declarations"]["max_age_days"] == purpose.retention_days


def test_the_privacy_officer_reads_the_record_as_a_page_and_as_json(client):
    published_purpose(key="personalization")
    _staff(client, PRIVACY_OFFICER)

    page = client.get(reverse("admin:privacy_record_of_processing"))
    data = client.get(reverse("admin:privacy_record_of_processing_json")).json()

    assert page.status_code == 200
    assert b"personalization" in page.content
    assert [p["key"] for p in data["purposes"]] == ["personalization"]


def test_a_campaign_manager_may_not_read_the_record(client):
    _staff(client, CAMPAIGN_MANAGER)

    assert client.get(reverse("admin:privacy_record_of_processing")).status_code == 403


# Audit trail


def test_changing_a_rule_in_the_admin_leaves_a_trail_with_before_and_after(admin_client):
    purpose = published_purpose(key="personalization")
    rule = RetentionRule.objects.create(
        purpose=purpose, data_kind=RetentionRule.DataKind.ANSWERS, days_after_withdrawal=30
    )

    response = admin_client.post(
        reverse("admin:privacy_retentionrule_change", args=[rule.pk]),
        {"purpose": purpose.pk, "data_kind": "answers", "days_after_withdrawal": 7},
    )

    assert response.status_code == 302
    change = ConfigChange.objects.get(object_id=str(rule.pk))
    assert change.action == ConfigChange.Action.CHANGED
    assert change.changes == {"days_after_withdrawal": {"from": 30, "to": 7}}
    assert change.staff_username == "admin"


def test_saving_without_a_change_leaves_no_trail(admin_client):
    purpose = published_purpose(key="personalization")
    rule = RetentionRule.objects.create(purpose=purpose, data_kind="answers")

    admin_client.post(
        reverse("admin:privacy_retentionrule_change", args=[rule.pk]),
        {"purpose": purpose.pk, "data_kind": "answers", "days_after_withdrawal": 30},
    )

    assert not ConfigChange.objects.exists()


def test_publishing_a_purpose_version_is_in_the_trail(admin_client):
    purpose = published_purpose(key="personalization")
    draft = purpose_version_create_draft(purpose=Purpose.objects.get(pk=purpose.pk))

    admin_client.post(reverse("admin:consent_purposeversion_publish", args=[draft.pk]))

    change = ConfigChange.objects.get(object_id=str(draft.pk))
    assert change.changes["published_at"]["from"] is None
    assert change.changes["published_at"]["to"] is not None


def test_adding_and_deleting_a_retention_rule_leave_a_trail(admin_client):
    purpose = published_purpose(key="personalization")
    admin_client.post(
        reverse("admin:privacy_retentionrule_add"),
        {"purpose": purpose.pk, "data_kind": "answers", "days_after_withdrawal": 10},
    )
    rule = RetentionRule.objects.get()
    admin_client.post(
        reverse("admin:privacy_retentionrule_delete", args=[rule.pk]), {"post": "yes"}
    )

    actions = list(ConfigChange.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["added", "deleted"]
    assert not RetentionRule.objects.exists()


def test_credentials_never_enter_the_trail():
    snapshot = config_snapshot(User(username="kim", password="pbkdf2_sha256$secret"))

    assert snapshot["password"].startswith("******** ")
    assert "secret" not in snapshot["password"]
    assert snapshot["username"] == "kim"


def test_the_trail_cannot_be_edited():
    purpose = published_purpose(key="personalization")
    admin = User.objects.create_superuser("boss", password="x")
    change = config_change_record(
        staff_user=admin, obj=purpose, action=ConfigChange.Action.CHANGED, before={"a": 1}
    )
    change.object_repr = "forged"
    with pytest.raises(ImmutableRecordError):
        change.save()


@pytest.mark.parametrize("role", [ANALYST, CAMPAIGN_MANAGER])
def test_roles_without_customer_data_cannot_open_leads_or_segment_samples(client, role):
    _staff(client, role)

    assert client.get(reverse("admin:personalization_leads"), {"topic": "food"}).status_code == 403
    preview = client.get(reverse("admin:personalization_segment_preview"), {"rule": "null"})
    assert preview.status_code == 403


def test_support_files_requests_but_cannot_take_a_customers_export(
    client, member, settings, tmp_path
):
    from django.core.files.base import ContentFile

    from apps.privacy.models import DataRequest
    from apps.privacy.services.data_requests import data_request_create

    settings.PRIVACY_EXPORT_ROOT = tmp_path
    _staff(client, SUPPORT)
    data_request = data_request_create(profile=member, kind=DataRequest.Kind.EXPORT)
    data_request.file.save("export.zip", ContentFile(b"zip"), save=True)

    response = client.get(reverse("admin:privacy_datarequest_download", args=[data_request.pk]))

    assert response.status_code == 403
    assert client.get(reverse("admin:privacy_datarequest_add")).status_code == 200


def test_support_cannot_enter_an_erasure_for_someone_who_wrote_in(client, member):
    from apps.privacy.models import DataRequest

    _staff(client, SUPPORT)

    response = client.post(
        reverse("admin:privacy_datarequest_add"),
        {"kind": "erasure", "channel": "mail", "email": "kim@example.com"},
    )

    assert response.status_code == 200
    assert not DataRequest.objects.exists()
    exported = client.post(
        reverse("admin:privacy_datarequest_add"),
        {"kind": "export", "channel": "mail", "email": "kim@example.com"},
    )
    assert exported.status_code == 302
    assert DataRequest.objects.get().kind == "export"

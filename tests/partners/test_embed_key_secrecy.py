"""A partner's embed key is a credential: encrypted in the database, write-only in the admin,
never in the audit trail."""

from importlib import import_module

import jwt
import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from apps.audit.models import ConfigChange
from apps.core.encrypted_fields import (
    check_field_encryption_keys,
    encrypted_fields_rotate,
    field_decrypt,
)
from apps.partners.models import PartnerClient
from apps.partners.services.embed import embed_token_claims
from apps.privacy.roles import PRIVACY_OFFICER, roles_sync
from tests.admin_forms import admin_form_data
from tests.partners.factories import PartnerClientFactory
from tests.partners.test_embed import SHARED_SECRET, _claims

pytestmark = pytest.mark.django_db

NEW_SECRET = "a-brand-new-shared-secret-of-forty-characters"


def _stored(partner: PartnerClient) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT embed_key FROM {PartnerClient._meta.db_table} WHERE id = %s", [partner.pk]
        )
        return cursor.fetchone()[0]


@pytest.fixture
def hs256_partner() -> PartnerClient:
    partner = PartnerClientFactory(key="crm", name="CRM")
    partner.embed_algorithm = PartnerClient.EmbedAlgorithm.HS256
    partner.embed_key = SHARED_SECRET
    partner.save()
    return partner


@pytest.fixture
def change_url(hs256_partner) -> str:
    return reverse("admin:partners_partnerclient_change", args=[hs256_partner.pk])


def test_the_database_column_holds_ciphertext(hs256_partner):
    stored = _stored(hs256_partner)

    assert SHARED_SECRET not in stored
    assert field_decrypt(stored) == SHARED_SECRET


def test_the_key_reads_back_in_clear(hs256_partner):
    assert PartnerClient.objects.get(pk=hs256_partner.pk).embed_key == SHARED_SECRET


def test_an_empty_key_stays_empty_so_partners_without_one_are_found(hs256_partner):
    PartnerClientFactory(key="shop")

    assert list(PartnerClient.objects.exclude(embed_key="")) == [hs256_partner]


def test_embed_tokens_are_still_verified_with_the_decrypted_key(hs256_partner):
    token = jwt.encode(_claims(iss="crm"), SHARED_SECRET, algorithm="HS256")

    partner, claims = embed_token_claims(token=token)

    assert (partner, claims["sub"]) == (hs256_partner, "C-1001")


def test_encrypted_fields_rotate_moves_values_to_the_newest_key(hs256_partner, settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    assert encrypted_fields_rotate() == 1

    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert PartnerClient.objects.get(pk=hs256_partner.pk).embed_key == SHARED_SECRET


def test_a_value_under_a_new_key_list_still_opens_with_the_old_key_listed(hs256_partner, settings):
    settings.FIELD_ENCRYPTION_KEYS = [
        Fernet.generate_key().decode(),
        *settings.FIELD_ENCRYPTION_KEYS,
    ]

    assert PartnerClient.objects.get(pk=hs256_partner.pk).embed_key == SHARED_SECRET


def test_the_rotate_command_reports_what_it_did(hs256_partner, capsys):
    call_command("encrypted_fields_rotate")

    assert "1" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("keys", "error_id"), [([], "core.E001"), (["not-a-fernet-key"], "core.E002")]
)
def test_the_system_check_refuses_missing_or_broken_keys(settings, keys, error_id):
    settings.FIELD_ENCRYPTION_KEYS = keys

    assert [error.id for error in check_field_encryption_keys(None)] == [error_id]


def test_the_system_check_passes_with_a_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    assert check_field_encryption_keys(None) == []


def test_the_admin_page_never_shows_the_key(admin_client, change_url):
    response = admin_client.get(change_url)

    html = response.content.decode()
    assert response.status_code == 200
    assert SHARED_SECRET not in html
    assert _stored(PartnerClient.objects.get(key="crm")) not in html
    assert "fingerprint" in html or "Fingerabdruck" in html


def test_saving_with_the_field_empty_keeps_the_key(admin_client, change_url, hs256_partner):
    data = admin_form_data(admin_client.get(change_url))
    data["name"] = "CRM renamed"

    response = admin_client.post(change_url, data)

    assert response.status_code == 302
    hs256_partner.refresh_from_db()
    assert (hs256_partner.name, hs256_partner.embed_key) == ("CRM renamed", SHARED_SECRET)


def test_a_new_value_replaces_the_key(admin_client, change_url, hs256_partner):
    data = {**admin_form_data(admin_client.get(change_url)), "embed_key": NEW_SECRET}

    response = admin_client.post(change_url, data)

    assert response.status_code == 302
    hs256_partner.refresh_from_db()
    assert hs256_partner.embed_key == NEW_SECRET


def test_a_refused_new_value_is_not_shown_back(admin_client, change_url, hs256_partner):
    data = {**admin_form_data(admin_client.get(change_url)), "embed_key": "short-but-secret"}

    response = admin_client.post(change_url, data)

    assert response.status_code == 200
    assert "short-but-secret" not in response.content.decode()
    hs256_partner.refresh_from_db()
    assert hs256_partner.embed_key == SHARED_SECRET


def test_remove_clears_the_key(admin_client, change_url, hs256_partner):
    data = {**admin_form_data(admin_client.get(change_url)), "embed_key_remove": "on"}

    admin_client.post(change_url, data)

    hs256_partner.refresh_from_db()
    assert hs256_partner.embed_key == ""


def test_the_audit_trail_records_a_changed_key_without_either_value(
    admin_client, change_url, hs256_partner
):
    data = {**admin_form_data(admin_client.get(change_url)), "embed_key": NEW_SECRET}

    admin_client.post(change_url, data)

    change = ConfigChange.objects.get(object_id=str(hs256_partner.pk))
    recorded = str(change.changes)
    assert set(change.changes) == {"embed_key", "updated_at"}
    assert SHARED_SECRET not in recorded
    assert NEW_SECRET not in recorded
    assert change.changes["embed_key"]["from"] != change.changes["embed_key"]["to"]


def test_the_audit_trail_of_a_new_partner_masks_the_key(admin_client):
    PartnerClientFactory(key="seed")  # the sharing purpose the form offers
    add_url = reverse("admin:partners_partnerclient_add")
    data = {
        **admin_form_data(admin_client.get(add_url)),
        "name": "Shop",
        "key": "shop",
        "requests_per_minute": "60",
        "embed_algorithm": "HS256",
        "embed_key": NEW_SECRET,
    }

    response = admin_client.post(add_url, data)

    assert response.status_code == 302
    change = ConfigChange.objects.get(action=ConfigChange.Action.ADDED)
    assert NEW_SECRET not in str(change.changes)
    assert change.changes["embed_key"]["to"].startswith("********")


def test_a_privacy_officer_sees_whether_a_key_is_set_but_never_the_key(client, change_url):
    roles_sync()
    officer = User.objects.create_user("officer", password="x", is_staff=True)
    officer.groups.add(Group.objects.get(name=PRIVACY_OFFICER))
    client.force_login(officer)

    response = client.get(change_url)

    html = response.content.decode()
    assert response.status_code == 200
    assert SHARED_SECRET not in html
    assert "fingerprint" in html or "Fingerabdruck" in html


def test_the_data_migration_encrypts_keys_stored_in_clear_once_and_back(hs256_partner):
    state = MigrationExecutor(connection).loader.project_state([("partners", "0002_partner_api")])
    old_apps = state.apps
    old_apps.get_model("partners", "PartnerClient").objects.update(embed_key=SHARED_SECRET)
    migration = import_module("apps.partners.migrations.0003_encrypt_embed_keys")
    assert _stored(hs256_partner) == SHARED_SECRET

    migration.encrypt_embed_keys(old_apps, None)
    encrypted = _stored(hs256_partner)
    migration.encrypt_embed_keys(old_apps, None)  # run again: already encrypted, left alone

    assert _stored(hs256_partner) == encrypted != SHARED_SECRET
    assert PartnerClient.objects.get(pk=hs256_partner.pk).embed_key == SHARED_SECRET
    migration.decrypt_embed_keys(old_apps, None)
    assert _stored(hs256_partner) == SHARED_SECRET

"""Encrypt the embed keys stored in clear. The field is still plain text in this state, so
the rows are read as stored; a value that already opens with our keys is left as it is."""

from django.core.exceptions import ImproperlyConfigured
from django.db import migrations

from apps.core.encrypted_fields import field_decrypt, field_encrypt


def _is_encrypted(value: str) -> bool:
    try:
        field_decrypt(value)
    except ImproperlyConfigured:
        return False
    return True


def encrypt_embed_keys(apps, schema_editor):
    PartnerClient = apps.get_model("partners", "PartnerClient")
    for pk, value in PartnerClient.objects.exclude(embed_key="").values_list("pk", "embed_key"):
        if not _is_encrypted(value):
            PartnerClient.objects.filter(pk=pk).update(embed_key=field_encrypt(value))


def decrypt_embed_keys(apps, schema_editor):
    PartnerClient = apps.get_model("partners", "PartnerClient")
    for pk, value in PartnerClient.objects.exclude(embed_key="").values_list("pk", "embed_key"):
        if _is_encrypted(value):
            PartnerClient.objects.filter(pk=pk).update(embed_key=field_decrypt(value))


class Migration(migrations.Migration):
    dependencies = [("partners", "0002_partner_api")]

    operations = [migrations.RunPython(encrypt_embed_keys, decrypt_embed_keys)]

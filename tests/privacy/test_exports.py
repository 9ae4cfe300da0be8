"""Download everything: one ZIP with the versioned JSON, its schema and a readable summary."""

import json
import zipfile
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from apps.consent.receipts import receipt_verify
from apps.core.services import outbox_relay_pending
from apps.privacy.models import DataRequest
from apps.privacy.registry import privacy_parts
from apps.privacy.services.data_requests import data_request_create
from apps.privacy.services.exports import (
    JSON_NAME,
    SCHEMA_NAME,
    SCHEMA_PATH,
    SUMMARY_NAME,
    data_request_export_build,
    export_files_forget_expired,
)
from tests.privacy.conftest import (
    DISPLAY_NAME,
    EMAIL,
    KEPT_TEXT,
    PARTNER_CUSTOMER_ID,
    UNKEPT_TEXT,
)
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db


def _export(profile) -> DataRequest:
    data_request = data_request_create(profile=profile, kind=DataRequest.Kind.EXPORT)
    return data_request_export_build(data_request_id=data_request.pk)


def _zip(data_request: DataRequest) -> zipfile.ZipFile:
    return zipfile.ZipFile(data_request.file.open("rb"))


def test_the_export_holds_every_part_and_validates_against_its_schema(customer):
    data_request = _export(customer.profile)

    assert data_request.status == DataRequest.Status.DONE
    with _zip(data_request) as archive:
        assert set(archive.namelist()) == {JSON_NAME, SUMMARY_NAME, SCHEMA_NAME}
        document = json.loads(archive.read(JSON_NAME))
        schema = json.loads(archive.read(SCHEMA_NAME))
    jsonschema.Draft202012Validator(schema).validate(document)
    assert schema == json.loads(SCHEMA_PATH.read_text())
    assert document["schema_version"] == 1
    assert document["subject"]["public_id"] == str(customer.profile.public_id)

    profiles = document["profiles"]
    assert {(i["kind"], i["value"]) for i in profiles["identifiers"]} == {
        ("email", EMAIL),
        ("external", PARTNER_CUSTOMER_ID),
    }
    assert len(profiles["profile"]["merged_profiles"]) == 1

    consent = document["consent"]
    actions = {(event["purpose"], event["action"]) for event in consent["events"]}
    assert {("email_marketing", "grant"), ("email_marketing", "withdraw")} <= actions
    assert ("personalization", "grant") in actions  # given on the merged device
    withdrawal = next(e for e in consent["events"] if e["action"] == "withdraw")
    assert withdrawal["wording"]["text"] == "Der vollständige Text."
    assert withdrawal["evidence"]["ip_address_hmac"] == "a" * 64
    assert (
        receipt_verify(withdrawal["receipt"]["jws"])["consentReceiptID"] == withdrawal["receipt_id"]
    )
    assert {c["purpose"]: c["status"] for c in consent["choices"]}["email_marketing"] == "withdrawn"

    declarations = {d["attribute"]: d for d in document["preferences"]["declarations"]}
    assert declarations["favourite_place"]["value"] == KEPT_TEXT
    assert declarations["favourite_place"]["source"] == "quiz"
    assert declarations["favourite_place"]["source_name"] == "Quiz snack-quiz"
    assert declarations["favourite_place"]["consent_receipt_id"]
    assert [
        h["action"] for h in document["preferences"]["history"] if h["attribute"] == "snack"
    ] == [
        "declared",
        "changed",
    ]

    plays = {p["campaign"]: p for p in document["campaigns"]["participations"]}
    assert plays["drink-survey"]["answers"][0]["text"] == UNKEPT_TEXT
    assert plays["long-survey"]["completed_at"] is None

    loyalty = document["loyalty"]
    assert loyalty["account"]["balance"] == 170
    assert sum(entry["points"] for entry in loyalty["ledger"]) == 170
    assert loyalty["redemptions"][0]["reward"] == "Kaffee"
    assert loyalty["badges"][0]["badge"] == "Erste Schritte"

    challenges = document["challenges"]
    assert challenges["progress"][0]["steps_done"] == 2
    assert challenges["leaderboard_name"]["display_name"] == DISPLAY_NAME

    personalization = document["personalization"]
    assert personalization["segments"] == [
        {
            "segment": "sweet-tooth",
            "name": "Naschkatzen",
            "why": "Sagt, dass sie Süßes mag.",
            "rule": {"attribute": "snack", "op": "eq", "value": "sweet"},
        }
    ]
    assert [o["offer"] for o in personalization["offers_declined"]] == ["crisps"]
    assert personalization["churn_risk"]["score"] == 12

    assert (
        document["partners"]["linked_partners"][0]["your_customer_id_there"] == PARTNER_CUSTOMER_ID
    )
    assert {entry["who"] for entry in document["privacy"]["access_log"]} == {"staff", "Shop"}
    assert document["privacy"]["requests"][0]["request"] == "export"

    receipts = {r["campaign"]: r for r in document["exchange_receipts"]}
    snack = receipts["snack-quiz"]
    assert snack["points"] == 50
    assert {(t["attribute"], t["purpose"]) for t in snack["you_told_us"]} == {
        ("snack", "personalization"),
        ("favourite_place", "personalization"),
    }
    # The snack answer was changed in the preference center since; the place still holds.
    assert {t["attribute"]: t["still_kept"] for t in snack["you_told_us"]} == {
        "snack": False,
        "favourite_place": True,
    }
    assert snack["withdraw_it_at"] == ["http://127.0.0.1:8000/me/consents/#consent-personalization"]
    assert receipts["drink-survey"] == {
        **receipts["drink-survey"],
        "answers_kept": False,
        "you_told_us": [],
    }


def test_every_part_is_described_by_the_schema():
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)

    assert {part.label for part in privacy_parts()} <= set(schema["required"])


def test_the_summary_is_a_readable_page_in_the_customers_language(customer):
    customer.profile.locale = "en"
    customer.profile.save(update_fields=["locale"])

    data_request = _export(customer.profile)

    with _zip(data_request) as archive:
        summary = archive.read(SUMMARY_NAME).decode()
    assert summary.startswith("<!doctype html>")
    assert '<html lang="en">' in summary
    assert "Your data at Resonanz" in summary
    for value in (EMAIL, KEPT_TEXT, UNKEPT_TEXT, DISPLAY_NAME, "Naschkatzen", "Coffee"):
        assert value in summary


def test_asking_again_while_an_export_is_made_returns_the_one_waiting(profile):
    first = data_request_create(profile=profile, kind=DataRequest.Kind.EXPORT)

    assert data_request_create(profile=profile, kind=DataRequest.Kind.EXPORT) == first
    assert first.due_at - first.requested_at == timedelta(days=30)


def test_a_fresh_export_is_offered_instead_of_a_new_one_for_a_while(profile, export_root):
    first = _export(profile)

    assert data_request_create(profile=profile, kind=DataRequest.Kind.EXPORT) == first
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        second = data_request_create(profile=profile, kind=DataRequest.Kind.EXPORT)
    assert second != first
    assert second.status == DataRequest.Status.PENDING


def test_a_build_that_fails_is_recorded_on_the_request(profile, export_root, monkeypatch):
    def broken(*, profile):
        raise ValueError("schema drift")

    monkeypatch.setattr("apps.privacy.services.exports.export_document", broken)

    data_request = _export(profile)

    assert (data_request.status, data_request.error) == ("failed", "ValueError: schema drift")
    assert not data_request.file


def test_a_build_runs_once_however_often_its_task_is_delivered(profile, export_root):
    data_request = data_request_create(profile=profile, kind=DataRequest.Kind.EXPORT)

    assert data_request_export_build(data_request_id=data_request.pk) is not None
    assert data_request_export_build(data_request_id=data_request.pk) is None
    assert len(list(Path(export_root).rglob("*.zip"))) == 1


def test_the_customer_is_emailed_a_link_when_the_export_is_ready(customer, english):
    customer.profile.locale = "en"
    customer.profile.save(update_fields=["locale"])

    _export(customer.profile)
    outbox_relay_pending(batch_size=100)

    (message,) = mail.outbox
    assert message.to == [EMAIL]
    assert message.subject == "Your data from Resonanz is ready"
    assert "http://127.0.0.1:8000/me/privacy/export/" in message.body


def test_an_anonymous_customer_gets_no_email(profile, export_root):
    _export(profile)
    outbox_relay_pending(batch_size=100)

    assert mail.outbox == []


def test_export_files_are_deleted_when_their_link_expires(profile, export_root):
    data_request = _export(profile)
    path = Path(data_request.file.path)

    assert export_files_forget_expired() == 0
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        assert export_files_forget_expired() == 1

    data_request.refresh_from_db()
    assert not data_request.file
    assert not path.exists()


def test_no_export_is_made_for_an_erased_profile(profile, export_root):
    from apps.core.exceptions import ApplicationError
    from apps.profiles.services import profile_erasure_begin

    profile_erasure_begin(profile=profile)

    with pytest.raises(ApplicationError):
        data_request_create(profile=profile, kind=DataRequest.Kind.EXPORT)


def test_an_export_asked_before_an_erasure_began_keeps_nothing(profile, export_root):
    from apps.profiles.services import profile_erasure_begin

    data_request = data_request_create(profile=profile, kind=DataRequest.Kind.EXPORT)
    profile_erasure_begin(profile=profile)

    data_request_export_build(data_request_id=data_request.pk)

    data_request.refresh_from_db()
    assert data_request.status == DataRequest.Status.FAILED
    assert not data_request.file
    assert not any(export_root.rglob("*.zip"))


def test_a_profile_with_nothing_but_its_row_exports_valid_json(export_root):
    data_request = _export(ProfileFactory())

    with _zip(data_request) as archive:
        document = json.loads(archive.read(JSON_NAME))
    assert document["loyalty"]["account"] is None
    assert document["exchange_receipts"] == []


def test_the_summary_names_each_consent_decision_and_where_it_was_taken(customer):
    customer.profile.locale = "en"
    customer.profile.save(update_fields=["locale"])

    data_request = _export(customer.profile)

    with _zip(data_request) as archive:
        summary = archive.read(SUMMARY_NAME).decode()
        document = json.loads(archive.read(JSON_NAME))
    decisions = [event["decision"] for event in document["consent"]["events"]]
    assert decisions.count("withdraw") == 1
    assert "Withdrawn:" in summary
    assert "Your privacy choices" in summary
    assert "· preference-center ·" not in summary


def test_the_summary_gives_point_reasons_as_the_wallet_does_and_the_json_as_stored(customer):
    from apps.loyalty.models import Redemption
    from apps.loyalty.services import redemption_cancel

    redemption_cancel(redemption_id=Redemption.objects.get().pk, reason="")

    data_request = _export(customer.profile)

    with _zip(data_request) as archive:
        document = json.loads(archive.read(JSON_NAME))
        summary = archive.read(SUMMARY_NAME).decode()
    reasons = [(e["reason"], e["reason_shown"]) for e in document["loyalty"]["ledger"]]
    assert ("Reward: Coffee", "Kaffee") in reasons
    assert ("Redemption cancelled", "Einlösung storniert") in reasons
    assert "<td>Einlösung storniert</td>" in summary
    assert "<td>Kaffee</td>" in summary
    assert "Reward: Coffee" not in summary
    assert "Redemption cancelled" not in summary


def test_the_consent_and_points_parts_keep_their_query_count_however_long_the_history(
    django_assert_max_num_queries,
):
    from apps.consent import privacy as consent_privacy
    from apps.loyalty import privacy as loyalty_privacy
    from apps.loyalty.services import ledger_credit
    from apps.profiles.models import Profile
    from apps.profiles.services import profile_merge
    from tests.consent.factories import grant_consent, published_purpose
    from tests.consent.legacy import legacy_no

    purpose = published_purpose(key="personalization")
    member = ProfileFactory(kind=Profile.Kind.MEMBER)
    grant_consent(member, purpose)
    ledger_credit(profile=member, points=5, idempotency_key="p0", reason="Points expired")
    with django_assert_max_num_queries(20) as short:
        consent_privacy.export(member)
        loyalty_privacy.export(member)

    for number in range(5):
        device = ProfileFactory()
        grant_consent(device, purpose)
        ledger_credit(profile=device, points=5, idempotency_key=f"p{number}", reason="Test")
        profile_merge(source=device, target=member)
        legacy_no(member, purpose)
    with django_assert_max_num_queries(len(short.captured_queries)):
        consent = consent_privacy.export(member)
        loyalty_privacy.export(member)

    assert [e["decision"] for e in consent["events"]][-2:] == ["grant", "withdraw"]

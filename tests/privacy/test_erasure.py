"""Erasing everything: nothing personal remains anywhere, what must stay stays pseudonymised."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from apps.campaigns.models import Answer, Participation
from apps.challenges.models import ChallengeProgress, LeaderboardName
from apps.consent.models import ConsentEvent, ConsentState
from apps.core.models import OutboxEvent
from apps.core.services import outbox_relay_pending
from apps.loyalty.models import Account, BadgeAward, LedgerEntry
from apps.partners.models import PartnerChange
from apps.personalization.models import ChurnScore, SegmentMember
from apps.preferences.models import Declaration, DeclarationHistory
from apps.privacy.models import AccessLog, DataRequest, PartnerNotice
from apps.privacy.services.data_requests import data_request_create
from apps.privacy.services.erasure import data_request_erase_run
from apps.privacy.services.exports import data_request_export_build
from apps.profiles.models import Identifier, Profile
from apps.profiles.services import sign_in_link_request
from tests.privacy.helpers import tables_containing

pytestmark = pytest.mark.django_db


def _erase(profile: Profile) -> DataRequest:
    data_request = data_request_create(profile=profile, kind=DataRequest.Kind.ERASURE)
    return data_request_erase_run(data_request_id=data_request.pk)


def _ledger_adds_up() -> None:
    output = StringIO()
    call_command("verify_ledger", stdout=output)
    assert "Every account adds up" in output.getvalue()


def test_erasure_leaves_no_personal_value_anywhere_in_the_database(customer):
    profile = customer.profile
    old_public_id = str(profile.public_id)
    sign_in_link_request(email=customer.personal_values[0], language="de")
    # Every value is somewhere before: the scan finds what it looks for.
    assert set(tables_containing(customer.personal_values)) == set(customer.personal_values)
    consent_events = ConsentEvent.objects.count()
    entries = LedgerEntry.objects.count()

    data_request = _erase(profile)
    outbox_relay_pending(batch_size=100)

    assert data_request.status == DataRequest.Status.DONE
    assert tables_containing(customer.personal_values) == {}
    _ledger_adds_up()
    # Proof and accounting stay, pointing at a tombstone that names nobody.
    profile.refresh_from_db()
    assert profile.kind == Profile.Kind.ERASED
    assert profile.is_erased
    assert str(profile.public_id) != old_public_id
    assert not Identifier.objects.filter(profile=profile).exists()
    assert ConsentEvent.objects.count() == consent_events
    assert ConsentEvent.objects.filter(profile__merged_into=profile).exists()
    assert not Profile.objects.filter(public_id=old_public_id).exists()
    # Only the notice to partners still names the id they knew.
    naming = OutboxEvent.objects.filter(payload__profile=old_public_id)
    assert list(naming.values_list("name", flat=True)) == ["profile.erased"]
    assert LedgerEntry.objects.count() == entries + 1  # the forfeit of what was left
    assert Account.objects.get(profile=profile).balance == 0


def test_erasure_deletes_declarations_answers_and_everything_derived(customer):
    _erase(customer.profile)

    ids = [
        customer.profile.pk,
        *Profile.objects.filter(merged_into=customer.profile).values_list("pk", flat=True),
    ]
    for model in (
        Declaration,
        DeclarationHistory,
        BadgeAward,
        ChallengeProgress,
        LeaderboardName,
        SegmentMember,
        ChurnScore,
        ConsentState,
    ):
        assert not model.objects.filter(profile__in=ids).exists(), model
    assert not Answer.objects.exists()
    # The unfinished play goes; finished ones stay for the campaign's figures, without answers.
    assert not Participation.objects.filter(pk=customer.open_play.pk).exists()
    kept = Participation.objects.get(pk=customer.kept_play.pk)
    assert (kept.profile_id, kept.dimension_results, kept.withheld_attributes) == (
        customer.profile.pk,
        [],
        [],
    )
    assert AccessLog.objects.filter(profile=customer.profile).count() == 2


def test_erasure_counts_what_it_removed_per_app(customer):
    data_request = _erase(customer.profile)

    result = data_request.result
    assert result["erased"]["preferences"]["declarations"] == 3
    assert result["erased"]["campaigns"]["unfinished_participations"] == 1
    assert result["erased"]["profiles"]["identifiers"] == 2
    assert result["erased"]["loyalty"]["points_forfeited"] == 170
    assert "subject" not in result


def test_partners_that_knew_the_customer_are_told_of_the_erasure(customer):
    old_public_id = str(customer.profile.public_id)

    data_request = _erase(customer.profile)
    outbox_relay_pending(batch_size=100)

    event = OutboxEvent.objects.get(name="profile.erased")
    assert event.payload == {
        "profile": old_public_id,
        "partners": ["shop"],
        "request": str(data_request.public_id),
    }
    change = PartnerChange.objects.get(kind="profile.erased")
    assert (change.partner, str(change.profile_public_id)) == (customer.partner, old_public_id)
    notice = PartnerNotice.objects.get(kind="profile.erased")
    assert (notice.partner, notice.data_request, notice.via) == (
        customer.partner,
        data_request,
        "feed",
    )
    assert notice.acknowledged_at is None


def test_an_erased_customer_is_signed_out_and_cannot_write_any_more(customer, client):
    from apps.core.exceptions import ApplicationError
    from apps.profiles.lock_objects import profile_lock
    from tests.profiles.helpers import browse_as

    browse_as(client, customer.profile)
    _erase(customer.profile)

    assert client.get("/me/privacy/").context["has_data"] is False
    with pytest.raises(ApplicationError):
        profile_lock(profile=customer.profile)


def test_erasure_of_a_customer_in_the_middle_of_a_quiz_takes_the_answers_so_far(customer):
    assert Answer.objects.filter(participation=customer.open_play).exists()

    data_request = _erase(customer.profile)

    assert data_request.status == DataRequest.Status.DONE
    assert not Participation.objects.filter(pk=customer.open_play.pk).exists()


def test_erasure_run_twice_erases_once(customer):
    data_request = data_request_create(profile=customer.profile, kind=DataRequest.Kind.ERASURE)

    assert data_request_erase_run(data_request_id=data_request.pk) is not None
    assert data_request_erase_run(data_request_id=data_request.pk) is None
    assert OutboxEvent.objects.filter(name="profile.erased").count() == 1


def test_a_failed_erasure_is_recorded_and_a_retry_finishes_it(customer, monkeypatch):
    from apps.privacy import registry
    from apps.privacy.services.data_requests import data_request_retry

    parts = registry.privacy_parts_for_erasure()
    broken = [
        registry.PrivacyPart(
            p.label, p.export, _fail if p.label == "loyalty" else p.erase, p.erase_order
        )
        for p in parts
    ]
    monkeypatch.setattr("apps.privacy.services.erasure.privacy_parts_for_erasure", lambda: broken)
    data_request = _erase(customer.profile)

    assert data_request.status == DataRequest.Status.FAILED
    assert data_request.error.startswith("loyalty: RuntimeError")
    assert Identifier.objects.filter(profile=customer.profile).exists()

    monkeypatch.setattr("apps.privacy.services.erasure.privacy_parts_for_erasure", lambda: parts)
    data_request_retry(data_request=data_request)
    data_request = data_request_erase_run(data_request_id=data_request.pk)

    assert data_request.status == DataRequest.Status.DONE
    assert tables_containing(customer.personal_values) == {}
    _ledger_adds_up()


def _fail(profile):
    raise RuntimeError("disk full")


def test_exports_are_deleted_with_the_customer(customer, django_capture_on_commit_callbacks):
    export = data_request_create(profile=customer.profile, kind=DataRequest.Kind.EXPORT)
    export = data_request_export_build(data_request_id=export.pk)
    path = Path(export.file.path)
    assert path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        _erase(customer.profile)

    export.refresh_from_db()
    assert not export.file
    assert not path.exists()

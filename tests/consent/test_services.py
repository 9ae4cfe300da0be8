from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from apps.consent.evidence import Evidence
from apps.consent.models import ConsentEvent, ConsentState, ImmutableRecordError, PurposeVersion
from apps.consent.selectors import consent_is_granted
from apps.consent.services import (
    consent_apply_gpc,
    consent_confirm_double_opt_in,
    consent_decide,
    consent_grant,
    consent_withdraw,
    double_opt_in_token,
    purpose_version_create_draft,
    purpose_version_publish,
)
from apps.core.exceptions import ApplicationError
from apps.core.models import OutboxEvent
from apps.core.services import outbox_sweep
from apps.profiles.models import Profile
from tests.consent.factories import PurposeVersionFactory, publish_new_version

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _state(profile, purpose) -> ConsentState:
    return ConsentState.objects.get(profile=profile, purpose=purpose)


def test_consent_grant_records_the_event_and_the_state_together(profile, purpose, decision_context):
    event = consent_grant(
        profile=profile, purpose_version=purpose.current_version, **decision_context
    )

    state = _state(profile, purpose)
    assert (state.status, state.event, state.version) == (
        ConsentState.Status.GRANTED,
        event,
        purpose.current_version,
    )
    assert event.action == ConsentEvent.Action.GRANT
    assert event.ip_hmac == "a" * 64
    assert event.collection_point == "preference-center"
    assert OutboxEvent.objects.filter(name="consent.granted").count() == 1


def test_consent_grant_twice_is_refused_and_changes_nothing(profile, purpose, decision_context):
    consent_grant(profile=profile, purpose_version=purpose.current_version, **decision_context)

    with pytest.raises(ApplicationError, match="already agreed"):
        consent_grant(profile=profile, purpose_version=purpose.current_version, **decision_context)

    assert ConsentEvent.objects.count() == 1


def test_consent_grant_of_an_unpublished_version_is_refused(profile, purpose, decision_context):
    draft = purpose_version_create_draft(purpose=purpose)

    with pytest.raises(ApplicationError, match="not been published"):
        consent_grant(profile=profile, purpose_version=draft, **decision_context)

    assert not ConsentEvent.objects.exists()


def test_consent_grant_of_a_replaced_version_is_refused(profile, purpose, decision_context):
    old = purpose.current_version
    publish_new_version(purpose)

    with pytest.raises(ApplicationError, match="replaced"):
        consent_grant(profile=profile, purpose_version=old, **decision_context)


def test_consent_withdraw_after_a_grant(profile, purpose, decision_context):
    consent_grant(profile=profile, purpose_version=purpose.current_version, **decision_context)

    event = consent_withdraw(profile=profile, purpose=purpose, **decision_context)

    assert event.action == ConsentEvent.Action.WITHDRAW
    assert _state(profile, purpose).status == ConsentState.Status.WITHDRAWN
    assert not consent_is_granted(profile=profile, purpose_key=purpose.key)


def test_consent_withdraw_without_an_answer_records_a_refusal(profile, purpose, decision_context):
    event = consent_withdraw(profile=profile, purpose=purpose, **decision_context)

    assert event.purpose_version == purpose.current_version
    assert event.action == ConsentEvent.Action.REFUSE
    assert _state(profile, purpose).status == ConsentState.Status.REFUSED


def test_consent_withdraw_twice_is_refused_and_changes_nothing(profile, purpose, decision_context):
    consent_withdraw(profile=profile, purpose=purpose, **decision_context)

    with pytest.raises(ApplicationError, match="already said no"):
        consent_withdraw(profile=profile, purpose=purpose, **decision_context)

    assert ConsentEvent.objects.count() == 1


def test_consent_decide_creates_the_profile_on_the_first_decision(purpose, decision_context):
    event = consent_decide(profile=None, purpose=purpose, decision="grant", **decision_context)

    assert Profile.objects.get() == event.profile


@pytest.mark.parametrize("problem", ["draft_only", "no_email", "gpc"])
def test_consent_decide_creates_no_profile_when_the_decision_fails(
    problem, purpose, newsletter_purpose, sharing_purpose, decision_context
):
    target = {
        "draft_only": lambda: PurposeVersionFactory(purpose__key="draft_only").purpose,
        "no_email": lambda: newsletter_purpose,
        "gpc": lambda: sharing_purpose,
    }[problem]()
    if problem == "gpc":
        decision_context["evidence"] = Evidence(gpc_signal=True)

    with pytest.raises(ApplicationError):
        consent_decide(profile=None, purpose=target, decision="grant", **decision_context)

    assert not Profile.objects.exists()


def test_a_material_change_stops_covering_new_collection_but_keeps_old_data(
    profile, purpose, decision_context
):
    consent_grant(profile=profile, purpose_version=purpose.current_version, **decision_context)

    publish_new_version(purpose, is_material=True)

    assert consent_is_granted(profile=profile, purpose_key=purpose.key)
    assert not consent_is_granted(profile=profile, purpose_key=purpose.key, for_new_collection=True)


def test_a_non_material_change_keeps_covering_new_collection(profile, purpose, decision_context):
    consent_grant(profile=profile, purpose_version=purpose.current_version, **decision_context)

    publish_new_version(purpose, is_material=False, text_de="Ein Tippfehler weniger.")

    assert consent_is_granted(profile=profile, purpose_key=purpose.key, for_new_collection=True)


def test_granting_the_new_version_after_a_material_change_covers_collection_again(
    profile, purpose, decision_context
):
    consent_grant(profile=profile, purpose_version=purpose.current_version, **decision_context)
    new = publish_new_version(purpose, is_material=True)

    consent_grant(profile=profile, purpose_version=new, **decision_context)

    assert consent_is_granted(profile=profile, purpose_key=purpose.key, for_new_collection=True)


def test_gpc_withdraws_sale_or_share_purposes_only(
    profile, purpose, sharing_purpose, decision_context, evidence
):
    for p in (purpose, sharing_purpose):
        consent_grant(profile=profile, purpose_version=p.current_version, **decision_context)
    gpc = Evidence(ip_hmac="c" * 64, user_agent_hmac="d" * 64, gpc_signal=True)

    (event,) = consent_apply_gpc(
        profile=profile, evidence=gpc, collection_point="gpc:/", language="de"
    )

    assert event.purpose == sharing_purpose
    assert event.trigger == ConsentEvent.Trigger.GPC
    assert event.gpc_signal is True
    assert consent_is_granted(profile=profile, purpose_key=purpose.key)
    assert not consent_is_granted(profile=profile, purpose_key=sharing_purpose.key)


def test_granting_a_sharing_purpose_with_gpc_on_is_refused(
    profile, sharing_purpose, decision_context
):
    decision_context["evidence"] = Evidence(gpc_signal=True)

    with pytest.raises(ApplicationError, match="Global Privacy Control"):
        consent_grant(
            profile=profile, purpose_version=sharing_purpose.current_version, **decision_context
        )


def test_double_opt_in_stays_pending_until_the_link_is_confirmed(
    profile, newsletter_purpose, decision_context
):
    request = consent_grant(
        profile=profile,
        purpose_version=newsletter_purpose.current_version,
        email="kim@example.com",
        **decision_context,
    )

    assert request.action == ConsentEvent.Action.REQUEST
    assert _state(profile, newsletter_purpose).status == ConsentState.Status.PENDING
    assert not consent_is_granted(profile=profile, purpose_key="email_marketing")

    grant = consent_confirm_double_opt_in(
        token=double_opt_in_token(receipt_id=request.receipt_id), evidence=Evidence()
    )

    assert grant.trigger == ConsentEvent.Trigger.DOUBLE_OPT_IN
    assert consent_is_granted(profile=profile, purpose_key="email_marketing")


def test_a_double_opt_in_asked_before_signing_in_is_confirmed_for_the_member(
    profile, newsletter_purpose, decision_context
):
    from apps.profiles.models import Profile
    from apps.profiles.services import profile_merge
    from tests.profiles.factories import ProfileFactory

    request = consent_grant(
        profile=profile,
        purpose_version=newsletter_purpose.current_version,
        email="kim@example.com",
        **decision_context,
    )
    member = profile_merge(source=profile, target=ProfileFactory(kind=Profile.Kind.MEMBER))

    consent_confirm_double_opt_in(
        token=double_opt_in_token(receipt_id=request.receipt_id), evidence=Evidence()
    )

    assert consent_is_granted(profile=member, purpose_key="email_marketing")


def test_double_opt_in_needs_a_valid_email(profile, newsletter_purpose, decision_context):
    with pytest.raises(ApplicationError, match="valid e-mail"):
        consent_grant(
            profile=profile,
            purpose_version=newsletter_purpose.current_version,
            email="not-an-address",
            **decision_context,
        )

    assert not ConsentEvent.objects.exists()


def test_double_opt_in_link_works_once(profile, newsletter_purpose, decision_context):
    request = consent_grant(
        profile=profile,
        purpose_version=newsletter_purpose.current_version,
        email="kim@example.com",
        **decision_context,
    )
    token = double_opt_in_token(receipt_id=request.receipt_id)
    consent_confirm_double_opt_in(token=token, evidence=Evidence())

    with pytest.raises(ApplicationError, match="already been used"):
        consent_confirm_double_opt_in(token=token, evidence=Evidence())

    assert ConsentEvent.objects.filter(action=ConsentEvent.Action.GRANT).count() == 1


def test_double_opt_in_link_expires(profile, newsletter_purpose, decision_context):
    request = consent_grant(
        profile=profile,
        purpose_version=newsletter_purpose.current_version,
        email="kim@example.com",
        **decision_context,
    )
    token = double_opt_in_token(receipt_id=request.receipt_id)

    with (
        override_settings(CONSENT_DOUBLE_OPT_IN_MAX_AGE=-1),
        pytest.raises(ApplicationError, match="expired"),
    ):
        consent_confirm_double_opt_in(token=token, evidence=Evidence())

    assert _state(profile, newsletter_purpose).status == ConsentState.Status.PENDING


def test_double_opt_in_link_that_was_tampered_with_is_refused(
    profile, newsletter_purpose, decision_context
):
    request = consent_grant(
        profile=profile,
        purpose_version=newsletter_purpose.current_version,
        email="kim@example.com",
        **decision_context,
    )
    token = double_opt_in_token(receipt_id=request.receipt_id)

    with pytest.raises(ApplicationError, match="not valid"):
        consent_confirm_double_opt_in(token=token[:-2] + "xx", evidence=Evidence())


def test_double_opt_in_link_after_a_withdrawal_no_longer_works(
    profile, newsletter_purpose, decision_context
):
    request = consent_grant(
        profile=profile,
        purpose_version=newsletter_purpose.current_version,
        email="kim@example.com",
        **decision_context,
    )
    consent_withdraw(profile=profile, purpose=newsletter_purpose, **decision_context)

    with pytest.raises(ApplicationError, match="already been used"):
        consent_confirm_double_opt_in(
            token=double_opt_in_token(receipt_id=request.receipt_id), evidence=Evidence()
        )


def test_double_opt_in_mail_is_sent_when_the_event_is_relayed(
    profile, newsletter_purpose, decision_context
):
    consent_grant(
        profile=profile,
        purpose_version=newsletter_purpose.current_version,
        email="kim@example.com",
        **decision_context,
    )
    OutboxEvent.objects.update(
        created_at=OutboxEvent.objects.first().created_at - timedelta(hours=1)
    )

    outbox_sweep(grace_seconds=0, batch_size=100)

    (message,) = mail.outbox
    assert message.to == ["kim@example.com"]
    assert "/consents/confirm/" in message.body
    assert message.subject == "Bitte bestätige deine E-Mail-Einwilligung für Resonanz"


def test_purpose_version_publish_freezes_the_wording(purpose):
    version = purpose.current_version

    version.text_de = "Heimlich geändert."
    with pytest.raises(ImmutableRecordError):
        version.save()
    with pytest.raises(ImmutableRecordError):
        version.delete()

    assert PurposeVersion.objects.get(pk=version.pk).text_de == "Der vollständige Text."


def test_purpose_version_publish_twice_is_refused(purpose):
    with pytest.raises(ApplicationError, match="already published"):
        purpose_version_publish(version=purpose.current_version)


def test_purpose_version_create_draft_copies_the_latest_wording(purpose):
    draft = purpose_version_create_draft(purpose=purpose)

    assert draft.version == purpose.current_version.version + 1
    assert draft.text_de == purpose.current_version.text_de
    assert not draft.is_published
    assert purpose_version_create_draft(purpose=purpose) == draft


def test_consent_events_cannot_be_changed_or_deleted_through_the_orm(
    profile, purpose, decision_context
):
    event = consent_grant(
        profile=profile, purpose_version=purpose.current_version, **decision_context
    )

    event.collection_point = "elsewhere"
    with pytest.raises(ImmutableRecordError):
        event.save()
    with pytest.raises(ImmutableRecordError):
        event.delete()


def _request_newsletter(profile, purpose, decision_context) -> ConsentEvent:
    return consent_grant(
        profile=profile,
        purpose_version=purpose.current_version,
        email="kim@example.com",
        **decision_context,
    )


def test_double_opt_in_confirmation_is_refused_under_gpc_for_sharing_purposes(
    profile, decision_context
):
    from tests.consent.factories import published_purpose

    shared_newsletter = published_purpose(
        key="partner_newsletter", requires_double_opt_in=True, is_sale_or_share=True
    )
    request = _request_newsletter(profile, shared_newsletter, decision_context)

    with pytest.raises(ApplicationError, match="Global Privacy Control"):
        consent_confirm_double_opt_in(
            token=double_opt_in_token(receipt_id=request.receipt_id),
            evidence=Evidence(gpc_signal=True),
        )

    assert _state(profile, shared_newsletter).status == ConsentState.Status.PENDING


def test_double_opt_in_confirmation_after_a_new_wording_is_refused(
    profile, newsletter_purpose, decision_context
):
    request = _request_newsletter(profile, newsletter_purpose, decision_context)
    publish_new_version(newsletter_purpose, is_material=True)

    with pytest.raises(ApplicationError, match="replaced"):
        consent_confirm_double_opt_in(
            token=double_opt_in_token(receipt_id=request.receipt_id), evidence=Evidence()
        )


def test_a_confirmed_address_is_not_asked_again_after_a_material_change(
    profile, newsletter_purpose, decision_context
):
    request = _request_newsletter(profile, newsletter_purpose, decision_context)
    consent_confirm_double_opt_in(
        token=double_opt_in_token(receipt_id=request.receipt_id), evidence=Evidence()
    )
    new_version = publish_new_version(newsletter_purpose, is_material=True)

    event = consent_grant(profile=profile, purpose_version=new_version, **decision_context)

    assert event.action == ConsentEvent.Action.GRANT
    assert consent_is_granted(
        profile=profile, purpose_key="email_marketing", for_new_collection=True
    )


def test_double_opt_in_is_not_resent_within_ten_minutes(
    profile, newsletter_purpose, decision_context
):
    _request_newsletter(profile, newsletter_purpose, decision_context)

    with pytest.raises(ApplicationError, match="a moment ago"):
        _request_newsletter(profile, newsletter_purpose, decision_context)

    assert ConsentEvent.objects.count() == 1


def test_an_older_double_opt_in_link_stops_working_after_a_new_request(
    profile, newsletter_purpose, decision_context
):
    first = _request_newsletter(profile, newsletter_purpose, decision_context)
    ConsentState.objects.update(updated_at=first.occurred_at - timedelta(hours=1))
    second = _request_newsletter(profile, newsletter_purpose, decision_context)

    with pytest.raises(ApplicationError, match="already been used"):
        consent_confirm_double_opt_in(
            token=double_opt_in_token(receipt_id=first.receipt_id), evidence=Evidence()
        )
    consent_confirm_double_opt_in(
        token=double_opt_in_token(receipt_id=second.receipt_id), evidence=Evidence()
    )
    assert _state(profile, newsletter_purpose).status == ConsentState.Status.GRANTED


def test_purpose_version_publish_refuses_wording_missing_a_language(purpose):
    draft = PurposeVersionFactory(purpose=purpose, version=9, summary_en="")

    with pytest.raises(ApplicationError, match="every language"):
        purpose_version_publish(version=draft)

    draft.refresh_from_db()
    assert not draft.is_published


def test_a_grant_records_german_when_the_wording_was_never_written_in_the_customers_language(
    profile, purpose, decision_context
):
    # As a version published before English was added: it has no English wording.
    version = PurposeVersionFactory(
        purpose=purpose,
        version=9,
        title_en="",
        summary_en="",
        text_en="",
        published_at=timezone.now(),
    )
    purpose.current_version = version
    purpose.save(update_fields=["current_version"])

    event = consent_grant(
        profile=profile, purpose_version=version, **{**decision_context, "language": "en"}
    )

    assert event.language == "de"


def test_a_grant_records_the_customers_language_when_the_wording_is_written_in_it(
    profile, purpose, decision_context
):
    event = consent_grant(
        profile=profile,
        purpose_version=purpose.current_version,
        **{**decision_context, "language": "en"},
    )

    assert event.language == "en"


def test_consent_withdraw_after_a_refusal_and_a_grant_is_a_withdrawal(
    profile, purpose, decision_context
):
    refusal = consent_withdraw(profile=profile, purpose=purpose, **decision_context)
    consent_grant(profile=profile, purpose_version=purpose.current_version, **decision_context)

    withdrawal = consent_withdraw(profile=profile, purpose=purpose, **decision_context)

    assert (refusal.action, withdrawal.action) == (
        ConsentEvent.Action.REFUSE,
        ConsentEvent.Action.WITHDRAW,
    )
    assert _state(profile, purpose).status == ConsentState.Status.WITHDRAWN


def test_consent_withdraw_while_the_opt_in_waits_for_its_link_is_a_refusal(
    profile, newsletter_purpose, decision_context
):
    consent_grant(
        profile=profile,
        purpose_version=newsletter_purpose.current_version,
        email="kim@example.com",
        **decision_context,
    )

    event = consent_withdraw(profile=profile, purpose=newsletter_purpose, **decision_context)

    assert event.action == ConsentEvent.Action.REFUSE
    assert _state(profile, newsletter_purpose).status == ConsentState.Status.REFUSED


def test_consent_withdraw_after_a_refusal_says_no_was_already_said(
    profile, purpose, decision_context
):
    consent_withdraw(profile=profile, purpose=purpose, **decision_context)

    with pytest.raises(ApplicationError, match="already said no"):
        consent_withdraw(profile=profile, purpose=purpose, **decision_context)


def test_a_refusal_publishes_consent_refused_and_a_withdrawal_consent_withdrawn(
    profile, purpose, sharing_purpose, decision_context
):
    consent_withdraw(profile=profile, purpose=purpose, **decision_context)
    consent_grant(
        profile=profile, purpose_version=sharing_purpose.current_version, **decision_context
    )
    consent_withdraw(profile=profile, purpose=sharing_purpose, **decision_context)

    published = [
        (event.name, event.payload["purpose"])
        for event in OutboxEvent.objects.filter(name__startswith="consent.").order_by("pk")
    ]
    assert published == [
        ("consent.refused", purpose.key),
        ("consent.granted", sharing_purpose.key),
        ("consent.withdrawn", sharing_purpose.key),
    ]


def test_gpc_withdraws_a_grant_and_refuses_a_waiting_opt_in(profile, decision_context):
    from tests.consent.factories import published_purpose

    shared = published_purpose(key="partner_sharing", is_sale_or_share=True)
    waiting = published_purpose(
        key="partner_mail", is_sale_or_share=True, requires_double_opt_in=True
    )
    consent_grant(profile=profile, purpose_version=shared.current_version, **decision_context)
    consent_grant(
        profile=profile,
        purpose_version=waiting.current_version,
        email="kim@example.com",
        **decision_context,
    )

    events = consent_apply_gpc(
        profile=profile, evidence=Evidence(gpc_signal=True), collection_point="gpc:/", language="de"
    )

    assert {(e.purpose.key, e.action, e.trigger) for e in events} == {
        (shared.key, ConsentEvent.Action.WITHDRAW, ConsentEvent.Trigger.GPC),
        (waiting.key, ConsentEvent.Action.REFUSE, ConsentEvent.Trigger.GPC),
    }


def test_gpc_still_wins_over_a_yes_after_a_refusal(profile, sharing_purpose, decision_context):
    consent_withdraw(profile=profile, purpose=sharing_purpose, **decision_context)
    decision_context["evidence"] = Evidence(gpc_signal=True)

    with pytest.raises(ApplicationError, match="Global Privacy Control"):
        consent_grant(
            profile=profile, purpose_version=sharing_purpose.current_version, **decision_context
        )

    assert _state(profile, sharing_purpose).status == ConsentState.Status.REFUSED

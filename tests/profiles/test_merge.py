from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.campaigns.events import QuizCompleted
from apps.campaigns.models import Participation
from apps.campaigns.selectors import participation_for
from apps.consent.evidence import Evidence
from apps.consent.models import Channel, ConsentState
from apps.consent.selectors import consent_event_list
from apps.consent.services import consent_withdraw
from apps.core.exceptions import ApplicationError
from apps.core.models import OutboxEvent
from apps.loyalty.models import Account, LedgerEntry, Redemption
from apps.loyalty.selectors import upcoming_expiry
from apps.loyalty.services import ledger_credit, ledger_debit, redemption_create
from apps.preferences.models import Declaration, Source
from apps.preferences.selectors import declaration_history_list
from apps.preferences.services import preference_declare
from apps.profiles.models import Profile
from apps.profiles.services import profile_merge
from tests.consent.factories import grant_consent, published_purpose
from tests.loyalty.factories import EarningRuleFactory, RewardFactory
from tests.preferences.factories import AttributeFactory
from tests.profiles.factories import ProfileFactory
from tests.profiles.helpers import one_question_campaign, play

pytestmark = pytest.mark.django_db

EXPIRY = "apps.loyalty.services.ledger._default_expiry"


@pytest.fixture
def member():
    return ProfileFactory(kind=Profile.Kind.MEMBER)


@pytest.fixture
def anonymous():
    return ProfileFactory()


def _balance(profile) -> int:
    account = Account.objects.filter(profile=profile).first()
    return account.balance if account else 0


def _credit(profile, points, key, *, expires_in_days=365):
    with mock.patch(EXPIRY, return_value=timezone.now() + timedelta(days=expires_in_days)):
        return ledger_credit(profile=profile, points=points, idempotency_key=key, reason="test")


def test_merge_moves_the_balance_lot_by_lot_with_expiry_dates_and_creates_no_point(
    member, anonymous
):
    _credit(member, 100, "m1")
    _credit(anonymous, 30, "a1", expires_in_days=10)
    _credit(anonymous, 20, "a2", expires_in_days=100)
    ledger_debit(profile=anonymous, points=10, idempotency_key="a3", reason="spent")

    profile_merge(source=anonymous, target=member)

    assert _balance(member) == 140
    assert _balance(anonymous) == 0
    moved = LedgerEntry.objects.filter(account__profile=member, kind=LedgerEntry.Kind.MERGE)
    # The debit used the older lot first: 20 of it is left, expiring as it would have.
    assert sorted((e.amount, (e.expires_at - timezone.now()).days) for e in moved) == [
        (20, 9),
        (20, 99),
    ]
    assert upcoming_expiry(account=Account.objects.get(profile=member)).points == 20
    output = StringIO()
    call_command("verify_ledger", stdout=output)
    assert "Every account adds up" in output.getvalue()


def test_merge_leaves_a_tombstone_and_publishes_profile_merged(member, anonymous):
    profile_merge(source=anonymous, target=member)

    anonymous.refresh_from_db()
    assert anonymous.kind == Profile.Kind.MERGED
    assert anonymous.merged_into == member
    event = OutboxEvent.objects.get(name="profile.merged")
    assert event.payload == {"profile": str(member.public_id), "merged": str(anonymous.public_id)}


def test_merging_again_changes_nothing(member, anonymous):
    _credit(anonymous, 30, "a1")
    profile_merge(source=anonymous, target=member)
    entries = LedgerEntry.objects.count()

    assert profile_merge(source=anonymous, target=member) == member

    assert LedgerEntry.objects.count() == entries
    assert _balance(member) == 30
    assert OutboxEvent.objects.filter(name="profile.merged").count() == 1


def test_a_tombstone_cannot_be_merged_into_someone_else(member, anonymous, english):
    profile_merge(source=anonymous, target=member)

    with pytest.raises(ApplicationError, match="already merged"):
        profile_merge(source=anonymous, target=ProfileFactory(kind=Profile.Kind.MEMBER))


def test_merge_keeps_every_consent_event_and_the_latest_decision_per_purpose_wins(
    member, anonymous
):
    personalization = published_purpose(key="personalization")
    newsletter = published_purpose(key="email_marketing_test")
    leaderboard = published_purpose(key="leaderboard")
    grant_consent(member, personalization)
    grant_consent(member, leaderboard)
    # The anonymous decisions come later, except on the leaderboard, decided again below.
    consent_withdraw(
        profile=anonymous,
        purpose=personalization,
        channel=Channel.WEB,
        collection_point="quiz",
        evidence=Evidence(),
        language="de",
    )
    grant_consent(anonymous, newsletter)
    grant_consent(anonymous, leaderboard)
    consent_withdraw(
        profile=member,
        purpose=leaderboard,
        channel=Channel.WEB,
        collection_point="preference-center",
        evidence=Evidence(),
        language="de",
    )
    events_before = (
        consent_event_list(profile=member).count() + consent_event_list(profile=anonymous).count()
    )

    profile_merge(source=anonymous, target=member)

    states = {s.purpose.key: s.status for s in ConsentState.objects.filter(profile=member)}
    assert states == {
        # The anonymous device's no is the latest decision: it takes back the member's yes.
        "personalization": ConsentState.Status.WITHDRAWN,
        "email_marketing_test": ConsentState.Status.GRANTED,
        "leaderboard": ConsentState.Status.WITHDRAWN,
    }
    assert not ConsentState.objects.filter(profile=anonymous).exists()
    assert consent_event_list(profile=member).count() == events_before == 6


def test_a_devices_no_after_the_members_yes_is_a_withdrawal_announced_for_the_member(
    member, anonymous
):
    personalization = published_purpose(key="personalization")
    newsletter = published_purpose(key="email_marketing_test")
    grant_consent(member, personalization)
    for purpose in (personalization, newsletter):
        consent_withdraw(
            profile=anonymous,
            purpose=purpose,
            channel=Channel.WEB,
            collection_point="quiz",
            evidence=Evidence(),
            language="de",
        )
    refusal = ConsentState.objects.get(profile=anonymous, purpose=personalization).event

    profile_merge(source=anonymous, target=member)

    states = {s.purpose.key: s.status for s in ConsentState.objects.filter(profile=member)}
    assert states == {
        "personalization": ConsentState.Status.WITHDRAWN,
        # Nothing was agreed to here: the device's no stays a refusal.
        "email_marketing_test": ConsentState.Status.REFUSED,
    }
    (withdrawn,) = OutboxEvent.objects.filter(name="consent.withdrawn")
    assert withdrawn.payload == {
        "profile": str(member.public_id),
        "purpose": "personalization",
        "version": personalization.current_version.version,
        "receipt_id": str(refusal.receipt_id),
        "trigger": "customer",
    }


def test_merge_keeps_the_newest_declaration_per_attribute_and_both_histories(
    member, anonymous, purpose
):
    snack = AttributeFactory(key="favourite_snack", purpose=purpose, choices=["salty", "sweet"])
    budget = AttributeFactory(key="budget", purpose=purpose, choices=["low", "high"])
    for profile in (member, anonymous):
        grant_consent(profile, purpose)
    preference_declare(profile=member, attribute=snack, value="sweet", source=Source.IMPORT)
    preference_declare(profile=member, attribute=budget, value="high", source=Source.IMPORT)
    preference_declare(profile=anonymous, attribute=snack, value="salty", source=Source.QUIZ)

    profile_merge(source=anonymous, target=member)

    values = dict(Declaration.objects.filter(profile=member).values_list("attribute__key", "value"))
    assert values == {"favourite_snack": "salty", "budget": "high"}
    assert not Declaration.objects.filter(profile=anonymous).exists()
    history = declaration_history_list(profile=member, attribute=snack)
    assert sorted(entry.value for entry in history) == ["salty", "sweet"]


def test_plays_move_to_the_member_who_can_resume_them(member, anonymous, purpose):
    campaign, question, option = one_question_campaign("resume-me")
    started = play(campaign, question, option, anonymous, finish=False)

    profile_merge(source=anonymous, target=member)

    assert participation_for(campaign=campaign, profile=member).pk == started.pk


def test_the_earlier_completion_wins_and_the_duplicate_is_not_paid_twice(
    member, anonymous, purpose
):
    EarningRuleFactory(points=50)
    campaign, question, option = one_question_campaign("once-only")
    first = play(campaign, question, option, member)
    duplicate = play(campaign, question, option, anonymous)
    _credit(anonymous, 7, "bonus")
    assert _balance(member) + _balance(anonymous) == 107

    profile_merge(source=anonymous, target=member)

    assert Participation.objects.get(profile=member, campaign=campaign).pk == first.pk
    assert Participation.objects.get(profile=anonymous, campaign=campaign).pk == duplicate.pk
    assert _balance(member) == 57
    output = StringIO()
    call_command("verify_ledger", stdout=output)
    assert "Every account adds up" in output.getvalue()


def test_an_earlier_anonymous_completion_replaces_the_members_later_one(member, anonymous, purpose):
    EarningRuleFactory(points=50)
    campaign, question, option = one_question_campaign("anonymous-first")
    earlier = play(campaign, question, option, anonymous)
    later = play(campaign, question, option, member)

    profile_merge(source=anonymous, target=member)

    assert Participation.objects.get(profile=member, campaign=campaign).pk == earlier.pk
    assert Participation.objects.get(profile=anonymous, campaign=campaign).pk == later.pk
    assert _balance(member) == 50


def test_redemptions_follow_the_points(member, anonymous):
    _credit(anonymous, 100, "a1")
    reward = RewardFactory(cost=40)
    # Only members redeem now; an anonymous profile may still hold a redemption from before.
    Profile.objects.filter(pk=anonymous.pk).update(kind=Profile.Kind.MEMBER)
    anonymous.kind = Profile.Kind.MEMBER
    redemption = redemption_create(profile=anonymous, reward_id=reward.pk, idempotency_key="r1")
    Profile.objects.filter(pk=anonymous.pk).update(kind=Profile.Kind.ANONYMOUS)
    anonymous.kind = Profile.Kind.ANONYMOUS

    profile_merge(source=anonymous, target=member)

    assert Redemption.objects.get(pk=redemption.pk).account.profile == member
    assert _balance(member) == 60


def test_the_members_old_debits_do_not_use_up_merged_points_that_expire_sooner(member, anonymous):
    from apps.loyalty.services import ledger_expire

    _credit(member, 100, "m1", expires_in_days=200)
    ledger_debit(profile=member, points=100, idempotency_key="m2", reason="spent")
    _credit(member, 30, "m3", expires_in_days=300)
    _credit(anonymous, 100, "a1", expires_in_days=10)

    profile_merge(source=anonymous, target=member)

    account = Account.objects.get(profile=member)
    assert account.balance == 130
    assert upcoming_expiry(account=account).points == 100
    ledger_expire(account_id=account.pk, as_of=timezone.now() + timedelta(days=11))
    account.refresh_from_db()
    assert account.balance == 30
    ledger_expire(account_id=account.pk, as_of=timezone.now() + timedelta(days=301))
    account.refresh_from_db()
    assert account.balance == 0
    output = StringIO()
    call_command("verify_ledger", stdout=output)
    assert "Every account adds up" in output.getvalue()


def test_a_member_cannot_be_merged_into_another_member(member, english):
    with pytest.raises(ApplicationError, match="Only an anonymous profile"):
        profile_merge(source=ProfileFactory(kind=Profile.Kind.MEMBER), target=member)


def test_a_write_that_waited_for_a_merge_is_refused_rather_than_lost(member, anonymous, english):
    from apps.profiles.lock_objects import profile_lock

    profile_merge(source=anonymous, target=member)

    with pytest.raises(ApplicationError, match="reload"):
        profile_lock(profile=anonymous)


def test_points_earned_before_signing_in_count_towards_the_members_tier(member, anonymous):
    from tests.loyalty.factories import TierFactory

    silver = TierFactory(key="silver", threshold=100)
    _credit(member, 60, "m1")
    _credit(anonymous, 50, "a1")

    profile_merge(source=anonymous, target=member)

    assert Account.objects.get(profile=member).tier == silver


def test_points_earned_for_a_profile_that_merged_meanwhile_go_to_the_member(member, anonymous):
    from django.db import transaction

    from tests.events import publish_part

    EarningRuleFactory(points=50)
    profile_merge(source=anonymous, target=member)

    with transaction.atomic():
        publish_part(QuizCompleted, profile=str(anonymous.public_id))

    assert _balance(member) == 50
    assert _balance(anonymous) == 0

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.events import publish
from apps.core.exceptions import ApplicationError
from apps.core.translated_fields import text_in
from apps.loyalty.errors import MemberRequired, RedemptionLimitReached
from apps.loyalty.events import RewardCancelled, RewardRedeemed
from apps.loyalty.models import LedgerEntry, Redemption, Reward, RewardCode
from apps.loyalty.reasons import LedgerReason
from apps.loyalty.services.ledger import _default_expiry, _write, account_lock
from apps.profiles.models import Profile

VOUCHER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read aloud


def _voucher_code() -> str:
    raw = "".join(secrets.choice(VOUCHER_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def _check_available(reward: Reward, account_tier_threshold: int | None) -> None:
    now = timezone.now()
    if not reward.is_active or (reward.valid_from and reward.valid_from > now):
        raise ApplicationError(_("This reward is not available."))
    if reward.valid_until and reward.valid_until < now:
        raise ApplicationError(_("This reward has expired."))
    if reward.is_sold_out:
        raise ApplicationError(_("Sorry, this reward is sold out."))
    if reward.minimum_tier and (
        account_tier_threshold is None or account_tier_threshold < reward.minimum_tier.threshold
    ):
        raise ApplicationError(
            _("This reward is for %(tier)s members and above.") % {"tier": reward.minimum_tier.name}
        )


def _check_member(profile: Profile) -> None:
    if profile.kind != Profile.Kind.MEMBER:
        raise MemberRequired()


def _check_velocity(account) -> None:
    """Counted in the database, under the account lock: holds whatever the cache does."""
    count, seconds = settings.LOYALTY_REDEEM_LIMIT_PER_PROFILE
    since = timezone.now() - timedelta(seconds=seconds)
    if account.redemptions.filter(created_at__gte=since).count() >= count:
        raise RedemptionLimitReached(
            _("You have redeemed %(count)s rewards in a short time. Please try again later.")
            % {"count": count}
        )


@transaction.atomic
def redemption_create(*, profile: Profile, reward_id: int, idempotency_key: str) -> Redemption:
    """Reserve stock, debit the points and hand out a code, all or nothing.

    Only a verified member redeems (`MemberRequired`), and only so often
    (`RedemptionLimitReached`): every path (site, partner API, admin) comes through here.
    The reward row is locked first and the account second, in every path, so racing
    redemptions queue instead of overselling, and a double click returns the first redemption.
    """
    _check_member(profile)
    reward = (
        Reward.objects.select_for_update(of=("self",))
        .select_related("minimum_tier")
        .filter(pk=reward_id)
        .first()
    )
    if reward is None:
        raise ApplicationError(_("This reward is not available."))
    account = account_lock(profile=profile)
    _check_member(account.profile)  # as it is now: merged or erased meanwhile is no member
    key = f"redeem:{idempotency_key}"
    earlier = Redemption.objects.filter(account=account, debit__idempotency_key=key).first()
    if earlier is not None:
        return earlier
    _check_available(reward, account.tier.threshold if account.tier else None)
    _check_velocity(account)
    if reward.per_profile_limit is not None:
        taken = account.redemptions.filter(reward=reward, status=Redemption.Status.ACTIVE).count()
        if taken >= reward.per_profile_limit:
            raise ApplicationError(_("You have already redeemed this reward as often as allowed."))
    if account.balance < reward.cost:
        raise ApplicationError(
            _("You need %(missing)s more points for this reward.")
            % {"missing": reward.cost - account.balance}
        )

    pool_code = None
    if reward.fulfilment == Reward.Fulfilment.CODE_POOL:
        pool_code = (
            RewardCode.objects.select_for_update(skip_locked=True)
            .filter(reward=reward, redemption__isnull=True)
            .order_by("id")
            .first()
        )
        if pool_code is None:
            raise ApplicationError(_("Sorry, this reward is sold out."))
    debit, _created = _write(
        account,
        amount=-reward.cost,
        kind=LedgerEntry.Kind.REDEEM,
        idempotency_key=key,
        reason=f"Reward: {text_in(reward, 'title', 'en')}",
        source_ref=f"reward:{reward.pk}",
    )
    redemption = Redemption.objects.create(
        account=account,
        reward=reward,
        debit=debit,
        code=pool_code.code if pool_code else _voucher_code(),
    )
    if pool_code:
        pool_code.redemption = redemption
        pool_code.save(update_fields=["redemption"])
    if reward.stock is not None:
        Reward.objects.filter(pk=reward.pk).update(stock=F("stock") - 1)
    publish(
        RewardRedeemed(profile=str(profile.public_id), reward=reward.pk, redemption=redemption.pk)
    )
    return redemption


@transaction.atomic
def redemption_cancel(
    *,
    redemption_id: int,
    reason: str,
    staff_user: AbstractBaseUser | None = None,
    source_ref: str = "",
) -> Redemption:
    """Give the points back and the stock back. The code is void: it was already shown.
    `source_ref` names who cancelled when it was neither the customer nor staff."""
    redemption = Redemption.objects.select_related("account__profile").get(pk=redemption_id)
    reward = Reward.objects.select_for_update().get(pk=redemption.reward_id)
    account = account_lock(profile=redemption.account.profile)
    redemption = Redemption.objects.select_for_update().get(pk=redemption_id)
    if redemption.status == Redemption.Status.CANCELLED:
        raise ApplicationError(_("This redemption is already cancelled."))
    refund, _created = _write(
        account,
        amount=-redemption.debit.amount,
        kind=LedgerEntry.Kind.REVERSE,
        idempotency_key=f"reverse:{redemption.debit_id}",
        reason=reason or LedgerReason.REDEMPTION_CANCELLED,
        source_ref=source_ref,
        reverses=redemption.debit,
        staff_user=staff_user,
        expires_at=_default_expiry(),
    )
    redemption.status = Redemption.Status.CANCELLED
    redemption.refund = refund
    redemption.save(update_fields=["status", "refund"])
    if reward.stock is not None:
        Reward.objects.filter(pk=reward.pk).update(stock=F("stock") + 1)
    publish(RewardCancelled(redemption=redemption.pk, reward=reward.pk))
    return redemption

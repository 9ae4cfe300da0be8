import re
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.db import execute_prepared
from apps.core.events import publish, publish_recorded
from apps.core.exceptions import ApplicationError
from apps.core.models import OutboxEvent
from apps.loyalty.events import PointsChanged
from apps.loyalty.models import Account, LedgerEntry
from apps.loyalty.reasons import LedgerReason
from apps.loyalty.selectors import lots_expiring, points_spent
from apps.loyalty.services.tiers import account_update_tier, tier_upgrade_reached
from apps.profiles.models import Profile

Kind = LedgerEntry.Kind


def account_lock(*, profile: Profile) -> Account:
    """The profile's account, created on first use, locked for the rest of the transaction."""
    locked = Account.objects.select_for_update(of=("self",)).select_related("profile", "tier")
    account = locked.filter(profile=profile).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            made = Account.objects.create(profile=profile)
    except IntegrityError:
        pass  # a concurrent first credit created it; lock that one
    else:
        return made  # a row this transaction inserted is locked by it already
    return locked.get(profile=profile)


def _write(
    account: Account,
    *,
    amount: int,
    kind: str,
    idempotency_key: str,
    reason: str,
    source_ref: str = "",
    expires_at: datetime | None = None,
    reverses: LedgerEntry | None = None,
    staff_user: AbstractBaseUser | None = None,
) -> tuple[LedgerEntry, bool]:
    """Append one entry to a locked account, or return the entry this key already wrote."""
    _check_key(idempotency_key)
    existing = account.entries.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        if existing.amount != amount or existing.kind != kind:
            raise ApplicationError(
                _("This request was already made with a different amount."),
                extra={"idempotency_key": idempotency_key},
            )
        return existing, False
    if account.balance + amount < 0:
        raise ApplicationError(_("You do not have enough points."))
    entry = LedgerEntry.objects.create(
        account=account,
        amount=amount,
        kind=kind,
        idempotency_key=idempotency_key,
        reason=reason[:200],
        source_ref=source_ref[:200],
        expires_at=expires_at,
        reverses=reverses,
        staff_user=staff_user,
    )
    account.balance += amount
    update = {"balance": F("balance") + amount}
    if kind == Kind.EARN:
        account.lifetime_earned += amount
        update["lifetime_earned"] = F("lifetime_earned") + amount
    Account.objects.filter(pk=account.pk).update(**update, updated_at=timezone.now())
    _publish_change(account, amount, kind)
    return entry, True


def _publish_change(account: Account, amount: int, kind: str) -> None:
    publish(
        PointsChanged(
            profile=str(account.profile.public_id),
            amount=amount,
            kind=kind,
            balance=account.balance,
        )
    )


MAX_KEY_LENGTH = 200


def _check_key(idempotency_key: str) -> None:
    if not idempotency_key or len(idempotency_key) > MAX_KEY_LENGTH:
        raise ApplicationError(
            _("An idempotency key has 1 to %(max)s characters.") % {"max": MAX_KEY_LENGTH}
        )


def _default_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.LOYALTY_POINTS_VALIDITY_DAYS)


# Balance, entry and PointsChanged event of one credit. The account row comes first, as
# on every other path, so lock order never differs; entry and event are written only if the
# idempotency key is new. Prepared once per database session: planning this statement costs
# more than running it.
CREDIT_SQL = f"""
WITH account AS (
    UPDATE {Account._meta.db_table}
    SET balance = balance + $1::integer, lifetime_earned = lifetime_earned + $2::integer,
        updated_at = $3::timestamptz
    WHERE profile_id = $4::bigint
    RETURNING id, balance, lifetime_earned, tier_id
), entry AS (
    INSERT INTO {LedgerEntry._meta.db_table} (account_id, amount, kind, reason, source_ref,
        idempotency_key, created_at, expires_at)
    SELECT account.id, $1, $5::text, $6::text, $7::text, $8::text, $3, $9::timestamptz
    FROM account
    ON CONFLICT (account_id, idempotency_key) DO NOTHING
    RETURNING id
), event AS (
    INSERT INTO {OutboxEvent._meta.db_table} (name, payload, created_at, relay_attempts)
    SELECT '{PointsChanged.name}', jsonb_build_object('profile', $10::text, 'amount', $1,
        'kind', $5, 'balance', account.balance), $3, 0
    FROM account, entry
    RETURNING id
)
SELECT account.id, balance, lifetime_earned, tier_id, entry.id, event.id
FROM account LEFT JOIN entry ON true LEFT JOIN event ON true
"""


def _credit_in_one_statement(
    *,
    profile: Profile,
    points: int,
    kind: str,
    idempotency_key: str,
    reason: str,
    source_ref: str,
    expires_at: datetime,
) -> tuple[LedgerEntry, int | None, int] | None:
    """The hot path of every credit: balance, entry and event in one statement.

    No explicit lock is needed: the unique key makes a concurrent duplicate wait for the first
    and then insert nothing, and the UPDATE locks the account row until commit. Returns None
    when the account does not exist yet or the key was used before; the caller then takes
    the locked path, which handles both, as it does on SQLite (no UPDATE inside WITH).
    """
    if connection.vendor != "postgresql":
        return None
    ops = connection.ops
    now = timezone.now()
    key, reason, source_ref = idempotency_key, reason[:200], source_ref[:200]
    earned = points if kind == Kind.EARN else 0
    public_id = str(profile.public_id)
    with connection.cursor() as cursor:
        execute_prepared(
            cursor,
            "loyalty_credit",
            CREDIT_SQL,
            [
                points,
                earned,
                ops.adapt_datetimefield_value(now),
                profile.pk,
                kind,
                reason,
                source_ref,
                key,
                ops.adapt_datetimefield_value(expires_at),
                public_id,
            ],
        )
        updated = cursor.fetchone()
        if updated is None:
            return None
        account_id, balance, lifetime_earned, tier_id, entry_id, event_id = updated
        if entry_id is None:
            # A retry of a key already used: take the addition back, the caller answers it.
            cursor.execute(
                f"UPDATE {Account._meta.db_table} SET balance = balance - %s, "
                "lifetime_earned = lifetime_earned - %s WHERE id = %s",
                [points, earned, account_id],
            )
            return None
    entry = LedgerEntry(
        id=entry_id,
        account_id=account_id,
        amount=points,
        kind=kind,
        reason=reason,
        source_ref=source_ref,
        idempotency_key=key,
        created_at=now,
        expires_at=expires_at,
    )
    changed = PointsChanged(profile=public_id, amount=points, kind=kind, balance=balance)
    event = OutboxEvent(id=event_id, name=changed.name, payload=changed.payload(), created_at=now)
    for instance in (entry, event):
        instance._state.adding = False
        instance._state.db = connection.alias
    publish_recorded(event)
    return entry, tier_id, lifetime_earned


@transaction.atomic
def ledger_credit(
    *,
    profile: Profile,
    points: int,
    idempotency_key: str,
    reason: str,
    source_ref: str = "",
    kind: str = Kind.EARN,
) -> LedgerEntry:
    """Add points once per idempotency key; a retry returns the first entry."""
    if points <= 0:
        raise ApplicationError(_("Points to credit must be more than zero."))
    _check_key(idempotency_key)
    details = {
        "kind": kind,
        "idempotency_key": idempotency_key,
        "reason": reason,
        "source_ref": source_ref,
        "expires_at": _default_expiry(),
    }
    credited = _credit_in_one_statement(profile=profile, points=points, **details)
    if credited is not None:
        entry, tier_id, lifetime_earned = credited
        if tier_upgrade_reached(tier_id, lifetime_earned):
            account_update_tier(account=account_lock(profile=profile))
        return entry
    account = account_lock(profile=profile)
    entry, created = _write(account, amount=points, **details)
    if created and tier_upgrade_reached(account.tier_id, account.lifetime_earned):
        account_update_tier(account=account)
    return entry


@transaction.atomic
def ledger_debit(
    *,
    profile: Profile,
    points: int,
    idempotency_key: str,
    reason: str,
    source_ref: str = "",
    kind: str = Kind.REDEEM,
) -> LedgerEntry:
    if points <= 0:
        raise ApplicationError(_("Points to debit must be more than zero."))
    account = account_lock(profile=profile)
    entry, _created = _write(
        account,
        amount=-points,
        kind=kind,
        idempotency_key=idempotency_key,
        reason=reason,
        source_ref=source_ref,
    )
    return entry


@transaction.atomic
def ledger_adjust(
    *,
    profile: Profile,
    points: int,
    reason: str,
    staff_user: AbstractBaseUser,
    idempotency_key: str,
) -> LedgerEntry:
    """A staff correction, with a reason and the staff member on record."""
    if not reason.strip():
        raise ApplicationError(_("An adjustment needs a reason."))
    if points == 0:
        raise ApplicationError(_("An adjustment must change the balance."))
    account = account_lock(profile=profile)
    entry, _created = _write(
        account,
        amount=points,
        kind=Kind.ADJUST,
        idempotency_key=idempotency_key,
        reason=reason,
        staff_user=staff_user,
        expires_at=_default_expiry() if points > 0 else None,
    )
    return entry


@transaction.atomic
def ledger_reverse(
    *, entry: LedgerEntry, reason: str, staff_user: AbstractBaseUser | None = None
) -> LedgerEntry:
    """Undo an entry with its opposite, which points back at it. Each entry is undone once."""
    entry = LedgerEntry.objects.select_related("account__profile").get(pk=entry.pk)
    account = account_lock(profile=entry.account.profile)
    if entry.kind == Kind.REVERSE:
        raise ApplicationError(_("A reversal cannot be reversed; make an adjustment instead."))
    return _reversal(account, entry, reason=reason, staff_user=staff_user)


def _reversal(
    account: Account,
    entry: LedgerEntry,
    *,
    reason: str,
    staff_user: AbstractBaseUser | None = None,
) -> LedgerEntry:
    """The opposite of `entry`, pointing back at it; a reversed debit is a new lot."""
    reversal, _created = _write(
        account,
        amount=-entry.amount,
        kind=Kind.REVERSE,
        idempotency_key=f"reverse:{entry.pk}",
        reason=reason,
        reverses=entry,
        staff_user=staff_user,
        expires_at=_default_expiry() if entry.amount < 0 else None,
    )
    return reversal


def _expiring_by(account: Account, moment: datetime) -> int:
    """Points of lots expiring by `moment` that no debit has used up (debits take the oldest
    lots first), so nothing is stored per lot and entries never change."""
    return max(0, lots_expiring(account, by=moment) - points_spent(account))


@transaction.atomic
def ledger_expire(*, account_id: int, as_of: datetime | None = None) -> LedgerEntry | None:
    """Write the expiry due by `as_of` for one account; running it again writes nothing."""
    as_of = as_of or timezone.now()
    account = (
        Account.objects.select_for_update(of=("self",)).select_related("profile").get(pk=account_id)
    )
    due = _expiring_by(account, as_of)
    if due == 0:
        return None
    entry, _created = _write(
        account,
        amount=-due,
        kind=Kind.EXPIRE,
        idempotency_key=f"expire:{as_of:%Y-%m-%dT%H:%M:%S}",
        reason=LedgerReason.POINTS_EXPIRED,
    )
    return entry


@transaction.atomic
def ledger_take_back(*, profile: Profile, occurrence: str, reason: str) -> list[LedgerEntry]:
    """Reverse the earning-rule credits of one occurrence (e.g. a duplicate play), as far as
    the balance allows: points already spent are not clawed back."""
    account = account_lock(profile=profile)
    credits = account.entries.filter(
        kind=Kind.EARN,
        source_ref__startswith="rule:",
        reversed_by__isnull=True,
        idempotency_key__regex=rf"^rule:[0-9]+:{re.escape(occurrence)}(:.*)?$",
    ).order_by("id")
    reversals = []
    for entry in credits:
        if entry.amount <= account.balance:
            reversals.append(_reversal(account, entry, reason=reason))
    return reversals

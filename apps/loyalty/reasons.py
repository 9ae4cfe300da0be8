"""Why points moved, as the ledger says it to the customer, in the customer's language.

An entry stores its reason when it is written. The reasons the system writes are codes: the
value is the English text entries have always carried (partners and exports read it), so
rows written before these had names read in every language too. Reasons that name a thing
staff wrote (an earning rule, a reward) are read from that thing, so they follow its
translation and the reader's language. A reason staff typed for one entry (an adjustment,
a reversal) is an internal note: customers and partners read a generic label instead, and
partners a stable `LedgerReasonCode`.
"""

from collections.abc import Iterable

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from apps.loyalty.models import EarningRule, LedgerEntry, Reward

RULE_PREFIX = "rule:"
REWARD_PREFIX = "reward:"
PARTNER_PREFIX = "partner:"
# Before partner cancellations had a reason of their own, the stored reason named the partner.
NAMED_PARTNER_CANCEL = "Cancelled by partner "


class LedgerReason(models.TextChoices):
    POINTS_EXPIRED = "Points expired", _("Points expired")
    MOVED_TO_MEMBER = "Moved to the member's account", _("Moved to your account after signing in")
    MOVED_FROM_PROFILE = "Moved from a profile that signed in", _("Collected before you signed in")
    SETTLED_BEFORE_MERGE = (
        "Points already spent, settled before a merge",
        _("Points already spent, settled when your accounts were joined"),
    )
    REISSUED_BEFORE_MERGE = (
        "Own points re-issued before a merge",
        _("Your points, re-issued when your accounts were joined"),
    )
    REPLACED_BEFORE_MERGE = (
        "Replaced by the re-issued points before a merge",
        _("Replaced by the re-issued points when your accounts were joined"),
    )
    PLAYED_TWICE = (
        "The same campaign round was played twice before signing in",
        _("The same round was played twice before you signed in"),
    )
    REDEMPTION_CANCELLED = "Redemption cancelled", _("Redemption cancelled")
    CANCELLED_BY_STAFF = "Cancelled by staff", _("Cancelled by our team")
    # Which partner: the entry's `source_ref` (`partner:<key>`).
    CANCELLED_BY_PARTNER = "Cancelled by a partner", _("Cancelled by our partner")
    FORFEITED_ON_ERASURE = (
        "Forfeited: the customer's data was erased at their request",
        _("Forfeited: your data was erased at your request"),
    )


class LedgerReasonCode(models.TextChoices):
    """Why points moved, for machines (the partner API): stable, and never a staff note."""

    EARNING_RULE = "earning_rule", _("Earned under an earning rule")
    EARNED = "earned", _("Earned")
    REWARD_REDEEMED = "reward_redeemed", _("Spent on a reward")
    REDEEMED = "redeemed", _("Redeemed")
    STAFF_ADJUSTMENT = "staff_adjustment", _("Adjusted by staff")
    REVERSAL = "reversal", _("Reversed")
    MERGED = "merged", _("Merged from another profile")
    POINTS_EXPIRED = "points_expired", LedgerReason.POINTS_EXPIRED.label
    MOVED_TO_MEMBER = "moved_to_member", LedgerReason.MOVED_TO_MEMBER.label
    MOVED_FROM_PROFILE = "moved_from_profile", LedgerReason.MOVED_FROM_PROFILE.label
    SETTLED_BEFORE_MERGE = "settled_before_merge", LedgerReason.SETTLED_BEFORE_MERGE.label
    REISSUED_BEFORE_MERGE = "reissued_before_merge", LedgerReason.REISSUED_BEFORE_MERGE.label
    REPLACED_BEFORE_MERGE = "replaced_before_merge", LedgerReason.REPLACED_BEFORE_MERGE.label
    PLAYED_TWICE = "played_twice", LedgerReason.PLAYED_TWICE.label
    REDEMPTION_CANCELLED = "redemption_cancelled", LedgerReason.REDEMPTION_CANCELLED.label
    CANCELLED_BY_STAFF = "cancelled_by_staff", LedgerReason.CANCELLED_BY_STAFF.label
    CANCELLED_BY_PARTNER = "cancelled_by_partner", LedgerReason.CANCELLED_BY_PARTNER.label
    FORFEITED_ON_ERASURE = "forfeited_on_erasure", LedgerReason.FORFEITED_ON_ERASURE.label


# What customers and partners read where staff typed a note of their own.
STAFF_NOTE_SHOWN = _("Correction to your points")
CODE_OF_KIND = {
    LedgerEntry.Kind.EARN: LedgerReasonCode.EARNED,
    LedgerEntry.Kind.REDEEM: LedgerReasonCode.REDEEMED,
    LedgerEntry.Kind.EXPIRE: LedgerReasonCode.POINTS_EXPIRED,
    LedgerEntry.Kind.ADJUST: LedgerReasonCode.STAFF_ADJUSTMENT,
    LedgerEntry.Kind.REVERSE: LedgerReasonCode.REVERSAL,
    LedgerEntry.Kind.MERGE: LedgerReasonCode.MERGED,
}


def _pk(source_ref: str, prefix: str) -> int | None:
    number = source_ref.removeprefix(prefix)
    return int(number) if source_ref.startswith(prefix) and number.isdigit() else None


def ledger_reasons_name(entries: Iterable[LedgerEntry]) -> list[LedgerEntry]:
    """Give each entry a `reason_shown` in the active language: one query for the rules and
    one for the rewards the entries name, however many entries."""
    entries = list(entries)
    rule_ids = {_pk(e.source_ref, RULE_PREFIX) for e in entries} - {None}
    reward_ids = {
        _pk(e.source_ref, REWARD_PREFIX) for e in entries if e.kind == LedgerEntry.Kind.REDEEM
    } - {None}
    rules = (
        {rule.pk: rule.name for rule in EarningRule.objects.filter(pk__in=rule_ids)}
        if rule_ids
        else {}
    )
    rewards = (
        {reward.pk: reward.title for reward in Reward.objects.filter(pk__in=reward_ids)}
        if reward_ids
        else {}
    )
    known = dict(LedgerReason.choices)
    for entry in entries:
        rule_id = _pk(entry.source_ref, RULE_PREFIX)
        reward_id = _pk(entry.source_ref, REWARD_PREFIX)
        if rule_id in rules and entry.kind == LedgerEntry.Kind.EARN:
            entry.reason_shown = rules[rule_id]
        elif reward_id in rewards and entry.kind == LedgerEntry.Kind.REDEEM:
            entry.reason_shown = rewards[reward_id]
        elif entry.reason.startswith(NAMED_PARTNER_CANCEL):
            entry.reason_shown = str(LedgerReason.CANCELLED_BY_PARTNER.label)
        elif entry.reason in known:
            entry.reason_shown = str(known[entry.reason])
        elif _is_staff_note(entry):
            entry.reason_shown = str(STAFF_NOTE_SHOWN)
        else:
            entry.reason_shown = entry.reason
    return entries


def ledger_reasons_code(entries: Iterable[LedgerEntry]) -> list[LedgerEntry]:
    """Give each entry a `reason_code` (`LedgerReasonCode`) and a `reason_told`: the reason as
    stored (English), or for a note staff typed, the generic label in English. For partners;
    no queries."""
    entries = list(entries)
    for entry in entries:
        entry.reason_code = _code(
            entry, _pk(entry.source_ref, RULE_PREFIX), _pk(entry.source_ref, REWARD_PREFIX)
        )
        if entry.reason.startswith(NAMED_PARTNER_CANCEL):
            # Which partner is no other partner's business.
            entry.reason_told = LedgerReason.CANCELLED_BY_PARTNER.value
        elif entry.reason not in LedgerReason.values and _is_staff_note(entry):
            with translation.override("en"):
                entry.reason_told = str(STAFF_NOTE_SHOWN)
        else:
            entry.reason_told = entry.reason
    return entries


def _code(entry: LedgerEntry, rule_id: int | None, reward_id: int | None) -> str:
    if entry.reason in LedgerReason.values:
        return LedgerReasonCode[LedgerReason(entry.reason).name]
    if entry.reason.startswith(NAMED_PARTNER_CANCEL):
        return LedgerReasonCode.CANCELLED_BY_PARTNER
    if rule_id is not None and entry.kind == LedgerEntry.Kind.EARN:
        return LedgerReasonCode.EARNING_RULE
    if reward_id is not None and entry.kind == LedgerEntry.Kind.REDEEM:
        return LedgerReasonCode.REWARD_REDEEMED
    return CODE_OF_KIND.get(entry.kind, LedgerReasonCode.EARNED)


def _is_staff_note(entry: LedgerEntry) -> bool:
    """What someone typed for this one entry: an adjustment's reason always, a reversal's
    when it is not one of ours. Such a note may name a ticket, a complaint, a person."""
    return entry.kind in (LedgerEntry.Kind.ADJUST, LedgerEntry.Kind.REVERSE) or bool(
        entry.staff_user_id
    )

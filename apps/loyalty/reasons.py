"""Why points moved, as the ledger says it to the customer, in the customer's language.

An entry stores its reason when it is written. The reasons the system writes are codes: the
value is the English text entries have always carried (partners and exports read it), so
rows written before these had names read in every language too. Reasons that name a thing
staff wrote (an earning rule, a reward) are read from that thing, so they follow its
translation and the reader's language; a reason staff typed for one entry is shown as typed.
"""

from collections.abc import Iterable

from django.db import models
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
        else:
            entry.reason_shown = str(known.get(entry.reason, entry.reason))
    return entries

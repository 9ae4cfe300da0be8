from apps.loyalty.services.badges import (
    badge_award,
    badge_save,
    badges_award_for_challenge_count,
    badges_award_for_tier,
)
from apps.loyalty.services.catalogue import reward_codes_import, reward_save
from apps.loyalty.services.ledger import (
    account_lock,
    ledger_adjust,
    ledger_credit,
    ledger_debit,
    ledger_expire,
    ledger_reverse,
    ledger_take_back,
)
from apps.loyalty.services.ledger_merge import ledger_merge
from apps.loyalty.services.rewards import redemption_cancel, redemption_create
from apps.loyalty.services.rules import (
    earning_rule_save,
    earning_rules_apply,
    earning_rules_apply_withheld,
)
from apps.loyalty.services.tiers import account_update_tier, tier_save

__all__ = [
    "account_lock",
    "account_update_tier",
    "badge_award",
    "badge_save",
    "badges_award_for_challenge_count",
    "badges_award_for_tier",
    "earning_rule_save",
    "earning_rules_apply",
    "earning_rules_apply_withheld",
    "ledger_adjust",
    "ledger_credit",
    "ledger_debit",
    "ledger_expire",
    "ledger_merge",
    "ledger_reverse",
    "ledger_take_back",
    "redemption_cancel",
    "redemption_create",
    "reward_codes_import",
    "reward_save",
    "tier_save",
]

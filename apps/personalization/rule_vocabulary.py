"""What the segment rule builder in the admin may offer: every condition kind the compiler
knows, the operators that fit each attribute type, and the keys a rule can name.

The builder only helps to write the JSON; `rules.py` still judges every rule on save.
"""

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from apps.campaigns.selectors import campaign_list_with_outcomes
from apps.challenges.selectors import challenge_list_for_choice
from apps.consent.models import Purpose
from apps.loyalty.models import Tier
from apps.personalization.models import ChurnScore, Segment
from apps.personalization.rules import CONDITION_KEYS, Compiler
from apps.preferences.models import Attribute, AttributeValue

# What the value of an attribute condition looks like, per operator and attribute type:
# "none" (no value), "choice" (one allowed value), "choices" (a list of them), "number",
# "range" ([low, high]) or "days" (a whole number of at least 1).
CHOICE_VALUES = {"eq": "choice", "in": "choices"}
MULTI_VALUES = {"has": "choice", "has_any": "choices"}
NUMBER_VALUES = {"eq": "number", "gte": "number", "lte": "number", "between": "range"}
ANY_KIND_VALUES = {"declared": "none", "declared_within_days": "days", "fresh": "none"}


def _kind_labels() -> dict[str, str]:
    return {
        "attribute": _("What they told us (attribute)"),
        "consent": _("Consent given for a purpose"),
        "tier": _("Loyalty tier or higher"),
        "balance_gte": _("Points balance at least"),
        "earned_within_days": _("Points earned recently"),
        "completed_campaign": _("Completed a campaign"),
        "outcome": _("Got a campaign outcome"),
        "completed_challenge": _("Completed a challenge"),
        "segment": _("Belongs to another segment"),
        "churn_risk": _("Churn risk"),
    }


def _operator_labels() -> dict[str, str]:
    return {
        "eq": _("is"),
        "in": _("is one of"),
        "has": _("includes"),
        "has_any": _("includes any of"),
        "gte": _("is at least"),
        "lte": _("is at most"),
        "between": _("is between"),
        "declared": _("has been answered"),
        "declared_within_days": _("was answered within the last days"),
        "fresh": _("is still fresh"),
    }


# Operators per attribute type, as the compiler accepts them (a test holds the two together).
OPERATORS_BY_KIND = {
    Attribute.Kind.SINGLE_CHOICE: CHOICE_VALUES | ANY_KIND_VALUES,
    Attribute.Kind.MULTIPLE_CHOICE: MULTI_VALUES | ANY_KIND_VALUES,
    Attribute.Kind.SCALE: NUMBER_VALUES | ANY_KIND_VALUES,
    Attribute.Kind.NUMBER: NUMBER_VALUES | ANY_KIND_VALUES,
    Attribute.Kind.TEXT: ANY_KIND_VALUES,
    Attribute.Kind.DATE: ANY_KIND_VALUES,
}


def _text() -> dict[str, str]:
    """Words the builder's script shows; translated here, as the script has no gettext."""
    return {
        "builder": _("Rule builder"),
        "group": _("Group"),
        "group_type": _("Customers who match"),
        "condition": _("Condition"),
        "kind": _("Type of condition"),
        "attribute": _("Attribute"),
        "operator": _("Operator"),
        "value": _("Value"),
        "values": _("Values"),
        "low": _("From"),
        "high": _("To"),
        "days": _("Days"),
        "points": _("Points"),
        "purpose": _("Purpose"),
        "tier": _("Tier"),
        "campaign": _("Campaign"),
        "outcome": _("Outcome"),
        "challenge": _("Challenge"),
        "segment": _("Segment"),
        "band": _("Churn risk"),
        "add_condition": _("Add condition"),
        "add_group": _("Add group"),
        "remove_condition": _("Remove condition"),
        "remove_group": _("Remove group"),
        "empty_group": _("No conditions yet: add one."),
        "unknown": _("A condition the builder cannot show; it is kept as it is:"),
        "not_json": _("The rule is not valid JSON, so the builder cannot show it. Edit it here:"),
        "show_json": _("Show the rule as JSON"),
        "hide_json": _("Hide the JSON"),
        "missing": _("(no longer available)"),
    }


def rule_vocabulary() -> dict[str, Any]:
    """Everything the rule builder offers, as plain JSON-ready data, in a fixed number of
    queries (eight) however many attributes, campaigns or segments there are."""
    kind_labels = _kind_labels()
    operator_labels = _operator_labels()
    attributes = (
        Attribute.objects.filter(is_active=True)
        .order_by("topic", "position", "key")
        .prefetch_related(
            Prefetch("values", queryset=AttributeValue.objects.order_by("position", "key"))
        )
    )
    campaigns = campaign_list_with_outcomes()
    return {
        # Every kind the compiler knows, in its order: a new kind without a label fails here.
        "kinds": [
            {"key": key, "label": kind_labels[key], "keys": [key, *CONDITION_KEYS.get(key, ())]}
            for key in Compiler.CONDITIONS
        ],
        "groups": [
            {"key": "all", "label": _("all of these")},
            {"key": "any", "label": _("any of these")},
            {"key": "not", "label": _("none of these (not)")},
        ],
        "operators": {
            str(kind): [
                {"key": op, "label": operator_labels[op], "value": shape}
                for op, shape in operators.items()
            ]
            for kind, operators in OPERATORS_BY_KIND.items()
        },
        "attributes": [
            {
                "key": attribute.key,
                "label": attribute.label,
                "kind": attribute.kind,
                "min": attribute.min_value,
                "max": attribute.max_value,
                "values": [
                    {"key": value.key, "label": value.label} for value in attribute.values.all()
                ],
            }
            for attribute in attributes
        ],
        "purposes": [
            {
                "key": purpose.key,
                "label": purpose.current_version.title if purpose.current_version else purpose.key,
            }
            for purpose in Purpose.objects.select_related("current_version")
        ],
        "tiers": [{"key": tier.key, "label": tier.name} for tier in Tier.objects.all()],
        "campaigns": [
            {
                "key": campaign.slug,
                "label": campaign.title,
                "outcomes": [
                    {"key": outcome.key, "label": outcome.title}
                    for outcome in campaign.outcomes.all()
                ],
            }
            for campaign in campaigns
        ],
        "challenges": [
            {"key": challenge.slug, "label": challenge.title}
            for challenge in challenge_list_for_choice()
        ],
        "segments": [
            {"key": segment.key, "label": segment.name}
            for segment in Segment.objects.only("key", "name")
        ],
        "churn_bands": [
            {"key": key, "label": str(label)} for key, label in ChurnScore.Band.choices
        ],
        "text": _text(),
    }

"""Segment rules: checked, then compiled to one SQL condition over profiles.

A rule is a tree of JSON objects:

    {"all": [rule, ...]}      every one holds
    {"any": [rule, ...]}      at least one holds
    {"not": rule}             it does not hold
    {"attribute": "diet", "op": "eq", "value": "vegan"}
    {"attribute": "budget", "op": "between", "value": [20, 50]}
    {"attribute": "diet", "op": "declared_within_days", "value": 30}
    {"attribute": "diet", "op": "fresh"}
    {"consent": "email_marketing"}
    {"tier": "gold"}                          the tier or a higher one
    {"balance_gte": 500}
    {"earned_within_days": 30, "gte": 100}
    {"completed_campaign": "snack-typ"}
    {"outcome": "snack-typ/crunchy"}
    {"completed_challenge": "quiz-monat"}
    {"segment": "other-segment"}
    {"churn_risk": "high"}

Every condition becomes an EXISTS (or a column test) in the same statement: no Python loop
ever runs over profiles.
"""

from datetime import timedelta
from typing import Any

from django.db.models import (
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Sum,
)
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.campaigns.selectors import profile_completed_campaign, profile_reached_outcome
from apps.challenges.selectors import profile_completed_challenge
from apps.consent.models import Purpose
from apps.consent.selectors import consent_granted_exists
from apps.core.exceptions import ApplicationError
from apps.loyalty.models import Account, LedgerEntry, Tier
from apps.preferences.models import Attribute
from apps.preferences.selectors import declaration_list_usable

MAX_DEPTH = 8
MAX_CONDITIONS = 100
MAX_VALUES = 500
# Days, points and answers beyond this are typing errors, and dates would overflow.
MAX_NUMBER = 36_500
# The keys a condition may carry besides its own name.
CONDITION_KEYS = {"attribute": ("op", "value"), "earned_within_days": ("gte",)}
CHOICE_OPERATORS = {"eq", "in"}
MULTI_OPERATORS = {"has", "has_any"}
NUMBER_OPERATORS = {"eq", "gte", "lte", "between"}
ANY_KIND_OPERATORS = {"declared", "declared_within_days", "fresh"}
PERSONALIZATION = "personalization"


class RuleError(ApplicationError):
    """A rule that cannot be compiled; the message says where and why."""


def _error(path: str, message: str) -> RuleError:
    return RuleError(f"{path}: {message}" if path else message, extra={"path": path})


class Compiler:
    """Compiles one rule; keeps what it looked up so a rule costs few queries to check."""

    def __init__(self, *, now=None) -> None:
        self.now = now or timezone.now()
        self.conditions = 0
        self.segments_open: list[str] = []
        self.attributes: dict[str, Attribute] = {}

    def compile(self, rule: Any, path: str = "", depth: int = 0) -> Q:
        if depth > MAX_DEPTH:
            raise _error(path, _("Rules may nest at most %(depth)s levels.") % {"depth": MAX_DEPTH})
        if not isinstance(rule, dict) or len(rule) == 0:
            raise _error(path, _("Each part of a rule is an object with one condition."))
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise _error(
                path, _("A rule has at most %(max)s conditions.") % {"max": MAX_CONDITIONS}
            )
        if "all" in rule or "any" in rule:
            key = "all" if "all" in rule else "any"
            parts = rule[key]
            if not isinstance(parts, list) or not parts:
                raise _error(path, _("“%(key)s” needs a list of conditions.") % {"key": key})
            compiled = [
                self.compile(part, f"{path}/{key}[{n}]", depth + 1) for n, part in enumerate(parts)
            ]
            combined = compiled[0]
            for part in compiled[1:]:
                combined = (combined & part) if key == "all" else (combined | part)
            return combined
        if "not" in rule:
            return ~self.compile(rule["not"], f"{path}/not", depth + 1)
        for name, method in self.CONDITIONS.items():
            if name in rule:
                extra = set(rule) - {name, *CONDITION_KEYS.get(name, ())}
                if extra:
                    raise _error(
                        path or "/",
                        _("One condition per object; unexpected: %(keys)s.")
                        % {"keys": ", ".join(sorted(map(str, extra)))},
                    )
                return method(self, rule, path or "/")
        raise _error(
            path or "/", _("Unknown condition: %(keys)s.") % {"keys": ", ".join(map(str, rule))}
        )

    # Declarations -------------------------------------------------------------------------

    def _attribute(self, key: Any, path: str) -> Attribute:
        if not isinstance(key, str):
            raise _error(path, _("Name an attribute by its key."))
        if key not in self.attributes:
            attribute = Attribute.objects.filter(key=key).select_related("purpose").first()
            if attribute is None:
                raise _error(path, _("There is no attribute “%(key)s”.") % {"key": key})
            self.attributes[key] = attribute
        return self.attributes[key]

    def attribute(self, rule: dict, path: str) -> Q:
        attribute = self._attribute(rule["attribute"], path)
        op, value = rule.get("op"), rule.get("value")
        # An answer counts only while its own purpose is granted (special categories too), so
        # "not" reads as "not known to us for a purpose the customer allows".
        declarations = declaration_list_usable(
            attribute=attribute, purpose_required_by_caller=PERSONALIZATION
        ).filter(profile_id=OuterRef("pk"))
        if op == "declared":
            return Q(Exists(declarations))
        if op == "declared_within_days":
            days = self._number(value, path, minimum=1)
            return Q(Exists(declarations.filter(declared_at__gte=self.now - timedelta(days=days))))
        if op == "fresh":
            if attribute.freshness_days is None:
                return Q(Exists(declarations))
            since = self.now - timedelta(days=attribute.freshness_days)
            return Q(Exists(declarations.filter(confirmed_at__gt=since)))
        kind = attribute.kind
        if kind == Attribute.Kind.SINGLE_CHOICE and op in CHOICE_OPERATORS:
            values = self._choices(attribute, [value] if op == "eq" else value, path)
            return Q(Exists(declarations.filter(value__in=values)))
        if kind == Attribute.Kind.MULTIPLE_CHOICE and op in MULTI_OPERATORS:
            values = self._choices(attribute, [value] if op == "has" else value, path)
            return Q(Exists(declarations.filter(_contains_any(values))))
        if kind in (Attribute.Kind.SCALE, Attribute.Kind.NUMBER) and op in NUMBER_OPERATORS:
            numbers = declarations.annotate(number=Cast("value", IntegerField()))
            if op == "between":
                if not isinstance(value, list) or len(value) != 2:
                    raise _error(path, _("“between” needs two numbers, lowest first."))
                low, high = (self._number(v, path) for v in value)
                if low > high:
                    raise _error(path, _("“between” needs two numbers, lowest first."))
                return Q(Exists(numbers.filter(number__gte=low, number__lte=high)))
            lookup = {"eq": "number", "gte": "number__gte", "lte": "number__lte"}[op]
            return Q(Exists(numbers.filter(**{lookup: self._number(value, path)})))
        raise _error(
            path,
            _("The operator “%(op)s” does not fit the attribute “%(key)s” (%(kind)s).")
            % {"op": op, "key": attribute.key, "kind": attribute.get_kind_display()},
        )

    def _choices(self, attribute: Attribute, values: Any, path: str) -> list[str]:
        if not isinstance(values, list) or not values:
            raise _error(path, _("Give a list of values."))
        if len(values) > MAX_VALUES:
            raise _error(path, _("At most %(max)s values in one condition.") % {"max": MAX_VALUES})
        if not all(isinstance(v, str) for v in values):
            raise _error(path, _("Values are given as text."))
        allowed = set(attribute.values.values_list("key", flat=True))
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise _error(
                path,
                _("“%(key)s” has no value %(values)s.")
                % {"key": attribute.key, "values": ", ".join(unknown[:5])},
            )
        return values

    @staticmethod
    def _number(value: Any, path: str, minimum: int | None = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_NUMBER:
            raise _error(path, _("Give a whole number."))
        if minimum is not None and value < minimum:
            raise _error(path, _("Give a number of at least %(min)s.") % {"min": minimum})
        return value

    # Consent, loyalty, participation -------------------------------------------------------

    def consent(self, rule: dict, path: str) -> Q:
        key = rule["consent"]
        if not isinstance(key, str) or not Purpose.objects.filter(key=key).exists():
            raise _error(path, _("There is no purpose “%(key)s”.") % {"key": key})
        return Q(consent_granted_exists(purpose_key=key))

    def tier(self, rule: dict, path: str) -> Q:
        tier = (
            Tier.objects.filter(key=rule["tier"]).first() if isinstance(rule["tier"], str) else None
        )
        if tier is None:
            raise _error(path, _("There is no tier “%(key)s”.") % {"key": rule["tier"]})
        accounts = Account.objects.filter(
            profile_id=OuterRef("pk"), tier__threshold__gte=tier.threshold
        )
        return Q(Exists(accounts))

    def balance(self, rule: dict, path: str) -> Q:
        minimum = self._number(rule["balance_gte"], path, minimum=0)
        return Q(Exists(Account.objects.filter(profile_id=OuterRef("pk"), balance__gte=minimum)))

    def earned(self, rule: dict, path: str) -> Q:
        days = self._number(rule["earned_within_days"], path, minimum=1)
        minimum = self._number(rule.get("gte"), path, minimum=1)
        earned = (
            LedgerEntry.objects.filter(
                account__profile_id=OuterRef("pk"),
                kind=LedgerEntry.Kind.EARN,
                created_at__gte=self.now - timedelta(days=days),
            )
            .values("account_id")
            .annotate(total=Sum("amount"))
            .filter(total__gte=minimum)
        )
        return Q(Exists(earned))

    def completed_campaign(self, rule: dict, path: str) -> Q:
        slug = rule["completed_campaign"]
        if not isinstance(slug, str):
            raise _error(path, _("Name a campaign by its address."))
        return Q(profile_completed_campaign(slug=slug))

    def outcome(self, rule: dict, path: str) -> Q:
        value = rule["outcome"]
        if not isinstance(value, str) or value.count("/") != 1:
            raise _error(path, _("Name an outcome as “campaign/outcome”."))
        slug, key = value.split("/")
        return Q(profile_reached_outcome(campaign_slug=slug, outcome_key=key))

    def completed_challenge(self, rule: dict, path: str) -> Q:
        slug = rule["completed_challenge"]
        if not isinstance(slug, str):
            raise _error(path, _("Name a challenge by its key."))
        return Q(profile_completed_challenge(slug=slug))

    def segment(self, rule: dict, path: str) -> Q:
        from apps.personalization.models import Segment

        key = rule["segment"]
        if key in self.segments_open:
            raise _error(
                path,
                _("Segments include each other in a circle: %(keys)s.")
                % {"keys": " → ".join([*self.segments_open, key])},
            )
        other = Segment.objects.filter(key=key).first() if isinstance(key, str) else None
        if other is None:
            raise _error(path, _("There is no segment “%(key)s”.") % {"key": key})
        self.segments_open.append(key)
        try:
            return self.compile(other.rule, f"{path}segment:{key}", depth=len(self.segments_open))
        finally:
            self.segments_open.pop()

    def churn_risk(self, rule: dict, path: str) -> Q:
        from apps.personalization.models import ChurnScore

        band = rule["churn_risk"]
        if band not in ChurnScore.Band.values:
            raise _error(
                path,
                _("A churn risk band is one of: %(bands)s.")
                % {"bands": ", ".join(ChurnScore.Band.values)},
            )
        return Q(Exists(ChurnScore.objects.filter(profile_id=OuterRef("pk"), band=band)))

    CONDITIONS = {
        "attribute": attribute,
        "consent": consent,
        "tier": tier,
        "balance_gte": balance,
        "earned_within_days": earned,
        "completed_campaign": completed_campaign,
        "outcome": outcome,
        "completed_challenge": completed_challenge,
        "segment": segment,
        "churn_risk": churn_risk,
    }


def _contains_any(values: list[str]) -> Q:
    """A multiple-choice declaration (a JSON list) holding any of `values`."""
    from django.db import connection

    if connection.vendor == "postgresql":
        condition = Q()
        for value in values:
            condition |= Q(value__contains=[value])
        return condition
    # SQLite has no JSON containment; keys are slugs, so their quoted form is unambiguous.
    condition = Q()
    for value in values:
        condition |= Q(value__icontains=f'"{value}"')
    return condition


# Conditions on what customers did, which need no consent to be used for a bonus.
ACTIVITY_CONDITIONS = {
    "tier",
    "balance_gte",
    "earned_within_days",
    "completed_campaign",
    "outcome",
    "completed_challenge",
    "churn_risk",
    "segment",
}


def rule_uses_only_activity(rule: Any, _seen: frozenset = frozenset()) -> bool:
    """Whether a rule looks only at what people did: no consent, nothing they told us."""
    if not isinstance(rule, dict):
        return False
    for key in ("all", "any"):
        if set(rule) == {key}:
            return isinstance(rule[key], list) and all(
                rule_uses_only_activity(part, _seen) for part in rule[key]
            )
    if set(rule) == {"not"}:
        return rule_uses_only_activity(rule["not"], _seen)
    if set(rule) == {"segment"}:
        from apps.personalization.models import Segment

        key = rule["segment"]
        other = Segment.objects.filter(key=key).first() if isinstance(key, str) else None
        return (
            other is not None
            and key not in _seen
            and rule_uses_only_activity(other.rule, _seen | {key})
        )
    names = set(rule) & set(Compiler.CONDITIONS)
    if len(names) != 1:
        return False
    (name,) = names
    return name in ACTIVITY_CONDITIONS and set(rule) <= {name, *CONDITION_KEYS.get(name, ())}


def rule_purposes(
    rule: Any, *, purpose_of: dict[str, str] | None = None, _seen: frozenset = frozenset()
) -> set[str]:
    """The purposes whose data a rule reads: `personalization` always, the purpose of each
    attribute it asks about, each purpose it checks consent for, through nested segments.
    `purpose_of` (attribute key to purpose key) saves the lookups when many rules are read."""
    if purpose_of is None:
        purpose_of = dict(Attribute.objects.values_list("key", "purpose__key"))
    purposes = {PERSONALIZATION}
    if not isinstance(rule, dict):
        return purposes
    parts = [
        part for key in ("all", "any") if isinstance(rule.get(key), list) for part in rule[key]
    ]
    if "not" in rule:
        parts.append(rule["not"])
    for part in parts:
        purposes |= rule_purposes(part, purpose_of=purpose_of, _seen=_seen)
    if isinstance(rule.get("attribute"), str) and rule["attribute"] in purpose_of:
        purposes.add(purpose_of[rule["attribute"]])
    if isinstance(rule.get("consent"), str):
        purposes.add(rule["consent"])
    if isinstance(rule.get("segment"), str) and rule["segment"] not in _seen:
        from apps.personalization.models import Segment

        other = Segment.objects.filter(key=rule["segment"]).first()
        if other is not None:
            seen = _seen | {rule["segment"]}
            purposes |= rule_purposes(other.rule, purpose_of=purpose_of, _seen=seen)
    return purposes


def rule_compile_activity(rule: Any, *, segment_key: str | None = None) -> Q:
    """A rule about what customers did, without the personalization filter: bonus points
    may go to a group, but never depend on consent."""
    compiler = Compiler()
    if segment_key:
        compiler.segments_open.append(segment_key)
    return compiler.compile(rule)


def rule_compile(rule: Any, *, segment_key: str | None = None, now=None) -> Q:
    """The rule as one condition over profiles, limited to customers who granted
    `personalization`; raises RuleError naming what is wrong."""
    compiler = Compiler(now=now)
    if segment_key:
        compiler.segments_open.append(segment_key)
    return compiler.compile(rule) & Q(consent_granted_exists(purpose_key=PERSONALIZATION))

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from apps.consent.models import Purpose
from apps.consent.selectors import (
    consent_granted_for_purpose_of,
    consent_state_list_granted,
)
from apps.preferences.models import Attribute, AttributeValue, Declaration, DeclarationHistory
from apps.preferences.values import attribute_display_value
from apps.profiles.models import Profile
from apps.profiles.selectors import profile_and_merged_ids

# Renewed by every change to an attribute or its values: what other apps keep of attributes
# follows it.
ATTRIBUTES_VERSION = "preferences.attributes"


def declaration_list_usable(
    *,
    profile_ids: Iterable[int] | None = None,
    purpose_keys: Iterable[str] | None = None,
    attribute_keys: Iterable[str] | None = None,
    attribute: Attribute | None = None,
    purpose_required_by_caller: str | None = None,
) -> QuerySet[Declaration]:
    """The one way to read declarations for using them: only those whose attribute's purpose
    the customer has granted right now (any version of it; special categories need their own
    explicit purpose, as every attribute does). A withdrawal hides them on the very next read.

    Without `profile_ids`, over every customer: chain `.filter(profile_id=OuterRef(...))` for
    a condition inside a query over profiles. `purpose_required_by_caller` names a purpose the
    caller's own query already requires for the same customer (every segment requires
    `personalization`): with `attribute` under that purpose the identical second check is left
    out, so a segment stays one plain EXISTS per condition. Each result knows whether it is
    stale (`is_stale`, `stale_since`) from its attribute's freshness period.
    """
    declarations = Declaration.objects.all()
    if profile_ids is not None:
        declarations = declarations.filter(profile_id__in=list(profile_ids))
    if purpose_keys is not None:
        declarations = declarations.filter(attribute__purpose__key__in=list(purpose_keys))
    if attribute_keys is not None:
        declarations = declarations.filter(attribute__key__in=list(attribute_keys))
    if attribute is not None:
        declarations = declarations.filter(attribute=attribute)
        if purpose_required_by_caller and attribute.purpose.key == purpose_required_by_caller:
            return declarations
    return declarations.filter(
        consent_granted_for_purpose_of(
            profile_ref="profile_id", purpose_ref="attribute__purpose_id"
        )
    )


def declaration_list_told(*, profile: Profile) -> QuerySet[Declaration]:
    """Everything the customer told us, used now or not: for their own eyes (preference
    center, their plays, their export), never for using it."""
    return Declaration.objects.filter(profile=profile)


def declaration_list_under_purpose(*, purpose: Purpose) -> QuerySet[Declaration]:
    """Every declaration collected for the purpose, usable or not: for retention, which
    deletes what consent no longer covers."""
    return Declaration.objects.filter(attribute__purpose=purpose)


def declaration_changed_exists(*, profile_ref: str, since: datetime) -> Exists:
    """EXISTS clause: the row's profile declared or confirmed something at or after `since`."""
    return Exists(
        Declaration.objects.filter(profile_id=OuterRef(profile_ref), confirmed_at__gte=since)
    )


def attribute_has_declarations(*, attribute_id: int) -> bool:
    """Whether anyone has answered the attribute: its kind and purpose are then fixed."""
    return Declaration.objects.filter(attribute_id=attribute_id).exists()


def attribute_list_active() -> QuerySet[Attribute]:
    return (
        Attribute.objects.filter(is_active=True)
        .select_related("purpose__current_version")
        .prefetch_related(Prefetch("values", queryset=AttributeValue.objects.order_by("position")))
    )


def attribute_get_active(*, key: str) -> Attribute | None:
    return attribute_list_active().filter(key=key).first()


def attribute_get(*, key: str) -> Attribute | None:
    """Any attribute, retired ones included: customers still see what they said about them."""
    return (
        Attribute.objects.select_related("purpose__current_version")
        .prefetch_related(Prefetch("values", queryset=AttributeValue.objects.order_by("position")))
        .filter(key=key)
        .first()
    )


@dataclass
class PreferenceRow:
    attribute: Attribute
    declaration: Declaration | None
    purpose_granted: bool

    @property
    def display_value(self) -> str:
        if self.declaration is None:
            return ""
        return attribute_display_value(
            attribute=self.attribute,
            value=self.declaration.value,
            allowed=list(self.attribute.values.all()),
        )

    @property
    def is_stale(self) -> bool:
        return bool(self.declaration and self.declaration.is_stale)


@dataclass
class TopicGroup:
    topic: str
    label: str
    purposes: list[Purpose] = field(default_factory=list)
    declared: list[PreferenceRow] = field(default_factory=list)
    undeclared: list[PreferenceRow] = field(default_factory=list)


def preference_center_groups(*, profile: Profile | None) -> list[TopicGroup]:
    """Everything the customer told us (used or not, retired questions too), grouped by topic,
    plus what they could still tell us. A fixed number of queries, however many declarations.

    Attributes that are not asked here (what a customer says elsewhere, such as “not
    interested” in an offer) appear only once declared."""
    visible = Q(is_active=True, is_asked=True)
    if profile:
        visible |= Q(declaration__profile=profile)
    attributes = list(
        Attribute.objects.filter(visible)
        .distinct()
        .select_related("purpose__current_version")
        .prefetch_related(Prefetch("values", queryset=AttributeValue.objects.order_by("position")))
    )
    declarations: dict[int, Declaration] = {}
    granted: set[int] = set()
    if profile:
        declarations = {d.attribute_id: d for d in declaration_list_told(profile=profile)}
        granted = set(
            consent_state_list_granted(profile=profile).values_list("purpose_id", flat=True)
        )
    labels = dict(Attribute.Topic.choices)
    groups: dict[str, TopicGroup] = {}
    for attribute in attributes:
        group = groups.setdefault(
            attribute.topic, TopicGroup(attribute.topic, str(labels[attribute.topic]))
        )
        if attribute.purpose not in group.purposes:
            group.purposes.append(attribute.purpose)
        declaration = declarations.get(attribute.pk)
        if declaration is not None:
            declaration.attribute = attribute
        if declaration is None and not (attribute.is_active and attribute.is_asked):
            continue
        row = PreferenceRow(attribute, declaration, attribute.purpose_id in granted)
        (group.declared if declaration else group.undeclared).append(row)
    order = list(labels)
    return sorted(groups.values(), key=lambda group: order.index(group.topic))


def preference_row(*, profile: Profile | None, attribute: Attribute) -> PreferenceRow:
    declaration = None
    granted = False
    if profile:
        declaration = declaration_list_told(profile=profile).filter(attribute=attribute).first()
        if declaration:
            declaration.attribute = attribute
        granted = (
            consent_state_list_granted(profile=profile)
            .filter(purpose_id=attribute.purpose_id)
            .exists()
        )
    return PreferenceRow(attribute, declaration, granted)


def declaration_history_list(
    *, profile: Profile | None, attribute: Attribute
) -> QuerySet[DeclarationHistory]:
    if not profile:
        return DeclarationHistory.objects.none()
    return DeclarationHistory.objects.filter(
        profile__in=profile_and_merged_ids(profile=profile), attribute=attribute
    )

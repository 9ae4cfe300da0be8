from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from apps.consent.models import ConsentState, Purpose
from apps.consent.selectors import consent_granted_for_purpose_of
from apps.preferences.models import Attribute, AttributeValue, Declaration, DeclarationHistory
from apps.preferences.values import attribute_display_value
from apps.profiles.models import Profile
from apps.profiles.selectors import profile_and_merged_ids

# Renewed by every change to an attribute or its values: what other apps keep of attributes
# follows it.
ATTRIBUTES_VERSION = "preferences.attributes"


def declared_preferences(
    *,
    profile_ids: Iterable[int],
    purpose_key: str | None = None,
    attribute_keys: Iterable[str] | None = None,
) -> QuerySet[Declaration]:
    """The one way other apps read declarations: only those whose purpose is granted right now.

    A withdrawal hides the declarations on the very next read. Each result knows whether it is
    stale (`is_stale`, `stale_since`) from its attribute's freshness period.
    """
    declarations = (
        Declaration.objects.filter(profile_id__in=list(profile_ids))
        .filter(
            consent_granted_for_purpose_of(
                profile_ref="profile_id", purpose_ref="attribute__purpose_id"
            )
        )
        .select_related("attribute__purpose")
    )
    if purpose_key is not None:
        declarations = declarations.filter(attribute__purpose__key=purpose_key)
    if attribute_keys is not None:
        declarations = declarations.filter(attribute__key__in=list(attribute_keys))
    return declarations


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
        declarations = {d.attribute_id: d for d in Declaration.objects.filter(profile=profile)}
        granted = set(
            ConsentState.objects.granted()
            .filter(profile=profile)
            .values_list("purpose_id", flat=True)
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
        declaration = Declaration.objects.filter(profile=profile, attribute=attribute).first()
        if declaration:
            declaration.attribute = attribute
        granted = (
            ConsentState.objects.granted()
            .filter(profile=profile, purpose=attribute.purpose)
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

import re
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from apps.campaigns.models import Participation
from apps.loyalty.models import LedgerEntry
from apps.preferences.models import Attribute, AttributeValue, DeclarationHistory
from apps.preferences.selectors import declaration_list_told
from apps.preferences.values import attribute_display_value
from apps.privacy.models import DataRequest
from apps.profiles.models import Profile
from apps.profiles.selectors import profile_and_merged_ids


def data_request_latest(*, profile: Profile | None, kind: str) -> DataRequest | None:
    if not profile:
        return None
    return (
        DataRequest.objects.filter(profile=profile, kind=kind)
        .order_by("-requested_at", "-pk")
        .first()
    )


def data_request_open(*, profile: Profile, kind: str) -> DataRequest | None:
    return DataRequest.objects.open().filter(profile=profile, kind=kind).first()


@dataclass(frozen=True)
class Told:
    """One thing a campaign's answers told us, as the customer reads it."""

    attribute: Attribute
    value: str
    # Still what we keep for this attribute, or changed or deleted since.
    still_kept: bool


@dataclass(frozen=True)
class ExchangeReceipt:
    """A finished campaign as a fair exchange: what the customer told us, for which purposes,
    and the points they got for taking part."""

    participation: Participation
    told: list[Told]
    points: int

    @property
    def decided(self) -> bool:
        """Whether the customer said what we keep; until then we keep nothing."""
        return self.participation.answers_kept_at is not None

    @property
    def purposes(self) -> list:
        return list(
            {told.attribute.purpose_id: told.attribute.purpose for told in self.told}.values()
        )


PLAY_KEY = re.compile(r"^rule:[0-9]+:participation:([0-9]+)(?::|$)")


def _points_per_play(profile_ids: QuerySet[Profile]) -> dict[int, int]:
    """Points the earning rules credited for each play (and its answers), reversals left out."""
    points: dict[int, int] = defaultdict(int)
    credits = LedgerEntry.objects.filter(
        account__profile__in=profile_ids,
        kind=LedgerEntry.Kind.EARN,
        idempotency_key__contains=":participation:",
        reversed_by__isnull=True,
    ).values_list("idempotency_key", "amount")
    for key, amount in credits:
        match = PLAY_KEY.match(key)
        if match:
            points[int(match.group(1))] += amount
    return points


def exchange_receipts(*, profile: Profile | None) -> list[ExchangeReceipt]:
    """Every finished campaign of the customer, newest first, with what it told us (from the
    declaration history, so a later change does not rewrite the receipt) and its points.
    Five queries, however many campaigns."""
    if not profile:
        return []
    ids = profile_and_merged_ids(profile=profile)
    plays = list(
        Participation.objects.filter(profile__in=ids, completed_at__isnull=False)
        .select_related("campaign")
        .order_by("-completed_at", "-pk")
    )
    if not plays:
        return []
    refs = [f"participation:{play.pk}" for play in plays]
    history = (
        DeclarationHistory.objects.filter(
            profile__in=ids,
            source_ref__in=refs,
            action__in=[DeclarationHistory.Action.DECLARED, DeclarationHistory.Action.CHANGED],
        )
        .select_related("attribute__purpose__current_version")
        .prefetch_related(
            Prefetch("attribute__values", queryset=AttributeValue.objects.order_by("position"))
        )
        .order_by("recorded_at", "pk")
    )
    kept = set(
        declaration_list_told(profile=profile)
        .filter(source_ref__in=refs)
        .values_list("attribute_id", "source_ref")
    )
    told: dict[str, dict[int, Told]] = defaultdict(dict)
    for entry in history:
        told[entry.source_ref][entry.attribute_id] = Told(
            attribute=entry.attribute,
            value=attribute_display_value(
                attribute=entry.attribute,
                value=entry.value,
                allowed=list(entry.attribute.values.all()),
            ),
            still_kept=(entry.attribute_id, entry.source_ref) in kept,
        )
    points = _points_per_play(ids)
    return [
        ExchangeReceipt(
            participation=play,
            told=list(told[f"participation:{play.pk}"].values()),
            points=points.get(play.pk, 0),
        )
        for play in plays
    ]


def participations_unfinished(*, profile: Profile | None) -> list[Participation]:
    """Plays the customer is in the middle of: an erasure takes their answers with it."""
    if not profile:
        return []
    return list(
        Participation.objects.filter(profile=profile, completed_at__isnull=True)
        .select_related("campaign")
        .order_by("-started_at")
    )


def data_request_list_open() -> QuerySet[DataRequest]:
    """Requests still to be answered, the one due first on top."""
    return DataRequest.objects.open().order_by("due_at", "pk")

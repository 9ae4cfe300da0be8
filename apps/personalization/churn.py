"""Churn risk from a customer's own activity: a weighted sum of plain features, so staff can
see why (each feature's points are stored with the score). Computed nightly in batches of
profiles, with a constant number of queries per batch.

Only what people did counts, never what they told us: bonus points may go to customers at
risk, and rewards must not depend on consent (which every declared answer does).
"""

from datetime import datetime, timedelta

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from apps.campaigns.selectors import participation_list_completed
from apps.loyalty.models import LedgerEntry
from apps.personalization.models import ChurnScore
from apps.profiles.models import Profile

BATCH_SIZE = 1000
# Points per feature; they add up to at most 100.
WEIGHTS = {"recency": 45, "frequency": 25, "trend": 20, "expiring_points": 10}
RECENCY_HORIZON_DAYS = 90
BANDS = [(60, ChurnScore.Band.HIGH), (30, ChurnScore.Band.MEDIUM), (0, ChurnScore.Band.LOW)]


def _features(profile_ids: list[int], now: datetime) -> dict[int, dict[str, float]]:
    """Four features for a batch of profiles, in three queries."""
    recent, earlier = now - timedelta(days=30), now - timedelta(days=RECENCY_HORIZON_DAYS)
    plays = {
        row["profile_id"]: row
        for row in participation_list_completed(profile_ids=profile_ids)
        .values("profile_id")
        .annotate(
            last=Max("completed_at"),
            in_90=Count("id", filter=Q(completed_at__gte=earlier)),
            in_30=Count("id", filter=Q(completed_at__gte=recent)),
        )
    }
    expiring = dict(
        LedgerEntry.objects.filter(
            account__profile_id__in=profile_ids,
            amount__gt=0,
            reversed_by__isnull=True,
            expires_at__gt=now,
            expires_at__lte=now + timedelta(days=30),
        )
        .values("account__profile_id")
        .annotate(points=Sum("amount"))
        .values_list("account__profile_id", "points")
    )
    created = dict(Profile.objects.filter(pk__in=profile_ids).values_list("pk", "created_at"))
    features = {}
    for pk in profile_ids:
        play = plays.get(pk, {})
        last = play.get("last") or created[pk]
        in_90, in_30 = play.get("in_90", 0), play.get("in_30", 0)
        in_60_before = in_90 - in_30
        features[pk] = {
            "recency": min((now - last).days / RECENCY_HORIZON_DAYS, 1.0),
            "frequency": 1.0 if in_90 == 0 else 0.5 if in_90 == 1 else 0.0,
            "trend": 1.0 if in_60_before >= 2 and in_30 * 2 < in_60_before else 0.0,
            "expiring_points": 1.0 if expiring.get(pk) else 0.0,
        }
    return features


def churn_score_of(features: dict[str, float]) -> tuple[int, str, list[dict]]:
    contributions = sorted(
        (
            {"feature": name, "points": round(WEIGHTS[name] * value), "value": round(value, 2)}
            for name, value in features.items()
        ),
        key=lambda item: (-item["points"], item["feature"]),
    )
    score = min(100, sum(item["points"] for item in contributions))
    band = next(band for floor, band in BANDS if score >= floor)
    return score, band, [item for item in contributions if item["points"]]


def churn_scores_compute(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Score every customer, batch by batch; running it again with the same `now` writes the
    same rows."""
    now = now or timezone.now()
    profiles = (
        Profile.objects.counted()
        .exclude(kind=Profile.Kind.MERGED)
        .filter(erased_at__isnull=True)
        .order_by("pk")
    )
    last_id, written = 0, 0
    while True:
        ids = list(profiles.filter(pk__gt=last_id).values_list("pk", flat=True)[:batch_size])
        if not ids:
            return written
        rows = []
        for pk, features in _features(ids, now).items():
            score, band, contributions = churn_score_of(features)
            rows.append(
                ChurnScore(
                    profile_id=pk,
                    score=score,
                    band=band,
                    contributions=contributions,
                    computed_at=now,
                )
            )
        ChurnScore.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["profile"],
            update_fields=["score", "band", "contributions", "computed_at"],
        )
        written += len(rows)
        last_id = ids[-1]

"""How the whole program is counted: movements per day, and its state now."""

from datetime import UTC as utc
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import CharField, Count, Q, Sum, Value
from django.db.models.functions import Cast, Concat

from apps.challenges.models import ChallengeProgress
from apps.consent.selectors import consent_state_list_granted
from apps.core.models import OutboxEvent
from apps.insights.figures.common import Row, rule_references
from apps.insights.periods import day_bounds, local_day, site_zone
from apps.loyalty.events import TierChanged
from apps.loyalty.models import Account, LedgerEntry, Reward, Tier
from apps.personalization.models import ChurnScore
from apps.preferences.models import Attribute
from apps.preferences.selectors import declaration_list_usable
from apps.profiles.models import Profile, counted_profiles

# Profile depth buckets: declared attributes per profile.
DEPTH_BUCKETS = [("0", 0, 0), ("1", 1, 1), ("2", 2, 2), ("3-5", 3, 5), ("6-10", 6, 10)]
DEPTH_TOP = "11+"
# The columns of `program_flows` rows, recomputable for any day.
FLOW_COLUMNS = [
    "points_earned",
    "earners",
    "points_redeemed",
    "redemptions",
    "challenge_completions",
    "tier_ups",
    "tier_downs",
]


def program_flows(*, first: date, last: date) -> list[Row]:
    """Per day: points earned through earning rules and redeemed for rewards, challenges
    completed, moves between tiers. Five queries."""
    start, end = day_bounds(first, last)
    rows: dict[date, Row] = {}

    def day_row(day: date) -> Row:
        return rows.setdefault(day, {"day": day, **dict.fromkeys(FLOW_COLUMNS, 0)})

    rewards = Reward.objects.annotate(
        ref=Concat(Value("reward:"), Cast("pk", CharField()), output_field=CharField())
    ).values("ref")
    for row in (
        LedgerEntry.objects.filter(
            Q(kind=LedgerEntry.Kind.EARN, source_ref__in=rule_references())
            | Q(kind=LedgerEntry.Kind.REDEEM, source_ref__in=rewards),
            counted_profiles("account__profile"),
            created_at__gte=start,
            created_at__lt=end,
        )
        .order_by()
        .annotate(day=local_day("created_at"))
        .values("day", "kind")
        .annotate(
            points=Sum("amount"), entries=Count("id"), people=Count("account_id", distinct=True)
        )
    ):
        entry = day_row(row["day"])
        if row["kind"] == LedgerEntry.Kind.EARN:
            entry["points_earned"] += row["points"]
            entry["earners"] += row["people"]
        else:
            entry["points_redeemed"] += -row["points"]
            entry["redemptions"] += row["entries"]

    for row in (
        ChallengeProgress.objects.filter(
            counted_profiles(), completed_at__gte=start, completed_at__lt=end
        )
        .order_by()
        .annotate(day=local_day("completed_at"))
        .values("day")
        .annotate(completions=Count("id"))
    ):
        day_row(row["day"])["challenge_completions"] += row["completions"]

    thresholds = dict(Tier.objects.values_list("key", "threshold"))
    for row in (
        OutboxEvent.objects.filter(name=TierChanged.name, created_at__gte=start, created_at__lt=end)
        # Events name profiles by public id; test customers are few (one per staff user).
        .exclude(payload__profile__in=_test_public_ids())
        .order_by()
        .annotate(day=local_day("created_at"))
        .values("day", "payload__tier", "payload__previous")
        .annotate(moves=Count("id"))
    ):
        up = thresholds.get(row["payload__tier"], -1) > thresholds.get(row["payload__previous"], -1)
        day_row(row["day"])["tier_ups" if up else "tier_downs"] += row["moves"]
    return list(rows.values())


def _test_public_ids() -> list[str]:
    return [
        str(pk) for pk in Profile.objects.filter(is_test=True).values_list("public_id", flat=True)
    ]


def program_snapshot(*, now: datetime) -> tuple[Row, list[Row]]:
    """The whole program as it is now: profiles, usable declarations and how many are stale,
    outstanding points; and breakdowns (declared attributes per profile, tiers, churn-risk
    bands, purposes granted, challenges joined and completed). Runs over every profile, so
    only the rollup task calls it."""
    # Staff's test customers are nobody: left out of every count below.
    profiles = Profile.objects.counted().exclude(kind=Profile.Kind.MERGED).count()
    usable = declaration_list_usable().filter(counted_profiles()).order_by()
    # As `Declaration.is_stale` decides: the day its freshness ran out (a UTC date) has come.
    today = now.astimezone(site_zone()).date()
    cut = datetime.combine(today + timedelta(days=1), time.min, tzinfo=utc)
    stale = Q(pk__in=[])
    for attribute_id, days in Attribute.objects.filter(freshness_days__isnull=False).values_list(
        "pk", "freshness_days"
    ):
        stale |= Q(attribute_id=attribute_id, confirmed_at__lt=cut - timedelta(days=days))
    totals = usable.aggregate(
        declarations=Count("id"),
        stale=Count("id", filter=stale),
        profiles_declaring=Count("profile_id", distinct=True),
    )
    per_profile = usable.values("profile_id").annotate(n=Count("id")).values("n")
    sql, params = per_profile.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT n, COUNT(*) FROM ({sql}) depth GROUP BY n", params)
        depth_counts = dict(cursor.fetchall())
    accounts = Account.objects.filter(counted_profiles())
    points = accounts.aggregate(
        liability=Sum("balance"), accounts=Count("id", filter=Q(balance__gt=0))
    )
    program = {
        "profiles": profiles,
        "profiles_declaring": totals["profiles_declaring"],
        "declarations": totals["declarations"],
        "stale_declarations": totals["stale"],
        "accounts": points["accounts"],
        "liability": points["liability"] or 0,
    }
    depth = {key: 0 for key, _low, _high in DEPTH_BUCKETS} | {DEPTH_TOP: 0}
    depth["0"] = max(0, profiles - totals["profiles_declaring"])
    for n, count in depth_counts.items():
        depth[depth_bucket(n)] += count
    breakdowns: list[Row] = [{"kind": "depth", "key": key, "count": n} for key, n in depth.items()]
    breakdowns += [
        {"kind": "tier", "key": key or "", "count": n}
        for key, n in accounts.order_by()
        .values("tier__key")
        .annotate(n=Count("id"))
        .values_list("tier__key", "n")
    ]
    breakdowns += [
        {"kind": "churn", "key": band, "count": n}
        for band, n in ChurnScore.objects.filter(counted_profiles())
        .order_by()
        .values("band")
        .annotate(n=Count("profile_id"))
        .values_list("band", "n")
    ]
    breakdowns += [
        {"kind": "granted", "key": key, "count": n}
        for key, n in consent_state_list_granted()
        .filter(counted_profiles())
        .order_by()
        .values("purpose__key")
        .annotate(n=Count("id"))
        .values_list("purpose__key", "n")
    ]
    for slug, joined, completed in (
        ChallengeProgress.objects.filter(counted_profiles())
        .order_by()
        .values("challenge__slug")
        .annotate(joined=Count("id"), completed=Count("id", filter=Q(completed_at__isnull=False)))
        .values_list("challenge__slug", "joined", "completed")
    ):
        breakdowns.append({"kind": "challenge_joined", "key": slug, "count": joined})
        breakdowns.append({"kind": "challenge_completed", "key": slug, "count": completed})
    return program, breakdowns


def depth_bucket(declared: int) -> str:
    for key, low, high in DEPTH_BUCKETS:
        if low <= declared <= high:
            return key
    return DEPTH_TOP

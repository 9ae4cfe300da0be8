"""Campaigns and plays as other apps and the pages look them up: the live campaigns, one
campaign or play, finished plays, and conditions for queries over profiles."""

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from apps.campaigns.models import Campaign, Option, Outcome, Participation, Question
from apps.core.models import within_schedule
from apps.profiles.models import Profile

# Renewed by every change to a campaign, its questions, answers or outcomes: what other
# apps keep of campaigns follows it.
CAMPAIGNS_VERSION = "campaigns"


def campaign_list_live() -> QuerySet[Campaign]:
    return Campaign.objects.live()


def campaign_list_running(
    *, now: datetime, ending_by: datetime | None = None
) -> QuerySet[Campaign]:
    """Campaigns customers can play at `now`, soonest ending first; with `ending_by`, only
    those whose end is set and comes before it."""
    running = Campaign.objects.filter(within_schedule(now), status=Campaign.Status.LIVE)
    if ending_by is not None:
        running = running.filter(ends_at__lte=ending_by)
    return running.order_by(F("ends_at").asc(nulls_last=True), "position", "pk")


def campaign_get_live(*, slug: str) -> Campaign | None:
    return campaign_list_live().filter(slug=slug).first()


def participation_for(*, campaign: Campaign, profile: Profile | None) -> Participation | None:
    if not profile:
        return None
    participation = (
        Participation.objects.select_related("outcome", "profile")
        .filter(campaign=campaign, profile=profile)
        .order_by("-round")
        .first()
    )
    if participation is not None:
        participation.campaign = campaign  # the caller's, with what it already read
    return participation


def participation_next_round_at(*, participation: Participation) -> datetime | None:
    """When this player may start the campaign again, or None if never (once-only campaigns,
    or a play not finished yet)."""
    days = participation.campaign.repeat_after_days
    if days is None or participation.completed_at is None:
        return None
    # Counted in the player's calendar: a daily question played at 20:00 is open again at
    # midnight, not at 20:00 the next day.
    zone = participation.profile.zone
    completed_on = timezone.localtime(participation.completed_at, zone).date()
    return datetime.combine(completed_on + timedelta(days=days), time.min, tzinfo=zone)


def campaign_questions_with_options(*, campaign: Campaign) -> list[Question]:
    return list(
        campaign.questions.order_by("position")
        .select_related("attribute")
        .prefetch_related(
            Prefetch(
                "options",
                queryset=Option.objects.select_related("outcome", "attribute").order_by(
                    "position", "pk"
                ),
            )
        )
    )


def campaign_attributes_live() -> dict[Campaign, set[int]]:
    """Each live campaign with the attributes its answers can tell us: two queries."""
    campaigns = {campaign.pk: campaign for campaign in campaign_list_live()}
    told: dict[int, set[int]] = {pk: set() for pk in campaigns}
    # Both sides select the same two annotations, in that order: with plain field names
    # each side could order its columns differently, and UNION matches them by position.
    for campaign_id, attribute_id in (
        Option.objects.filter(question__campaign_id__in=campaigns, attribute__isnull=False)
        .order_by()
        .annotate(told_campaign=F("question__campaign_id"), told_attribute=F("attribute_id"))
        .values_list("told_campaign", "told_attribute")
        .union(
            Question.objects.filter(campaign_id__in=campaigns, attribute__isnull=False)
            .order_by()
            .annotate(told_campaign=F("campaign_id"), told_attribute=F("attribute_id"))
            .values_list("told_campaign", "told_attribute")
        )
    ):
        told[campaign_id].add(attribute_id)
    return {campaigns[pk]: attributes for pk, attributes in told.items()}


def campaign_get(*, slug: str) -> Campaign | None:
    """A campaign in any state (the live ones: `campaign_get_live`)."""
    return Campaign.objects.filter(slug=slug).first()


def campaign_list_with_outcomes() -> QuerySet[Campaign]:
    return Campaign.objects.prefetch_related(
        Prefetch("outcomes", queryset=Outcome.objects.order_by("key"))
    )


def participation_list_completed(
    *, profile_ids: Iterable[int] | None = None
) -> QuerySet[Participation]:
    """Finished plays, of these profiles if given; callers narrow and aggregate further."""
    plays = Participation.objects.filter(completed_at__isnull=False)
    if profile_ids is not None:
        plays = plays.filter(profile_id__in=list(profile_ids))
    return plays


def profile_played_since(*, moment: datetime) -> Exists:
    """For a query over profiles: started or finished a play since the moment."""
    return Exists(
        Participation.objects.filter(
            Q(started_at__gte=moment) | Q(completed_at__gte=moment), profile_id=OuterRef("pk")
        )
    )


def profile_completed_campaign(*, slug: str) -> Exists:
    """For a query over profiles: finished a play of the campaign."""
    return Exists(
        Participation.objects.filter(
            profile_id=OuterRef("pk"), campaign__slug=slug, completed_at__isnull=False
        )
    )


def profile_reached_outcome(*, campaign_slug: str, outcome_key: str) -> Exists:
    """For a query over profiles: a play of the campaign ended in the outcome."""
    return Exists(
        Participation.objects.filter(
            profile_id=OuterRef("pk"), campaign__slug=campaign_slug, outcome__key=outcome_key
        )
    )

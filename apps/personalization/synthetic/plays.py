"""The synthetic customers' plays of the live campaigns, with their answers: most play each
campaign once, some leave part-way, and some come back to a daily question day after day."""

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from apps.campaigns.models import (
    Answer,
    Campaign,
    CampaignViews,
    Option,
    Participation,
    Question,
)
from apps.campaigns.services import option_tallies_add
from apps.personalization.synthetic.writing import reserve_ids, write

PLAY_RATE = 0.75
FINISH_RATE = 0.85
# Share of customers who stop playing after their first weeks (so churn risk has its bands).
LAPSE_RATE = 0.3
# Share of customers who take up a daily campaign, and the longest run of days they play it.
DAILY_RATE = 0.35
LONGEST_RUN = 14
SECONDS_PER_ANSWER = 20
# Views of a campaign's first page per play begun.
VIEWS_PER_START = (1.2, 1.8)
WORDS = ["lecker", "frisch", "teuer", "knusprig", "süß", "gesund", "praktisch", "schnell"]


@dataclass(frozen=True)
class Play:
    """A finished play, as the points and challenges generated after it need it."""

    pk: int
    profile_id: int
    campaign: str
    completed_at: datetime


@dataclass(frozen=True)
class LiveCampaign:
    pk: int
    slug: str
    daily: bool
    # (id, kind, low, high, [(option, outcome, correct)]) in order.
    questions: list[tuple]


def _live_campaigns() -> list[LiveCampaign]:
    live = Campaign.objects.live()
    options = defaultdict(list)
    for question_id, option_id, outcome_id, correct in Option.objects.filter(
        question__campaign__in=live
    ).values_list("question_id", "pk", "outcome_id", "is_correct"):
        options[question_id].append((option_id, outcome_id, correct))
    questions = defaultdict(list)
    for pk, campaign_id, kind, low, high in (
        Question.objects.filter(campaign__in=live)
        .order_by("campaign_id", "position")
        .values_list("pk", "campaign_id", "kind", "scale_min", "scale_max")
    ):
        questions[campaign_id].append((pk, kind, low, high, options[pk]))
    return [
        LiveCampaign(pk, slug, repeat == 1, questions[pk])
        for pk, slug, repeat in live.order_by("pk").values_list("pk", "slug", "repeat_after_days")
        if questions[pk]
    ]


def _answer(question: tuple, chance: random.Random) -> tuple[int | None, str, list[tuple]]:
    """A plausible answer: (number, text, chosen options with their outcomes)."""
    _pk, kind, low, high, options = question
    if kind in (Question.Kind.SINGLE, Question.Kind.IMAGE) and options:
        return None, "", [chance.choice(options)]
    if kind == Question.Kind.MULTIPLE and options:
        return None, "", chance.sample(options, chance.randint(1, min(2, len(options))))
    if kind == Question.Kind.TEXT:
        return None, " ".join(chance.sample(WORDS, 2)), []
    if kind == Question.Kind.MOOD:
        # Most customers are content; a few are not.
        return chance.choices(range(1, 6), weights=[1, 2, 4, 6, 5])[0], "", []
    if (low, high) == (0, 10):
        # Recommendation scores lean towards the top, as they tend to.
        return chance.choices(range(11), weights=[1, 1, 1, 1, 2, 3, 4, 8, 10, 9, 7])[0], "", []
    if low is None or high is None:
        return None, "", []
    return chance.randint(low, high), "", []


def moment_between(start: datetime, end: datetime, chance: random.Random) -> datetime:
    """A random moment from `start` to `end`."""
    seconds = max(0, int((end - start).total_seconds()))
    return start + timedelta(seconds=chance.randint(0, seconds))


def _schedule(profiles, campaigns, now, chance) -> list[tuple]:
    """(campaign, profile, round, started, finished) for every play."""
    plays = []
    for pk, _public_id, created in profiles:
        until = now
        if chance.random() < LAPSE_RATE:
            until = created + (now - created) * chance.uniform(0.05, 0.3)
        for campaign in campaigns:
            if campaign.daily:
                if chance.random() > DAILY_RATE:
                    continue
                days = max(0, (until - created).days - 1)
                run = chance.randint(1, min(LONGEST_RUN, days + 1))
                first = created + timedelta(days=chance.randint(0, days - run + 1))
                for round_ in range(1, run + 1):
                    started = first + timedelta(days=round_ - 1, seconds=chance.randint(0, 3600))
                    plays.append((campaign, pk, round_, min(started, now), True))
            elif chance.random() < PLAY_RATE:
                started = moment_between(created, until, chance)
                plays.append((campaign, pk, 1, started, chance.random() < FINISH_RATE))
    return plays


def plays_generate(*, profiles: list[tuple], now: datetime, chance: random.Random) -> list[Play]:
    """Write the plays and answers of these customers (id, public id, signed up at); returns
    the finished plays. Finished plays also count in each option's anonymous tally."""
    campaigns = _live_campaigns()
    if not campaigns:
        return []
    scheduled = _schedule(profiles, campaigns, now, chance)
    first_play = reserve_ids(Participation, len(scheduled))
    answered = []
    for n, (campaign, _pk, _round, started, finished) in enumerate(scheduled):
        asked = len(campaign.questions)
        count = asked if finished else chance.randint(0, max(0, asked - 1))
        answered.append((first_play + n, campaign, started, count, finished))
    first_answer = reserve_ids(Answer, sum(count for _pk, _c, _at, count, _f in answered))
    answer_rows, chosen_rows, results, tallies = [], [], {}, Counter()
    for play_id, campaign, started, count, finished in answered:
        votes, score, options = Counter(), 0, set()
        for index, question in enumerate(campaign.questions[:count]):
            number, text, chosen = _answer(question, chance)
            answer_id = first_answer + len(answer_rows)
            at = started + timedelta(seconds=SECONDS_PER_ANSWER * index)
            answer_rows.append((answer_id, play_id, question[0], number, text, at, False))
            chosen_rows += [(answer_id, option_id) for option_id, _outcome, _right in chosen]
            votes.update(outcome for _option, outcome, _right in chosen if outcome)
            score += sum(1 for _option, _outcome, right in chosen if right)
            options.update(option_id for option_id, _outcome, _right in chosen)
        outcome = votes.most_common(1)[0][0] if votes and finished else None
        results[play_id] = (score, outcome)
        if finished:
            tallies.update(options)
    play_rows, finished_plays, views = [], [], Counter()
    zone = ZoneInfo(settings.TIME_ZONE)
    for n, (campaign, pk, round_, started, finished) in enumerate(scheduled):
        play_id = first_play + n
        completed = (
            started + timedelta(seconds=SECONDS_PER_ANSWER * len(campaign.questions))
            if finished
            else None
        )
        score, outcome = results[play_id]
        play_rows.append(
            (play_id, campaign.pk, pk, round_, started, completed, score, [], [], outcome)
        )
        if completed:
            finished_plays.append(Play(play_id, pk, campaign.slug, completed))
        views[(campaign.pk, started.astimezone(zone).date())] += 1
    write(
        Participation,
        [
            "id",
            "campaign_id",
            "profile_id",
            "round",
            "started_at",
            "completed_at",
            "score",
            "dimension_results",
            "withheld_attributes",
            "outcome_id",
        ],
        play_rows,
    )
    write(
        Answer,
        ["id", "participation_id", "question_id", "number", "text", "answered_at", "late"],
        answer_rows,
    )
    write(Answer.options.through, ["answer_id", "option_id"], chosen_rows)
    option_tallies_add(counts=dict(tallies))
    _add_views(views, chance)
    return finished_plays


def _add_views(starts: Counter, chance: random.Random) -> None:
    """Views of each campaign's first page per day: more than the plays begun there, as not
    everyone who looks starts. Added to any counted before (chunks share days)."""
    if not starts:
        return
    table = CampaignViews._meta.db_table
    rows = sorted(
        (campaign_id, day, round(count * chance.uniform(*VIEWS_PER_START)))
        for (campaign_id, day), count in starts.items()
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (campaign_id, day, count) VALUES (%s, %s, %s) "
            f"ON CONFLICT (campaign_id, day) DO UPDATE SET count = {table}.count + excluded.count",
            rows,
        )

"""One campaign's dashboard."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q, Sum
from django.utils.translation import gettext, pgettext

from apps.campaigns.models import MOOD_FACES, Campaign, Question
from apps.campaigns.selectors import campaign_questions_with_options
from apps.core.embedding import COLLECTION_POINT_PREFIX
from apps.insights import figures
from apps.insights.charts import Chart, Table, bar_chart, column_chart
from apps.insights.models import (
    CampaignDayRollup,
    ConsentDayRollup,
    DeclarationDayRollup,
    OptionDayTally,
    OutcomeDayRollup,
    QuestionDayRollup,
    ValueDayTally,
    WordDayTally,
)
from apps.insights.periods import period_of, periods, site_today
from apps.insights.selectors.common import (
    Dashboard,
    includes_today,
    is_nps_question,
    nps_cell,
    nps_groups,
    period_label,
    stored_range,
    sum_rows,
)
from apps.insights.suppression import MINIMUM_GROUP, cell, count_cell, group_cells, share_cell
from apps.preferences.models import Attribute

# Free-text words shown per question, most used first.
WORDS_SHOWN = 30


def campaign_collection_point(campaign: Campaign) -> str:
    """Where the campaign's end screen records consent decisions (see campaigns.views)."""
    return f"campaign:{campaign.slug}"


def campaign_collection_points(campaign: Campaign) -> Q:
    """The campaign's end screen on our site and inside every brand's frame that showed it
    ("embed:<origin>#<slug>", see core.embedding)."""
    return Q(collection_point=campaign_collection_point(campaign)) | Q(
        collection_point__startswith=f"{COLLECTION_POINT_PREFIX}:",
        collection_point__endswith=f"#{campaign.slug}",
    )


CAMPAIGN_COLUMNS = [
    "views",
    "starts",
    "completions",
    "completion_seconds",
    "new_participants",
    "returning_participants",
    "points_paid",
    "points_people",
]


@dataclass
class QuestionInsight:
    question: Question
    number: int
    chart: Chart | None = None
    words: Table | None = None
    words_hidden: bool = False


@dataclass
class CampaignDashboard(Dashboard):
    campaign: Campaign | None = None
    funnel: Chart | None = None
    starts: Chart | None = None
    outcomes: Chart | None = None
    consent: Table | None = None
    declarations: Table | None = None
    questions: list[QuestionInsight] = field(default_factory=list)


def campaign_dashboard(
    *, campaign: Campaign, first: date, last: date, free_text: bool, now: datetime | None = None
) -> CampaignDashboard:
    """One campaign over a range of days (by the day plays started): funnel with drop-off per
    question, answers per question, outcomes, time to complete, consent asked at the end,
    points paid, first and returning players, declarations gained. Free-text answers only as
    word counts, and only when `free_text`."""
    today = site_today(now)
    stored_first, stored_last = stored_range(first, last, today)
    in_range = {"campaign": campaign, "day__gte": stored_first, "day__lte": stored_last}
    questions = campaign_questions_with_options(campaign=campaign)
    outcomes = list(campaign.outcomes.order_by("pk"))
    purposes = list(campaign.purposes.select_related("current_version").order_by("position"))
    day_rows = list(CampaignDayRollup.objects.filter(**in_range).values("day", *CAMPAIGN_COLUMNS))
    passed_rows = list(QuestionDayRollup.objects.filter(**in_range).values("question_id", "passed"))
    outcome_rows = list(
        OutcomeDayRollup.objects.filter(**in_range).values("outcome_id", "completions")
    )
    declaration_rows = list(
        DeclarationDayRollup.objects.filter(**in_range).values("attribute_id", "declarations")
    )
    points = campaign_collection_points(campaign)
    consent_rows = list(
        ConsentDayRollup.objects.filter(
            points,
            purpose__in=purposes,
            day__gte=stored_first,
            day__lte=stored_last,
        ).values("purpose_id", "grants", "refusals", "withdrawals")
    )
    if includes_today(first, last, today):
        live = figures.campaign_figures(first=today, last=today, campaign_ids=[campaign.pk])
        day_rows += live["campaign_days"]
        passed_rows += live["question_days"]
        outcome_rows += live["outcome_days"]
        declaration_rows += live["declaration_days"]
        consent_rows += figures.consent_figures(first=today, last=today, collection_points=points)
    # Tallies are written as plays complete, so they hold today already.
    tally_range = {"campaign": campaign, "day__gte": first, "day__lte": last}
    option_counts = dict(
        OptionDayTally.objects.filter(**tally_range)
        .values("option_id")
        .annotate(n=Sum("answers"))
        .values_list("option_id", "n")
    )
    value_counts = {
        (question_id, value): n
        for question_id, value, n in ValueDayTally.objects.filter(**tally_range)
        .values("question_id", "value")
        .annotate(n=Sum("answers"))
        .values_list("question_id", "value", "n")
    }
    words: dict[int, list[tuple[str, int]]] = defaultdict(list)
    if free_text:
        # Words used in fewer than five answers are never read.
        for question_id, word, n in (
            WordDayTally.objects.filter(**tally_range)
            .values("question_id", "word")
            .annotate(n=Sum("answers"))
            .filter(n__gte=MINIMUM_GROUP)
            .order_by("question_id", "-n", "word")
            .values_list("question_id", "word", "n")
        ):
            words[question_id].append((word, n))
    attribute_ids = {row["attribute_id"] for row in declaration_rows}
    attributes = {a.pk: a for a in Attribute.objects.filter(pk__in=attribute_ids)}

    dashboard = CampaignDashboard(first=first, last=last, campaign=campaign)
    prefix = f"c{campaign.pk}"
    totals = dict.fromkeys(CAMPAIGN_COLUMNS, 0)
    for row in day_rows:
        for column in CAMPAIGN_COLUMNS:
            totals[column] += row[column]
    dashboard.key_figures = _campaign_key_figures(prefix, totals)
    passed = sum_rows(passed_rows, "question_id", ["passed"])
    dashboard.funnel = dashboard.add_chart(_funnel(prefix, totals, questions, passed))
    dashboard.starts = dashboard.add_chart(_starts_over_time(prefix, first, last, day_rows))
    for number, question in enumerate(questions, 1):
        insight = _question_insight(
            prefix, question, number, option_counts, value_counts, words, free_text
        )
        if insight.chart:
            dashboard.add_chart(insight.chart)
        if insight.words:
            dashboard.add_table(insight.words)
        dashboard.questions.append(insight)
    if outcomes:
        completions = sum_rows(outcome_rows, "outcome_id", ["completions"])
        cells = group_cells({o: completions[o.pk]["completions"] for o in outcomes})
        dashboard.outcomes = dashboard.add_chart(
            bar_chart(
                key=f"{prefix}-outcomes",
                title=gettext("Outcomes"),
                description=gettext("Completed plays per result."),
                rows=[(outcome.title, cells[outcome]) for outcome in outcomes],
                columns=[gettext("Outcome"), gettext("Completions")],
            )
        )
    dashboard.consent = dashboard.add_table(
        _consent_at_end(prefix, purposes, consent_rows, totals["completions"])
    )
    dashboard.declarations = dashboard.add_table(
        _declarations_gained(prefix, declaration_rows, attributes)
    )
    return dashboard


def _campaign_key_figures(prefix: str, totals: dict) -> Table:
    completions = totals["completions"]
    players = group_cells(
        {"new": totals["new_participants"], "returning": totals["returning_participants"]}
    )
    average = totals["completion_seconds"] / completions if completions else None
    rows = [
        [
            gettext("Views of the first page"),
            count_cell(totals["views"]),
            gettext("Times the campaign's first page was opened."),
        ],
        [
            gettext("Starts"),
            count_cell(totals["starts"]),
            gettext("Plays begun in the range."),
        ],
        [
            gettext("Completions"),
            count_cell(completions),
            gettext("Of those plays, the ones finished to the end."),
        ],
        [
            gettext("Completion rate"),
            share_cell(completions, totals["starts"]),
            gettext("Completions as a share of starts."),
        ],
        [
            gettext("Average time to complete"),
            cell(average, people=completions, unit=pgettext("seconds", "s")),
            gettext("From starting to finishing, over the finished plays."),
        ],
        [
            gettext("First play ever (new participants)"),
            players["new"],
            gettext("Starts by customers who had never played any campaign before."),
        ],
        [
            gettext("Played before (returning participants)"),
            players["returning"],
            gettext("Starts by customers who had played a campaign before."),
        ],
        [
            gettext("Points paid"),
            cell(totals["points_paid"], people=totals["points_people"]),
            gettext("Points the earning rules paid for these plays."),
        ],
    ]
    return Table(
        f"{prefix}-key-figures",
        gettext("Key figures"),
        [gettext("Figure"), gettext("Value")],
        [[label, value] for label, value, _note in rows],
        notes=[note for _label, _value, note in rows],
        notes_column=gettext("What it counts"),
    )


def _funnel(prefix: str, totals: dict, questions: list[Question], passed: dict) -> Chart:
    steps = [
        (gettext("Views"), totals["views"]),
        (gettext("Starts"), totals["starts"]),
        *(
            (
                gettext("Past question %(number)s: %(text)s")
                % {"number": number, "text": question.text},
                passed[question.pk]["passed"],
            )
            for number, question in enumerate(questions, 1)
        ),
        (gettext("Completions"), totals["completions"]),
    ]
    chart = bar_chart(
        key=f"{prefix}-funnel",
        title=gettext("Funnel"),
        description=gettext(
            "Views of the first page, starts, plays that got past each question, and "
            "completions; plays counted on the day they started."
        ),
        rows=[(label, count_cell(count)) for label, count in steps],
        columns=[gettext("Step"), gettext("Plays")],
    )
    rows = []
    starts = totals["starts"]
    for index, (label, count) in enumerate(steps):
        # Drop-off is counted from starts on: views are pages, not players.
        dropped = steps[index - 1][1] - count if index >= 2 else None
        rows.append(
            [
                label,
                count_cell(count),
                share_cell(count, starts) if index >= 1 else "",
                count_cell(max(dropped, 0)) if dropped is not None else "",
            ]
        )
    chart.table = Table(
        chart.key,
        chart.title,
        [gettext("Step"), gettext("Plays"), gettext("Share of starts"), gettext("Left here")],
        rows,
    )
    return chart


def _starts_over_time(prefix: str, first: date, last: date, day_rows: list[dict]) -> Chart:
    labels, weekly = periods(first, last)
    starts: dict[date, int] = defaultdict(int)
    for row in day_rows:
        starts[period_of(row["day"], weekly=weekly)] += row["starts"]
    return column_chart(
        key=f"{prefix}-starts",
        title=gettext("Starts over time"),
        description=gettext("Plays started per week.")
        if weekly
        else gettext("Plays started per day."),
        rows=[(period_label(day, weekly), count_cell(starts[day])) for day in labels],
        columns=[gettext("Period"), gettext("Starts")],
    )


def _question_insight(
    prefix: str,
    question: Question,
    number: int,
    option_counts: dict,
    value_counts: dict,
    words: dict,
    free_text: bool,
) -> QuestionInsight:
    insight = QuestionInsight(question, number)
    key = f"{prefix}-q{question.pk}"
    title = gettext("Question %(number)s: %(text)s") % {"number": number, "text": question.text}
    kind = question.kind
    if kind == Question.Kind.TEXT:
        if not free_text:
            insight.words_hidden = True
            return insight
        insight.words = Table(
            f"{key}-words",
            title,
            [gettext("Word"), gettext("Answers using it")],
            [[word, count_cell(n)] for word, n in words[question.pk][:WORDS_SHOWN]],
        )
        return insight
    if is_nps_question(question):
        insight.chart = _nps_question_chart(key, title, question, value_counts)
        return insight
    if kind in (Question.Kind.SCALE, Question.Kind.MOOD, Question.Kind.NUMBER):
        if kind == Question.Kind.NUMBER:
            values = sorted(v for q, v in value_counts if q == question.pk)
        else:
            values = list(question.scale_values)
        cells = group_cells({value: value_counts.get((question.pk, value), 0) for value in values})
        labels = {
            value: (
                f"{MOOD_FACES[value - 1]} {value}"
                if kind == Question.Kind.MOOD and 1 <= value <= len(MOOD_FACES)
                else str(value)
            )
            for value in values
        }
        rows = [(labels[value], cells[value]) for value in values]
    else:
        options = list(question.options.all())
        cells = group_cells({option: option_counts.get(option.pk, 0) for option in options})
        rows = [(option.label, cells[option]) for option in options]
    insight.chart = bar_chart(
        key=key,
        title=title,
        description=gettext("Answers of completed plays per choice."),
        rows=rows,
        columns=[gettext("Answer"), gettext("Answers")],
    )
    return insight


def _nps_question_chart(key: str, title: str, question: Question, value_counts: dict) -> Chart:
    groups = nps_groups(
        {value: n for (question_id, value), n in value_counts.items() if question_id == question.pk}
    )
    cells = group_cells(groups)
    labels = {
        "promoters": gettext("Promoters (9-10)"),
        "passives": gettext("Passives (7-8)"),
        "detractors": gettext("Detractors (0-6)"),
    }
    chart = bar_chart(
        key=key,
        title=title,
        description=gettext(
            "A 0-10 recommendation question: answers of completed plays as promoters, "
            "passives and detractors."
        ),
        rows=[(labels[group], cells[group]) for group in labels],
        columns=[gettext("Answer"), gettext("Answers")],
    )
    chart.table.rows.append(
        [
            gettext("Net Promoter Score"),
            nps_cell(groups),
        ]
    )
    return chart


def _consent_at_end(prefix: str, purposes: list, rows: list[dict], completions: int) -> Table:
    sums = sum_rows(rows, "purpose_id", ["grants", "refusals", "withdrawals"])
    table_rows = []
    for purpose in purposes:
        entry = sums[purpose.pk]
        title = purpose.current_version.title if purpose.current_version else purpose.key
        table_rows.append(
            [
                title,
                count_cell(entry["grants"]),
                count_cell(entry["refusals"]),
                count_cell(entry["withdrawals"]),
                share_cell(entry["grants"], completions),
            ]
        )
    return Table(
        f"{prefix}-consent",
        gettext("Consent asked at the end"),
        [
            gettext("Purpose"),
            gettext("Agreed"),
            gettext("Refused"),
            gettext("Withdrawn"),
            gettext("Consent rate (of completions)"),
        ],
        table_rows,
    )


def _declarations_gained(prefix: str, rows: list[dict], attributes: dict) -> Table:
    sums = sum_rows(rows, "attribute_id", ["declarations"])
    ordered = sorted(sums.items(), key=lambda item: (-item[1]["declarations"], item[0]))
    return Table(
        f"{prefix}-declarations",
        gettext("Declarations gained"),
        [gettext("Attribute"), gettext("Declared or updated")],
        [
            [
                attributes[pk].label if pk in attributes else str(pk),
                count_cell(entry["declarations"]),
            ]
            for pk, entry in ordered
        ],
    )

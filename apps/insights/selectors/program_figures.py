"""The program dashboard's key figures, each with a line saying what it counts."""

from django.utils.translation import gettext

from apps.insights.charts import Table
from apps.insights.selectors.common import nps_cell
from apps.insights.suppression import cell, count_cell, ratio_cell, share_cell, within


def program_key_figures(snapshot, flows: dict, nps: dict) -> Table:
    """Each figure with a line saying what it counts. A ratio is hidden with its parts, and
    when the profiles are too few to show, so is everything counted among them."""
    profiles = count_cell(snapshot.profiles if snapshot else 0)
    declarations = snapshot.declarations if snapshot else 0
    earned, redeemed = flows["points_earned"], flows["points_redeemed"]
    earned_cell = cell(earned, people=flows["earners"])
    redeemed_cell = cell(redeemed, people=flows["redemptions"])
    rows = [
        (
            gettext("Profiles"),
            profiles,
            gettext("Customer profiles on the last counted day (merged duplicates not counted)."),
        ),
        (
            gettext("Average declared attributes per profile"),
            ratio_cell(
                declarations / profiles.value if not profiles.hidden else None,
                parts=[profiles, count_cell(declarations)],
                decimals=1,
            ),
            gettext("Answers usable now (their purpose agreed to), divided by all profiles."),
        ),
        (
            gettext("Share of declarations that are stale"),
            share_cell(snapshot.stale_declarations if snapshot else 0, declarations),
            gettext("Usable answers older than their attribute's freshness period."),
        ),
        (
            gettext("Outstanding points (liability)"),
            cell(
                snapshot.liability if snapshot else None,
                people=snapshot.accounts if snapshot else 0,
            ),
            gettext("Points held in all accounts on the last counted day, not yet spent."),
        ),
        (
            gettext("Points earned"),
            earned_cell,
            gettext("Points paid by earning rules in the chosen range."),
        ),
        (
            gettext("Points redeemed"),
            redeemed_cell,
            gettext("Points spent on rewards in the chosen range."),
        ),
        (
            gettext("Redemption rate (redeemed of earned)"),
            ratio_cell(
                redeemed * 100 / earned if earned else None,
                parts=[earned_cell, redeemed_cell],
                percent=True,
            ),
            gettext("Points redeemed as a share of points earned in the range."),
        ),
        (
            gettext("Challenges completed"),
            count_cell(flows["challenge_completions"]),
            gettext("Challenge rounds finished in the range, by all customers together."),
        ),
        (
            gettext("Net Promoter Score"),
            nps_cell(nps),
            gettext("Promoters (9-10) minus detractors (0-6) in percent of 0-10 answers."),
        ),
    ]
    return Table(
        "key-figures",
        gettext("Key figures"),
        [gettext("Figure"), gettext("Value")],
        [
            [label, value if index == 0 else within(value, profiles)]
            for index, (label, value, _note) in enumerate(rows)
        ],
        notes=[note for _label, _value, note in rows],
        notes_column=gettext("What it counts"),
    )

"""Dimension names already written become the German ones, and the results of plays finished
so far are added to the score tallies, so comparisons start from everyone who took part."""

from collections import defaultdict

from django.db import migrations
from django.db.models import F


def fill(apps, schema_editor) -> None:
    Question = apps.get_model("campaigns", "Question")
    Participation = apps.get_model("campaigns", "Participation")
    ScoreTally = apps.get_model("campaigns", "ScoreTally")
    Question.objects.update(dimension_de=F("dimension"))
    sums: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    finished = Participation.objects.filter(completed_at__isnull=False).exclude(dimension_results=[])
    for campaign_id, results in finished.values_list("campaign_id", "dimension_results").iterator():
        averages = [row["average"] for row in results]
        for name, average in [(row["name"], row["average"]) for row in results] + [
            ("", round(sum(averages) / len(averages), 1))
        ]:
            entry = sums[(campaign_id, name)]
            entry[0] += 1
            entry[1] += round(average * 10)
    ScoreTally.objects.bulk_create(
        ScoreTally(campaign_id=campaign_id, dimension=name, plays=plays, tenths=tenths)
        for (campaign_id, name), (plays, tenths) in sums.items()
    )


def empty(apps, schema_editor) -> None:
    apps.get_model("campaigns", "ScoreTally").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0019_score_bands")]

    operations = [migrations.RunPython(fill, empty)]

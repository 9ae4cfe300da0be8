"""Current answers that were a first "no" become refusals; the events stay as written.

Until now one word covered two acts: a "no" was stored as a withdrawal whether it took back
a yes or refused something never agreed to. The current answer per purpose (ConsentState)
is a summary the service rewrites with every decision, so its status is corrected here: a
"withdrawn" state becomes "refused" when the answer before its event (opt-in requests aside,
from the profile or one merged into it) was not a grant. That is determinable from the
events alone, which are complete from the first decision on.

The events themselves are not touched. They are the customer's evidence, append-only by
design and by a database trigger, and receipts signed from them are already in customers'
hands with the stored action; changing a stored row would make two signed receipts of one
decision disagree. Readers learn which "no" an older event was from
`ConsentEvent.objects.with_decision()`, which applies the same rule.
"""

from django.db import migrations
from django.db.models import OuterRef, Q, Subquery

BATCH_SIZE = 1000


def _answer_before(ConsentEvent):
    return (
        ConsentEvent.objects.filter(
            Q(profile_id=OuterRef("profile_id"))
            | Q(profile__merged_into_id=OuterRef("profile_id")),
            purpose_id=OuterRef("purpose_id"),
            id__lt=OuterRef("event_id"),
        )
        .exclude(action="request")
        .order_by("-id")
        .values("action")[:1]
    )


def refusals_apart(apps, schema_editor) -> None:
    ConsentEvent = apps.get_model("consent", "ConsentEvent")
    ConsentState = apps.get_model("consent", "ConsentState")
    withdrawn = (
        ConsentState.objects.filter(status="withdrawn")
        .annotate(answer_before=Subquery(_answer_before(ConsentEvent)))
        .values_list("pk", "answer_before")
    )
    refused = [pk for pk, before in withdrawn.iterator() if before != "grant"]
    for start in range(0, len(refused), BATCH_SIZE):
        ConsentState.objects.filter(pk__in=refused[start : start + BATCH_SIZE]).update(
            status="refused"
        )


def refusals_together(apps, schema_editor) -> None:
    # The old vocabulary had one word for every "no".
    apps.get_model("consent", "ConsentState").objects.filter(status="refused").update(
        status="withdrawn"
    )


class Migration(migrations.Migration):
    dependencies = [("consent", "0005_refusal_apart_from_withdrawal")]

    operations = [migrations.RunPython(refusals_apart, refusals_together)]

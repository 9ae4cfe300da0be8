from apps.campaigns.events import QuizCompleted
from apps.core.events import subscribe
from apps.core.models import OutboxEvent
from apps.insights.services import answers_tally


# In the completing transaction: the answers leave the profile right after the consent step,
# and from then on these counts are all that remains of them.
@subscribe(QuizCompleted)
def tally_completed_answers(event: OutboxEvent) -> None:
    participation = event.payload.get("participation")
    # Only the campaign player's own completions name a play; others (e.g. a partner's
    # event of the same name) have no answers here.
    if isinstance(participation, int):
        answers_tally(participation_ids=[participation])

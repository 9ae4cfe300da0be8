"""Days, weeks and months as the customer lives them: in their own time zone."""

from datetime import date

from apps.challenges.models import Challenge, ChallengeStep


def period_of(challenge: Challenge, local_day: date) -> str:
    """Which round of a repeatable challenge a day falls in, in the customer's calendar."""
    if challenge.recurrence == Challenge.Recurrence.MONTHLY:
        return f"{local_day:%Y-%m}"
    if challenge.recurrence == Challenge.Recurrence.WEEKLY:
        year, week, _weekday = local_day.isocalendar()
        return f"{year}-W{week:02d}"
    return "once"


def streak_index(step: ChallengeStep, local_day: date) -> int:
    """Days (or ISO weeks, counted from Monday) as consecutive integers."""
    ordinal = local_day.toordinal()
    return (
        (ordinal - local_day.weekday()) // 7
        if step.streak_unit == ChallengeStep.Unit.WEEK
        else ordinal
    )

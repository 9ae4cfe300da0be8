import factory
from factory.django import DjangoModelFactory

from apps.challenges.models import Challenge, ChallengeStep


class ChallengeFactory(DjangoModelFactory[Challenge]):
    class Meta:
        model = Challenge

    slug = factory.Sequence(lambda n: f"challenge-{n}")
    title_de = factory.Sequence(lambda n: f"Challenge {n}")
    title_en = factory.Sequence(lambda n: f"Challenge {n}")


class StepFactory(DjangoModelFactory[ChallengeStep]):
    class Meta:
        model = ChallengeStep
        skip_postgeneration_save = True

    challenge = factory.SubFactory(ChallengeFactory)
    label_de = "Quiz gespielt"
    label_en = "Quiz played"
    event_name = "quiz.completed"
    required_count = 1

    @factory.post_generation
    def forget_cached_event_names(step, create: bool, extracted, **kwargs) -> None:
        # As the admin does after saving steps: this process listens to the new event at once.
        from apps.challenges.services import challenge_steps_changed

        challenge_steps_changed()

"""The move to library-managed translations keeps every German and English text, also the
wording of published purpose versions, which a PostgreSQL trigger keeps frozen."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("campaigns", "0013_insight_indexes"),
    ("challenges", "0001_challenges"),
    ("consent", "0002_append_only_triggers"),
    ("loyalty", "0006_rule_segment"),
    ("personalization", "0008_delete_offerdismissal"),
    ("preferences", "0005_declaration_keys_covered_by_composite_indexes"),
]
TRANSLATED = {
    ("consent", "PurposeVersion"): ["title", "summary", "text"],
    ("preferences", "Attribute"): ["label"],
    ("preferences", "AttributeValue"): ["label"],
    ("campaigns", "Campaign"): ["title", "intro"],
    ("campaigns", "Outcome"): ["title", "text", "next_step_label"],
    ("campaigns", "Question"): ["text"],
    ("campaigns", "Option"): ["label"],
    ("challenges", "Challenge"): ["title", "description"],
    ("challenges", "ChallengeStep"): ["label"],
    ("loyalty", "Tier"): ["name", "benefits"],
    ("loyalty", "Reward"): ["title", "description"],
    ("loyalty", "Badge"): ["name", "description"],
    ("personalization", "Offer"): ["title", "text"],
}


def _texts(model_name: str, fields: list[str]) -> dict[str, str]:
    return {
        f"{field}_{language}": f"{model_name} {field} {language}"
        for field in fields
        for language in ("de", "en")
    }


def _rows_before(apps) -> dict[tuple[str, str], int]:
    def make(app_label: str, model_name: str, **fields):
        model = apps.get_model(app_label, model_name)
        texts = _texts(model_name, TRANSLATED[(app_label, model_name)])
        return model.objects.create(**fields, **texts)

    purpose = apps.get_model("consent", "Purpose").objects.create(key="p", retention_days=30)
    version = make("consent", "PurposeVersion", purpose=purpose, version=1)
    attribute = make(
        "preferences", "Attribute", key="diet", kind="single", topic="food", purpose=purpose
    )
    value = make("preferences", "AttributeValue", attribute=attribute, key="vegan")
    campaign = make("campaigns", "Campaign", slug="snack", kind="trivia")
    outcome = make("campaigns", "Outcome", campaign=campaign, key="sweet")
    question = make("campaigns", "Question", campaign=campaign, position=1)
    option = make("campaigns", "Option", question=question)
    challenge = make("challenges", "Challenge", slug="week")
    step = make("challenges", "ChallengeStep", challenge=challenge, event_name="quiz.completed")
    tier = make("loyalty", "Tier", key="silver", threshold=500)
    reward = make("loyalty", "Reward", cost=100)
    badge = make("loyalty", "Badge", key="first")
    offer = make("personalization", "Offer", key="vegan-box")
    # Published last, as staff would: from now on the trigger refuses any change to the row.
    version.published_at = timezone.now()
    version.save(update_fields=["published_at"])
    rows = [version, attribute, value, campaign, outcome, question, option, challenge, step]
    rows += [tier, reward, badge, offer]
    return {(row._meta.app_label, row._meta.object_name): row.pk for row in rows}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_text_and_fills_the_original_columns_in_german():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    pks = _rows_before(executor.loader.project_state(BEFORE).apps)

    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    apps = executor.loader.project_state(latest).apps

    for (app_label, model_name), fields in TRANSLATED.items():
        row = apps.get_model(app_label, model_name).objects.get(pk=pks[(app_label, model_name)])
        for column, text in _texts(model_name, fields).items():
            assert getattr(row, column) == text, (model_name, column)
        for field in fields:
            assert getattr(row, field) == f"{model_name} {field} de", (model_name, field)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_migration_leaves_published_wording_frozen():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    pks = _rows_before(executor.loader.project_state(BEFORE).apps)
    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    with (
        pytest.raises(DatabaseError, match="published and frozen"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE consent_purposeversion SET title_en = 'changed' WHERE id = %s",
            [pks[("consent", "PurposeVersion")]],
        )

import pytest
from django.db import IntegrityError, transaction

from apps.preferences.models import DeclarationHistory, Source
from apps.preferences.services import preference_declare

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_database_refuses_to_rewrite_declaration_history(profile, favourite, granted):
    preference_declare(profile=profile, attribute=favourite, value="savory", source=Source.QUIZ)

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        DeclarationHistory.objects.update(value="sweet")

    assert DeclarationHistory.objects.get().value == "savory"

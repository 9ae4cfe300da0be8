import pytest
from django.core.cache import cache

from apps.insights.models import RollupRun
from apps.insights.tasks import LOCK_KEY, refresh_rollups_task

pytestmark = pytest.mark.django_db


def test_the_periodic_task_refreshes_and_skips_while_another_run_holds_the_lock(past_survey):
    refresh_rollups_task.apply()
    assert RollupRun.objects.count() == 1

    cache.add(LOCK_KEY, 1)
    try:
        assert refresh_rollups_task() == 0
    finally:
        cache.delete(LOCK_KEY)
    assert RollupRun.objects.count() == 1

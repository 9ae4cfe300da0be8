import pytest

from config.celery import app as celery_app


@pytest.fixture(autouse=True)
def _tasks_in_process():
    """Webhook tests send from the test process, as in the demo; with REDIS_URL set (as in CI)
    a task would otherwise go to a broker and the test could not see it sent."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved

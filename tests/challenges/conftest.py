import pytest

from apps.challenges.services import leaderboards_changed


@pytest.fixture(autouse=True)
def _fresh_leaderboard_cache() -> None:
    """Ids repeat between tests; a new generation keeps each test's rankings its own."""
    leaderboards_changed()

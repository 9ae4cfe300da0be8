"""Real parallel requests for PostgreSQL tests: threads with their own connections."""

import threading
from collections.abc import Callable

from django.db import connection

from apps.core.exceptions import ApplicationError


def run_in_parallel(count: int, work: Callable[[int], None]) -> list[BaseException]:
    """Start `count` threads together, each calling work(n). Refusals (ApplicationError) are
    expected outcomes; anything else raised is returned so the test can assert none happened."""
    barrier = threading.Barrier(count)
    failures: list[BaseException] = []

    def run(n: int) -> None:
        try:
            barrier.wait()
            work(n)
        except ApplicationError:
            pass
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures

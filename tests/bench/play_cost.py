"""What one whole play costs on PostgreSQL: statements per step and CPU per stored answer.

Plays BENCH_PLAYS complete games of a five-question demo-like trivia quiz (four scored
questions, one opinion that tells a preference) through the real views with Django's test
client, as htmx sends them: start, five answers (the fifth completes the play, with the demo's
loyalty program active: earning rules, tiers, badges, challenges), and the consent decision the
result page asks for. Each play comes from its own address, so the rate limits count as for
real players. The pages a browser also loads (intro, questions, result) are measured beside
the steps, outside the target. After each play the outbox relay runs in this process, as a
worker would after the commit, and is measured on its own line.

Statements are what Django's cursor sends (SAVEPOINTs included); COMMITs and connection
health checks are round trips on top, counted apart. CPU: this process's via
`time.process_time()`, PostgreSQL's as the utime + stime of this connection's backend in
/proc/<pid>/stat (the server runs on this machine; pg_stat_statements is not preloaded).

    make bench-play
    BENCH_PLAYS=50 make bench-play
"""

import os
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from tests.bench.http_throughput import manage, production_env
from tests.bench.ledger_throughput import DATABASE_URL, _ensure_database, _setup_django
from tests.bench.targets import at_most

PLAYS = int(os.environ.get("BENCH_PLAYS", "20"))
SLUG = "bench-play"
ANSWERS = 5
WHOLE_PLAY_TARGET = 40
COMPLETION_TARGET = 25
CLOCK_TICK = os.sysconf("SC_CLK_TCK")
STEPS = ("start", *(f"answer {n}" for n in range(1, ANSWERS)), "completion", "consent")
PAGES = ("intro", *(f"question {n}" for n in range(2, ANSWERS + 1)), "result")
RELAY = "outbox relay"


@dataclass
class Cost:
    statements: int = 0
    commits: int = 0
    health_checks: int = 0
    cpu_ms: float = 0.0
    postgres_ms: float = 0.0
    queries: list[str] = field(default_factory=list)

    def add(self, other: "Cost") -> None:
        self.statements += other.statements
        self.commits += other.commits
        self.health_checks += other.health_checks
        self.cpu_ms += other.cpu_ms
        self.postgres_ms += other.postgres_ms
        self.queries += other.queries


class Meter:
    """Measures one piece of work on the default connection: statements, round trips that
    bypass Django's cursor, this process's CPU and the backend's."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.commits = self.health_checks = 0
        commit, is_usable = connection.commit, connection.is_usable

        def counted_commit() -> None:
            self.commits += 1
            commit()

        def counted_is_usable() -> bool:
            self.health_checks += 1
            return is_usable()

        connection.commit, connection.is_usable = counted_commit, counted_is_usable

    def _backend_ms(self) -> float:
        self.connection.ensure_connection()
        pid = self.connection.connection.info.backend_pid
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / CLOCK_TICK

    def measure(self, work) -> tuple[Cost, object]:
        from django.db import close_old_connections
        from django.test.utils import CaptureQueriesContext

        commits, checks = self.commits, self.health_checks
        backend, cpu = self._backend_ms(), time.process_time()
        with CaptureQueriesContext(self.connection) as captured:
            # What request_started does under gunicorn (the test client skips it): the
            # connection is health-checked again before its first statement.
            close_old_connections()
            result = work()
        cost = Cost(
            statements=len(captured.captured_queries),
            commits=self.commits - commits,
            health_checks=self.health_checks - checks,
            cpu_ms=(time.process_time() - cpu) * 1000,
            postgres_ms=self._backend_ms() - backend,
            queries=[query["sql"] for query in captured.captured_queries],
        )
        return cost, result


def _quiz() -> None:
    """The quiz, made once: like the demo's trivia, one question longer."""
    from django.db import transaction

    from apps.campaigns.models import Campaign, Option, Question
    from apps.preferences.models import Attribute

    if Campaign.objects.filter(slug=SLUG).exists():
        return
    taste = Attribute.objects.get(key="favourite_category")
    with transaction.atomic():
        campaign = Campaign.objects.create(
            slug=SLUG,
            kind=Campaign.Kind.TRIVIA,
            status=Campaign.Status.LIVE,
            title_de="Snack-Wissen: 5 Fragen",
            title_en="Snack trivia: 5 questions",
        )
        for position in range(1, ANSWERS):
            question = Question.objects.create(
                campaign=campaign,
                position=position,
                text_de=f"Frage {position}?",
                text_en=f"Question {position}?",
                explanation_de="Darum.",
                explanation_en="Because.",
            )
            for index, correct in enumerate((True, False, False)):
                Option.objects.create(
                    question=question,
                    position=index,
                    label_de=f"Antwort {index}",
                    label_en=f"Answer {index}",
                    is_correct=correct,
                )
        opinion = Question.objects.create(
            campaign=campaign, position=ANSWERS, text_de="Was magst du?", text_en="Your taste?"
        )
        for index, key in enumerate(("savory", "sweet")):
            Option.objects.create(
                question=opinion,
                position=index,
                label_de=key,
                label_en=key,
                attribute=taste,
                attribute_value=key,
            )
        campaign.purposes.set([taste.purpose_id])


def _first_options() -> list[int]:
    from apps.campaigns.models import Option

    options = Option.objects.filter(question__campaign__slug=SLUG, position=0)
    return list(options.order_by("question__position").values_list("pk", flat=True))


def _checked(response, step: str):
    if response.status_code >= 400:
        raise RuntimeError(f"{step} answered {response.status_code}")
    return response


def _play(meter: Meter, address: str, options: list[int]) -> dict[str, Cost]:
    """One whole game from `address`; the cost of every step and page by name."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1", REMOTE_ADDR=address)
    costs: dict[str, Cost] = {}

    def run(name: str, work):
        costs[name], response = meter.measure(work)
        return _checked(response, name)

    intro = run("intro", lambda: client.get(f"/c/{SLUG}/"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', intro.text).group(1)
    htmx = {"HX-Request": "true", "X-CSRFToken": token}
    run("start", lambda: client.post(f"/c/{SLUG}/start/", {"csrfmiddlewaretoken": token}))
    for number, option in enumerate(options, 1):
        if number > 1:
            run(f"question {number}", lambda n=number: client.get(f"/c/{SLUG}/q/{n}/"))
        run(
            STEPS[number],
            lambda n=number, o=option: client.post(
                f"/c/{SLUG}/q/{n}/answer/", {"option": o}, headers=htmx
            ),
        )
    result = run("result", lambda: client.get(f"/c/{SLUG}/result/"))
    decide = re.search(r'action="(/me/consents/[\w-]+/decide/)"', result.text)
    if decide is None:
        raise RuntimeError("the result page asked for no consent")
    point = re.search(r'name="collection_point" value="([^"]*)"', result.text).group(1)
    run(
        "consent",
        lambda: client.post(
            decide.group(1),
            {"decision": "grant", "collection_point": point, "next": f"/c/{SLUG}/result/"},
            headers=htmx,
        ),
    )
    costs[RELAY], _ = meter.measure(_relay)
    return costs


def _relay() -> int:
    from django.conf import settings

    from apps.core.services import outbox_relay_pending

    return outbox_relay_pending(batch_size=settings.OUTBOX_SWEEP_BATCH_SIZE)


_VERB_AND_TABLE = re.compile(
    r'^(?:(INSERT) INTO|(UPDATE)|(DELETE) FROM|(SELECT) .*? FROM)\s+"?(\w+)"?', re.S
)


def _by_table(queries: list[str]) -> list[tuple[str, int, Counter]]:
    """(table, statements, verbs) by the table each statement reads or writes first."""
    verbs: dict[str, Counter] = defaultdict(Counter)
    for sql in queries:
        match = _VERB_AND_TABLE.match(sql)
        if match:
            verb = next(group for group in match.groups()[:4] if group)
            verbs[match.group(5)][verb] += 1
        else:
            keywords = [word for word in sql.split()[:3] if word.isalpha() and word.isupper()]
            verbs["(" + " ".join(keywords).lower() + ")"][""] += 1
    return sorted(
        ((table, count.total(), count) for table, count in verbs.items()), key=lambda row: -row[1]
    )


def _report(totals: dict[str, Cost], plays: int) -> None:
    print(f"\n{plays} whole plays of a {ANSWERS}-question trivia quiz, PostgreSQL, in-process\n")
    header = f"{'per play':<16}{'statements':>11}{'commits':>9}{'checks':>8}"
    print(f"{header}{'CPU ms':>9}{'PG CPU ms':>11}")

    def line(name: str, cost: Cost) -> None:
        print(
            f"{name:<16}{cost.statements / plays:>11.1f}{cost.commits / plays:>9.1f}"
            f"{cost.health_checks / plays:>8.1f}{cost.cpu_ms / plays:>9.1f}"
            f"{cost.postgres_ms / plays:>11.1f}"
        )

    play = Cost()
    for step in STEPS:
        line(step, totals[step])
        play.add(totals[step])
    line("whole play", play)
    line(RELAY, totals[RELAY])
    pages = Cost()
    for page in PAGES:
        pages.add(totals[page])
    line("pages (GET)", pages)
    answers = plays * ANSWERS
    print(
        f"\nper stored answer: {play.cpu_ms / answers:.1f} ms worker CPU + "
        f"{play.postgres_ms / answers:.1f} ms PostgreSQL CPU in the steps; with the relay "
        f"{(play.cpu_ms + totals[RELAY].cpu_ms) / answers:.1f} + "
        f"{(play.postgres_ms + totals[RELAY].postgres_ms) / answers:.1f} ms"
    )
    print(at_most("whole play", play.statements / plays, "statements", target=WHOLE_PLAY_TARGET))
    completion = totals["completion"].statements / plays
    print(at_most("completion", completion, "statements", target=COMPLETION_TARGET))
    print("\nthe completion's statements by the table they start with (per play):")
    for table, count, verbs in _by_table(totals["completion"].queries)[:15]:
        split = ", ".join(f"{verb} {n / plays:g}" for verb, n in verbs.most_common() if verb)
        print(f"  {table:<36}{count / plays:>6.1f}  {split}")


def main() -> None:
    _ensure_database()
    env = production_env(DATABASE_URL)
    manage(env, "migrate", "--noinput")
    # The demo's loyalty program (earning rules, tiers, badges, challenges) and purposes.
    manage({**env, "DEBUG": "true"}, "seed_demo", "--population", "0")
    # Plain HTTP, as the other benchmarks' load generators connect: no TLS redirect.
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    # One connection for the whole run, so its backend's CPU can be read before and after.
    os.environ["DB_CONN_MAX_AGE"] = "3600"
    _setup_django(migrate=False)
    _quiz()
    options = _first_options()
    meter = Meter()
    drained = _relay()  # events earlier benchmark runs left for a worker, outside the clock
    if drained:
        print(f"(relayed {drained} events left by earlier runs before measuring)")
    run_id = int(time.time()) % 250
    _play(meter, f"10.{run_id}.255.254", options)  # warm-up: caches, templates, connection
    totals: dict[str, Cost] = defaultdict(Cost)
    for play in range(PLAYS):
        address = f"10.{run_id}.{play // 250}.{play % 250 + 1}"
        for name, cost in _play(meter, address, options).items():
            totals[name].add(cost)
    _report(totals, PLAYS)


if __name__ == "__main__":
    main()

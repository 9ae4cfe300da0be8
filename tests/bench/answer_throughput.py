"""The quiz answer and completion steps under concurrent load on PostgreSQL, against the
bare-Django floor.

Gunicorn serves Resonanz under production settings; eight customers (own sessions, own
participations) re-answer a survey question as fast as wrk can send, and the bare view is
loaded the same way. So are the durable-write ceiling (the bare view writing and committing one
row, the least any step that saves an answer must do) and the middleware ceiling (that view
behind the project's own MIDDLEWARE). Prints requests/s and p50/p99 for each, and the targets
against the middleware ceiling with PASS or MISS.

    make bench-answer
"""

import http.client
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.bench.http_throughput import (
    PROJECT_ROOT,
    SECONDS,
    WORKERS,
    free_port,
    manage,
    start_gunicorn,
    wrk_measure,
)
from tests.bench.ledger_throughput import DATABASE_URL, FIELD_ENCRYPTION_KEY, _ensure_database
from tests.bench.targets import (
    CEILING_LUA,
    MIDDLEWARE_CEILING,
    MIDDLEWARE_CEILING_APP,
    ensure_ceiling_table,
    middleware_ceiling_lua,
    multiple_of,
    reference_lines,
    share_of,
)

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "8"))
# Customers prepared for the completion run; each can finish only once.
FINISHERS = int(os.environ.get("BENCH_FINISHERS", "6000"))

LUA = """
local sessions = {%(sessions)s}
local counter = 1
function setup(thread)
  thread:set("session", sessions[counter])
  counter = counter + 1
end
function init(args)
  local parts = {}
  for part in string.gmatch(session, "[^|]+") do table.insert(parts, part) end
  wrk.method = "POST"
  wrk.headers["Cookie"] = parts[1]
  wrk.headers["X-CSRFToken"] = parts[2]
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.body = "option=" .. parts[3]
end
"""


# Each request finishes another customer's quiz: thread t takes customers t, t+T, t+2T...
FINISH_LUA = """
local customers = {%(customers)s}
local threads = 0
function setup(thread)
  thread:set("first", threads)
  threads = threads + 1
  thread:set("step", %(threads)d)
end
function init(args)
  next_index = first
end
function request()
  local parts = {}
  for part in string.gmatch(customers[(next_index %% #customers) + 1], "[^|]+") do
    table.insert(parts, part)
  end
  next_index = next_index + step
  local headers = {}
  headers["Cookie"] = "sessionid=" .. parts[1] .. "; csrftoken=" .. parts[2]
  headers["X-CSRFToken"] = parts[2]
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  return wrk.format("POST", nil, headers, "option=" .. parts[3])
end
"""


def _finishing_customers(env: dict[str, str], count: int) -> list[str]:
    """`count` customers who each have one question left in a one-question quiz:
    "session|csrf secret|option" per customer, made in bulk rather than through HTTP."""
    script = (
        "import secrets\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "from apps.campaigns.models import Campaign, Option, Participation, Question\n"
        "from apps.profiles.models import Profile\n"
        "from apps.profiles.selectors import SESSION_KEY\n"
        "c, _ = Campaign.objects.update_or_create(slug='bench-finish', defaults=dict("
        "kind='trivia', status='live', title_de='Bench', title_en='Bench'))\n"
        "q, _ = Question.objects.get_or_create(campaign=c, position=1, defaults=dict("
        "text_de='Frage?', text_en='Question?'))\n"
        "o = q.options.first() or Option.objects.create(question=q, label_de='Ja', "
        "label_en='Yes', is_correct=True)\n"
        f"profiles = Profile.objects.bulk_create([Profile() for _ in range({count})])\n"
        "Participation.objects.bulk_create("
        "[Participation(campaign=c, profile=p) for p in profiles])\n"
        "for p in profiles:\n"
        "    s = SessionStore(); s[SESSION_KEY] = p.pk; s.create()\n"
        "    print(f'{s.session_key}|{secrets.token_hex(16)}|{o.pk}')\n"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in result.stdout.splitlines() if line.count("|") == 2]


def _analyze() -> None:
    """Fresh statistics after the bulk insert, as autovacuum would gather in production."""
    import psycopg

    with psycopg.connect(DATABASE_URL, autocommit=True) as db:
        db.execute("ANALYZE")


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEY": FIELD_ENCRYPTION_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        # The load generator connects directly: no proxy in front.
        "TRUSTED_PROXY_COUNT": "0",
        "DATABASE_URL": DATABASE_URL,
        "SECURE_SSL_REDIRECT": "false",
        "RATELIMIT_ENABLE": "false",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "LOG_LEVEL": "WARNING",
    }


def _bench_campaign(env: dict[str, str]) -> int:
    """A live two-question survey; returns the id of an answer to send. An opinion may be
    changed as often as the customer likes, so every request does the whole answer step (a
    trivia answer is fixed once its feedback was shown)."""
    script = (
        "from apps.campaigns.models import Campaign, Option, Question\n"
        "c, _ = Campaign.objects.update_or_create(slug='bench-quiz', defaults=dict("
        "kind='survey', status='live', title_de='Bench', title_en='Bench'))\n"
        "q, _ = Question.objects.get_or_create(campaign=c, position=1, defaults=dict("
        "text_de='Frage?', text_en='Question?'))\n"
        "o = q.options.first() or Option.objects.create(question=q, label_de='Ja', "
        "label_en='Yes', is_correct=True)\n"
        "q2, _ = Question.objects.get_or_create(campaign=c, position=2, defaults=dict("
        "text_de='Noch eine?', text_en='Another?'))\n"
        "q2.options.first() or Option.objects.create(question=q2, label_de='Ja', "
        "label_en='Yes', is_correct=True)\n"
        "print(o.pk)\n"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(result.stdout.strip().splitlines()[-1])


def _customer(port: int) -> tuple[str, str]:
    """A fresh visitor who started the quiz: their cookies and CSRF token."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/c/bench-quiz/")
    response = connection.getresponse()
    html = response.read().decode()
    cookies = {
        header.split(";", 1)[0].split("=", 1)[0]: header.split(";", 1)[0]
        for header in response.headers.get_all("Set-Cookie") or []
    }
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    connection.request(
        "POST",
        "/c/bench-quiz/start/",
        body=f"csrfmiddlewaretoken={token}",
        headers={
            "Cookie": "; ".join(cookies.values()),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    response = connection.getresponse()
    response.read()
    for header in response.headers.get_all("Set-Cookie") or []:
        name = header.split(";", 1)[0].split("=", 1)[0]
        cookies[name] = header.split(";", 1)[0]
    return "; ".join(cookies.values()), token


def _wrk(url: str, script: str | None = None) -> tuple[float, float, float]:
    return wrk_measure(url, threads=CUSTOMERS, connections=CUSTOMERS, script=script)


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("This benchmark needs wrk: apt-get install wrk")
    _ensure_database()
    env = _env()
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    # The demo's loyalty program (earning rules, tiers, badges, challenges), so a completion
    # does what it does in a real program.
    manage({**env, "DEBUG": "true"}, "seed_demo", "--population", "0")
    option_id = _bench_campaign(env)
    ensure_ceiling_table(DATABASE_URL)
    servers = []
    scripts: list[str] = []
    try:
        app_port, floor_port, stack_port = free_port(), free_port(), free_port()
        servers.append(start_gunicorn("config.wsgi:application", app_port, env))
        servers.append(start_gunicorn("tests.bench.floor_wsgi:application", floor_port, env))
        servers.append(start_gunicorn(MIDDLEWARE_CEILING_APP, stack_port, env))
        sessions = [_customer(app_port) for _ in range(CUSTOMERS)]
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(
                LUA % {"sessions": ", ".join(f'"{c}|{t}|{option_id}"' for c, t in sessions)}
            )
        scripts.append(script.name)
        floor = _wrk(f"http://127.0.0.1:{floor_port}/")
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as ceiling_script:
            ceiling_script.write(CEILING_LUA)
        scripts.append(ceiling_script.name)
        ceiling = _wrk(f"http://127.0.0.1:{floor_port}/write/", ceiling_script.name)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as stack_script:
            stack_script.write(middleware_ceiling_lua())
        scripts.append(stack_script.name)
        middleware = _wrk(f"http://127.0.0.1:{stack_port}/write/", stack_script.name)
        answer = _wrk(f"http://127.0.0.1:{app_port}/c/bench-quiz/q/1/answer/", script.name)
        finishing = _finishing_customers(env, FINISHERS)
        _analyze()
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as finish_script:
            finish_script.write(
                FINISH_LUA
                % {
                    "customers": ", ".join(f'"{line}"' for line in finishing),
                    "threads": CUSTOMERS,
                }
            )
        scripts.append(finish_script.name)
        finish = _wrk(f"http://127.0.0.1:{app_port}/c/bench-finish/q/1/answer/", finish_script.name)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)
        for name in scripts:
            Path(name).unlink(missing_ok=True)

    print(f"\n{WORKERS} gunicorn workers, {CUSTOMERS} customers, {SECONDS}s, PostgreSQL\n")
    print(f"{'target':<30}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    rows = (
        ("bare Django (floor)", floor),
        ("floor + one durable row", ceiling),
        ("middleware + one durable row", middleware),
        ("answer POST", answer),
        ("completion POST", finish),
    )
    for name, (rps, p50, p99) in rows:
        print(f"{name:<30}{rps:>10.0f}{p50:>10.2f}{p99:>10.2f}")
    print()
    for line in reference_lines(floor, ceiling, middleware):
        print(line)
    print(share_of("answer POST", answer[0], MIDDLEWARE_CEILING, middleware[0], target=50))
    print(multiple_of("answer POST p99", answer[2], MIDDLEWARE_CEILING, middleware[2], target=3))
    print(share_of("completion POST", finish[0], MIDDLEWARE_CEILING, middleware[0], target=25))
    if finish[0] * SECONDS > len(finishing):
        print("(more completions were asked for than customers were prepared: raise FINISHERS)")


if __name__ == "__main__":
    main()

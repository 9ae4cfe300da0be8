"""The partner API under concurrent load on PostgreSQL, against a bare DRF view.

Gunicorn serves Resonanz under production settings. wrk sends, with a valid bearer token,
`GET /api/v1/profiles/{id}/preferences/` for a customer who shares six preferences, and
`POST /api/v1/events/` (a purchase that an earning rule rewards, a fresh Idempotency-Key per
request). The bare DRF view (no middleware, no authentication, no database) is loaded the same
way, GET and POST, and so is the durable-write ceiling: the bare view writing and committing
one row, the least the API does on each of these requests (an access-log row for the read,
the event for the write), and the middleware ceiling: that view behind the project's own
MIDDLEWARE. Prints requests/s and p50/p99, and the targets against the DRF ceiling with PASS
or MISS.

    make bench-api
"""

import os
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
    production_env,
    start_gunicorn,
    wrk_measure,
)
from tests.bench.ledger_throughput import DATABASE_URL, _ensure_database
from tests.bench.targets import MIDDLEWARE_CEILING_APP, ensure_ceiling_table, share_of

DRF_CEILING = "the DRF ceiling (bare DRF + one durable row)"

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))

# A partner with a token, and a customer who shares with partners and told all six
# personalization attributes of the demo's vocabulary (one value of each kind's shape: a list for multiple choice); an
# earning rule rewards purchases. A customer left short by an earlier run is completed.
SETUP = """
from apps.consent.evidence import Evidence
from apps.consent.models import Channel, Purpose
from apps.consent.services import consent_grant
from apps.loyalty.models import EarningRule
from apps.partners.models import PartnerClient, Scope
from apps.partners.services import (
    partner_client_create, partner_link_customer, partner_token_issue)
from apps.preferences.demo import VOCABULARY
from apps.preferences.models import Attribute, Declaration, Source
from apps.preferences.services import preference_declare
partner = PartnerClient.objects.filter(key="bench-shop").first()
if partner is None:
    partner, _ = partner_client_create(name="Bench shop", key="bench-shop",
        scopes=list(Scope.values), purpose_keys=["partner_sharing", "personalization"])
partner.requests_per_minute = 10_000_000
partner.save()
EarningRule.objects.get_or_create(name="Bench purchase", event_name="purchase",
    defaults={"points": 1, "multiply_by_tier": False})
profile, created = partner_link_customer(partner=partner, external_id="bench-1")
if created:
    for purpose in Purpose.objects.filter(key__in=["partner_sharing", "personalization"]):
        consent_grant(profile=profile, purpose_version=purpose.current_version,
            channel=Channel.WEB, collection_point="bench", evidence=Evidence(), language="de")
SAMPLE = {
    Attribute.Kind.SINGLE_CHOICE: lambda a: a.values.first().key,
    Attribute.Kind.MULTIPLE_CHOICE: lambda a: [a.values.first().key],
    Attribute.Kind.SCALE: lambda a: a.min_value,
    Attribute.Kind.NUMBER: lambda a: a.min_value,
    Attribute.Kind.DATE: lambda a: "1990-05-17",
    Attribute.Kind.TEXT: lambda a: "Bench",
}
told = set(Declaration.objects.filter(profile=profile).values_list("attribute_id", flat=True))
told_keys = [key for key, _kind, _topic, purpose, *_rest in VOCABULARY if purpose == "personalization"]
for attribute in Attribute.objects.filter(key__in=told_keys, is_active=True):
    if attribute.pk not in told:
        preference_declare(profile=profile, attribute=attribute,
            value=SAMPLE[attribute.kind](attribute), source=Source.PREFERENCE_CENTER)
shared = Declaration.objects.filter(profile=profile, attribute__key__in=told_keys)
print(partner_token_issue(partner=partner), profile.public_id, shared.count())
"""


def _setup(env: dict[str, str]) -> tuple[str, str, int]:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SETUP],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    token, profile, preferences = result.stdout.strip().splitlines()[-1].split()
    return token, profile, int(preferences)


GET_LUA = """
wrk.headers["Authorization"] = "Bearer %(token)s"
"""

# Each wrk thread numbers its own requests, so every Idempotency-Key is new.
POST_LUA = """
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
function init(args)
  counter = 0
end
function request()
  counter = counter + 1
  local headers = {}
  headers["Authorization"] = "Bearer %(token)s"
  headers["Content-Type"] = "application/json"
  headers["Idempotency-Key"] = "bench-%(run)s-" .. id .. "-" .. counter
  return wrk.format("POST", nil, headers,
    '{"type": "purchase", "profile": "%(profile)s", "properties": {"amount": 25}}')
end
"""

FLOOR_POST_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"type": "purchase", "profile": "%(profile)s", "properties": {"amount": 25}}'
"""


def _wrk(url: str, script: str) -> tuple[float, float, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    try:
        return wrk_measure(url, threads=2, connections=CONNECTIONS, script=lua.name)
    finally:
        Path(lua.name).unlink(missing_ok=True)


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("This benchmark needs wrk: apt-get install wrk")
    _ensure_database()
    env = {**production_env(DATABASE_URL), "CELERY_TASK_ALWAYS_EAGER": "false"}
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    # The demo's purposes and attributes (seed_demo runs in demo mode only).
    manage({**env, "DEBUG": "true"}, "seed_demo", "--population", "0")
    token, profile, preferences = _setup(env)
    values = {"token": token, "profile": profile, "run": secrets.token_hex(6)}
    ensure_ceiling_table(DATABASE_URL)
    servers = []
    try:
        app_port, floor_port, stack_port = free_port(), free_port(), free_port()
        servers.append(start_gunicorn("config.wsgi:application", app_port, env))
        servers.append(start_gunicorn("tests.bench.floor_drf_wsgi:application", floor_port, env))
        servers.append(start_gunicorn(MIDDLEWARE_CEILING_APP, stack_port, env))
        base = f"http://127.0.0.1:{app_port}/api/v1"
        stack = f"http://127.0.0.1:{stack_port}/api/write/"
        floor_get = _wrk(f"http://127.0.0.1:{floor_port}/", "")
        ceiling_get = _wrk(f"http://127.0.0.1:{floor_port}/write/", "")
        stack_get = _wrk(stack, "")
        reads = _wrk(f"{base}/profiles/{profile}/preferences/", GET_LUA % values)
        floor_post = _wrk(f"http://127.0.0.1:{floor_port}/", FLOOR_POST_LUA % values)
        ceiling_post = _wrk(f"http://127.0.0.1:{floor_port}/write/", FLOOR_POST_LUA % values)
        stack_post = _wrk(stack, FLOOR_POST_LUA % values)
        writes = _wrk(f"{base}/events/", POST_LUA % values)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)

    print(f"\n{WORKERS} gunicorn workers, {CONNECTIONS} connections, {SECONDS}s, PostgreSQL")
    print(f"the customer shares {preferences} personalization preferences\n")
    print(f"{'target':<40}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    rows = (
        ("bare DRF GET (floor)", floor_get),
        ("bare DRF GET + one durable row", ceiling_get),
        ("middleware + DRF GET + one durable row", stack_get),
        ("GET profiles/{id}/preferences/", reads),
        ("bare DRF POST (floor)", floor_post),
        ("bare DRF POST + one durable row", ceiling_post),
        ("middleware + DRF POST + one durable row", stack_post),
        ("POST events/", writes),
    )
    for name, (rps, p50, p99) in rows:
        print(f"{name:<40}{rps:>10.0f}{p50:>10.2f}{p99:>10.2f}")
    print(
        f"\nDRF ceiling = {ceiling_get[0] / floor_get[0]:.0%} (GET) and "
        f"{ceiling_post[0] / floor_post[0]:.0%} (POST) of the floor; behind the middleware "
        f"{stack_get[0] / floor_get[0]:.0%} (GET) and {stack_post[0] / floor_post[0]:.0%} (POST)"
    )
    print(share_of("preferences GET", reads[0], DRF_CEILING, ceiling_get[0], target=50))
    print(share_of("events POST", writes[0], DRF_CEILING, ceiling_post[0], target=35))
    print(
        f"(behind the middleware ceiling: preferences GET {reads[0] / stack_get[0]:.0%}, "
        f"events POST {writes[0] / stack_post[0]:.0%})"
    )


if __name__ == "__main__":
    main()

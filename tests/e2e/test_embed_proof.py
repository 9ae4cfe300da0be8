"""The whole of embedding, end to end, with the real host script and the real frames: a brand's
page on another site places one campaign inline and one in a popup, hears what they tell it,
keeps the points in the frame's session and signs a partner's member in; a site the brand did
not allow gets the clear page; strangers' messages are ignored on both sides.

Our site is the live server, http://localhost:<port>; the brand's pages are tiny servers on
http://127.0.0.1:<port>, another site, so the frames are cross-site and live on partitioned
cookies, as on a real shop."""

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from playwright.sync_api import FrameLocator, Page, expect

from apps.campaigns.models import Campaign, Participation
from apps.consent.models import ConsentEvent
from apps.loyalty.models import Account
from apps.partners.models import EmbedOrigin, PartnerClient
from apps.profiles.models import Identifier
from tests.campaigns.factories import (
    CampaignFactory,
    OptionFactory,
    OutcomeFactory,
    QuestionFactory,
)
from tests.consent.factories import published_purpose
from tests.e2e.conftest import PHONE
from tests.e2e.tour import DESKTOP, SCREENSHOTS
from tests.loyalty.factories import EarningRuleFactory
from tests.partners.factories import PartnerClientFactory
from tests.preferences.factories import AttributeFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

START = "Los geht\N{RIGHT SINGLE QUOTATION MARK}s"
POINTS = 50
SECRET = "s3cr3t-shared-with-the-shop-0123456789"
# Many answers make the first question tall; the second has two, so the frame must shrink.
ROASTS = [f"Röstung Nummer {n}" for n in range(1, 13)]
ANSWERS = [*ROASTS, "Morgens", "Abends", "Ja, gern"]

# The brand page's own script: every resonanz:* event, with the element it came from.
RECORDER = """<script>
window.__events = [];
["ready", "height", "started", "question", "completed", "consent"].forEach(function (type) {
  document.addEventListener("resonanz:" + type, function (event) {
    window.__events.push(Object.assign({element: event.target.id}, event.detail));
  });
});
</script>"""
# A third origin's frame on the brand's page: it fakes a finished play to the page, and says
# hello to every frame it can reach, over and over.
STRANGER = """<!doctype html><title>Werbung</title><script>
setInterval(function () {
  parent.postMessage({resonanz: 1, type: "completed", campaign: "kaffee-typ", points: 999,
                      outcome: "fake"}, "*");
  for (var i = 0; i < parent.frames.length; i++) {
    parent.frames[i].postMessage({resonanz: 1, type: "hello"}, "*");
  }
}, 50);
</script>"""


def _serve(pages: dict[str, str]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path.split("?")[0])
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def _host_page(resonanz: str, campaigns: str, extra: str = "") -> str:
    return (
        '<!doctype html><html lang="de"><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width"><title>Kaffeeshop</title>'
        f"{RECORDER}<h1>Kaffeeshop</h1>{campaigns}{extra}"
        f'<script async src="{resonanz}/static/embed/resonanz.js"></script></html>'
    )


@pytest.fixture
def sites(live_server) -> Iterator[dict[str, str]]:
    """The brand's site (allowed) and another one (not allowed, and home of the stranger)."""
    resonanz = live_server.url
    other_pages: dict[str, str] = {}
    other, other_url = _serve(other_pages)
    brand_pages: dict[str, str] = {}
    brand, brand_url = _serve(brand_pages)
    brand_pages["/"] = _host_page(
        resonanz,
        '<resonanz-campaign id="inline" data-campaign="kaffee-typ" data-lang="de">'
        '</resonanz-campaign><resonanz-campaign id="popup" data-campaign="tagesfrage" '
        'data-mode="popup" data-delay="1" data-lang="de"></resonanz-campaign>',
        f'<iframe id="stranger" title="Werbung" src="{other_url}/stranger/"></iframe>',
    )
    brand_pages["/member/"] = _host_page(
        resonanz,
        f'<resonanz-campaign id="member" data-campaign="kaffee-typ" data-lang="de" '
        f'data-token="{_member_token()}"></resonanz-campaign>',
    )
    other_pages["/"] = _host_page(
        resonanz, '<resonanz-campaign id="inline" data-campaign="kaffee-typ"></resonanz-campaign>'
    )
    other_pages["/stranger/"] = STRANGER
    yield {"resonanz": resonanz, "brand": brand_url, "other": other_url}
    for server in (brand, other):
        server.shutdown()
        server.server_close()


def _member_token() -> str:
    now = int(time.time())
    claims = {
        "iss": "kaffeeshop",
        "sub": "K-4711",
        "aud": "resonanz",
        "iat": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, SECRET, algorithm="HS256")


@pytest.fixture
def campaigns(settings) -> dict[str, Campaign]:
    """Inline: a personality test with an outcome, telling us a roast (personalization).
    Popup: a one-question survey telling us a time of day (product research)."""
    settings.DEBUG = True  # the brand's pages are http on this machine
    EarningRuleFactory(points=POINTS)
    personalization = published_purpose(key="personalization")
    research = published_purpose(key="product_research")
    roast = AttributeFactory(key="roast", purpose=personalization, choices=["dark", "light"])
    moment = AttributeFactory(key="moment", purpose=research, choices=["morning", "evening"])

    typ = CampaignFactory(slug="kaffee-typ", kind=Campaign.Kind.PERSONALITY, title_de="Kaffeetyp")
    typ.purposes.add(personalization)
    fan = OutcomeFactory(campaign=typ, key="espresso-fan", title_de="Espresso-Fan")
    first = QuestionFactory(campaign=typ, position=1, text_de="Welche Röstung magst du?")
    for position, label in enumerate(ROASTS):
        OptionFactory(
            question=first,
            position=position,
            label_de=label,
            outcome=fan,
            attribute=roast,
            attribute_value="dark",
        )
    second = QuestionFactory(campaign=typ, position=2, text_de="Noch einen?")
    OptionFactory(question=second, position=1, label_de="Ja, gern", outcome=fan)

    daily = CampaignFactory(slug="tagesfrage", kind=Campaign.Kind.SURVEY, title_de="Tagesfrage")
    daily.purposes.add(research)
    asked = QuestionFactory(campaign=daily, position=1, text_de="Wann trinkst du Kaffee?")
    for position, (label, value) in enumerate((("Morgens", "morning"), ("Abends", "evening"))):
        OptionFactory(
            question=asked,
            position=position,
            label_de=label,
            attribute=moment,
            attribute_value=value,
        )
    return {"inline": typ, "popup": daily}


def _events(page: Page, element: str, *, quiet=("ready", "height")) -> list[dict]:
    return [
        {key: value for key, value in event.items() if key != "element"}
        for event in page.evaluate("window.__events")
        if event["element"] == element and event["type"] not in quiet
    ]


def _wait_for(page: Page, element: str, type_: str) -> None:
    page.wait_for_function(
        "([element, type]) => window.__events.some(e => e.element === element && e.type === type)",
        arg=[element, type_],
    )


def _iframe_height(page: Page, element: str) -> str:
    return page.locator(f"#{element} iframe").evaluate("f => f.style.height")


def _play(page: Page, frame: FrameLocator, element: str, answers: list[str]) -> None:
    frame.get_by_role("button", name=START).click()
    for number, answer in enumerate(answers, start=1):
        _wait_for_question(page, element, number)
        frame.get_by_text(answer, exact=True).click()
        last = number == len(answers)
        frame.get_by_role("button", name="Fertig" if last else "Weiter").click()
    _wait_for(page, element, "completed")


def _wait_for_question(page: Page, element: str, number: int) -> None:
    page.wait_for_function(
        "([element, number]) => window.__events.some("
        "e => e.element === element && e.type === 'question' && e.number === number)",
        arg=[element, number],
    )


def test_a_brands_page_embeds_campaigns_inline_and_in_a_popup_end_to_end(
    sites: dict[str, str], campaigns, page: Page
):
    partner = PartnerClient.objects.create(
        name="Kaffeeshop", key="kaffeeshop", embed_algorithm="HS256", embed_key=SECRET
    )
    EmbedOrigin.objects.create(partner=partner, origin=sites["brand"])
    page.goto(sites["brand"])

    # The popup opens after its second and is played first: it covers the page.
    dialog = page.get_by_role("dialog", name="Aktion")
    expect(dialog).to_be_visible()
    popup = page.frame_locator("#popup iframe")
    _play(page, popup, "popup", ["Morgens"])
    popup.locator("#consent-product_research").get_by_role("button", name="Nein").click()
    _wait_for(page, "popup", "consent")
    page.get_by_role("button", name="Schließen").click()
    expect(dialog).to_have_count(0)

    inline = page.frame_locator("#inline iframe")
    _play(page, inline, "inline", [ROASTS[0], "Ja, gern"])
    row = inline.locator("#consent-personalization")
    expect(row).to_be_visible()
    _screenshot_at(page, row, "embedproof-framed-result")
    row.get_by_role("button", name="Ja").click()
    _wait_for(page, "inline", "consent")

    assert _events(page, "popup") == [
        {"resonanz": 1, "type": "started", "campaign": "tagesfrage"},
        {"resonanz": 1, "type": "question", "campaign": "tagesfrage", "number": 1, "total": 1},
        {"resonanz": 1, "type": "completed", "campaign": "tagesfrage", "points": POINTS,
         "outcome": None},
        {"resonanz": 1, "type": "consent", "campaign": "tagesfrage",
         "purpose": "product_research", "decision": "refused"},
    ]  # fmt: skip
    assert _events(page, "inline") == [
        {"resonanz": 1, "type": "started", "campaign": "kaffee-typ"},
        {"resonanz": 1, "type": "question", "campaign": "kaffee-typ", "number": 1, "total": 2},
        {"resonanz": 1, "type": "question", "campaign": "kaffee-typ", "number": 2, "total": 2},
        {"resonanz": 1, "type": "completed", "campaign": "kaffee-typ", "points": POINTS,
         "outcome": "espresso-fan"},
        {"resonanz": 1, "type": "consent", "campaign": "kaffee-typ",
         "purpose": "personalization", "decision": "granted"},
    ]  # fmt: skip
    _assert_the_frame_follows_its_height(page)
    everything = json.dumps(page.evaluate("window.__events"), ensure_ascii=False)
    assert not [answer for answer in ANSWERS if answer in everything]
    # The stranger's fake "completed" (999 points) never became an event.
    assert "999" not in everything
    assert "fake" not in everything
    _assert_only_the_host_page_is_answered(page, sites["resonanz"])

    refused, granted = ConsentEvent.objects.order_by("pk").filter(
        purpose_version__purpose__key__in=["product_research", "personalization"]
    )
    assert refused.collection_point == f"embed:{sites['brand']}#tagesfrage"
    assert granted.collection_point == f"embed:{sites['brand']}#kaffee-typ"

    # The points page, in the frame: it shares the frames' session (partitioned by the
    # brand's site). Opened top-level on our site, the browser sends another cookie jar.
    visitor = Participation.objects.get(campaign=campaigns["inline"]).profile
    _frame_goes_to(page, "inline", f"{sites['resonanz']}/embed/me/points/")
    expect(inline.locator(".wallet__number")).to_have_text(str(2 * POINTS))
    ours = page.context.new_page()
    ours.goto(f"{sites['resonanz']}/me/points/")
    expect(ours.get_by_role("heading", name="Deine Punkte")).to_be_visible()
    expect(ours.locator(".wallet__number")).to_have_text("0")
    ours.close()

    _a_partners_member_plays_on_their_own_account(page, sites, campaigns, visitor)


def _screenshot_at(page: Page, locator, name: str) -> None:
    """The brand's page scrolled to `locator`, at phone and desktop width, once the frame's
    height has settled (a whole-page screenshot resizes the frame while it is taken)."""
    if not SCREENSHOTS:
        return
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.wait_for_timeout(600)
        locator.scroll_into_view_if_needed()
        page.screenshot(path=f"{SCREENSHOTS}/{name}-{size['width']}.png")
    page.set_viewport_size(PHONE)


def _assert_the_frame_follows_its_height(page: Page) -> None:
    """Heights sent while the first (tall) question was on screen, and then the second (short,
    swapped in by htmx): the frame shrank with them, and is as tall as the last one said."""
    events = [e for e in page.evaluate("window.__events") if e["element"] == "inline"]
    first = next(i for i, e in enumerate(events) if e.get("number") == 1)
    second = next(i for i, e in enumerate(events) if e.get("number") == 2)
    # The result is a new page: its "ready" ends the second question's heights.
    result = next(i for i, e in enumerate(events) if i > second and e["type"] == "ready")
    tall = max(e["height"] for e in events[first:second] if e["type"] == "height")
    short = [e["height"] for e in events[second:result] if e["type"] == "height"]
    assert short, "no height after the second question came"
    assert short[-1] < tall - 200
    last = [e["height"] for e in events if e["type"] == "height"][-1]
    assert _iframe_height(page, "inline") == f"{last}px"


def _assert_only_the_host_page_is_answered(page: Page, resonanz: str) -> None:
    """A hello from the frame itself and the stranger's (it says hello all the time) get no
    answer; the host page's own gets exactly one."""
    readies = len(_events(page, "inline", quiet=()))
    framed = next(frame for frame in page.frames if frame.url.startswith(resonanz))
    framed.evaluate("window.postMessage({resonanz: 1, type: 'hello'}, '*')")
    page.wait_for_timeout(500)
    assert [e["type"] for e in _events(page, "inline", quiet=())[readies:]] == []
    page.evaluate(
        "origin => document.querySelector('#inline').shadowRoot.querySelector('iframe')"
        ".contentWindow.postMessage({resonanz: 1, type: 'hello'}, origin)",
        resonanz,
    )
    page.wait_for_function(
        f"() => window.__events.filter(e => e.element === 'inline').length >= {readies + 2}"
    )
    page.wait_for_timeout(500)
    assert [e["type"] for e in _events(page, "inline", quiet=())[readies:]] == ["ready", "height"]


def _frame_goes_to(page: Page, element: str, url: str) -> None:
    page.evaluate(
        "([element, url]) => { document.querySelector('#' + element).shadowRoot"
        ".querySelector('iframe').src = url; }",
        [element, url],
    )


def _a_partners_member_plays_on_their_own_account(
    page: Page, sites: dict[str, str], campaigns: dict[str, Campaign], visitor
) -> None:
    page.goto(f"{sites['brand']}/member/")
    member_frame = page.frame_locator("#member iframe")
    _play(page, member_frame, "member", [ROASTS[1], "Ja, gern"])
    expect(member_frame.locator(".wallet__number")).to_have_text(f"+{POINTS}")

    member = Identifier.objects.get(namespace="kaffeeshop", value="K-4711").profile
    assert member != visitor
    assert Account.objects.get(profile=member).balance == POINTS
    # The browser's anonymous profile keeps what it played, and nothing went either way.
    assert Account.objects.get(profile=visitor).balance == 2 * POINTS
    assert Participation.objects.filter(profile=visitor).count() == 2
    assert list(
        Participation.objects.filter(profile=member).values_list("campaign__slug", flat=True)
    ) == ["kaffee-typ"]
    _frame_goes_to(page, "member", f"{sites['resonanz']}/embed/me/points/")
    expect(member_frame.locator(".wallet__number")).to_have_text(str(POINTS))


def test_a_site_the_brand_did_not_allow_cannot_frame_the_campaign(
    sites: dict[str, str], campaigns, page: Page
):
    EmbedOrigin.objects.create(partner=PartnerClientFactory(), origin=sites["brand"])

    page.goto(sites["other"])

    frame = page.frame_locator("#inline iframe")
    # Not blocked: our clear page is shown (403, any site may frame it), and tells nothing.
    expect(
        frame.get_by_role("heading", name="Diese Website darf diese Kampagne nicht zeigen")
    ).to_be_visible()
    expect(frame.get_by_text(sites["other"])).to_be_visible()
    expect(frame.get_by_role("button", name=START)).to_have_count(0)
    page.wait_for_timeout(500)
    assert page.evaluate("window.__events") == []
    assert not Participation.objects.exists()

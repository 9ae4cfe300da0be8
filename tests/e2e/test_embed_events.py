"""A campaign framed by a brand's page tells that page, by postMessage, its height and what
happens in it; it answers the page's "hello" and ignores messages from anyone else.

The brand's page is served from another origin on the same site (another port of localhost),
so the session cookie needs nothing the /embed/ work brings."""

import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, expect

from tests.embed_support import frame_live_server

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

START = "Los geht\N{RIGHT SINGLE QUOTATION MARK}s"
HOST_PAGE = """<!doctype html><meta charset="utf-8"><title>Shop</title>
<h1>Brand shop</h1>
<iframe id="campaign" src="{frame_url}" style="width:100%;height:700px;border:0"></iframe>
<script>
  window.received = [];
  var frame = document.getElementById("campaign");
  window.addEventListener("message", function (event) {{
    if (event.origin === "{resonanz}" && event.source === frame.contentWindow) {{
      window.received.push(event.data);
    }}
  }});
  frame.addEventListener("load", function () {{
    frame.contentWindow.postMessage({{resonanz: 1, type: "hello"}}, "{resonanz}");
  }});
</script>"""


@pytest.fixture
def coffee_survey(purpose):
    from apps.campaigns.models import Campaign
    from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory
    from tests.preferences.factories import AttributeFactory

    campaign = CampaignFactory(slug="kaffee", kind=Campaign.Kind.SURVEY, title_de="Kaffee")
    campaign.purposes.add(purpose)
    roast = AttributeFactory(key="roast", purpose=purpose, choices=["dark", "light"])
    first = QuestionFactory(campaign=campaign, position=1, text_de="Wann trinkst du Kaffee?")
    OptionFactory(question=first, position=1, label_de="Morgens")
    second = QuestionFactory(campaign=campaign, position=2, text_de="Welche Röstung?")
    OptionFactory(
        question=second, position=1, label_de="Dunkel", attribute=roast, attribute_value="dark"
    )
    return campaign


@pytest.fixture
def brand_page(live_server) -> Iterator[str]:
    """A brand's shop page framing the coffee survey, served on its own port: its origin."""
    body = b""

    class Shop(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("localhost", 0), Shop)
    origin = f"http://localhost:{server.server_address[1]}"
    page = HOST_PAGE.format(frame_url=f"{live_server.url}/c/kaffee/", resonanz=live_server.url)
    body = page.encode()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield origin
    server.shutdown()
    server.server_close()


def _types(page: Page) -> list[str]:
    return page.evaluate("window.received.map(function (m) { return m.type; })")


def test_a_framed_play_tells_the_host_page_what_happens_and_nothing_else(
    live_server, brand_page, page: Page, coffee_survey, monkeypatch, console_errors: list[str]
):
    frame_live_server(monkeypatch, host_origin=brand_page)
    page.goto(f"{brand_page}/shop")
    frame = page.frame_locator("#campaign")

    page.wait_for_function("window.received.filter(m => m.type === 'ready').length >= 2")
    frame.get_by_role("button", name=START).click()
    frame.get_by_text("Morgens").click()
    frame.get_by_role("button", name="Weiter").click()
    expect(frame.get_by_text("Welche Röstung?")).to_be_visible()
    frame.get_by_text("Dunkel").click()
    frame.get_by_role("button", name="Fertig").click()
    frame.locator("#consent-personalization").get_by_role("button", name="Ja").click()
    page.wait_for_function("window.received.some(m => m.type === 'consent')")

    received = page.evaluate("window.received")
    events = [m for m in received if m["type"] not in ("ready", "height")]
    assert events == [
        {"resonanz": 1, "type": "started", "campaign": "kaffee"},
        {"resonanz": 1, "type": "question", "campaign": "kaffee", "number": 1, "total": 2},
        {"resonanz": 1, "type": "question", "campaign": "kaffee", "number": 2, "total": 2},
        {"resonanz": 1, "type": "completed", "campaign": "kaffee", "points": 0, "outcome": None},
        {
            "resonanz": 1,
            "type": "consent",
            "campaign": "kaffee",
            "purpose": "personalization",
            "decision": "granted",
        },
    ]
    heights = [m["height"] for m in received if m["type"] == "height"]
    assert heights
    assert all(isinstance(height, int) and height > 0 for height in heights)
    # A "hello" from anyone but the framing page (here: the frame itself) gets no answer.
    readies = _types(page).count("ready")
    page.frames[1].evaluate("window.postMessage({resonanz: 1, type: 'hello'}, '*')")
    page.evaluate("frame.contentWindow.postMessage({resonanz: 1, type: 'hello'}, '*')")
    page.wait_for_function(f"window.received.filter(m => m.type === 'ready').length > {readies}")
    assert _types(page).count("ready") == readies + 1
    if shots := os.environ.get("EMBED_SHOTS"):
        _screenshots(page, shots, live_server.url)
    # Browsers refuse autofocus inside a cross-origin frame and say so; nothing else may fail.
    assert [error for error in console_errors if "autofocus" not in error] == []


def _screenshots(page: Page, shots: str, resonanz: str) -> None:
    """The framed result, and the consent history naming the brand's site, on both sizes."""
    page.screenshot(path=f"{shots}/framed-result-390.png", full_page=True)
    page.goto(f"{resonanz}/me/consents/")
    page.screenshot(path=f"{shots}/consent-history-390.png", full_page=True)
    page.get_by_role("link", name="Beleg", exact=True).click()
    page.screenshot(path=f"{shots}/receipt-390.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=f"{shots}/receipt-1366.png", full_page=True)
    page.goto(f"{resonanz}/me/consents/")
    page.screenshot(path=f"{shots}/consent-history-1366.png", full_page=True)

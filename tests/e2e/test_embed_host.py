"""The host-page script alone (static/embed/resonanz.js), between three origins of its own:
a brand's page with a strict policy, a fake Resonanz serving the script and a fake framed
page that speaks the message protocol, and a stranger whose frame posts to the page too."""

import base64
import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.e2e.tour import DESKTOP

pytestmark = pytest.mark.e2e

SCRIPT = Path(__file__).resolve().parents[2] / "static" / "embed" / "resonanz.js"

# The framed page as the frame's own script behaves: it answers the host's hello with ready,
# its height and a finished play, and only to the host origin named in its address.
FAKE_FRAME = """<!doctype html><title>frame</title><body>framed
<script src="/frame.js"></script></body>"""
FAKE_FRAME_JS = """
var host = new URLSearchParams(location.search).get("host");
function send(message) {
  message.resonanz = 1; message.campaign = "kaffee";
  parent.postMessage(message, host);
}
addEventListener("message", function (event) {
  if (event.origin !== host || event.source !== parent || event.data.type !== "hello") return;
  send({type: "ready"});
  send({type: "height", height: 777});
  send({type: "completed", points: 10, outcome: null});
});
"""
# Any frame but ours: posts protocol messages to whoever frames it, over and over.
INTRUDER_JS = """
setInterval(function () {
  parent.postMessage({resonanz: 1, type: "height", height: 5, campaign: "kaffee"}, "*");
  parent.postMessage({resonanz: 1, type: "completed", points: 999, campaign: "kaffee"}, "*");
}, 50);
"""
INTRUDER = '<!doctype html><title>x</title><script src="/intruder.js"></script>'
# The brand page's own script: every message it receives, and every event the element fires.
HOST_JS = """
window.raw = []; window.events = [];
addEventListener("message", function (event) { raw.push(event.origin); });
["ready", "height", "completed", "started"].forEach(function (type) {
  document.addEventListener("resonanz:" + type, function (event) {
    events.push({type: type, detail: event.detail, target: event.target.id});
  });
});
"""


@dataclass
class Origin:
    """One local web server: path to (content type, body)."""

    host: str
    routes: dict[str, tuple[str, str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.server.server_port}"


def _serve(origin: Origin) -> None:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            route = origin.routes.get(urlsplit(self.path).path)
            if route is None:
                self.send_error(404)
                return
            body = route[1].encode()
            self.send_response(200)
            self.send_header("Content-Type", route[0])
            self.send_header("Content-Length", str(len(body)))
            for name, value in origin.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    origin.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=origin.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def origins() -> Iterator[dict[str, Origin]]:
    # "localhost" and "127.0.0.1" are different sites to the browser; ports make origins.
    made = {
        "resonanz": Origin("localhost", headers={"Access-Control-Allow-Origin": "*"}),
        "brand": Origin("127.0.0.1"),
        "stranger": Origin("127.0.0.1"),
    }
    for origin in made.values():
        _serve(origin)
    resonanz, brand, stranger = made["resonanz"], made["brand"], made["stranger"]
    script = SCRIPT.read_text()
    integrity = "sha384-" + base64.b64encode(hashlib.sha384(script.encode()).digest()).decode()
    resonanz.routes = {
        "/static/embed/resonanz.js": ("text/javascript", script),
        "/embed/c/kaffee/": ("text/html", FAKE_FRAME),
        "/embed/me/": ("text/html", FAKE_FRAME),
        "/frame.js": ("text/javascript", FAKE_FRAME_JS),
    }
    stranger.routes = {
        "/": ("text/html", INTRUDER),
        "/intruder.js": ("text/javascript", INTRUDER_JS),
    }
    # A strict brand page: no inline script or style, frames only from the two it names.
    brand.headers = {
        "Content-Security-Policy": (
            f"default-src 'self'; script-src 'self' {resonanz.url}; style-src 'self'; "
            f"frame-src {resonanz.url} {stranger.url}"
        )
    }
    tag = (
        f'<script async src="{resonanz.url}/static/embed/resonanz.js" '
        f'integrity="{integrity}" crossorigin="anonymous"></script>'
    )

    def page(body: str) -> tuple[str, str]:
        return (
            "text/html",
            '<!doctype html><html lang="de"><title>Shop</title>'
            '<meta name="viewport" content="width=device-width">'
            f'<script src="/host.js"></script>{body}{tag}',
        )

    brand.routes = {
        "/host.js": ("text/javascript", HOST_JS),
        "/favicon.ico": ("image/x-icon", ""),
        "/inline/": page(
            '<h1>Shop</h1><resonanz-campaign id="inline" data-campaign="kaffee" '
            'data-theme-brand="#7a3e00"></resonanz-campaign>'
            f'<iframe id="stranger" src="{stranger.url}/"></iframe>'
            # Our own origin, but a frame the script did not make.
            f'<iframe id="lookalike" src="{resonanz.url}/embed/c/kaffee/?host={brand.url}"></iframe>'
        ),
        "/two/": page(
            '<resonanz-campaign id="first" data-campaign="kaffee"></resonanz-campaign>'
            '<resonanz-campaign id="second" data-page="preferences"></resonanz-campaign>'
        ),
        "/popup/": page(
            '<button id="before">Vorher</button><resonanz-campaign id="popup" '
            'data-campaign="kaffee" data-mode="popup" data-delay="1"></resonanz-campaign>'
        ),
        "/slide-in/": page(
            '<resonanz-campaign id="slide" data-page="preferences" data-lang="en" '
            'data-mode="slide-in" data-delay="0" data-token="signed.by.partner"></resonanz-campaign>'
        ),
        "/exit/": page(
            '<resonanz-campaign data-campaign="kaffee" data-mode="popup" data-exit-intent>'
            "</resonanz-campaign>"
        ),
        "/button/": page(
            '<resonanz-campaign id="button" data-campaign="kaffee" data-mode="button" '
            'data-label="Jetzt mitmachen"></resonanz-campaign>'
        ),
    }
    yield made
    for origin in made.values():
        origin.server.shutdown()


def test_the_inline_frame_follows_its_height_and_fires_events(
    page: Page, origins: dict[str, Origin], console_errors: list[str]
):
    brand, resonanz = origins["brand"], origins["resonanz"]
    page.goto(f"{brand.url}/inline/")
    frame = page.locator("#inline iframe")
    expect(frame).to_have_css("height", "777px")
    src = urlsplit(frame.get_attribute("src"))
    assert f"{src.scheme}://{src.netloc}" == resonanz.url
    assert src.path == "/embed/c/kaffee/"
    assert f"host={brand.url.replace(':', '%3A').replace('/', '%2F')}" in src.query
    assert "lang=de" in src.query
    assert "theme-brand=%237a3e00" in src.query
    page.wait_for_function("() => events.some(e => e.type === 'completed')")
    events = page.evaluate("events")
    assert [event["type"] for event in events] == ["ready", "height", "completed"]
    assert all(event["target"] == "inline" for event in events)
    assert events[2]["detail"] == {
        "resonanz": 1,
        "type": "completed",
        "campaign": "kaffee",
        "points": 10,
        "outcome": None,
    }
    assert not console_errors


def test_messages_from_a_stranger_or_a_frame_not_ours_are_ignored(
    page: Page, origins: dict[str, Origin]
):
    stranger = origins["stranger"].url
    page.goto(f"{origins['brand'].url}/inline/")
    expect(page.locator("#inline iframe")).to_have_css("height", "777px")
    # The stranger keeps posting; let it post a good many times after ours said hello.
    page.wait_for_function(f"() => raw.filter(o => o === '{stranger}').length > 20")
    events = page.evaluate("events")
    assert [event["type"] for event in events] == ["ready", "height", "completed"]
    assert not any(event["detail"].get("points") == 999 for event in events)
    assert page.locator("#inline iframe").evaluate("f => f.style.height") == "777px"


def test_the_popup_opens_after_its_delay_and_closes_with_escape(
    page: Page, origins: dict[str, Origin], console_errors: list[str]
):
    page.goto(f"{origins['brand'].url}/popup/")
    page.locator("#before").focus()
    dialog = page.get_by_role("dialog", name="Aktion")
    expect(dialog).to_have_count(0)
    expect(dialog).to_be_visible(timeout=5000)
    assert dialog.get_attribute("aria-modal") == "true"
    expect(page.get_by_role("button", name="Schließen")).to_be_focused()
    expect(dialog.locator("iframe")).to_have_css("height", "777px")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(page.locator("#before")).to_be_focused()
    # Once per visit: the next page of the same visit does not ask again.
    page.reload()
    page.wait_for_timeout(1500)
    expect(dialog).to_have_count(0)
    assert not console_errors


def test_the_button_opens_the_popup_and_focus_returns_to_it(page: Page, origins: dict[str, Origin]):
    page.goto(f"{origins['brand'].url}/button/")
    button = page.get_by_role("button", name="Jetzt mitmachen")
    button.click()
    dialog = page.get_by_role("dialog", name="Jetzt mitmachen")
    expect(dialog).to_be_visible()
    expect(dialog.locator("iframe")).to_have_css("height", "777px")
    page.get_by_role("button", name="Schließen").click()
    expect(dialog).to_have_count(0)
    expect(button).to_be_focused()
    button.click()
    expect(dialog).to_be_visible()


def test_the_slide_in_is_a_bottom_sheet_on_phones_and_a_corner_panel_on_desktops(
    page: Page, origins: dict[str, Origin]
):
    page.goto(f"{origins['brand'].url}/slide-in/")
    dialog = page.get_by_role("dialog", name="Campaign")
    expect(dialog).to_be_visible()
    # Not modal: the page stays usable beside it.
    assert dialog.get_attribute("aria-modal") == "false"
    src = urlsplit(dialog.locator("iframe").get_attribute("src"))
    assert src.path == "/embed/me/"
    assert "lang=en" in src.query
    assert "token=signed.by.partner" in src.query
    box = dialog.bounding_box()
    assert (box["x"], box["width"]) == (0, 390)
    assert box["y"] + box["height"] == pytest.approx(844, abs=1)
    page.set_viewport_size(DESKTOP)
    box = dialog.bounding_box()
    assert box["width"] == 400
    assert box["x"] + box["width"] == pytest.approx(1366 - 16, abs=1)
    page.get_by_role("button", name="Close").click()
    expect(dialog).to_have_count(0)


def test_the_popup_opens_when_the_mouse_leaves_through_the_top(
    browser: Browser, origins: dict[str, Origin]
):
    # A desktop with a mouse: exit intent means nothing on a touch screen.
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{origins['brand'].url}/exit/")
    page.wait_for_function("() => !!customElements.get('resonanz-campaign')")
    dialog = page.get_by_role("dialog")
    page.mouse.move(600, 300)
    page.evaluate(
        "document.dispatchEvent(new MouseEvent('mouseout', {clientX: 600, clientY: 400}))"
    )
    expect(dialog).to_have_count(0)
    page.evaluate("document.dispatchEvent(new MouseEvent('mouseout', {clientX: 600, clientY: -2}))")
    expect(dialog).to_be_visible()
    context.close()


def test_the_button_and_its_dialog_have_no_serious_accessibility_violation(
    page: Page, origins: dict[str, Origin]
):
    from axe_playwright_python.sync_playwright import Axe

    def severe() -> list[str]:
        violations = Axe().run(page).response["violations"]
        return [v["id"] for v in violations if v["impact"] in ("serious", "critical")]

    page.goto(f"{origins['brand'].url}/button/")
    button = page.get_by_role("button", name="Jetzt mitmachen")
    expect(button).to_be_visible()
    assert severe() == []
    button.click()
    expect(page.get_by_role("dialog").locator("iframe")).to_have_css("height", "777px")
    assert severe() == []


def test_a_pages_second_frame_loads_once_the_first_has_set_the_visits_cookies(
    page: Page, origins: dict[str, Origin]
):
    """Two frames loading at once would each start a session, and the cookie set last would
    make the other frame's form fail its CSRF check."""
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)
        if len(held) > 1:
            route.continue_()

    page.route(lambda url: urlsplit(url).path.startswith("/embed/"), hold)
    page.goto(f"{origins['brand'].url}/two/", wait_until="commit")
    page.wait_for_function("() => !!customElements.get('resonanz-campaign')")
    expect(page.locator("#second iframe")).to_have_count(1)
    page.wait_for_timeout(500)
    assert [urlsplit(route.request.url).path for route in held] == ["/embed/c/kaffee/"]
    assert page.locator("#second iframe").get_attribute("src") is None
    held[0].continue_()
    expect(page.locator("#second iframe")).to_have_css("height", "777px")
    assert urlsplit(page.locator("#second iframe").get_attribute("src")).path == "/embed/me/"

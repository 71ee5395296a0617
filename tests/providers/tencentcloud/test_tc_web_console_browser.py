"""The web console in a real browser: Debian's chromium, headless, signs in through the
form, opens the tunnels page and a tunnel's page, and takes screenshots; the screenshots
and the DOM are checked (scripts/system-deps.sh installs chromium)."""

import io
import json
import os
import shutil

import pytest
from chromium_support import HEIGHT, WIDTH, HeadlessChromium, chromium_path
from console_support import ACCOUNTS, PSK, start
from PIL import Image

BINARY = chromium_path()
pytestmark = pytest.mark.skipif(BINARY is None, reason="chromium is not installed (as root, "
                                "scripts/system-deps.sh installs Debian's chromium)")
HEADER_BLUE = (0x0B, 0x3D, 0x91)  # the console header's background (pages.CSS)
# Where the screenshots are kept for a person to look at, when set.
SHOTS_ENV = "VPNFORM_CONSOLE_SCREENSHOTS"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    c = start(tmp_path_factory.mktemp("console-browser"))
    yield c
    c.served.stop()


@pytest.fixture(scope="module")
def browser():
    b = HeadlessChromium(BINARY)
    yield b
    b.close()


def check_screenshot(png: bytes, name: str, tmp_path) -> Image.Image:
    """A valid PNG of the window's size that shows a page: many colours, the header drawn."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    (tmp_path / name).write_bytes(png)
    if os.environ.get(SHOTS_ENV):
        os.makedirs(os.environ[SHOTS_ENV], exist_ok=True)
        shutil.copy(tmp_path / name, os.path.join(os.environ[SHOTS_ENV], name))
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG" and image.size == (WIDTH, HEIGHT)
    rgb = image.convert("RGB")
    colours = rgb.getcolors(maxcolors=WIDTH * HEIGHT)
    assert len(colours) >= 50, f"{name} looks blank: {len(colours)} colours"
    header = rgb.crop((0, 0, WIDTH, 40)).getcolors(maxcolors=WIDTH * 40)
    blue = sum(n for n, c in header if c == HEADER_BLUE)
    assert blue > WIDTH * 40 // 2, f"{name}: the header is not drawn"
    return rgb


def test_sign_in_and_see_the_tunnels_in_chromium(cloud, browser, tmp_path):
    secret_id, secret_key = ACCOUNTS["ops"]
    browser.navigate(cloud.url + "signin")
    assert browser.evaluate("document.title").startswith("Sign in")
    # type the keys into the form and press its button, as a person would
    browser.evaluate(f"document.querySelector('input[name=secret_id]').value = "
                     f"{json.dumps(secret_id)}")
    browser.evaluate(f"document.querySelector('input[name=secret_key]').value = "
                     f"{json.dumps(secret_key)}")
    browser.evaluate("document.querySelector('form.signin button').click()")
    browser.wait_for("location.pathname === '/console/tunnels'")

    cookies = browser.page("Network.getCookies", {"urls": [cloud.url]})["cookies"]
    session = [c for c in cookies if c["name"] == "vpnform_console"]
    assert len(session) == 1 and session[0]["httpOnly"] and session[0]["sameSite"] == "Strict"
    assert browser.evaluate("document.cookie") == ""  # out of scripts' reach

    dom = browser.dom()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom  # the name, shown as text
    assert browser.evaluate("document.scripts.length") == 0  # and never run
    assert cloud.tunnel_id in dom and "AVAILABLE" in dom and "UNAVAILABLE" in dom
    assert PSK not in dom
    row = browser.evaluate(f"[...document.querySelectorAll('tr')].find(r => "
                           f"r.textContent.includes({json.dumps(cloud.tunnel_id)})).innerText")
    assert "<script>alert(1)</script>" in row and "AVAILABLE" in row
    check_screenshot(browser.screenshot(), "tunnels.png", tmp_path)

    # the tunnel's own page: its monitoring chart loads under the page's CSP
    browser.evaluate("document.querySelector('td a').click()")
    browser.wait_for("location.pathname === '/console/tunnel'")
    browser.wait_for("document.querySelector('img.chart').complete")
    assert browser.evaluate("document.querySelector('img.chart').naturalWidth") > 300
    assert PSK not in browser.dom()
    shot = check_screenshot(browser.screenshot(), "tunnel.png", tmp_path)
    assert len(shot.getcolors(maxcolors=WIDTH * HEIGHT)) >= 100  # the chart's lines and text

"""`manage.py screenshots`: PNGs of the main staff pages at 1400 px width, into
docs/screenshots/."""

from __future__ import annotations

import math
import re
import struct
import threading
import wave
from contextlib import nullcontext
from datetime import time, timedelta
from decimal import Decimal
from http.client import HTTPConnection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management.base import BaseCommand, CommandError
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application
from django.test import override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from calls.models import CallRecord, Recording
from calls.rollups import rollup_time_zones, rollups_recount
from portal import exports
from portal.devtools import demo
from portal.devtools.browser import (
    has_sideways_scroll,
    log_in,
    new_driver,
    unavailable_reason,
    wait_for_next_page,
)
from portal.devtools.second_factor import code_for, verified_device
from portal.models import AppUser, Export, Project, StringeeState, VirtualNumber
from portal.second_factor import has_second_factor
from routing.models import IvrMenu
from routing.services.calendar import week_save

WIDTH = 1400
MAX_HEIGHT = 2600
# Pages drawn by JavaScript are captured once this holds (else once any flowchart is drawn).
READY = {
    "/api/docs/": "return !!document.querySelector('.swagger-ui .opblock');",
}
# Pages reached by a click on the page first loaded: untick "Is active" and save, which shows the
# deactivation question (the question only: nothing is confirmed, so nothing is deactivated).
REFUSE_A_PREMIUM_NUMBER = (
    "document.getElementById('id_name').value = 'Forward to a premium-rate number';"
    "var kind = document.getElementById('id_destination_kind');"
    "kind.value = 'phone'; kind.dispatchEvent(new Event('change'));"
    "document.getElementById('id_destination_number').value = '+44 909 879 0000';"
    "document.querySelector('input[name=_save]').click();"
)
# A phone calls the demo's first number on a weekday morning (the simulate page).
SIMULATE_A_CALL = (
    "document.getElementById('id_from_').value = '0901234567';"
    "document.getElementById('id_to').value = '" + demo.PHONE_NUMBER_1.lstrip("+") + "';"
    "document.getElementById('id_at').value = '2026-12-07 09:30';"
    "document.querySelector('input[type=submit]').click();"
)
# The guided "Set up a hotline" form filled in as a call-centre lead would (the page's defaults
# give key 1 a ring group and key 2 a phone, open Mon-Fri 08:00-18:00, voicemail when closed).
FILL_HOTLINE_KEYS = (
    "document.querySelectorAll('input[name=\"key-0-agents\"]')"
    ".forEach(function (box) { box.checked = true; });"
    "document.getElementById('id_key-1-number').value = '" + demo.PHONE_NUMBER_3 + "';"
    "document.getElementById('id_holidays').value = '2026-12-25\\n2027-01-01';"
)
FILL_A_HOTLINE = (
    "document.getElementById('id_name').value = 'Support hotline';"
    "document.getElementById('id_greeting_text').value = 'Welcome to ACME support. Press 1 to"
    " talk to our team, press 2 for the office.';" + FILL_HOTLINE_KEYS
)
# Filled in without sending: the page stays as it is.
FILLS = {"hotline-setup.png": FILL_A_HOTLINE, "hotline-setup-vi.png": FILL_HOTLINE_KEYS}
CLICKS = {
    "hotline-preview.png": FILL_A_HOTLINE
    + "document.querySelector('input[name=preview]').click();",
    "simulate.png": SIMULATE_A_CALL,
    "simulate-vi.png": SIMULATE_A_CALL,
    "deactivate-project.png": (
        "document.getElementById('id_is_active').checked = false;"
        "document.querySelector('input[name=_save]').click();"
    ),
    # Where calls may go: a premium-rate number abroad is refused, next to the field.
    "refused-destination.png": REFUSE_A_PREMIUM_NUMBER,
    "refused-destination-vi.png": REFUSE_A_PREMIUM_NUMBER,
}
# Pages captured from one part down, one window high (the part's id).
FROM_PART = {"spend.png": "spend", "spend-vi.png": "spend"}
# Forms shown filled in, not sent: the "Call…" page of an app user, a customer's number typed.
FILL_A_CALL = "document.getElementById('id_connect_to').value = '0901234567';"
FILLS.update({"call-button.png": FILL_A_CALL, "call-button-vi.png": FILL_A_CALL})
# Pages shown as with a Stringee account connected (the demo has none; nothing is sent).
CONNECTED = {"call-button.png", "call-button-vi.png"}
WEEK = [(day, "08:00", "17:30") for day in range(1, 6)] + [(6, "08:00", "12:00")]
# Try a call: User One dials the demo hotline and presses 3 on the keypad (the sales menu then
# waits for the next key). Each script leaves the page; the call left in the session is ended.
TRY_THE_HOTLINE = [
    "document.getElementById('id_kind').value = 'app';"
    "document.getElementById('id_from_').value = 'user_1';"
    "document.getElementById('id_to').value = 'hotline';"
    "document.querySelector('input[name=start]').click();",
    "document.querySelector('#keypad button[value=\\'3\\']').click();",
]


def what_if_lunch_break(number: VirtualNumber) -> str:
    """A new rule, unsaved: weekday lunch-time calls to the demo's first number go to voicemail;
    then "What changes?" (the page stays; the answer appears under the buttons)."""
    return (
        "document.getElementById('id_name').value = 'Lunch break';"
        "document.getElementById('id_priority').value = '1';"
        "var called = document.getElementById('id_called_kind');"
        "called.value = 'number'; called.dispatchEvent(new Event('change'));"
        f"document.getElementById('id_called_number').add(new Option('{number.number}',"
        f" '{number.pk}', true, true));"
        "document.getElementById('id_schedule_days').value = 'Mon-Fri';"
        "document.getElementById('id_schedule_start').value = '12:00';"
        "document.getElementById('id_schedule_end').value = '13:30';"
        "var kind = document.getElementById('id_destination_kind');"
        "kind.value = 'voicemail'; kind.dispatchEvent(new Event('change'));"
        "document.querySelector('.what-if-button').click();"
    )


# A call's page whose player plays through the portal: it is started and moved 3 s in (a Range
# request), and captured once it plays.
PLAYING = {"recording-player.png", "recording-player-vi.png"}
PLAY = (
    "var player = document.querySelector('audio[data-recording-player]');"
    "player.scrollIntoView({block: 'center'});"
    "player.currentTime = 3; player.play();"
)
PLAYS = (
    "var player = document.querySelector('audio[data-recording-player]');"
    "return player && !player.paused && player.currentTime > 3.5;"
)


class _Quiet(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def _pages(project: Project) -> list[tuple[str, str, str]]:
    """(file name, who, path) of each page to capture."""
    record = (
        CallRecord.objects.filter(project=project)
        .exclude(recording_url="")
        .order_by("-started_at")
        .first()
        or CallRecord.objects.filter(project=project, decisions__isnull=False).first()
    )
    number = VirtualNumber.objects.get(number=demo.PHONE_NUMBER_1)
    on_stringee = VirtualNumber.objects.get(number=demo.PHONE_NUMBER_4)
    on_stringee_page = f"/admin/portal/virtualnumber/{on_stringee.pk}/change/"
    pages = [
        ("dashboard.png", "owner", "/admin/"),
        ("spend.png", "owner", "/admin/?days=7"),
        ("dashboard-superuser.png", "admin", "/admin/"),
        ("number-flow.png", "owner", f"/admin/portal/virtualnumber/{number.pk}/change/"),
        ("project-flow.png", "owner", f"/admin/portal/project/{project.pk}/change/#where-calls-go"),
        ("rule-form.png", "owner", "/admin/routing/routingrule/add/"),
        ("invite.png", "owner", "/admin/portal/membership/add/"),
        ("opening-hours-week.png", "owner", f"/admin/routing/openinghours/week/{project.pk}/"),
        ("deactivate-project.png", "owner", f"/admin/portal/project/{project.pk}/change/"),
        ("refused-destination.png", "owner", "/admin/routing/routingrule/add/"),
        ("rules.png", "owner", "/admin/routing/routingrule/"),
        ("calls.png", "owner", "/admin/calls/callrecord/"),
        ("call-events.png", "owner", "/admin/calls/callevent/"),
        ("recordings.png", "owner", "/admin/calls/recording/"),
        ("number-import.png", "admin", "/admin/portal/virtualnumber/import/"),
        ("numbers-on-stringee.png", "owner", "/admin/portal/virtualnumber/"),
        ("number-on-stringee.png", "owner", on_stringee_page),
        ("change-history.png", "owner", "/admin/portal/auditentry/"),
        ("exports.png", "owner", "/admin/portal/export/"),
        ("api-docs.png", "owner", "/api/docs/"),  # waits for Swagger UI (see READY)
        # Setting up two-factor sign-in (a staff member may, whether or not they must).
        ("second-factor-enrol.png", "owner", "/admin/second-factor/enrol/"),
    ]
    if record is not None:
        pages.insert(1, ("call-story.png", "owner", f"/admin/calls/callrecord/{record.pk}/change/"))
    # The same staff pages in Vietnamese (the header switcher's cookie); "-error" pages are
    # captured after pressing Save on the empty form.
    vietnamese = [
        ("dashboard-vi.png", "owner-vi", "/admin/"),
        ("spend-vi.png", "owner-vi", "/admin/?days=7"),
        ("exports-vi.png", "owner-vi", "/admin/portal/export/"),
        ("rule-form-error-vi.png", "owner-vi", "/admin/routing/routingrule/add/"),
        ("rule-form-error.png", "owner", "/admin/routing/routingrule/add/"),
        ("project-flow-vi.png", "owner-vi", f"/admin/portal/project/{project.pk}/change/"),
        ("refused-destination-vi.png", "owner-vi", "/admin/routing/routingrule/add/"),
        ("numbers-on-stringee-vi.png", "owner-vi", "/admin/portal/virtualnumber/"),
        ("number-on-stringee-vi.png", "owner-vi", on_stringee_page),
        ("second-factor-enrol-vi.png", "owner-vi", "/admin/second-factor/enrol/"),
    ]
    if record is not None:
        path = f"/admin/calls/callrecord/{record.pk}/change/"
        vietnamese.insert(1, ("call-story-vi.png", "owner-vi", path))
        pages.append(("recording-player.png", "owner", path))
        vietnamese.append(("recording-player-vi.png", "owner-vi", path))
    app_user = AppUser.objects.filter(project=project, is_active=True).order_by("pk").first()
    if app_user is not None:
        path = f"/admin/portal/appuser/{app_user.pk}/call/"
        pages.append(("call-button.png", "owner", path))
        vietnamese.append(("call-button-vi.png", "owner-vi", path))
    simulate = f"/admin/routing/routingrule/simulate/{project.stringee_project_id}/"
    pages.append(("simulate.png", "owner", simulate))
    vietnamese.append(("simulate-vi.png", "owner-vi", simulate))
    hotline = f"/admin/routing/ivrmenu/hotline/{project.pk}/?number={number.pk}"
    pages.append(("hotline-setup.png", "owner", hotline))
    pages.append(("hotline-preview.png", "owner", hotline))
    vietnamese.append(("hotline-setup-vi.png", "owner-vi", hotline))
    try_a_call = f"/admin/calls/callrecord/try/{project.stringee_project_id}/"
    pages.append(("try-a-call.png", "owner", try_a_call))
    vietnamese.append(("try-a-call-vi.png", "owner-vi", try_a_call))
    pages.append(("what-if.png", "owner", "/admin/routing/routingrule/add/"))
    vietnamese.append(("what-if-vi.png", "owner-vi", "/admin/routing/routingrule/add/"))
    menu = IvrMenu.objects.filter(project=project).order_by("pk").first()
    if menu is not None:
        path = f"/admin/routing/ivrmenu/{menu.pk}/change/"
        pages.append(("ivr-menu.png", "owner", path))
        vietnamese.append(("ivr-menu-vi.png", "owner-vi", path))
    return pages + vietnamese


class Command(BaseCommand):
    help = "Write PNGs of the main staff pages (demo tenant, 1400 px wide) into docs/screenshots/."
    in_page: dict[str, tuple[str, str]] = {}

    def add_arguments(self, parser):
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "docs" / "screenshots"))
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            metavar="FILE",
            help="capture only this page (its file name, e.g. dashboard.png); repeatable",
        )

    def handle(self, *args, **options):
        reason = unavailable_reason()
        if reason:
            raise CommandError(f"No browser: {reason}")
        project = Project.objects.filter(stringee_project_id=demo.DEMO_PROJECT_ID).first()
        if project is None:
            raise CommandError("Run `manage.py seed_demo --calls 600` first.")
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        server = ThreadedWSGIServer(("127.0.0.1", 0), _Quiet)
        server.set_app(StaticFilesHandler(get_wsgi_application()))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        # so that the dashboard's webhook health has figures
        _call_the_answer_url(server.server_address[1], project)
        if not project.opening_hours.exists():  # a week to show on its page
            week_save(
                project=project,
                windows=[(d, time.fromisoformat(o), time.fromisoformat(c)) for d, o, c in WEEK],
            )
        _exports_to_show(project)
        _stringee_states_to_show()
        _charges_to_show(project)
        logins = {"owner": (demo.OWNER_USERNAME, demo.OWNER_PASSWORD), "admin": demo_admin()}
        pages = [
            page for page in _pages(project) if page[0] in options["only"] or not options["only"]
        ]
        what_if = (what_if_lunch_break(number_1()), ".what-if-result")
        self.in_page = {"what-if.png": what_if, "what-if-vi.png": what_if}
        if any(name in PLAYING for name, _who, _path in pages):
            _stringee_serving_audio(project)
        # The superuser signs in with two-factor sign-in: an app of the command's own, removed
        # at the end if the demo's superuser had none.
        superuser = get_user_model().objects.get(username=demo.ADMIN_USERNAME)
        had_app = has_second_factor(superuser)
        verified_device(superuser)
        try:
            for who in ("owner", "owner-vi", "admin"):
                mine = [(name, path) for name, user, path in pages if user == who]
                if not mine:
                    continue
                driver = new_driver(WIDTH, 900)
                try:
                    log_in(
                        driver,
                        base,
                        *logins[who.removesuffix("-vi")],
                        second_factor=lambda: code_for(superuser),
                    )
                    if who.endswith("-vi"):
                        driver.add_cookie({"name": settings.LANGUAGE_COOKIE_NAME, "value": "vi"})
                    for name, path in mine:
                        connected = (
                            override_settings(
                                STRINGEE_ACCOUNT_SID="AC.demo", STRINGEE_ACCOUNT_KEY="demo"
                            )
                            if name in CONNECTED
                            else nullcontext()
                        )
                        with connected:
                            self._capture(
                                driver, base + path, out / name, CLICKS.get(name), FILLS.get(name)
                            )
                finally:
                    driver.quit()
        finally:
            server.shutdown()
            if not had_app:
                TOTPDevice.objects.filter(user=superuser).delete()

    def _capture(
        self, driver, url: str, path: Path, click: str | None = None, fill: str | None = None
    ) -> None:
        driver.get(url)
        if fill:
            driver.execute_script(fill)
        if path.stem.startswith("try-a-call"):
            if driver.find_elements("css selector", "button[name=new]"):  # a call left over
                _leave_by(driver, "document.querySelector('button[name=new]').click();")
            for script in TRY_THE_HOTLINE:
                _leave_by(driver, script)
        if path.name in self.in_page:  # a click that changes the page without leaving it
            from selenium.webdriver.support.ui import WebDriverWait

            script, shown = self.in_page[path.name]
            driver.execute_script(script)
            WebDriverWait(driver, 30).until(lambda d: d.find_elements("css selector", shown))
        if click:
            old_page = driver.find_element("tag name", "html")
            driver.execute_script(click)
            wait_for_next_page(driver, old_page)
        if path.stem.startswith("rule-form-error"):
            from selenium.webdriver.support.ui import WebDriverWait

            driver.find_element("css selector", "input[name=_save]").click()
            WebDriverWait(driver, 30).until(lambda d: d.find_elements("css selector", ".errornote"))
        if path.name in PLAYING:
            from selenium.webdriver.support.ui import WebDriverWait

            driver.execute_script(PLAY)
            WebDriverWait(driver, 30).until(lambda d: d.execute_script(PLAYS))
        ready = next((script for suffix, script in READY.items() if url.endswith(suffix)), None)
        if ready:
            from selenium.webdriver.support.ui import WebDriverWait

            WebDriverWait(driver, 30).until(lambda d: d.execute_script(ready))
        driver.execute_script(
            "return new Promise(function (done) {"
            "  var start = Date.now();"
            "  (function check() {"
            "    var pending = document.querySelector('pre.mermaid:not([data-drawn])');"
            "    if (!pending || Date.now() - start > 15000) { setTimeout(done, 300); }"
            "    else { setTimeout(check, 100); }"
            "  })();"
            "});"
        )
        height = min(
            MAX_HEIGHT, driver.execute_script("return document.documentElement.scrollHeight;")
        )
        part = FROM_PART.get(path.name)
        if part:  # the window's height, scrolled to the part (its heading just below the top)
            height = 900
            driver.execute_script(
                "var part = document.getElementById(arguments[0]);"
                "window.scrollTo(0, part.getBoundingClientRect().top + window.scrollY - 120);",
                part,
            )
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        sideways = has_sideways_scroll(driver)
        driver.save_screenshot(str(path))
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": 900, "deviceScaleFactor": 1, "mobile": False},
        )
        note = "  (scrolls sideways!)" if sideways else ""
        self.stdout.write(f"{path}{note}")


def _exports_to_show(project: Project) -> None:
    """Exports the demo owner asked for: two written here (no worker runs during the capture),
    one whose filters cannot be applied, and one still waiting."""
    owner = get_user_model().objects.get(username=demo.OWNER_USERNAME)
    if Export.objects.filter(project=project).exists():
        return
    asks = [
        ("calls.callrecord", {"status__exact": ["busy"]}),
        ("portal.auditentry", {}),
        ("calls.callrecord", {"started_at__gte": ["yesterday"]}),
        ("calls.callevent", {}),
    ]
    for n, (source, params) in enumerate(asks):
        (export,) = exports.export_request(
            source=source, params=params, selected=None, user=owner, language="en"
        )
        if n < len(asks) - 1:
            exports.export_build(export_id=export.pk)


def _stringee_states_to_show() -> None:
    """The demo has no Stringee account: give its two numbers what a connected one would show,
    one in sync and one whose last sending failed."""
    now = timezone.now()
    VirtualNumber.objects.filter(number=demo.PHONE_NUMBER_1).update(
        stringee_id=48721,
        voice_enabled=True,
        sms_enabled=False,
        carrier="Viettel",
        monthly_price=Decimal("50000"),
        stringee_project=demo.DEMO_PROJECT_ID,
        stringee_state=StringeeState.IN_SYNC,
        stringee_sent_at=now - timedelta(hours=2),
    )
    VirtualNumber.objects.filter(number=demo.PHONE_NUMBER_4).update(
        stringee_id=48722,
        voice_enabled=True,
        sms_enabled=True,
        carrier="Viettel",
        monthly_price=Decimal("50000"),
        stringee_project=demo.DEMO_PROJECT_ID,
        stringee_state=StringeeState.FAILED,
        stringee_error="busy",
        stringee_asked_at=now - timedelta(minutes=3),
    )


def _charges_to_show(project: Project) -> None:
    """What Stringee's call log would have given the demo's calls: a charge for each ended call
    (a Vietnamese rate per started minute of talk, a connection fee to phones), and the mark on a
    few calls it added or ended; the stored days are counted again with them."""
    if CallRecord.objects.filter(project=project, amount__isnull=False).exists():
        return
    records = list(
        CallRecord.objects.filter(project=project).exclude(status="in_progress").order_by("pk")
    )
    for n, record in enumerate(records):
        minutes = -(-(record.talk_seconds or 0) // 60)
        per_minute = Decimal("1100") if record.direction.endswith("phone") else Decimal("300")
        record.amount = per_minute * minutes + (
            Decimal("150.50") if record.direction.startswith("phone") else Decimal(0)
        )
        record.call_log = ["", "", "", "", "", "", "added", "", "completed", ""][n % 10]
    CallRecord.objects.bulk_update(records, ["amount", "call_log"], batch_size=500)
    today = timezone.localdate(timezone=ZoneInfo(project.time_zone))
    for zone in rollup_time_zones(project):
        rollups_recount(
            project=project, time_zone=zone, first=today - timedelta(days=30), last=today
        )


def _leave_by(driver, script: str) -> None:
    """Run `script` and wait for the page it leads to."""
    old_page = driver.find_element("tag name", "html")
    driver.execute_script(script)
    wait_for_next_page(driver, old_page)


def number_1() -> VirtualNumber:
    return VirtualNumber.objects.get(number=demo.PHONE_NUMBER_1)


def demo_admin() -> tuple[str, str]:
    return demo.ADMIN_USERNAME, demo.ADMIN_PASSWORD


def _call_the_answer_url(port: int, project: Project, calls: int = 40) -> None:
    """Route a few calls of the demo tenant, as Stringee would."""
    query = urlencode(
        {"from": demo.PHONE_NUMBER_2.lstrip("+"), "to": demo.PHONE_NUMBER_1.lstrip("+")}
    )
    path = f"/answer_url/{project.stringee_project_id}/{project.webhook_token}/?{query}"
    connection = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for _ in range(calls):
            connection.request("GET", path)
            connection.getresponse().read()
    finally:
        connection.close()


def _stringee_serving_audio(project: Project) -> None:
    """A local server plays Stringee's part for the demo call's recording (8 s of tones, with
    Range): STRINGEE_API_URL points at it, so the portal streams the audio from it."""
    audio = _tones(seconds=8)

    class Recordings(BaseHTTPRequestHandler):
        def do_GET(self):
            asked = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
            start = int(asked.group(1)) if asked else 0
            end = int(asked.group(2)) if asked and asked.group(2) else len(audio) - 1
            self.send_response(206 if asked else 200)
            self.send_header("Content-Type", "audio/wav")
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(end - start + 1))
            if asked:
                self.send_header("Content-Range", f"bytes {start}-{end}/{len(audio)}")
            self.end_headers()
            self.wfile.write(audio[start : end + 1])

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recordings)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.STRINGEE_API_URL = f"http://127.0.0.1:{server.server_address[1]}"
    record = _pages_record(project)
    if record is not None:
        url = f"{settings.STRINGEE_API_URL}/v1/call/recording/{record.call_id}"
        Recording.objects.filter(call=record).update(url=url, format="wav", copy_status="")
        CallRecord.objects.filter(pk=record.pk).update(recording_url=url)


def _pages_record(project: Project) -> CallRecord | None:
    return (
        CallRecord.objects.filter(project=project)
        .exclude(recording_url="")
        .order_by("-started_at")
        .first()
    )


def _tones(seconds: int, rate: int = 8000) -> bytes:
    """A WAV file of a few gentle tones (a stand-in for a call's voices)."""
    frames = b"".join(
        struct.pack(
            "<h", int(6000 * math.sin(2 * math.pi * (330 + 110 * (n // rate % 3)) * n / rate))
        )
        for n in range(seconds * rate)
    )
    buffer = BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()

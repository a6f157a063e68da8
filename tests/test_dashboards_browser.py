"""A real browser on the real app: `streamlit run` on a free port against the demo-data database,
Debian's Chromium driven by Playwright signs in (owner, then the restricted employee), visits every
page it may open, saves screenshots to tests/artifacts/, and fails on any Streamlit exception box."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright
from sqlalchemy import text

from prometric_pipelines.commands.servers import dashboards_environment, streamlit_command
from prometric_pipelines.config import PROJECT_ROOT
from prometric_pipelines.generate.run import DEMO_PASSWORD
from prometric_pipelines.maintenance.health import take_snapshot
from tests.dashboards_data import restore_logins
from tests.test_demo import free_port
from tests.waiting import wait_for

sys.path.insert(0, str(PROJECT_ROOT / "dashboards"))
from lib.access import PAGES

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
VISITS = {
    "owner": ["overview", "alerts", "sales", "finance", "inventory", "hr", "operations", "audit", "data_quality",
              "database"],
    "employee": ["my_tasks", "my_payslips"],
}  # fmt: skip


@pytest.fixture(scope="module")
def app_url(demo_data, tmp_path_factory):
    # the server holds this data's reader password: modules that ran since may have given the roles others
    restore_logins(demo_data)
    take_snapshot(demo_data.owner, run_key="test-browser")  # the owner's Database page shows a real snapshot
    port = free_port()
    # as `prometric dashboards` starts it: the reader login only (no DATABASE_URL, no JOBS_DATABASE_URL)
    env = dashboards_environment(
        {**os.environ, **demo_data.env, "PROMETRIC_DASHBOARDS_TODAY": demo_data.today.isoformat()}
    )
    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            streamlit_command(port),  # exactly what `prometric dashboards` / the demo run
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        import urllib.request

        def healthy() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                    return response.status == 200
            except OSError:
                assert server.poll() is None, log.read_text()
                return False

        wait_for(healthy, timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def settle(page: Page) -> None:
    """Until Streamlit has finished running the script (no spinner / running indicator)."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60_000)
    page.wait_for_timeout(500)


def check_no_exception(page: Page, where: str) -> None:
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, f"{where}: {boxes.first.inner_text()}"


def sign_in(page: Page, email: str) -> None:
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("textbox", name="Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
    settle(page)


@pytest.mark.parametrize("role", ["owner", "employee"])
def test_browser_signs_in_and_visits_every_page(demo_data, app_url, role):
    ARTIFACTS.mkdir(exist_ok=True)
    email = demo_data.accounts[role][0]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.goto(f"{app_url}/?preset=90d&grain=week")
            sign_in(page, email)
            nav = page.locator('[data-testid="stSidebarNav"] a')
            # the sidebar lists exactly the role's pages
            titles = sorted(text.strip().rsplit("\n", 1)[-1] for text in nav.all_inner_texts())  # after the icon name
            assert titles == sorted(PAGES[key] for key in VISITS[role])
            for key in VISITS[role]:
                nav.filter(has_text=PAGES[key]).first.click()
                settle(page)
                check_no_exception(page, f"{role}/{key}")
                assert page.get_by_text("is not available for your role").count() == 0
                page.screenshot(path=ARTIFACTS / f"{role}-{key}.png", full_page=True)
        finally:
            browser.close()


def test_browser_a_signed_in_employee_cannot_open_the_hr_page_by_url(demo_data, app_url):
    """The HR page's URL, opened in the employee's signed-in session (the browser's own navigation, as
    a typed or bookmarked path would be routed): the "not available" message and no data."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.goto(f"{app_url}/?preset=90d&grain=week")
            sign_in(page, demo_data.accounts["employee"][0])
            assert page.locator('[data-testid="stSidebarNav"] a').filter(has_text=PAGES["hr"]).count() == 0
            page.evaluate("path => { history.pushState({}, '', path); dispatchEvent(new PopStateEvent('popstate')) }",
                          "/hr?preset=90d&grain=week")  # fmt: skip
            page.wait_for_function("() => document.body.innerText.includes('is not available for your role')",
                                   timeout=30_000)  # fmt: skip
            settle(page)
            check_no_exception(page, "employee/hr by URL")
            assert page.get_by_text(f"{PAGES['hr']} is not available for your role").count() == 1
            for data in ("stDataFrame", "stMetric", "stVegaLiteChart"):  # nothing of the page's data
                assert page.locator(f'[data-testid="{data}"]').count() == 0, data
            page.screenshot(path=ARTIFACTS / "employee-hr-by-url.png", full_page=True)
        finally:
            browser.close()


# ---- filters, deep links and reloads in a real browser (issue 20 items 1 and 6) --------------------------

import datetime as dt  # noqa: E402

PRESET_LABELS = {"ytd": "Year to date", "7d": "Last 7 days", "30d": "Last 30 days", "mtd": "Month to date",
                 "90d": "Last 90 days"}  # fmt: skip


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option of a sidebar selectbox the way a person does: open it, click the option."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text=label)
    box.get_by_role("button", name="Open").click()
    page.locator('[data-testid="stSelectboxVirtualDropdown"] [role="option"]').filter(has_text=option).first.click()
    settle(page)


def shown_range(page: Page) -> str:
    return page.locator('[data-testid="stSidebar"]').inner_text()


def preset_start(preset: str, today: dt.date) -> dt.date:
    return {"ytd": dt.date(today.year, 1, 1), "7d": today - dt.timedelta(days=6),
            "30d": today - dt.timedelta(days=29), "mtd": today.replace(day=1),
            "90d": today - dt.timedelta(days=89)}[preset]  # fmt: skip


@pytest.mark.parametrize("role", ["owner", "manager", "investor", "employee"])
def test_browser_every_filter_change_is_the_one_shown(demo_data, app_url, role):
    """YTD → 7d → 30d → MTD → 90d and Day → Month → Quarter → Week, clicked one after the other: each
    selection is the one the widget, the range line and the URL show (it was every second one)."""
    today = demo_data.today
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.goto(f"{app_url}/?preset=ytd&grain=day")
            sign_in(page, demo_data.accounts[role][0])
            assert f"{preset_start('ytd', today):%d.%m.%Y} – {today:%d.%m.%Y} · by day" in shown_range(page)
            for preset in ("7d", "30d", "mtd", "90d"):
                choose(page, "Date range", PRESET_LABELS[preset])
                check_no_exception(page, f"{role} preset {preset}")
                assert f"{preset_start(preset, today):%d.%m.%Y} – {today:%d.%m.%Y}" in shown_range(page), preset
                assert f"preset={preset}" in page.url, (preset, page.url)
            for grain in ("month", "quarter", "week"):
                choose(page, "Grain", grain.capitalize())
                assert f"· by {grain}" in shown_range(page), grain
                assert f"grain={grain}" in page.url and "preset=90d" in page.url, (grain, page.url)
            # a page switch keeps the filters (and the URL carries them on)
            nav = page.locator('[data-testid="stSidebarNav"] a')
            nav.last.click()
            settle(page)
            assert f"{preset_start('90d', today):%d.%m.%Y} – {today:%d.%m.%Y} · by week" in shown_range(page)
            page.reload()  # F5: still signed in, same filters
            page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
            settle(page)
            assert f"{preset_start('90d', today):%d.%m.%Y} – {today:%d.%m.%Y} · by week" in shown_range(page)
            page.screenshot(path=ARTIFACTS / f"{role}-filters.png", full_page=True)
        finally:
            browser.close()


LINKED_PAGE = {"owner": "finance", "manager": "sales", "investor": "overview", "employee": "my_payslips"}


@pytest.mark.parametrize("role", ["owner", "manager", "investor", "employee"])
def test_browser_a_shared_link_signs_in_to_the_linked_page_and_a_reload_keeps_the_session(demo_data, app_url, role):
    """A `/finance?…` link (a page of the role) in a fresh browser: the sign-in form (no "Page not found"),
    then that page with the link's filters; F5 keeps the session; sign-out ends it for a reload too."""
    today = demo_data.today
    linked = LINKED_PAGE[role]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 1000})
            page = context.new_page()
            page.goto(f"{app_url}/{linked}?preset=30d&grain=month")
            page.get_by_label("E-mail").wait_for(timeout=60_000)
            settle(page)
            assert page.get_by_text("Page not found").count() == 0
            assert page.locator('[data-testid="stSidebarNav"]').count() == 0  # nothing before sign-in
            sign_in(page, demo_data.accounts[role][0])
            # (the role's landing page, Overview here, is shown at the root path)
            assert linked == "overview" or f"/{linked}" in page.url, page.url
            assert "preset=30d" in page.url and "grain=month" in page.url, page.url
            assert page.get_by_role("heading", name=PAGES[linked]).count() == 1
            assert f"{preset_start('30d', today):%d.%m.%Y} – {today:%d.%m.%Y} · by month" in shown_range(page)
            assert page.get_by_text("Page not found").count() == 0

            page.reload()  # F5
            page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
            settle(page)
            assert page.get_by_role("heading", name=PAGES[linked]).count() == 1
            assert f"{preset_start('30d', today):%d.%m.%Y} – {today:%d.%m.%Y} · by month" in shown_range(page)
            assert page.get_by_label("E-mail").count() == 0
            cookies = {c["name"]: c for c in context.cookies()}
            assert cookies["prometric_session"]["sameSite"] == "Strict"
            assert cookies["prometric_session"]["value"] not in page.url  # never in the URL

            # a second tab of the same browser is signed in too; a new browser (no cookie) is not
            other = context.new_page()
            other.goto(f"{app_url}/overview?preset=7d")
            other.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
            stranger = browser.new_context().new_page()
            stranger.goto(page.url)
            stranger.get_by_label("E-mail").wait_for(timeout=60_000)

            page.get_by_role("button", name="Sign out").click()
            page.get_by_label("E-mail").wait_for(timeout=60_000)
            page.wait_for_timeout(1000)
            page.reload()  # the revoked token signs nobody in
            page.get_by_label("E-mail").wait_for(timeout=60_000)
            settle(page)
            assert page.locator('[data-testid="stSidebarNav"]').count() == 0
        finally:
            browser.close()


ALERT_ORDERS = text("""SELECT count(*) FROM orders o JOIN organizations g ON g.id = o."organizationId"
    WHERE o."organizationId" = :org AND o."workspaceId" = :ws AND o."deletedAt" IS NULL
      AND (o."orderDate" AT TIME ZONE 'UTC' AT TIME ZONE coalesce(g.settings ->> 'timezone', 'Asia/Almaty'))::date
          = :day""")


def test_browser_an_alert_marks_the_overview_and_its_link_opens_the_rows_behind_it(demo_data, app_url):
    """A hand-made revenue alert on the demo's last day: the Overview's Revenue card carries the badge, and
    its link opens the Alerts page at `?alert=<id>` with exactly that day's orders of that workspace."""
    email, organization = demo_data.accounts["owner"]
    day = demo_data.today
    with demo_data.owner.begin() as conn:
        org, ws = conn.execute(text("""SELECT o.id, w.id FROM organizations o JOIN workspaces w
            ON w."organizationId" = o.id WHERE o.name = :n ORDER BY w."isDefault" DESC, w.name LIMIT 1"""),
                               {"n": organization}).one()  # fmt: skip
        orders = conn.execute(ALERT_ORDERS, {"org": org, "ws": ws, "day": day}).scalar_one()
        alert = conn.execute(text("""INSERT INTO alerts ("organizationId", "workspaceId", kind, subject, day, value,
            baseline, severity, explanation, "explanationRu") VALUES (:org, :ws, 'anomaly', 'orders_revenue', :day,
            1, 1, 'severe', 'Revenue was unusual (browser test).', 'Выручка необычна (тест браузера).')
            RETURNING id"""), {"org": org, "ws": ws, "day": day}).scalar_one()  # fmt: skip
    assert orders > 0
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1440, "height": 1000})
                # a range no other test asks for: the server's 5-minute cache holds nothing of it yet
                link = f"preset=custom&from={day - dt.timedelta(days=4)}&to={day}&grain=day"
                page.goto(f"{app_url}/?{link}")
                sign_in(page, email)
                page.get_by_text("Revenue · ⚠ 1 alert").wait_for(timeout=60_000)
                check_no_exception(page, "owner/overview with an alert")
                assert page.get_by_text("Alert days").count() == 1
                page.screenshot(path=ARTIFACTS / "owner-overview-alert.png", full_page=True)
                page.get_by_text(f"Revenue: the alert of {day}").click()  # the marker's link to the drill
                page.wait_for_function("() => document.body.innerText.includes('Rows behind the number')",
                                       timeout=60_000)  # fmt: skip
                settle(page)
                assert f"alert={alert}" in page.url  # kept by the filters' rewrite: a link to share
                check_no_exception(page, "owner/alerts drill")
                # in the viewer's language setting (the demo organization's locale) or English
                assert page.get_by_text(re.compile(r"\((browser test|тест браузера)\)")).count() >= 1
                assert page.get_by_role("tab", name=f"Orders ({orders})").count() == 1
                page.screenshot(path=ARTIFACTS / "owner-alert-drill.png", full_page=True)
            finally:
                browser.close()
    finally:
        with demo_data.owner.begin() as conn:
            conn.execute(text("DELETE FROM alerts WHERE id = :id"), {"id": alert})

"""Demo accounts that belong to two organizations start at home on the dashboards and can switch."""

from __future__ import annotations

import sys

from prometric_pipelines.commands.demo import demo_account_lines
from prometric_pipelines.config import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "dashboards"))  # the app's `lib`, as Streamlit imports it

from lib.access import Organization, Viewer, Workspace, allowed_pages, home_organization


def _org(name: str, membership: str, employee_id: str | None = None) -> Organization:
    return Organization(f"id-{name}", name, (Workspace(f"ws-{name}", "Головной офис", membership),), employee_id)


def test_an_employee_who_manages_another_organization_starts_at_home_with_employee_pages():
    home = _org("ТОО «Жетысу Пром»", "member", employee_id="e1")
    other = _org("ТОО «Астык Инвест»", "manager")  # first by name
    viewer = Viewer("u1", "e@x.kz", "Е", (other, home))
    assert home_organization(viewer) is home
    assert allowed_pages(home) == ("my_tasks", "my_payslips")  # an employee there
    assert "hr" in allowed_pages(other)  # after switching: the other organization's manager
    creator = Viewer("u2", "o@x.kz", "О", (_org("A", "admin"), _org("B", "creator")))
    assert home_organization(creator).name == "B"
    investor = Viewer("u3", "i@x.kz", "И", (_org("A", "member"), _org("B", "member")))
    assert home_organization(investor).name == "A"  # no home: the first by name


def test_the_demo_accounts_table_lists_every_organization_home_first():
    accounts = [("owner", "owner@a.kz", "ТОО «Б»"), ("employee", "e@a.kz", "ТОО «Б»")]
    reach = {
        "owner@a.kz": ["ТОО «А»: admin of Головной офис", "ТОО «Б»: creator (every workspace)"],
        "e@a.kz": ["ТОО «А»: manager of Головной офис, Филиал", "ТОО «Б»: member of Головной офис"],
    }
    assert demo_account_lines(accounts, reach, "pw") == [
        "  Demo accounts (dashboards sign-in, password pw; switch organization and workspace in the sidebar):",
        "    role      e-mail      organizations (role there)",
        "    owner     owner@a.kz  ТОО «Б»: creator (every workspace)",
        "                          ТОО «А»: admin of Головной офис",
        "    employee  e@a.kz      ТОО «Б»: member of Головной офис",
        "                          ТОО «А»: manager of Головной офис, Филиал",
    ]

"""The dashboards with the database down: the sign-in says so in one line (no traceback, no password).

Replaces the placeholder page's test: the "Operational database" row-count page was dropped with the
real app (a status page for analysts did not earn its place; `prometric db status` answers that)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from prometric_pipelines.config import PROJECT_ROOT

APP = str(PROJECT_ROOT / "dashboards" / "streamlit_app.py")


def test_sign_in_reports_an_unreachable_database_in_one_line(monkeypatch):
    # nothing listens on port 9: both logins the app uses point there
    for variable in ("DATABASE_URL", "JOBS_DATABASE_URL", "READER_DATABASE_URL"):
        monkeypatch.setenv(variable, "postgresql://erp:secret-pw@127.0.0.1:9/erp")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and not at.error  # the form itself needs no database
    at.text_input[0].input("someone@example.kz")
    at.text_input[1].input("whatever")
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 1
    message = at.error[0].value
    assert message.startswith("The database is not reachable: cannot connect to PostgreSQL at ")
    assert "\n" not in message and "secret-pw" not in message and "***" in message

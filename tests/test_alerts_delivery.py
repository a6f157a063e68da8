"""Delivery of alerts through a real local SMTP server (aiosmtpd) and the notifications table, as the
jobs login: owners and managers of each organization only, in their language, once."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text

from prometric_pipelines.alerts.deliver import deliver_alerts, parse_smtp_url
from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.db.roles import JOBS_ROLE
from prometric_pipelines.errors import ConfigError
from tests.factories import make, make_tenant

PORT = 18500
NIGHT = dt.date(2026, 1, 13)
SINCE = dt.date(2026, 1, 6)
SENDER = "Prometric <alerts@test.local>"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"

    def by_recipient(self) -> dict[str, EmailMessage]:
        return {rcpt[0]: message for rcpt, message in self.messages}


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=PORT)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture(scope="module")
def jobs(engine, server_logins):
    url = server_logins(engine)[JOBS_ROLE]
    jobs = create_db_engine(url)
    yield jobs
    jobs.dispose()


@pytest.fixture(scope="module")
def people(engine):
    """Organization A (Russian locale): its creator, an English-speaking manager, a workspace admin and a
    plain employee; organization B: its creator. Alerts: two of A's, one of B's, and in A one too old and
    one acknowledged (neither is delivered)."""
    with engine.begin() as conn:
        a, b = make_tenant(conn), make_tenant(conn)
        conn.execute(
            text("""UPDATE organizations SET settings = '{"locale": "ru-KZ"}', name = :n WHERE id = :o"""),
            {"n": "Alpha LLP", "o": a["organization"]["id"]},
        )
        conn.execute(text("UPDATE organizations SET name = 'Beta LLP' WHERE id = :o"), {"o": b["organization"]["id"]})
        manager = make(conn, "users", status="active", firstName="Dana", email="dana@alpha.kz")
        make(conn, "employees", organizationId=a["organization"]["id"], workspaceId=a["workspace"]["id"],
             userId=manager["id"], organizationRole="manager", personalInfo={"language": "en"})  # fmt: skip
        admin = make(conn, "users", status="active", firstName="Aidar", email="aidar@alpha.kz")
        make(conn, "workspace_users", workspaceId=a["workspace"]["id"], userId=admin["id"], role="admin", isActive=True)
        worker = make(conn, "users", status="active", email="worker@alpha.kz")
        make(conn, "employees", organizationId=a["organization"]["id"], workspaceId=a["workspace"]["id"],
             userId=worker["id"], organizationRole="employee")  # fmt: skip

        def alert(tenant, subject, day=NIGHT, **extra):
            return str(make(conn, "alerts", organizationId=tenant["organization"]["id"],
                            workspaceId=tenant["workspace"]["id"], kind="anomaly", subject=subject, day=day,
                            severity=extra.pop("severity", "warning"), explanation=f"{subject} moved",
                            explanationRu=f"{subject} изменился", **extra)["id"])  # fmt: skip

        ids = {
            "a_revenue": alert(a, "orders_revenue", severity="severe"),
            "a_orders": alert(a, "orders_count"),
            "b_revenue": alert(b, "payments_received"),
            "a_old": alert(a, "expenses_amount", day=SINCE - dt.timedelta(days=1)),
            "a_acknowledged": alert(a, "gross_profit", acknowledgedAt=dt.datetime(2026, 1, 13, 9)),
        }
    return {
        "a": str(a["organization"]["id"]), "b": str(b["organization"]["id"]), "a_workspace": a["workspace"]["id"],
        "a_owner": a["owner"]["email"], "b_owner": b["owner"]["email"], "manager": manager["email"],
        "admin": admin["email"], "worker": worker["email"], **ids,
    }  # fmt: skip


def deliver(jobs, people, url=f"smtp://127.0.0.1:{PORT}"):
    return deliver_alerts(jobs, [people["a"], people["b"]], since=SINCE, night=NIGHT, smtp_url=url, sender=SENDER)


def count(engine, sql, **params) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def test_the_digest_reaches_owners_and_managers_in_their_language_once(smtp, jobs, people, engine):
    result = deliver(jobs, people)
    inbox = smtp.by_recipient()
    assert sorted(inbox) == sorted([people["a_owner"], people["manager"], people["admin"], people["b_owner"]])
    assert sorted(result.recipients) == sorted(inbox) and result.email_failures == []
    assert len(smtp.messages) == 4  # one message per person

    english = inbox[people["manager"]]
    assert english["Subject"] == "Prometric: 2 new alerts for 2026-01-13"
    assert english["From"] == SENDER
    body = english.get_content()
    assert "Hello Dana," in body and "Alpha LLP" in body
    assert "- SEVERE [Main]: orders_revenue moved" in body and "- warning [Main]: orders_count moved" in body
    assert body.index("orders_revenue") < body.index("orders_count")  # severe first

    russian = inbox[people["admin"]]
    assert russian["Subject"] == "Prometric: новых оповещений: 2 за 13.01.2026"
    assert "Здравствуйте, Aidar!" in russian.get_content()
    assert "orders_revenue изменился" in russian.get_content()
    # each organization's people hear about their own alerts only; old and acknowledged ones are not sent
    for who in ("a_owner", "manager", "admin"):
        content = inbox[people[who]].get_content()
        assert "payments_received" not in content and "expenses_amount" not in content
        assert "gross_profit" not in content
    assert "payments_received" in inbox[people["b_owner"]].get_content()
    assert "orders_revenue" not in inbox[people["b_owner"]].get_content()

    # in-app: one notification per person and organization, naming the alerts
    assert result.notifications == 4 and result.alerts_notified == 7
    assert count(engine, "SELECT count(*) FROM notifications WHERE category = 'alerts'") == 4
    titles = {
        r[0] for r in engine.connect().execute(text("SELECT title FROM notifications WHERE category = 'alerts'")).all()
    }
    assert titles == {"2 new alerts: Alpha LLP", "Новых оповещений: 2: Alpha LLP", "Новых оповещений: 1: Beta LLP"}

    # a re-run sends nothing and writes nothing
    again = deliver(jobs, people)
    assert len(smtp.messages) == 4 and again.emails == 0 and again.notifications == 0
    assert count(engine, "SELECT count(*) FROM notifications WHERE category = 'alerts'") == 4
    assert count(engine, "SELECT count(*) FROM alert_deliveries WHERE channel = 'email'") == 7


def test_a_failed_send_is_tried_again_on_the_next_pass(jobs, people, engine):
    with engine.begin() as conn:
        late = make(conn, "alerts", organizationId=people["b"], workspaceId=None, kind="freshness",
                    subject="daily_metrics", day=NIGHT, severity="warning", explanation="late",
                    explanationRu="поздно")["id"]  # fmt: skip
    # no server listening: the e-mail fails, nothing is recorded as e-mailed (in-app is delivered)
    failed = deliver(jobs, people, url=f"smtp://127.0.0.1:{PORT + 1}")
    assert failed.emails == 0 and len(failed.email_failures) == 1 and people["b_owner"] in failed.email_failures[0]
    assert failed.notifications == 1
    assert (
        count(engine, "SELECT count(*) FROM alert_deliveries WHERE \"alertId\" = :a AND channel = 'email'", a=late) == 0
    )
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=PORT + 1)
    controller.start()
    try:
        sent = deliver(jobs, people, url=f"smtp://127.0.0.1:{PORT + 1}")
    finally:
        controller.stop()
    assert sent.recipients == [people["b_owner"]] and len(inbox.messages) == 1
    assert "поздно" in inbox.messages[0][1].get_content()
    assert "payments_received" not in inbox.messages[0][1].get_content()  # sent before: not again


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.local:2525", ("mail.local", 2525, False, False, None, None)),
        ("smtps://bot%40x.kz:p%3Ass@mail.local", ("mail.local", 465, True, False, "bot@x.kz", "p:ss")),
        ("smtp://mail.local?starttls=1", ("mail.local", 25, False, True, None, None)),
    ],
)
def test_smtp_urls(url, expected):
    s = parse_smtp_url(url)
    assert (s.host, s.port, s.tls, s.starttls, s.user, s.password) == expected


@pytest.mark.parametrize("url", ["http://mail.local", "smtp://", "smtp://mail.local:99999"])
def test_a_bad_smtp_url_is_one_clear_error(url):
    with pytest.raises(ConfigError, match="SMTP_URL"):
        parse_smtp_url(url)

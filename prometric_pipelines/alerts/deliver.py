"""Telling people: an in-app notification per recipient and organization, and one e-mail digest per
recipient and delivery pass (the nightly run), in the recipient's language.

Recipients are each organization's owners and managers (sql/alerts/pending_deliveries.sql). Every
delivery is recorded in `alert_deliveries` (alert, user, channel) before its transaction commits, so a
re-run sends nothing twice; an e-mail's records are written in the transaction that sends it, and a
failed send rolls them back (the next pass tries again). One person's failed e-mail is their own.
Only alerts about recent days (`since`) are delivered: a backfill of old days records alerts but does
not flood inboxes with history.
"""

from __future__ import annotations

import datetime as dt
import json
import smtplib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr
from itertools import groupby
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy.engine import Connection, Engine

from prometric_pipelines.errors import ConfigError
from prometric_pipelines.sql import load_sql

# the e-mail lists at most this many alerts per organization (the rest: "and N more" and the dashboards)
MAX_LISTED = 20
SEVERITY_WORDS = {
    "en": {"severe": "SEVERE", "warning": "warning", "info": "info"},
    "ru": {"severe": "СЕРЬЁЗНО", "warning": "внимание", "info": "инфо"},
}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: bool  # implicit TLS (smtps://)
    starttls: bool
    user: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpSettings:
    """`smtp://[user:password@]host[:port][?starttls=1]` or `smtps://…`; a ConfigError names what is wrong."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError(f"SMTP_URL must look like smtp://host:port or smtps://user:password@host:port (got {url!r})")
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError:
        raise ConfigError("SMTP_URL has a port that is not a number 1-65535") from None
    starttls = parse_qs(parts.query).get("starttls", ["0"])[0].lower() in ("1", "true", "yes")
    return SmtpSettings(
        host=parts.hostname,
        port=port,
        tls=parts.scheme == "smtps",
        starttls=starttls,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


@dataclass
class DeliveryResult:
    notifications: int = 0  # in-app notifications written
    alerts_notified: int = 0  # (alert, user) pairs delivered in-app
    emails: int = 0  # e-mails sent
    recipients: list[str] = field(default_factory=list)  # e-mail addresses written to
    email_failures: list[str] = field(default_factory=list)  # one line per address that failed


def _text(row: dict[str, Any], language: str) -> str:
    return row["explanation_ru"] if language == "ru" else row["explanation"]


def _line(row: dict[str, Any], language: str) -> str:
    where = f" [{row['workspace_name']}]" if row.get("workspace_name") else ""
    return f"- {SEVERITY_WORDS[language].get(row['severity'], row['severity'])}{where}: {_text(row, language)}"


def _count_words(count: int, language: str) -> str:
    if language == "ru":
        return f"Новых оповещений: {count}"
    return f"{count} new alert{'s' if count != 1 else ''}"


def notification_rows(pending: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One in-app notification per (user, organization): a title with the count, the alerts as lines."""
    rows = []
    for (user_id, organization_id), alerts in groupby(pending, key=lambda r: (r["user_id"], r["organization_id"])):
        alerts = list(alerts)
        language = alerts[0]["language"]
        lines = [_line(a, language) for a in alerts[:MAX_LISTED]]
        if len(alerts) > MAX_LISTED:
            lines.append(("… и ещё " if language == "ru" else "… and ") + str(len(alerts) - MAX_LISTED))
        rows.append(
            {
                "user_id": str(user_id),
                "organization_id": str(organization_id),
                "title": f"{_count_words(len(alerts), language)}: {alerts[0]['organization_name']}",
                "message": "\n".join(lines),
                "alert_ids": [str(a["alert_id"]) for a in alerts],
            }
        )
    return rows


def digest_message(sender: str, alerts: list[dict[str, Any]], night: dt.date) -> EmailMessage:
    """The plain-text digest of one recipient's alerts (all their organizations), in their language."""
    first = alerts[0]
    language = first["language"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((first["first_name"] or "", first["email"]))
    if language == "ru":
        message["Subject"] = f"Prometric: {_count_words(len(alerts), 'ru').lower()} за {night:%d.%m.%Y}"
        greeting = f"Здравствуйте{', ' + first['first_name'] if first['first_name'] else ''}!"
        intro = "Ночной расчёт показателей нашёл необычные значения:"
        outro = "Подробности и подтверждение — на странице «Оповещения» панели Prometric."
    else:
        message["Subject"] = f"Prometric: {_count_words(len(alerts), 'en')} for {night.isoformat()}"
        greeting = f"Hello{' ' + first['first_name'] if first['first_name'] else ''},"
        intro = "The nightly metrics run found these unusual numbers:"
        outro = "Details and acknowledgement: the Alerts page of the Prometric dashboards."
    body = [greeting, "", intro]
    for (_, name), rows in groupby(alerts, key=lambda r: (r["organization_id"], r["organization_name"])):
        rows = list(rows)
        body += ["", name, *[_line(r, language) for r in rows[:MAX_LISTED]]]
        if len(rows) > MAX_LISTED:
            body.append(("… и ещё " if language == "ru" else "… and ") + str(len(rows) - MAX_LISTED))
    body += ["", outro]
    message.set_content("\n".join(body))
    return message


def _send(settings: SmtpSettings, message: EmailMessage) -> None:
    if settings.tls:
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=30, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=30)
    with client:
        if settings.starttls:
            client.starttls(context=ssl.create_default_context())
        if settings.user:
            client.login(settings.user, settings.password or "")
        client.send_message(message)


def _pending(conn: Connection, organization_ids: list[str], since: dt.date, channel: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        load_sql("alerts", "pending_deliveries"),
        {"organization_ids": organization_ids, "since": since, "channel": channel},
    ).mappings()
    return [dict(r) for r in rows]


def deliver_alerts(
    engine: Engine,
    organization_ids: Iterable[str],
    *,
    since: dt.date,
    night: dt.date,
    smtp_url: str | None,
    sender: str,
) -> DeliveryResult:
    """Delivers the organizations' undelivered alerts about days since `since`: in-app always, e-mail when
    `smtp_url` is set. `night` names the digest (the day the nightly run is for)."""
    ids = [str(o) for o in organization_ids]
    result = DeliveryResult()
    if not ids:
        return result
    with engine.begin() as conn:
        conn.execute(load_sql("alerts", "lock_deliveries"))
        pending = _pending(conn, ids, since, "in_app")
        notifications = notification_rows(pending)
        if notifications:
            recorded = conn.execute(
                load_sql("alerts", "insert_notifications"), {"notifications": json.dumps(notifications)}
            ).all()
            result.notifications, result.alerts_notified = len(notifications), len(recorded)
    if smtp_url is None:
        return result
    settings = parse_smtp_url(smtp_url)
    with engine.connect() as conn:
        pending = _pending(conn, ids, since, "email")
    for _user, rows in groupby(pending, key=lambda r: r["user_id"]):
        rows = list(rows)
        email = rows[0]["email"]
        try:
            with engine.begin() as conn:
                conn.execute(load_sql("alerts", "lock_deliveries"))
                claimed = {
                    str(r[0])
                    for r in conn.execute(
                        load_sql("alerts", "claim_email_deliveries"),
                        {
                            "user_id": str(rows[0]["user_id"]),
                            "alert_ids": [str(r["alert_id"]) for r in rows],
                            "organization_ids": ids,
                        },
                    )
                }
                if not claimed:  # another pass sent them meanwhile
                    continue
                _send(settings, digest_message(sender, [r for r in rows if str(r["alert_id"]) in claimed], night))
        except (OSError, smtplib.SMTPException) as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            result.email_failures.append(f"{email}: {reason}")
            continue
        result.emails += 1
        result.recipients.append(email)
    return result

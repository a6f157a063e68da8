"""Sign-in that survives a reload (F5) within the idle limit, and nothing longer.

A Streamlit session lives as long as its browser tab's websocket: a reload opens a new one with empty
`st.session_state`. So at sign-in the app issues a random token (256 bits), keeps only its SHA-256 in
this process's registry together with the user and the time it was last used, and the browser keeps
the token in a cookie (`prometric_session`: path `/`, `SameSite=Strict`, no expiry date, so it ends with
the browser; `Secure` on https). A new session presents the cookie (`st.context.cookies`); the registry
resumes it only while it has been idle less than the idle limit (`PROMETRIC_DASHBOARDS_IDLE_MINUTES`),
and every page run refreshes it. Sign-out and expiry revoke it; a server restart forgets every token.

Never in the URL: a shared link (`/finance?preset=30d`) carries filters only, so it signs nobody in.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass

from lib.auth import expired

COOKIE = "prometric_session"
MAX_SESSIONS = 10_000  # bounded memory: the oldest idle tokens go first


@dataclass
class _Entry:
    user_id: str
    last_seen: float  # time.monotonic()


class SessionRegistry:
    """Token hashes → (user, last use). Thread-safe: one registry serves every browser session."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}

    @staticmethod
    def _key(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()

    def issue(self, user_id: str, now: float | None = None) -> str:
        now = time.monotonic() if now is None else now
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._entries = {k: e for k, e in self._entries.items() if not expired(e.last_seen, now)}
            while len(self._entries) >= MAX_SESSIONS:
                self._entries.pop(min(self._entries, key=lambda k: self._entries[k].last_seen))
            self._entries[self._key(token)] = _Entry(user_id, now)
        return token

    def resume(self, token: str | None, now: float | None = None) -> tuple[str | None, bool]:
        """(user id, False) for a live token, refreshed; (None, True) for one that expired (now revoked);
        (None, False) for no or an unknown token."""
        if not isinstance(token, str) or not token or len(token) > 200:
            return None, False
        now = time.monotonic() if now is None else now
        key = self._key(token)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None, False
            if expired(entry.last_seen, now):
                del self._entries[key]
                return None, True
            entry.last_seen = now
            return entry.user_id, False

    def revoke(self, token: str | None) -> None:
        if isinstance(token, str) and token:
            with self._lock:
                self._entries.pop(self._key(token), None)


def cookie_script(token: str | None, secure: bool) -> str:
    """The script that stores (or, for None, deletes) the cookie in the browser; the token is
    URL-safe base64, and json.dumps quotes it for JavaScript anyway."""
    flags = "; Path=/; SameSite=Strict" + ("; Secure" if secure else "")
    value = json.dumps(f"{COOKIE}=; Max-Age=0{flags}" if token is None else f"{COOKIE}={token}{flags}")
    return f"<script>document.cookie = {value};</script>"

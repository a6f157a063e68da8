"""Hiding secrets in anything shown or archived: audit `oldValue`/`newValue`, run metadata, dashboards."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

MASK = "***"
# A key is secret when its name contains one of these (case-insensitive, ignoring _ - . and spaces):
# password, passwordHash, refresh_token, accessToken, apiKey, client_secret, Authorization …
SECRET_KEY_PARTS = (
    "password", "passwd", "passphrase", "token", "secret", "apikey", "authorization", "credential", "privatekey",
    "sessionid", "verificationcode",
)  # fmt: skip
# short names that are secret only as a whole word (`pin`, but not `shipping` or `opinion`)
SECRET_KEY_WORDS = ("pwd", "otp", "pin", "cvv", "cvc", "cookie")
_SEPARATORS = re.compile(r"[_\-\s.]")
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
# values that are secrets whatever their key: bcrypt hashes and libpq URLs with a password
_BCRYPT = re.compile(r"^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$")
_URL_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.\-]*://[^:/@\s]+:)(?P<password>[^@\s]+)(?=@)", re.IGNORECASE)


def is_secret_key(key: object) -> bool:
    name = _SEPARATORS.sub("", str(key)).lower()
    if any(part in name for part in SECRET_KEY_PARTS):
        return True
    return any(word.lower() in SECRET_KEY_WORDS for word in _WORDS.findall(str(key)))


def mask_secrets(value: Any) -> Any:
    """A copy of `value` (dicts, lists, tuples, JSON text, scalars) with secret values replaced by "***".

    Keys are matched by name (see SECRET_KEY_PARTS); strings anywhere are checked for a bcrypt hash or
    a password inside a URL. A string holding a JSON object or array is parsed, masked and re-serialised.
    """
    if isinstance(value, Mapping):
        return {k: (MASK if is_secret_key(k) and v is not None else mask_secrets(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(mask_secrets(v) for v in value)
    if isinstance(value, str):
        return _mask_string(value)
    return value


def _mask_string(text: str) -> str:
    stripped = text.strip()
    if stripped[:1] in ("{", "[") and stripped[-1:] in ("}", "]"):
        try:
            parsed = json.loads(stripped)
        except ValueError:
            pass
        else:
            return json.dumps(mask_secrets(parsed), ensure_ascii=False)
    if _BCRYPT.match(stripped):
        return MASK
    return _URL_PASSWORD.sub(lambda m: m["scheme"] + MASK, text)

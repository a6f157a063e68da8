"""Hiding secrets in anything shown or archived: audit `oldValue`/`newValue`, run metadata, dashboards.

The shapes masked (docs/audit.md has the table): values under a secret-looking key (`password`,
`pass`, `jwt`, `auth`, `apiKey`, …), and inside any string: bcrypt/argon2/PBKDF2 hashes, JWTs, the
password of a URL (`postgresql://u:pw@h`, `redis://:pw@h`), `Authorization: Bearer …` / `Basic …`
credentials, and secret query parameters (`?api_key=…`). Strings holding JSON are parsed and masked.

Depth: masking walks values with an explicit stack (no recursion), and a value nested deeper than
`MAX_DEPTH` levels is replaced as a whole by "***" (no audit value of the ERP nests that deep; one
that does is malformed or hostile, and parsing it would exhaust Python's recursion limit).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from typing import Any

MASK = "***"
MAX_DEPTH = 100
# A key is secret when its name contains one of these (case-insensitive, ignoring _ - . and spaces):
# password, passwordHash, refresh_token, accessToken, apiKey, client_secret, Authorization …
SECRET_KEY_PARTS = (
    "password", "passwd", "passphrase", "passcode", "token", "secret", "apikey", "authorization", "credential",
    "privatekey", "sessionid", "verificationcode",
)  # fmt: skip
# short names that are secret only as a whole word (`pin`, `pass`, but not `shipping` or `passport`)
SECRET_KEY_WORDS = ("pwd", "otp", "pin", "cvv", "cvc", "cookie", "pass", "jwt", "auth")
# query parameters that are secret by name besides the keys above (`?key=…&sig=…`)
SECRET_PARAMETERS = ("key", "sig", "signature", "code")
_SEPARATORS = re.compile(r"[_\-\s.]")
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")

# secrets inside any string, whatever their key (each replaced by MASK, or keeps its prefix)
_PASSWORD_HASH = re.compile(
    r"\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}"  # bcrypt
    r"|\$argon2(?:id|i|d)\$(?:v=\d+\$)?m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/=]+(?:\$[A-Za-z0-9+/=]+)?"  # argon2
    r"|pbkdf2_sha(?:1|256|512)\$\d+\$[^$\s\"]+\$[^$\s\"]+"  # Django PBKDF2
)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
# scheme://[user]:password@ — the user may be empty (redis://:pw@host)
_URL_PASSWORD = re.compile(r"(?P<keep>[a-z][a-z0-9+.\-]*://[^:/@\s]*:)(?P<secret>[^@\s/]+)(?=@)", re.IGNORECASE)
# `Authorization: Bearer x`, `Proxy-Authorization=Basic x`, and a bare `Bearer x` / `Basic x`
_AUTH_HEADER = re.compile(
    r"(?P<keep>\b(?:proxy-)?authorization\s*[:=]\s*(?:(?:bearer|basic|digest|token|negotiate)\s+)?)(?P<secret>[^\s,;\"]+)",
    re.IGNORECASE,
)
_AUTH_SCHEME = re.compile(r"(?P<keep>\b(?P<scheme>bearer|basic)\s+)(?P<secret>[A-Za-z0-9._~+/=\-]{8,})", re.IGNORECASE)
_QUERY_PARAMETER = re.compile(r"(?P<keep>[?&;](?P<name>[A-Za-z0-9_.\-\[\]]+)=)(?P<secret>[^&#\s\"']+)")


def is_secret_key(key: object) -> bool:
    name = _SEPARATORS.sub("", str(key)).lower()
    if any(part in name for part in SECRET_KEY_PARTS):
        return True
    return any(word.lower() in SECRET_KEY_WORDS for word in _WORDS.findall(str(key)))


def _keep_prefix(match: re.Match[str]) -> str:
    return match["keep"] + MASK


def _mask_auth_scheme(match: re.Match[str]) -> str:
    """`Bearer <token>` / `Basic <base64 of user:password>`, told apart from prose ("Basic information")."""
    secret = match["secret"]
    if match["scheme"].lower() == "bearer":
        is_credential = len(secret) >= 16 or not secret.isalpha()
    else:
        try:
            is_credential = b":" in base64.b64decode(secret, validate=True)
        except (binascii.Error, ValueError):
            is_credential = False
    return match["keep"] + MASK if is_credential and secret != MASK else match[0]


def _mask_query_parameter(match: re.Match[str]) -> str:
    name = match["name"]
    if is_secret_key(name) or name.lower() in SECRET_PARAMETERS:
        return match["keep"] + MASK
    return match[0]


def mask_text(text: str) -> str:
    """`text` with every secret shape inside it masked (not parsed as JSON: see mask_secrets)."""
    text = _PASSWORD_HASH.sub(MASK, text)
    text = _JWT.sub(MASK, text)
    text = _URL_PASSWORD.sub(_keep_prefix, text)
    text = _AUTH_HEADER.sub(_keep_prefix, text)
    text = _AUTH_SCHEME.sub(_mask_auth_scheme, text)
    return _QUERY_PARAMETER.sub(_mask_query_parameter, text)


_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def json_depth_exceeds(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON text nests arrays/objects deeper than `limit` (strings skipped; no parsing)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for token in _BRACKETS.finditer(text):
        symbol = token[0]
        if symbol in "[{":
            depth += 1
            if depth > limit:
                return True
        elif symbol in "]}":
            depth -= 1
    return False


def mask_json_text(text: str) -> str:
    """JSON text with its secrets masked: the very same text when nothing is secret (PostgreSQL's exact
    rendering stays), else the masked value re-serialised; nested deeper than MAX_DEPTH: "***" as JSON.
    Text that is not JSON is masked as a plain string."""
    if json_depth_exceeds(text):
        return json.dumps(MASK)
    try:
        parsed = json.loads(text)
    except ValueError:
        return mask_text(text)
    masked = mask_secrets(parsed)
    return text if masked == parsed else json.dumps(masked, ensure_ascii=False)


def mask_secrets(value: Any) -> Any:
    """A copy of `value` (dicts, lists, tuples, JSON text, scalars) with secret values replaced by "***".

    Keys are matched by name (see SECRET_KEY_PARTS/WORDS); strings anywhere are masked by `mask_text`.
    A string holding a JSON object or array is parsed, masked and re-serialised. Iterative: any depth
    is walked without recursion, and anything nested deeper than MAX_DEPTH becomes "***" as a whole.
    """
    root: list[Any] = [None]
    # (source value, container to fill, key or index in it, depth)
    stack: list[tuple[Any, Any, Any, int]] = [(value, root, 0, 0)]
    tuples: list[tuple[list[Any], Any, Any, type]] = []  # filled lists to turn back into tuples
    while stack:
        source, parent, slot, depth = stack.pop()
        if isinstance(source, Mapping | list | tuple) and depth >= MAX_DEPTH:
            parent[slot] = MASK
        elif isinstance(source, Mapping):
            copy: dict[Any, Any] = {}
            parent[slot] = copy
            for key, item in source.items():
                if is_secret_key(key) and item is not None:
                    copy[key] = MASK
                else:
                    copy[key] = None
                    stack.append((item, copy, key, depth + 1))
        elif isinstance(source, list | tuple):
            items: list[Any] = [None] * len(source)
            parent[slot] = items
            stack += [(item, items, index, depth + 1) for index, item in enumerate(source)]
            if isinstance(source, tuple):
                tuples.append((items, parent, slot, type(source)))
        elif isinstance(source, str):
            parent[slot] = _mask_string(source)
        else:
            parent[slot] = source
    for items, parent, slot, kind in reversed(tuples):  # inner ones first: they were met later
        parent[slot] = kind(items)
    return root[0]


def _mask_string(text: str) -> str:
    stripped = text.strip()
    if stripped[:1] in ("{", "[") and stripped[-1:] in ("}", "]"):
        if json_depth_exceeds(stripped):
            return MASK
        try:
            parsed = json.loads(stripped)
        except ValueError:
            pass
        else:
            return json.dumps(mask_secrets(parsed), ensure_ascii=False)
    return mask_text(text)

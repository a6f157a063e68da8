"""Salted slow hashes for `users.password`; fast hashes for high-entropy tokens.

bcrypt (`$2b$`, 60 characters, fits `users.password VARCHAR(255)`). The cost is stored in the
hash, so verification works for hashes of any cost.
"""

from __future__ import annotations

import base64
import hashlib

import bcrypt

DEFAULT_ROUNDS = 12
# the bcrypt work every sign-in pays, whatever the account (or no account): hashes of a lower cost are
# rehashed at this cost on their next successful sign-in (security/accounts.py)
LOGIN_ROUNDS = DEFAULT_ROUNDS
# bcrypt's salt alphabet (not standard base64): used to build a salt from given bytes
_BCRYPT_ALPHABET = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_STANDARD_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def hash_password(plain: str, *, rounds: int = DEFAULT_ROUNDS, salt_bytes: bytes | None = None) -> str:
    """bcrypt hash of `plain`. `salt_bytes` (16 bytes) makes it reproducible, for generated data only."""
    if salt_bytes is None:
        salt = bcrypt.gensalt(rounds)
    else:
        if len(salt_bytes) != 16:
            raise ValueError("salt_bytes must be 16 bytes")
        encoded = base64.b64encode(salt_bytes).rstrip(b"=")[:22]
        encoded = encoded.translate(bytes.maketrans(_STANDARD_ALPHABET, _BCRYPT_ALPHABET))
        salt = b"$2b$%02d$" % rounds + encoded
    # bcrypt uses at most 72 bytes of the password; longer ones are refused rather than truncated silently
    secret = plain.encode()
    if len(secret) > 72:
        raise ValueError("passwords longer than 72 bytes are not supported")
    return bcrypt.hashpw(secret, salt).decode()


def verify_password(plain: str, hashed: str | None) -> bool:
    """True when `plain` matches the bcrypt hash; False for anything else (NULL, legacy plain text)."""
    if not hashed or not hashed.startswith(("$2a$", "$2b$", "$2y$")):
        return False
    secret = plain.encode()
    if len(secret) > 72:
        return False
    try:
        return bcrypt.checkpw(secret, hashed.encode())
    except ValueError:
        return False


def hash_cost(hashed: str | None) -> int | None:
    """The cost of a bcrypt hash or setting (`$2b$12$…` → 12); None for anything else."""
    if not hashed or not hashed.startswith(("$2a$", "$2b$", "$2y$")) or not hashed[4:6].isdigit():
        return None
    return int(hashed[4:6])


def bcrypt_with_setting(plain: str, setting: str) -> str | None:
    """bcrypt of `plain` under a given setting (`$2b$NN$` + 22 salt characters), to compare with a stored
    hash the caller may not read; None when the password is too long or the setting is not bcrypt's."""
    secret = plain.encode()
    if len(secret) > 72 or hash_cost(setting) is None:
        return None
    try:
        return bcrypt.hashpw(secret, setting.encode()).decode()
    except ValueError:
        return None


def hash_token(token: str) -> str:
    """SHA-256 hex of a refresh or verification token: tokens are random, so a fast hash suffices."""
    return hashlib.sha256(token.encode()).hexdigest()

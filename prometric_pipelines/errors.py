"""Errors whose message is written for the user: the CLI prints them as one line, no traceback."""


class PrometricError(Exception):
    """A mistake or condition the user can act on; `str(error)` is the whole message."""


class ConfigError(PrometricError):
    """A setting (environment variable, argument, run config) is missing or malformed."""


class DatabaseUnavailable(PrometricError):
    """The database cannot be reached or refused us."""

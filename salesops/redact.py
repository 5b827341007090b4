"""The one masking of secrets in text shown or logged: page banners, CLI errors, logs.

A database password can sit in a URL's user part (`user:pass@host`) or in its query
(`?password=...`, libpq's `sslpassword`, ...). `mask_secrets` hides both wherever they
appear in a message; `masked_url` (salesops.config) renders a URL through it, and
`install_log_masking` makes every log record pass through it too.
"""

from __future__ import annotations

import logging
import re

MASK = "***"
# Query or keyword parameters whose value is a secret (libpq, psycopg, pymysql, ODBC).
SECRET_KEYS = (
    "password",
    "passwd",
    "pwd",
    "pass",
    "sslpassword",
    "secret",
    "token",
    "access_token",
    "private_key_passphrase",
    "api_key",
)
_KEYS = "|".join(sorted(SECRET_KEYS, key=len, reverse=True))
# key=value in a URL query, a libpq DSN or an ODBC string, also percent-encoded inside a
# query value (odbc_connect=...PWD%3Dvalue%3B): quoted, or up to the next separator.
_KEY_VALUE = re.compile(
    rf"(?i)(?:(?<![A-Za-z0-9_])|(?<=%3B)|(?<=%26))((?:{_KEYS})\s*(?:=|%3D)\s*)"
    r"('[^']*'|\"[^\"]*\"|(?:(?!%3B|%26)[^\s&;,)'\"])+)"
)
# scheme://user:password@host
_USER_PASSWORD = re.compile(r"(?i)([a-z][a-z0-9+.\-]*://[^/\s:@]*:)([^@\s/]+)(@)")


def mask_secrets(text: str) -> str:
    """Returns `text` with every password-like value (URL user part or query) shown as ***."""
    masked = _USER_PASSWORD.sub(lambda m: m.group(1) + MASK + m.group(3), str(text))
    return _KEY_VALUE.sub(lambda m: m.group(1) + MASK, masked)


class _MaskingRecordFactory:
    """Wraps the log record factory so every record's message and traceback are masked."""

    def __init__(self, inner: logging._LogRecordFactory) -> None:  # type: ignore[name-defined]
        self.inner = inner

    def __call__(self, *args: object, **kwargs: object) -> logging.LogRecord:
        record = self.inner(*args, **kwargs)
        try:
            record.msg, record.args = mask_secrets(record.getMessage()), None
        except Exception:  # a malformed log call is logged as it is, never lost
            return record
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = mask_secrets(logging.Formatter().formatException(record.exc_info))
        return record


def install_log_masking() -> None:
    """Makes every log record (any logger, any handler) pass through `mask_secrets`. Idempotent."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _MaskingRecordFactory):
        logging.setLogRecordFactory(_MaskingRecordFactory(factory))

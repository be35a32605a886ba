"""Passwords: argon2 hashes, and the rules a new password must meet, explained in words.

A new password needs at least MIN_PASSWORD_LENGTH characters and must not be easy to guess.
Guessability is zxcvbn's estimate: it ships offline the most common passwords of public
breaches, English words, names and keyboard patterns, and sees repeats, sequences, dates and
words from the person's own name and address. Its advice is in plain words, shown as is.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 12
#: zxcvbn's score from 0 to 4; 3 is "safely unguessable" for slow hashes such as argon2
MIN_SCORE = 3
#: zxcvbn refuses longer input; a longer password is judged by its beginning
ZXCVBN_MAX_LENGTH = 72

# One of OWASP's five argon2id settings, which it rates as equally strong (7 MiB, 5 passes,
# 1 lane): about 14 ms a check on one core, so 50 people signing in at once do not queue
# behind each other. Of the five it needs the least memory: sixteen server threads checking
# at once hold 112 MiB rather than 304 MiB with 19 MiB and 2 passes, at the same speed.
# Guessing stays out of reach: zxcvbn score 3 passwords, 5 tries per account in 15 minutes,
# and a second step if wanted. Hashes made with other settings are rehashed at their next
# sign-in.
hasher = PasswordHasher(time_cost=5, memory_cost=7 * 1024, parallelism=1)

# zxcvbn keeps the person's own words in a module-level dictionary while it checks
_zxcvbn_lock = threading.Lock()


class WeakPassword(ValueError):
    """A new password that breaks a rule; the message says which, in words."""


def weakness(password: str, personal: Iterable[str] = ()) -> str | None:
    """Why `password` may not be used, or None. `personal`: the person's name, email …"""
    if len(password) < MIN_PASSWORD_LENGTH:
        return (f"A password needs at least {MIN_PASSWORD_LENGTH} characters; this one has "
                f"{len(password)}. A few unrelated words make a good one.")
    from zxcvbn import zxcvbn  # its word lists (13 MB) load when a password is chosen

    words = [part for text in personal for part in text.replace("@", " ").split() if part]
    with _zxcvbn_lock:
        result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=words)
    if result["score"] >= MIN_SCORE:
        return None
    feedback = result["feedback"]
    advice = " ".join([feedback["warning"], *feedback["suggestions"]]).strip()
    return ("This password is too easy to guess. "
            + (advice or "Add another word or two; uncommon words are better."))


def hash_password(password: str, personal: Iterable[str] = ()) -> str:
    """The argon2 hash of a new password; WeakPassword if it breaks a rule."""
    reason = weakness(password, personal)
    if reason:
        raise WeakPassword(reason)
    return hasher.hash(password)


def matches(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def waste_time(password: str) -> None:
    """Spend the time of a real check, so that timing does not tell whether an account
    exists."""
    hasher.hash(password)


def needs_rehash(password_hash: str) -> bool:
    return hasher.check_needs_rehash(password_hash)


def rehash(password: str) -> str:
    return hasher.hash(password)

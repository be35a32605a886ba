"""Accounts: passwords hashed with argon2, creation by admins, login checks."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from fieldwork import audit
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import User

MIN_PASSWORD_LENGTH = 10

hasher = PasswordHasher()


class AccountError(ValueError):
    """A request about an account that cannot be carried out, in words for the user."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    return hasher.hash(password)


def password_matches(user: User, password: str) -> bool:
    try:
        return hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def find_user(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == normalise_email(email)))


def create_user(email: str, name: str, password: str, *, is_admin: bool = False) -> User:
    email = normalise_email(email)
    if find_user(email) is not None:
        raise AccountError(f"There is already an account for {email}.")
    user = User(
        email=email, name=name.strip() or email, password_hash=hash_password(password),
        is_admin=is_admin,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user, summary=f"Account created for {email}")
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same answer for every failure)."""
    user = find_user(email)
    if user is None:
        hasher.hash(password)  # spend the same time as a real check, so timing reveals nothing
        return None
    if not password_matches(user, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not password_matches(user, current):
        raise AccountError("The current password is not right.")
    user.password_hash = hash_password(new)
    audit.record("user.password", user, summary="Password changed")


def set_password_by_admin(user: User, new: str) -> None:
    user.password_hash = hash_password(new)
    audit.record("user.password_reset", user, summary=f"Password reset for {user.email}")


def update_user(user: User, *, name: str, is_admin: bool, active: bool, timezone: str) -> None:
    changes = {
        field: value
        for field, value in {"name": name, "is_admin": is_admin, "active": active,
                             "timezone": timezone}.items()
        if getattr(user, field) != value
    }
    for field, value in changes.items():
        setattr(user, field, value)
    if changes:
        audit.record("user.update", user, summary=f"Account {user.email} updated",
                     changes=sorted(changes))


def list_users() -> list[User]:
    return list(db.session.scalars(db.select(User).order_by(User.active.desc(), User.name)))


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the session's user, if it still exists and is active."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None

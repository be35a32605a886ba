"""Accounts: creation by admins, password checks and changes, the users' own settings."""

from __future__ import annotations

from fieldwork import audit
from fieldwork.accounts import passwords, sessions
from fieldwork.extensions import db
from fieldwork.models import User, UserSession


class AccountError(ValueError):
    """A request about an account that cannot be carried out, in words for the user."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def personal_words(user: User) -> list[str]:
    """What a password must not be made of: the person's own name and address."""
    return [user.name, user.email]


def find_user(email: str) -> User | None:
    """The account with this address; external coders (no sign-in) are no accounts."""
    return db.session.scalar(db.select(User).where(User.email == normalise_email(email),
                                                   User.external.is_(False)))


def create_user(email: str, name: str, password: str, *, is_admin: bool = False) -> User:
    email = normalise_email(email)
    if find_user(email) is not None:
        raise AccountError(f"There is already an account for {email}.")
    name = name.strip() or email
    user = User(
        email=email, name=name, password_hash=passwords.hash_password(password, [name, email]),
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
        passwords.waste_time(password)
        return None
    if not passwords.matches(user.password_hash, password) or not user.active:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.rehash(password)
    return user


def password_matches(user: User, password: str) -> bool:
    return passwords.matches(user.password_hash, password)


def change_password(user: User, current: str, new: str, *, keep: UserSession | None) -> int:
    """Change one's own password and end one's other sessions; how many were ended.
    WeakPassword for a new password that breaks a rule."""
    if not password_matches(user, current):
        raise AccountError("The current password is not right.")
    user.password_hash = passwords.hash_password(new, personal_words(user))
    ended = sessions.end_all(user, "password changed", keep=keep)
    audit.record("user.password", user, summary="Password changed", sessions_ended=ended)
    return ended


def set_password_by_admin(user: User, new: str) -> None:
    """An administrator's new password for `user`, which signs them out everywhere."""
    user.password_hash = passwords.hash_password(new, personal_words(user))
    ended = sessions.end_all(user, "password reset")
    audit.record("user.password_reset", user, summary=f"Password reset for {user.email}",
                 sessions_ended=ended)


def update_user(user: User, *, name: str, is_admin: bool, active: bool, timezone: str) -> None:
    changes = {
        field: value
        for field, value in {"name": name, "is_admin": is_admin, "active": active,
                             "timezone": timezone}.items()
        if getattr(user, field) != value
    }
    for field, value in changes.items():
        setattr(user, field, value)
    if not user.active:
        sessions.end_all(user, "deactivated")
    if changes:
        audit.record("user.update", user, summary=f"Account {user.email} updated",
                     changes=sorted(changes))


def list_users() -> list[User]:
    return list(db.session.scalars(db.select(User).where(User.external.is_(False))
                                   .order_by(User.active.desc(), User.name)))


def sign_out_everywhere(user: User, *, keep: UserSession | None = None, by_admin: bool) -> int:
    """End the user's sessions (but `keep`); how many were ended."""
    reason = "signed out by an administrator" if by_admin else "signed out elsewhere"
    ended = sessions.end_all(user, reason, keep=keep)
    summary = (f"{user.email} signed out everywhere by an administrator" if by_admin
               else "Signed out everywhere else")
    audit.record("user.sessions_ended", user, summary=summary, sessions_ended=ended)
    return ended


def end_own_session(user: User, session_id: int) -> bool:
    """End one of the user's own sessions (another browser); whether there was one."""
    row = sessions.find_own(user, session_id)
    if row is None or row.ended_at is not None:
        return False
    sessions.end(row, "signed out")
    audit.record("user.session_ended", user,
                 summary=f"Signed out of {row.device} ({row.address})", session_id=row.id)
    return True

"""Two-step sign-in: a time-based code from an authenticator app (TOTP, RFC 6238), or one of
ten one-time recovery codes, asked for after the password.

The app learns the secret from a QR code drawn on the server as SVG (segno), so nothing is
fetched from elsewhere. Recovery codes are random and stored as SHA-256 hashes; each works
once. A code is accepted once only: the time step of the last one used is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pyotp
from flask import current_app
from markupsafe import Markup

from fieldwork import audit
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import Membership, RecoveryCode, User

ISSUER = "Fieldwork"
RECOVERY_CODE_COUNT = 10
#: recovery codes use letters and digits that cannot be mistaken for each other
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
#: codes of the step before and after the current one are accepted (clocks drift)
VALID_WINDOW = 1


def new_secret() -> str:
    return pyotp.random_base32()


def setup_uri(user: User, secret: str) -> str:
    """The otpauth:// address that an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> Markup:
    """The QR code of `uri` as an inline SVG element (no script, no style attribute)."""
    import segno  # only the set-up page draws one; the web process does not carry it

    svg = segno.make(uri, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", title="QR code for your authenticator app",
        svgclass="qr-code", lineclass=None,
    )
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[index:index + 4] for index in range(0, len(secret), 4))


def normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def code_step(secret: str, code: str, after: int | None = None) -> int | None:
    """The time step whose code `code` is, if it is current (± VALID_WINDOW) and later than
    `after`; None otherwise."""
    totp = pyotp.TOTP(secret)
    now = totp.timecode(utcnow())
    for step in range(now - VALID_WINDOW, now + VALID_WINDOW + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_app_code(user: User, code: str) -> bool:
    """Whether `code` is a fresh code of the user's authenticator app; it is then used up."""
    code = normalise_code(code)
    if user.totp_secret is None or not code.isdigit():
        return False
    step = code_step(user.totp_secret, code, user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    return True


def recovery_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones, returned to be shown once."""
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(4))
                      for _ in range(3)) for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=recovery_hash(code))
                       for code in codes)
    db.session.flush()
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Whether `code` is an unused recovery code of the user; it is then used up."""
    row = db.session.scalar(db.select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == recovery_hash(code),
        RecoveryCode.used_at.is_(None),
    ))
    if row is None:
        return False
    row.used_at = utcnow()
    audit.record("user.recovery_code", user, user_id=user.id,
                 summary="Signed in with a recovery code")
    return True


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(db.select(db.func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def check_code(user: User, code: str) -> str | None:
    """Which kind of code `code` is, "app" or "recovery", if it completes a sign-in; it is
    then used up. None for a wrong code."""
    if check_app_code(user, code):
        return "app"
    return "recovery" if use_recovery_code(user, code) else None


def turn_on(user: User, secret: str, code: str) -> list[str] | None:
    """Turn two-step sign-in on once the app shows a right code for `secret`; the new
    recovery codes, or None when the code is wrong."""
    step = code_step(secret, normalise_code(code))
    if step is None:
        return None
    user.totp_secret = secret
    user.totp_last_step = step
    user.two_factor_since = utcnow()
    audit.record("user.two_factor_on", user, summary="Two-step sign-in turned on")
    return new_recovery_codes(user)


def turn_off(user: User, *, reason: str) -> None:
    user.totp_secret = None
    user.totp_last_step = None
    user.two_factor_since = None
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record("user.two_factor_off", user, summary=reason)


def is_lead(user: User) -> bool:
    return db.session.scalar(db.select(Membership.id).where(
        Membership.user_id == user.id, Membership.role == "lead").limit(1)) is not None


def required_for(user: User) -> bool:
    """Whether the site's setting TWO_FACTOR_REQUIRED obliges `user` to use it."""
    rule = current_app.config["TWO_FACTOR_REQUIRED"]
    if rule == "everyone":
        return True
    return rule == "leads_and_admins" and (user.is_admin or is_lead(user))


def must_set_up(user: User) -> bool:
    return not user.has_two_factor and required_for(user)

"""The pages of two-step sign-in on one's own account: set it up, make new recovery codes,
turn it off."""

from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from fieldwork.accounts import accounts, twofactor
from fieldwork.accounts.forms import CodeForm, PasswordAndCodeForm
from fieldwork.extensions import db
from fieldwork.permissions import signed_in

#: the secret offered on the setup page, kept in the signed session until confirmed
SETUP_KEY = "two_factor_setup"
WRONG_SETUP_CODE = ("This is not the code your app shows now. Type the newest code; if it is "
                    "still refused, check that your phone's clock is set automatically.")
NOT_OWNER = "The password or the code is not right."


def status_page(off_form: PasswordAndCodeForm | None = None,
                codes_form: PasswordAndCodeForm | None = None) -> str:
    return render_template(
        "accounts/two_factor_on.html",
        off_form=off_form or PasswordAndCodeForm(prefix="off"),
        codes_form=codes_form or PasswordAndCodeForm(prefix="codes"),
        codes_left=twofactor.recovery_codes_left(current_user),
        required=twofactor.required_for(current_user),
    )


@signed_in
def two_factor() -> str | Response:
    """Set two-step sign-in up (QR code, then a code to confirm), or see that it is on."""
    if current_user.has_two_factor:
        return status_page()
    secret = session.get(SETUP_KEY) or twofactor.new_secret()
    session[SETUP_KEY] = secret
    form = CodeForm()
    if form.validate_on_submit():
        codes = twofactor.turn_on(current_user, secret, form.code.data or "")
        if codes is None:
            form.code.errors.append(WRONG_SETUP_CODE)
        else:
            session.pop(SETUP_KEY)
            db.session.commit()
            return render_template("accounts/recovery_codes.html", codes=codes, new=True)
    return render_template(
        "accounts/two_factor_setup.html", form=form, secret=twofactor.grouped(secret),
        qr=twofactor.qr_svg(twofactor.setup_uri(current_user, secret)),
        required=twofactor.required_for(current_user),
    )


def proved_owner(form: PasswordAndCodeForm) -> bool:
    """The form is filled in with the user's password and a code of theirs (app or recovery);
    otherwise its errors say what is wrong."""
    if not form.validate_on_submit():
        return False
    right_password = accounts.password_matches(current_user, form.password.data or "")
    if right_password and twofactor.check_code(current_user, form.code.data or ""):
        return True
    form.code.errors.append(NOT_OWNER)
    return False


@signed_in
def two_factor_off() -> str | Response:
    if not current_user.has_two_factor:
        return redirect(url_for("accounts.two_factor"))
    if twofactor.required_for(current_user):
        flash("This site requires two-step sign-in for your account, so it stays on.", "info")
        return redirect(url_for("accounts.two_factor"))
    form = PasswordAndCodeForm(prefix="off")
    if not proved_owner(form):
        return status_page(off_form=form)
    twofactor.turn_off(current_user, reason="Two-step sign-in turned off")
    db.session.commit()
    flash("Two-step sign-in is off: your password alone now signs you in.", "success")
    return redirect(url_for("accounts.profile"))


@signed_in
def new_recovery_codes() -> str | Response:
    if not current_user.has_two_factor:
        return redirect(url_for("accounts.two_factor"))
    form = PasswordAndCodeForm(prefix="codes")
    if not proved_owner(form):
        return status_page(codes_form=form)
    codes = twofactor.new_recovery_codes(current_user)
    db.session.commit()
    return render_template("accounts/recovery_codes.html", codes=codes, new=False)

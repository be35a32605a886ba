"""Login and logout, one's own account and sign-in sessions, and the administrators' account
pages. Two-step sign-in has its pages in twofactor_views.py."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from fieldwork.accounts import accounts, sessions, signin, twofactor
from fieldwork.accounts.forms import (
    CodeForm,
    EditUserForm,
    EndSessionForm,
    LoginForm,
    NewUserForm,
    PasswordForm,
    ProfileForm,
)
from fieldwork.accounts.passwords import WeakPassword
from fieldwork.extensions import db, limiter
from fieldwork.models import User
from fieldwork.permissions import admin_only, public, signed_in

login_limit = limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"],
    methods=["POST"],
    error_message="Too many login attempts from this address. Wait a minute and try again.",
)


def safe_next(target: str | None) -> str:
    """Follow ?next= only to a path on this site."""
    if target and target.startswith("/") and not urlsplit(target).netloc and "\\" not in target:
        return target
    return url_for("projects.index")


def signed_in_response(user: User, *, remember: bool | None = None, note: str = "") -> Response:
    """Open the session, tell the user what they should know, and go on."""
    notice = signin.finish(user, remember=remember)
    db.session.commit()
    for message in (notice, note):
        if message:
            flash(message, "warning")
    return redirect(safe_next(request.args.get("next")))


@public
@login_limit
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("projects.index"))
    form = LoginForm()
    if form.validate_on_submit():
        outcome = signin.check_password(form.email.data or "", form.password.data or "")
        if outcome.user is None:
            db.session.commit()  # the failure counts although the form is shown again
            form.password.errors.append(outcome.refusal)
        elif outcome.user.has_two_factor:
            signin.await_code(outcome.user, remember=form.remember.data)
            db.session.commit()
            return redirect(url_for("accounts.login_code", next=request.args.get("next")))
        else:
            return signed_in_response(outcome.user, remember=form.remember.data)
    return render_template("accounts/login.html", form=form)


@public
@login_limit
def login_code() -> str | Response:
    """The second step of signing in, for accounts with two-step sign-in."""
    user = signin.pending_user()
    if user is None:
        return redirect(url_for("accounts.login", next=request.args.get("next")))
    form = CodeForm()
    if form.validate_on_submit():
        outcome = signin.check_code(user, form.code.data or "")
        if outcome.user is None:
            db.session.commit()
            form.code.errors.append(outcome.refusal)
        else:
            return signed_in_response(user, note=outcome.note)
    return render_template("accounts/login_code.html", form=form)


@signed_in
def logout() -> Response:
    signin.sign_out()
    db.session.commit()
    flash("You are logged out.", "info")
    return redirect(url_for("accounts.login"))


def require_two_factor_setup() -> Response | None:
    """Before each request: a user whom the site obliges to use two-step sign-in, and who has
    not set it up, can reach nothing but its setup page (and logout)."""
    if request.endpoint in {"static", "accounts.two_factor", "accounts.logout"}:
        return None
    if current_user.is_authenticated and twofactor.must_set_up(current_user):
        flash("This site asks you to turn on two-step sign-in before you go on. It takes a "
              "minute with an authenticator app on your phone.", "info")
        return redirect(url_for("accounts.two_factor"))
    return None


@signed_in
def profile() -> str | Response:
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        accounts.update_user(
            current_user, name=form.name.data or "", is_admin=current_user.is_admin,
            active=True, timezone=form.timezone.data or "UTC",
        )
        db.session.commit()
        flash("Your account is saved.", "success")
        return redirect(url_for("accounts.profile"))
    return render_template(
        "accounts/profile.html", form=form, sessions=sessions.live_sessions(current_user),
        this_session=sessions.current(), codes_left=twofactor.recovery_codes_left(current_user),
    )


@signed_in
def password() -> str | Response:
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            ended = accounts.change_password(current_user, form.current.data or "",
                                             form.new.data or "", keep=sessions.current())
        except WeakPassword as error:
            form.new.errors.append(str(error))
        except accounts.AccountError as error:
            form.current.errors.append(str(error))
        else:
            db.session.commit()
            flash("Your password is changed." + signed_out_count(ended), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form)


def signed_out_count(ended: int) -> str:
    """The sentence that tells how many other browsers were signed out, if any."""
    if ended == 0:
        return ""
    if ended == 1:
        return " 1 other browser was signed out."
    return f" {ended} other browsers were signed out."


@signed_in
def end_session() -> Response:
    """Sign out one of one's other browsers, from the account page."""
    form = EndSessionForm()
    if form.validate_on_submit() and accounts.end_own_session(current_user, form.session.data):
        db.session.commit()
        flash("That browser is signed out.", "success")
    else:
        flash("That sign-in had already ended.", "info")
    return redirect(url_for("accounts.profile"))


@signed_in
def end_other_sessions() -> Response:
    ended = accounts.sign_out_everywhere(current_user, keep=sessions.current(), by_admin=False)
    db.session.commit()
    flash(("You are signed out everywhere else." + signed_out_count(ended)).strip(), "success")
    return redirect(url_for("accounts.profile"))


@admin_only
def user_list() -> str:
    return render_template("accounts/user_list.html", users=accounts.list_users(),
                           required=current_app.config["TWO_FACTOR_REQUIRED"])


@admin_only
def user_new() -> str | Response:
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                form.email.data or "", form.name.data or "", form.password.data or "",
                is_admin=form.is_admin.data,
            )
        except WeakPassword as error:
            form.password.errors.append(str(error))
        except accounts.AccountError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Account created for {user.email}. Give them their password in person.",
                  "success")
            return redirect(url_for("accounts.user_list"))
    return render_template("accounts/user_new.html", form=form)


def load_user_or_404(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


@admin_only
def user_edit(user_id: int) -> str | Response:
    user = load_user_or_404(user_id)
    form = EditUserForm(obj=user)
    if form.validate_on_submit():
        if user.id == current_user.id and not (form.active.data and form.is_admin.data):
            form.active.errors.append("You cannot deactivate yourself or drop your own admin "
                                      "rights; ask another administrator.")
        else:
            try:
                if form.new_password.data:
                    accounts.set_password_by_admin(user, form.new_password.data)
                accounts.update_user(
                    user, name=form.name.data or "", is_admin=form.is_admin.data,
                    active=form.active.data, timezone=form.timezone.data or "UTC",
                )
            except WeakPassword as error:
                form.new_password.errors.append(str(error))
            else:
                db.session.commit()
                flash(f"Account {user.email} saved.", "success")
                return redirect(url_for("accounts.user_list"))
    return render_template("accounts/user_edit.html", form=form, user=user,
                           sessions=sessions.live_sessions(user),
                           this_session=sessions.current())


@admin_only
def user_end_sessions(user_id: int) -> Response:
    """Sign a user out everywhere (but the administrator's own browser)."""
    user = load_user_or_404(user_id)
    keep = sessions.current() if user.id == current_user.id else None
    ended = accounts.sign_out_everywhere(user, keep=keep, by_admin=True)
    db.session.commit()
    flash(f"{user.name} is signed out everywhere ({ended} "
          f"{'browser' if ended == 1 else 'browsers'}).", "success")
    return redirect(url_for("accounts.user_edit", user_id=user.id))


@admin_only
def user_reset_two_factor(user_id: int) -> Response:
    user = load_user_or_404(user_id)
    if user.has_two_factor:
        twofactor.turn_off(user, reason=f"Two-step sign-in of {user.email} reset by an "
                                        "administrator")
        db.session.commit()
        flash(f"Two-step sign-in of {user.name} is off. They sign in with their password "
              "alone until they set it up again.", "success")
    return redirect(url_for("accounts.user_edit", user_id=user.id))

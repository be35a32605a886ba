"""Login, logout, one's own account, and the administrators' account pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from fieldwork import audit
from fieldwork.accounts import accounts
from fieldwork.accounts.forms import EditUserForm, LoginForm, NewUserForm, PasswordForm, ProfileForm
from fieldwork.extensions import db, limiter
from fieldwork.models import User
from fieldwork.permissions import admin_only, public, signed_in


def safe_next(target: str | None) -> str:
    """Follow ?next= only to a path on this site."""
    if target and target.startswith("/") and not urlsplit(target).netloc and "\\" not in target:
        return target
    return url_for("projects.index")


@public
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"],
    methods=["POST"],
    error_message="Too many login attempts from this address. Wait a minute and try again.",
)
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("projects.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            form.password.errors.append("The email or password is not right, or the account is "
                                        "deactivated.")
        else:
            login_user(user, remember=form.remember.data)
            audit.record("user.login", user, user_id=user.id, summary="Logged in")
            db.session.commit()
            return redirect(safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@signed_in
def logout() -> Response:
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("accounts.login"))


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
    return render_template("accounts/profile.html", form=form)


@signed_in
def password() -> str | Response:
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current.data or "", form.new.data or "")
        except accounts.AccountError as error:
            form.current.errors.append(str(error))
        else:
            db.session.commit()
            flash("Your password is changed.", "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form)


@admin_only
def user_list() -> str:
    return render_template("accounts/user_list.html", users=accounts.list_users())


@admin_only
def user_new() -> str | Response:
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                form.email.data or "", form.name.data or "", form.password.data or "",
                is_admin=form.is_admin.data,
            )
        except accounts.AccountError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Account created for {user.email}. Give them their password in person.",
                  "success")
            return redirect(url_for("accounts.user_list"))
    return render_template("accounts/user_new.html", form=form)


@admin_only
def user_edit(user_id: int) -> str | Response:
    user = db.session.get(User, user_id) or abort(404)
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
            except accounts.AccountError as error:
                form.new_password.errors.append(str(error))
            else:
                db.session.commit()
                flash(f"Account {user.email} saved.", "success")
                return redirect(url_for("accounts.user_list"))
    return render_template("accounts/user_edit.html", form=form, user=user)

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from fieldwork.forms import TimezoneField

CODE_HINT = {"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(message="Enter your email address.")])
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password.")])
    remember = BooleanField("Keep me signed in on this computer")


class CodeForm(FlaskForm):
    code = StringField(
        "Code", validators=[DataRequired(message="Enter the code from your app."),
                            Length(max=40)], render_kw=CODE_HINT,
    )


class PasswordAndCodeForm(FlaskForm):
    """Proof that it is the owner: to turn two-step sign-in off or make new recovery codes."""

    password = PasswordField("Your password",
                             validators=[DataRequired(message="Enter your password.")])
    code = StringField(
        "Code from your app", validators=[DataRequired(message="Enter the code from your app."),
                                          Length(max=40)], render_kw=CODE_HINT,
    )


class EndSessionForm(FlaskForm):
    session = IntegerField(validators=[DataRequired()])


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    new = PasswordField("New password", validators=[DataRequired()])
    confirm = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("new", message="The two new passwords differ.")],
    )


class ProfileForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    timezone = TimezoneField("Show times in this time zone")


class NewUserForm(FlaskForm):
    email = EmailField(
        "Email", validators=[DataRequired(), Email(message="This is not an email address.")]
    )
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    password = PasswordField("Initial password", validators=[DataRequired()])
    is_admin = BooleanField("Site administrator (manages accounts and projects)")


class EditUserForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    timezone = TimezoneField()
    is_admin = BooleanField("Site administrator")
    active = BooleanField("Active (may log in)")
    new_password = PasswordField(
        "Set a new password (leave empty to keep the current one)",
        validators=[Length(min=0, max=200)],
    )

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from fieldwork.accounts.accounts import MIN_PASSWORD_LENGTH
from fieldwork.forms import TimezoneField

PASSWORD_RULE = Length(
    min=MIN_PASSWORD_LENGTH, message=f"Use at least {MIN_PASSWORD_LENGTH} characters."
)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(message="Enter your email address.")])
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password.")])
    remember = BooleanField("Keep me signed in on this computer")


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    new = PasswordField("New password", validators=[DataRequired(), PASSWORD_RULE])
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
    password = PasswordField("Initial password", validators=[DataRequired(), PASSWORD_RULE])
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

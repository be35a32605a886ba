from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from fieldwork.forms import choices
from fieldwork.models import ROLES

ROLE_DESCRIPTIONS = {
    "lead": "Lead — everything in the project, owns the codebook",
    "interviewer": "Interviewer — schedules, uploads, sees participants' identities",
    "coder": "Coder — codes and writes memos; sees pseudonyms only",
    "viewer": "Viewer — reads",
}
ROLE_CHOICES = choices([(role, ROLE_DESCRIPTIONS[role]) for role in ROLES])


class ProjectForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired(message="Give the project a name."), Length(max=200)]
    )
    description = TextAreaField("Description", validators=[Length(max=5000)])


class ProjectSettingsForm(ProjectForm):
    archived = BooleanField("Archived (kept, read-only in lists)")


class AddMemberForm(FlaskForm):
    email = EmailField("Email of an existing account", validators=[DataRequired()])
    role = SelectField("Role", choices=ROLE_CHOICES, default="coder")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search")

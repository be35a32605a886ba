from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from casestudies.models import STUDY_STATUSES
from fieldwork.forms import choices
from fieldwork.models import User


class DayField(DateField):
    """A date typed or picked as year-month-day, with a clear message when it is not one."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(
                f"“{valuelist[0]}” is not a date: give it as year-month-day, e.g. 2026-05-04."
            ) from None


class TeamField(SelectMultipleField):
    """Checkboxes of the project's members."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label: str = "Team", **kwargs: Any) -> None:
        super().__init__(label, coerce=int, **kwargs)

    def set_members(self, members: list[User]) -> None:
        self.choices = choices([(user.id, user.name) for user in members])  # type: ignore[list-item]


class CaseStudyForm(FlaskForm):
    place_name = StringField(
        "Place", validators=[DataRequired(
            message="Type the city or region's name and pick it from the list."
        )],
    )
    title = StringField("Title", validators=[Length(max=200)])
    research_questions = TextAreaField("Research questions", validators=[Length(max=20000)])
    status = SelectField("Status", choices=choices(STUDY_STATUSES), default="planned")
    notes = TextAreaField("Notes", validators=[Length(max=20000)])
    team = TeamField()


class VisitForm(FlaskForm):
    starts_on = DayField(
        "First day", validators=[InputRequired(message="Give the first day of the visit.")]
    )
    ends_on = DayField(
        "Last day", validators=[InputRequired(message="Give the last day of the visit.")]
    )
    purpose = StringField("Purpose", validators=[Length(max=300)])
    agenda = TextAreaField("Agenda", validators=[Length(max=20000)])
    team = TeamField("Who goes")
    #: ticked on the second try, once the planner has seen the overlaps
    save_anyway = BooleanField("Save anyway: I know about these overlaps")

    def validate_ends_on(self, field: DayField) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(
                f"The last day ({field.data:%-d %B %Y}) is before the first day "
                f"({self.starts_on.data:%-d %B %Y}): a visit ends on or after the day it starts."
            )

from __future__ import annotations

from datetime import date
from functools import cache

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from casestudies.gazetteer import EU_COUNTRIES, read_data_csv
from casestudies.models import CONTACT_STATUSES
from casestudies.studies.forms import DayField
from fieldwork.forms import choices

#: what the "record" form can note, with the label shown
EVENTS = {
    "sent": "Questionnaire sent",
    "reminder": "Reminder sent",
    "responded": "Response received",
    "declined": "Declined to answer",
    "bounced": "Message bounced",
}


@cache
def country_names() -> dict[str, str]:
    return {row["code"]: row["name"] for row in read_data_csv("countries.csv")}


def eu_country_choices() -> list[tuple[str, str]]:
    names = country_names()
    return sorted(((code, names.get(code, code)) for code in EU_COUNTRIES),
                  key=lambda pair: pair[1])


class WaveForm(FlaskForm):
    name = StringField("Name", validators=[
        DataRequired(message="Give the wave a name, e.g. “Spring 2026, all EU cities”."),
        Length(max=200),
    ])
    started_on = DayField("Started on", validators=[Optional()])
    note = TextAreaField("Note", validators=[Length(max=5000)])


class BulkAddForm(FlaskForm):
    kind = SelectField("Kind", choices=choices({"city": "Cities", "region": "Regions (NUTS-2)"}))
    country = SelectField("Country", choices=choices([("", "All EU countries"),
                                                      *eu_country_choices()]))
    min_population = IntegerField(
        "Population at least", default=50_000,
        validators=[Optional(), NumberRange(min=0, message="Give a population of 0 or more.")],
    )
    cee_only = BooleanField("Only Central and Eastern Europe")


class AddPlaceForm(FlaskForm):
    place_name = StringField("City or region", validators=[
        DataRequired(message="Type the city or region's name and pick it from the list."),
    ])


class ContactForm(FlaskForm):
    contact_name = StringField("Contact person", validators=[Length(max=200)])
    contact_email = EmailField("Email", validators=[
        Optional(), Email(message="That is not an email address."), Length(max=254),
    ])
    contact_office = StringField("Office", validators=[Length(max=300)])
    status = SelectField("Status", choices=choices(CONTACT_STATUSES))
    sent_on = DayField("Sent on", validators=[Optional()])
    responded_on = DayField("Answered on", validators=[Optional()])
    notes = TextAreaField("Notes", validators=[Length(max=20000)])


class RecordForm(FlaskForm):
    event = SelectField("What happened", choices=choices(EVENTS))
    day = DayField("On", default=date.today,
                   validators=[InputRequired(message="Give the date it happened.")])


class ResponseFileForm(FlaskForm):
    file = FileField("Response file", validators=[
        FileRequired(message="Choose the file of the filled-in questionnaire.")
    ])


class ContactFilterForm(FlaskForm):
    class Meta:
        csrf = False

    country = SelectField("Country", validate_choice=False)
    status = SelectField("Status", choices=choices([("", "Any status"), *CONTACT_STATUSES.items()]))

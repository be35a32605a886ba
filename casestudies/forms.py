"""Forms of the places and partnerships pages."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from casestudies.models import (
    PARTNERSHIP_KINDS,
    PARTNERSHIP_STATUSES,
    PLACE_KINDS,
    CooperationArea,
)
from casestudies.places import PARTNER_COUNTRY_LABELS, POPULATION_BANDS
from fieldwork.forms import choices
from fieldwork.models import Project

ANY = [("", "Any")]


class DayField(DateField):
    """A date as year-month-day, with a message in words when it is not one."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(
                f"“{valuelist[0]}” is not a date: give it as year-month-day, e.g. 2015-06-30."
            ) from None


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PlaceFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Name")
    country = SelectField("Country", choices=choices(ANY), default="")
    kind = SelectField("Kind", choices=choices(ANY + list(PLACE_KINDS.items())), default="")
    band = SelectField("Population", choices=choices(
        ANY + [(key, label) for key, (label, _low, _high) in POPULATION_BANDS.items()]),
        default="")
    cee = BooleanField("Central and Eastern Europe only")
    has_us = BooleanField("Has a US partner")
    has_cn = BooleanField("Has a Chinese partner")
    area = SelectField("Area of cooperation", choices=choices(ANY), default="")
    project = SelectField("Partnerships of", choices=choices([("", "All my projects")]),
                          default="")

    def set_options(self, countries: list[tuple[str, str]], areas: list[str],
                    projects: list[Project]) -> None:
        self.country.choices = choices(ANY + countries)
        self.area.choices = choices(ANY + [(area, area) for area in areas])
        self.project.choices = choices(
            [("", "All my projects")] + [(str(p.id), p.name) for p in projects])


class PlaceForm(FlaskForm):
    kind = SelectField("Kind", choices=choices(PLACE_KINDS), default="city")
    name = StringField("English name", validators=[
        DataRequired(message="Give the place its English name."), Length(max=200)])
    name_local = StringField("Local name", validators=[Length(max=200)])
    country_code = StringField("Country (ISO code, e.g. PL)", validators=[
        DataRequired(message="Give the two-letter country code, e.g. PL."), Length(min=2, max=2,
        message="The country code has two letters, e.g. PL.")])
    region_name = StringField("Region (name or code, e.g. PL51; optional)")
    population = IntegerField("Population", validators=[Optional(), NumberRange(min=0)])
    latitude = FloatField("Latitude", validators=[Optional(), NumberRange(min=-90, max=90)])
    longitude = FloatField("Longitude", validators=[Optional(), NumberRange(min=-180, max=180)])
    timezone = StringField("Time zone (e.g. Europe/Warsaw)", validators=[Length(max=60)])
    nuts_code = StringField("NUTS code", validators=[Length(max=10)])
    is_eu = BooleanField("In the EU")
    is_cee = BooleanField("In Central and Eastern Europe")
    alternate_names = TextAreaField("Other names (one a line: exonyms, old names, "
                                    "romanisations)")


class PartnershipForm(FlaskForm):
    eu_place = StringField("EU city or region", validators=[
        DataRequired(message="Type the EU city or region and pick it from the list.")])
    partner_place = StringField("US or Chinese partner", validators=[
        DataRequired(message="Type the partner city, state or province and pick it.")])
    kind = SelectField("Kind", choices=choices(PARTNERSHIP_KINDS), default="sister_city")
    status = SelectField("Status", choices=choices(PARTNERSHIP_STATUSES), default="unknown")
    signed_on = DayField("Signed on", validators=[Optional()])
    ended_on = DayField("Ended on", validators=[Optional()])
    areas = CheckboxesField("Areas of cooperation", coerce=int)
    agreement_on_file = BooleanField("Agreement text on file")
    office_abroad = BooleanField("Office abroad")
    dedicated_staff = BooleanField("Dedicated staff")
    budget_line = BooleanField("Budget line")
    notes = TextAreaField("Notes", validators=[Length(max=20000)])

    def set_areas(self, areas: list[CooperationArea]) -> None:
        self.areas.choices = choices([(area.id, area.name) for area in areas])  # type: ignore[list-item]


class PartnershipFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Place name")
    partner_country = SelectField("Partner country", choices=choices(
        ANY + list(PARTNER_COUNTRY_LABELS.items())), default="")
    eu_country = SelectField("EU country", choices=choices(ANY), default="")
    kind = SelectField("Kind", choices=choices(ANY + list(PARTNERSHIP_KINDS.items())),
                       default="")
    status = SelectField("Status", choices=choices(ANY + list(PARTNERSHIP_STATUSES.items())),
                         default="")
    area = SelectField("Area", choices=choices(ANY), default="")
    cee = BooleanField("CEE only")

    def set_options(self, countries: list[tuple[str, str]], areas: list[CooperationArea]) -> None:
        self.eu_country.choices = choices(ANY + countries)
        self.area.choices = choices(ANY + [(str(area.id), area.name) for area in areas])


class SourceForm(FlaskForm):
    url = URLField("Web address", validators=[
        DataRequired(message="Give the page's address."), Length(max=2000)])
    seen_on = DayField("Seen on", validators=[Optional()])
    note = StringField("Note", validators=[Length(max=2000)])


class DocumentForm(FlaskForm):
    file = FileField("Document", validators=[FileRequired(message="Choose a file to attach.")])
    title = StringField("Title (e.g. “Memorandum of understanding, 2015”)",
                        validators=[Length(max=200)])


class ImportUploadForm(FlaskForm):
    file = FileField("CSV or Excel file", validators=[
        FileRequired(message="Choose a .csv or .xlsx file.")])


class ImportCommitForm(FlaskForm):
    file_id = HiddenField(validators=[DataRequired()])


class AreaForm(FlaskForm):
    name = StringField("Area", validators=[
        DataRequired(message="Give the area a name."), Length(max=80)])

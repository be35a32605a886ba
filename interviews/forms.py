"""Forms for participants, consent, interviews, guides and the project's interview settings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from fieldwork.forms import SeveralField, choices, timezone_choices
from interviews.asr.languages import language_choices
from interviews.citations import ROLE_DATES
from interviews.models import (
    ATTRIBUTION_LEVELS,
    MODES,
    ORGANISATION_TYPES,
    RETENTION_WISHES,
    STATUSES,
)

ORGANISATION_TYPE_CHOICES = choices({key: label for key, (label, _) in ORGANISATION_TYPES.items()})


class ParticipantForm(FlaskForm):
    organisation = StringField("Organisation", validators=[
        DataRequired(message="Give the organisation, e.g. “European Commission, DG REGIO”."),
        Length(max=300),
    ])
    organisation_type = SelectField("Type of organisation", choices=ORGANISATION_TYPE_CHOICES)
    organisation_code = StringField("Short code for the pseudonym (optional)",
                                    validators=[Length(max=12)])
    role = StringField("Role", validators=[Length(max=300)])
    place_id = SelectField("Place", choices=[])
    other_place = StringField("Or another city (e.g. “Łódź” or “Wrocław, PL”)",
                              validators=[Length(max=200)])
    pseudonym = StringField("Pseudonym", validators=[Length(max=60)])
    name = StringField("Name", validators=[Length(max=200)])
    email = EmailField("Email", validators=[Optional(), Length(max=254)])
    phone = StringField("Phone", validators=[Length(max=60)])
    notes = TextAreaField("Notes (identity: leads and interviewers only)",
                          validators=[Length(max=5000)])


class ConsentForm(FlaskForm):
    recording_allowed = BooleanField("Recording allowed")
    attribution = SelectField("May be cited as", choices=choices(ATTRIBUTION_LEVELS),
                              default="anonymous")
    given_on = DateField("Date consent was given", validators=[
        InputRequired(message="Give the date on which consent was given.")
    ])
    retention = SelectField("Wish for the recording", choices=choices(RETENTION_WISHES))
    form_file = FileField("Signed consent form (PDF or scan)")


class WithdrawForm(FlaskForm):
    withdrawn_on = DateField("Withdrawn on", validators=[
        InputRequired(message="Give the date of the withdrawal.")
    ])
    note = TextAreaField("What the participant asked for", validators=[Length(max=5000)])


class InterviewForm(FlaskForm):
    participant_ids = SeveralField("Participants", choices=[], not_offered=(
        "One of the chosen participants cannot take part: they are not in this project or "
        "have withdrawn their consent. Choose from the list."), validators=[
        DataRequired(message="Choose at least one participant.")
    ])
    place_id = SelectField("Place", choices=[])
    other_place = StringField("Or another city (e.g. “Łódź” or “Wrocław, PL”)",
                              validators=[Length(max=200)])
    organisation = StringField("Organisation (default: the first participant's)",
                               validators=[Length(max=300)])
    local_date = DateField("Date (local)", validators=[
        InputRequired(message="Give the date, in the place's own calendar.")
    ])
    local_time = TimeField("Start (local time)", validators=[
        InputRequired(message="Give the start time, as the clocks show it at the place.")
    ])
    timezone = SelectField("Time zone of the interview",
                           choices=choices([("", "— the place's own —")]) + timezone_choices())
    duration_minutes = IntegerField("Duration (minutes)", default=60, validators=[
        InputRequired(message="Give the duration in minutes."),
        NumberRange(min=5, max=720, message="The duration is between 5 and 720 minutes."),
    ])
    mode = SelectField("Mode", choices=choices(MODES))
    location = StringField("Address or room", validators=[Length(max=500)])
    link = StringField("Video link", validators=[Length(max=500)])
    language = StringField("Language", default="English", validators=[Length(max=60)])
    interviewer_ids = SeveralField("Interviewers", choices=[], not_offered=(
        "One of the chosen people cannot interview: only the project's leads and "
        "interviewers do. Choose from the list, or ask the lead to change their role."))
    guide_id = SelectField("Interview guide", choices=[])
    case_study_id = SelectField("Case study", choices=[])
    visit_id = SelectField("Visit", choices=[])
    partnership_ids = SelectMultipleField("Partnerships discussed", choices=[])
    notes = TextAreaField("Notes", validators=[Length(max=5000)])
    save_anyway = BooleanField("Save anyway")


class InterviewLinksForm(FlaskForm):
    """What an interview is about, asked when its transcript is marked ready for coding."""

    place_id = SelectField("Place", choices=[])
    other_place = StringField("Or another city (e.g. “Łódź” or “Wrocław, PL”)",
                              validators=[Length(max=200)])
    case_study_id = SelectField("Case study", choices=[])
    partnership_ids = SelectMultipleField("Partnerships discussed", choices=[])


class StatusForm(FlaskForm):
    status = SelectField("New status", choices=choices(STATUSES))
    note = StringField("Note", validators=[Length(max=500)])


class GuideForm(FlaskForm):
    title = StringField("Title", validators=[
        DataRequired(message="Give the guide a title."), Length(max=200)
    ])
    introduction = TextAreaField("Introduction (read before the questions)",
                                 validators=[Length(max=5000)])
    text = TextAreaField("Questions: a “# Topic” line, then one question per line", validators=[
        DataRequired(message="Write at least one question.")
    ])


class SettingsForm(FlaskForm):
    pseudonym_pattern = StringField("Pseudonym pattern", validators=[
        DataRequired(message="Give a pattern, e.g. {country}-{orgtype}-{n:02}."), Length(max=100)
    ])
    buffer_minutes = IntegerField("Buffer between interviews (minutes)", validators=[
        InputRequired(message="Give a number of minutes."), NumberRange(min=0, max=1440)
    ])
    day_starts_hour = IntegerField("Sensible hours start at", validators=[
        InputRequired(), NumberRange(min=0, max=23)
    ])
    day_ends_hour = IntegerField("Sensible hours end at", validators=[
        InputRequired(), NumberRange(min=1, max=24)
    ])
    transcription_model = SelectField("Whisper model for new recordings")
    transcription_language = SelectField("Language of new recordings", choices=choices(
        [("", "Detect it for each recording"), *language_choices()]))
    translate_to_english = BooleanField(
        "Make an English version of each transcript in another language")
    review_percent = IntegerField("Review threshold (% of words estimated wrong)", validators=[
        Optional(),
        NumberRange(min=1, max=100, message="Give a percentage from 1 to 100, e.g. 25."),
    ])


class CitationForm(FlaskForm):
    citation_template = StringField("Citation template", validators=[
        DataRequired(message="Give a template, e.g. {who} ({date}) [{code}, {locator}]."),
        Length(max=200)])
    role_shows_title = BooleanField("“Role only” shows the job title")
    role_shows_city = BooleanField("“Role only” shows the exact city")
    role_date = SelectField("Date in a “role only” citation",
                            choices=choices({key: label for key, label in ROLE_DATES.items()}))

"""Forms of data protection: the retention rule and applying a withdrawal."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField
from wtforms.validators import InputRequired, NumberRange, Optional

from fieldwork.forms import choices
from interviews.protection.models import CODING_CHOICES, TRANSCRIPT_CHOICES
from interviews.protection.retention import MAX_DAYS

DAYS_MESSAGE = f"Give a whole number of days from 0 to {MAX_DAYS}, or leave it empty."


class RetentionForm(FlaskForm):
    wish_days = IntegerField(
        "When the participant’s consent asks for deletion: days after the transcript is "
        "corrected", validators=[Optional(), NumberRange(0, MAX_DAYS, message=DAYS_MESSAGE)])
    default_days = IntegerField(
        "For every recording: days after the transcript is corrected",
        validators=[Optional(), NumberRange(0, MAX_DAYS, message=DAYS_MESSAGE)])


class ApplyWithdrawalForm(FlaskForm):
    transcripts = RadioField("The transcripts", choices=choices(TRANSCRIPT_CHOICES),
                             validators=[InputRequired(message="Choose what happens to the "
                                                       "transcripts.")])
    codings = RadioField("The codings on them", choices=choices(CODING_CHOICES),
                         validators=[InputRequired(message="Choose what happens to the "
                                                   "codings.")])

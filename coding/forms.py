"""Forms for sources, codes, memos and the coding comparison."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from coding.comparison import UNITS
from coding.matrices import DIMENSIONS
from coding.memos import MAX_TITLE
from coding.refi.offsets import CHOICES as POSITION_CHOICES
from coding.retrieval import OPERATORS
from coding.translations import QUOTE_LANGUAGES
from fieldwork.forms import choices


class DocumentForm(FlaskForm):
    document = FileField("Document (DOCX, PDF, TXT, Markdown or HTML)")
    title = StringField("Title (optional; the file name otherwise)", validators=[Length(max=300)])


class SourceDetailsForm(FlaskForm):
    title = StringField("Title", validators=[
        DataRequired(message="Give the source a title."), Length(max=300)])
    case_study = SelectField("Case study", coerce=str, validators=[Optional()])
    places = SelectMultipleField("Places", coerce=int, validate_choice=False)
    add_place = StringField("Add a place", validators=[Length(max=300)])
    partnerships = SelectMultipleField("Partnerships", coerce=int, validate_choice=False)
    attributes = TextAreaField("Attributes, one per line as “name: value”")


class SourceTextForm(FlaskForm):
    text = TextAreaField("Text", validators=[DataRequired(message="The text cannot be empty.")])


class CodeForm(FlaskForm):
    name = StringField("Name", validators=[
        DataRequired(message="Give the code a name."), Length(max=200)])
    parent = SelectField("Under", coerce=str)
    definition = TextAreaField("Definition")
    when_to_use = TextAreaField("When to use")
    when_not_to_use = TextAreaField("When not to use")
    example = TextAreaField("Example")
    colour = StringField("Colour", default="#FFE08A")
    shortcut = StringField("Shortcut key (one letter or digit, optional)",
                           validators=[Length(max=1)])


class MergeForm(FlaskForm):
    into = SelectField("Merge into", coerce=int)


class MoveForm(FlaskForm):
    parent = SelectField("Move under", coerce=str)


class SplitForm(CodeForm):
    codings = SelectMultipleField("Codings that go to the new code", coerce=int,
                                  validate_choice=False)


class MemoForm(FlaskForm):
    title = StringField("Title", validators=[Length(max=MAX_TITLE)])
    body = TextAreaField("Memo")
    about = SelectField("About", coerce=str)


class BlindForm(FlaskForm):
    blind = BooleanField("Blind coding: coders see only their own codings")


class ComparisonForm(FlaskForm):
    class Meta:
        csrf = False

    sources = SelectMultipleField("Sources", coerce=int, validate_choice=False)
    coders = SelectMultipleField("Coders", coerce=int, validate_choice=False)
    codes = SelectMultipleField("Codes (none chosen: every code used)", coerce=int,
                                validate_choice=False)
    units = SelectField("Units for Krippendorff's alpha", choices=choices(UNITS))
    unused = BooleanField("Also show the chosen codes that neither coder used")


class DisagreementsForm(FlaskForm):
    class Meta:
        csrf = False

    sources = SelectMultipleField("Sources", coerce=int, validate_choice=False)
    coders = SelectMultipleField("Two coders", coerce=int, validate_choice=False)


class RetrievalForm(FlaskForm):
    class Meta:
        csrf = False

    codes = SelectMultipleField("Codes", coerce=int, validate_choice=False)
    with_subcodes = BooleanField("With their sub-codes")
    operator = SelectField("Combined", choices=choices(OPERATORS))
    other_codes = SelectMultipleField("Second codes", coerce=int, validate_choice=False)
    distance = IntegerField("N characters", default=200, validators=[Optional()])
    quotes = SelectField("Quote transcripts that have an English version",
                         choices=choices(QUOTE_LANGUAGES), default="coded")
    eu_country = SelectField("EU country", coerce=str, validate_choice=False)
    cee = SelectField("Central and Eastern Europe", choices=choices([("", "either"), ("yes", "CEE"),
                                                             ("no", "not CEE")]))
    region = SelectField("Region", coerce=str, validate_choice=False)
    city = SelectField("City", coerce=str, validate_choice=False)
    population_band = SelectField("City population", coerce=str, validate_choice=False)
    partner_country = SelectField("Partner country", choices=choices([
        ("", "any"), ("US", "United States"), ("CN", "China")]))
    partnership_kind = SelectField("Partnership kind", coerce=str, validate_choice=False)
    area = SelectField("Area of cooperation", coerce=str, validate_choice=False)
    organisation_type = SelectField("Organisation type", coerce=str, validate_choice=False)
    interview_place = SelectField("Place of the interview", coerce=str, validate_choice=False)
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
    coder = SelectField("Coder", coerce=str, validate_choice=False)
    attribute = SelectField("Attribute", coerce=str, validate_choice=False)
    attribute_value = StringField("is", validators=[Length(max=500)])


class MatrixForm(FlaskForm):
    class Meta:
        csrf = False

    dimension = SelectField("Columns", choices=choices(DIMENSIONS), default="partner_country")
    attribute = SelectField("Attribute (for attribute columns)", coerce=str,
                            validate_choice=False)
    show = SelectField("Cells show", choices=choices(
        [("codings", "codings"), ("sources", "sources"), ("share", "share of sources")]))


class QuoteForm(FlaskForm):
    chapter = StringField("Chapter", validators=[Length(max=200)])
    note = TextAreaField("Note")


class ExportForm(FlaskForm):
    class Meta:
        csrf = False

    what = SelectField("What to export", coerce=str, default="excerpts_docx")
    group = SelectField("Group the excerpts", coerce=str, default="code")
    chapter = SelectField("Chapter (when grouped by chapter)", coerce=str, default="")
    memos = BooleanField("Include memos (and the quote bank's notes)")
    quotes = SelectField("Quote transcripts that have an English version", coerce=str,
                         default="coded", choices=choices(QUOTE_LANGUAGES))
    context = BooleanField("Show the sentence or segment before and after each excerpt")
    codes = SelectMultipleField("Only these codes, with their sub-codes (none chosen: all)",
                                coerce=int, validate_choice=False)
    sources = SelectMultipleField("Only these sources (none chosen: all)", coerce=int,
                                  validate_choice=False)


class CodebookFileForm(FlaskForm):
    file = FileField("Codebook file (.qdc)", validators=[
        FileRequired(message="Choose a .qdc file to import.")])


class JoinCoderForm(FlaskForm):
    account = SelectField("Join to the account of", coerce=int)


class ProjectFileForm(FlaskForm):
    file = FileField("Project file (.qdpx)", validators=[
        FileRequired(message="Choose a .qdpx file to import.")])
    positions = SelectField("Positions in the file", choices=choices(POSITION_CHOICES),
                            default="")

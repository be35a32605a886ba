"""The gazetteer (places, shared by every project) and each project's partnerships."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldwork.dbtypes import UTCDateTime, utcnow
from fieldwork.extensions import db
from fieldwork.models import Project, StoredFile, User

#: kind value -> label
PLACE_KINDS = {"country": "Country", "region": "Region", "city": "City"}

#: kind value -> label
PARTNERSHIP_KINDS = {
    "sister_city": "Sister / twin city",
    "friendship_city": "Friendship city",
    "cooperation_agreement": "Cooperation agreement or memorandum",
    "letter_of_intent": "Letter of intent",
    "other": "Other",
}

#: status value -> label
PARTNERSHIP_STATUSES = {
    "active": "Active",
    "dormant": "Dormant",
    "ended": "Ended",
    "unknown": "Unknown",
}

#: the areas of cooperation every project starts with (editable per project)
DEFAULT_AREAS = (
    "health care",
    "environment",
    "science",
    "business",
    "tourism",
    "education",
    "urban transport",
    "spatial planning",
    "culture",
    "other",
)

#: institutionalisation flag attribute -> label
INSTITUTIONALISATION_FLAGS = {
    "agreement_on_file": "Agreement text on file",
    "office_abroad": "Office abroad",
    "dedicated_staff": "Dedicated staff",
    "budget_line": "Budget line",
}


class Place(db.Model):
    """A country, region or city of the gazetteer; one list for every project."""

    __tablename__ = "places"
    __table_args__ = (Index("ix_places_kind_country", "kind", "country_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stable seed key, e.g. "city:gn:3081368", "region:PL51", "country:PL"; "user:<n>" if added
    key: Mapped[str] = mapped_column(String(60), unique=True)
    #: one of PLACE_KINDS
    kind: Mapped[str] = mapped_column(String(10))
    #: English name, e.g. "Wroclaw"
    name: Mapped[str] = mapped_column(String(200), index=True)
    #: native spelling, e.g. "Wrocław"
    name_local: Mapped[str] = mapped_column(String(200), default="")
    #: ISO 3166-1 alpha-2
    country_code: Mapped[str] = mapped_column(String(2), index=True)
    #: the region a city lies in
    region_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"), index=True)
    population: Mapped[int | None]
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    #: IANA time zone name, e.g. "Europe/Warsaw"
    timezone: Mapped[str | None] = mapped_column(String(60))
    is_eu: Mapped[bool] = mapped_column(default=False)
    #: Central and Eastern Europe
    is_cee: Mapped[bool] = mapped_column(default=False)
    #: NUTS code of regions (NUTS-2) and EU countries
    nuts_code: Mapped[str | None] = mapped_column(String(10))
    #: exonyms, historic names, other romanisations
    alternate_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: the admin who added the place by hand; None for seeded places
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    region: Mapped[Place | None] = relationship(remote_side=[id])

    @property
    def kind_label(self) -> str:
        return PLACE_KINDS.get(self.kind, self.kind)

    @property
    def display_name(self) -> str:
        """The local spelling with the English one where they differ: "Wrocław (Wroclaw)"."""
        if self.name_local and self.name_local != self.name:
            return f"{self.name_local} ({self.name})"
        return self.name

    def __repr__(self) -> str:
        return f"<Place {self.key} {self.name}>"


partnership_areas = Table(
    "partnership_areas",
    db.metadata,
    Column("partnership_id", ForeignKey("partnerships.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "area_id",
        ForeignKey("cooperation_areas.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class CooperationArea(db.Model):
    """An area of cooperation (health care, business, ...): a per-project editable list."""

    __tablename__ = "cooperation_areas"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    #: lower-case, e.g. "urban transport"
    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<CooperationArea {self.name}>"


class Partnership(db.Model):
    """A tie between an EU city or region and a US or Chinese partner, in one project."""

    __tablename__ = "partnerships"
    __table_args__ = (
        Index("ix_partnerships_project_eu", "project_id", "eu_place_id"),
        Index("ix_partnerships_project_partner", "project_id", "partner_place_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    #: the EU city or region
    eu_place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), index=True)
    #: the US or Chinese city, state or province
    partner_place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), index=True)
    #: one of PARTNERSHIP_KINDS
    kind: Mapped[str] = mapped_column(String(30), default="sister_city")
    signed_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    #: one of PARTNERSHIP_STATUSES
    status: Mapped[str] = mapped_column(String(20), default="unknown")
    #: a copy of the agreement is kept
    agreement_on_file: Mapped[bool] = mapped_column(default=False)
    #: the EU side keeps an office in the partner country (or the reverse)
    office_abroad: Mapped[bool] = mapped_column(default=False)
    dedicated_staff: Mapped[bool] = mapped_column(default=False)
    budget_line: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    project: Mapped[Project] = relationship()
    eu_place: Mapped[Place] = relationship(foreign_keys=[eu_place_id])
    partner_place: Mapped[Place] = relationship(foreign_keys=[partner_place_id])
    areas: Mapped[list[CooperationArea]] = relationship(
        secondary=partnership_areas, order_by=CooperationArea.position
    )
    sources: Mapped[list[PartnershipSource]] = relationship(
        back_populates="partnership",
        cascade="all, delete-orphan",
        order_by="PartnershipSource.id",
    )
    documents: Mapped[list[PartnershipDocument]] = relationship(
        back_populates="partnership",
        cascade="all, delete-orphan",
        order_by="PartnershipDocument.id",
    )
    created_by: Mapped[User | None] = relationship()

    @property
    def partner_country(self) -> str:
        """ISO code of the partner's country ("US", "CN")."""
        return self.partner_place.country_code

    @property
    def kind_label(self) -> str:
        return PARTNERSHIP_KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return PARTNERSHIP_STATUSES.get(self.status, self.status)

    @property
    def title(self) -> str:
        return f"{self.eu_place.display_name} – {self.partner_place.display_name}"

    def __repr__(self) -> str:
        return f"<Partnership {self.eu_place_id}-{self.partner_place_id}>"


class PartnershipSource(db.Model):
    """Where the partnership was found: a web page, with the date it was seen."""

    __tablename__ = "partnership_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    seen_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")

    partnership: Mapped[Partnership] = relationship(back_populates="sources")


class PartnershipDocument(db.Model):
    """An agreement or other document attached to a partnership (a text to code later)."""

    __tablename__ = "partnership_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"), index=True
    )
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    #: e.g. "Memorandum of understanding, 2015"
    title: Mapped[str] = mapped_column(String(200), default="")
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partnership: Mapped[Partnership] = relationship(back_populates="documents")
    file: Mapped[StoredFile] = relationship()

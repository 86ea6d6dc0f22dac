"""Tables of the agreement follow-up: the agreement per year with its parts,
instalments, conditions and indicator thresholds; the regions' population on a
key date; the region coordinators; evidence handed in; decisions; and the
allocations computed and published.

Evidence and published decisions are never overwritten: a new version of a
region's evidence is a new row, and a published decision is corrected only by
a new decision that refers to it (``corrects_id``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rehabkoll.db.base import Base

USERNAME = String(100)
PK = BigInteger().with_variant(Integer, "sqlite")


class RegionPopulation(Base):
    """Folkmängd: a region's inhabitants on a key date, with the figure's source."""

    __tablename__ = "region_population"
    region: Mapped[str] = mapped_column(String(2), primary_key=True)
    key_date: Mapped[date] = mapped_column(Date, primary_key=True)
    population: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)


class RegionCoordinator(Base):
    """A samordnare's region: the one region whose evidence the user hands in."""

    __tablename__ = "agreement_coordinators"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    region: Mapped[str] = mapped_column(String(2))


class RegionProvider(Base):
    """The care provider (vårdgivare, HSA id) whose data in rehabkoll are a region's."""

    __tablename__ = "agreement_region_providers"
    region: Mapped[str] = mapped_column(String(2), primary_key=True)
    provider_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class Agreement(Base):
    """Överenskommelsen of one year. ``document`` is the imported JSON as given."""

    __tablename__ = "agreements"
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    signed: Mapped[date | None] = mapped_column(Date, nullable=True)
    total: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    key_date: Mapped[date] = mapped_column(Date)
    unearned: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[str] = mapped_column(Text, default="")
    document: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(USERNAME)

    parts: Mapped[list[AgreementPart]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="AgreementPart.position"
    )
    conditions: Mapped[list[AgreementCondition]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="AgreementCondition.position"
    )


class AgreementPart(Base):
    """A part of the money: conditional, fixed, variable, or paid to no region."""

    __tablename__ = "agreement_parts"
    year: Mapped[int] = mapped_column(
        ForeignKey("agreements.year", ondelete="CASCADE"), primary_key=True
    )
    part_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    amount: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    condition: Mapped[str | None] = mapped_column(String(20), nullable=True)
    recipient: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    variable: Mapped[str | None] = mapped_column(Text, nullable=True)

    instalments: Mapped[list[AgreementInstalment]] = relationship(
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="AgreementInstalment.position",
    )


class AgreementInstalment(Base):
    """One payment of a part (utbetalning): its date and amount (may be unknown)."""

    __tablename__ = "agreement_instalments"
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    part_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    paid_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    amount: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        ForeignKeyConstraint(
            ["year", "part_id"],
            ["agreement_parts.year", "agreement_parts.part_id"],
            ondelete="CASCADE",
        ),
    )


class AgreementCondition(Base):
    """Villkor: number, title, what it asks, evidence required and its deadline."""

    __tablename__ = "agreement_conditions"
    year: Mapped[int] = mapped_column(
        ForeignKey("agreements.year", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[str] = mapped_column(String(20), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    asks: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    indicators: Mapped[str] = mapped_column(Text, default="[]")


class Evidence(Base):
    """Underlag: one version of a region's evidence for a condition (text, links,
    an optional file stored in the database). Never changed; a new version is a
    new row."""

    __tablename__ = "agreement_evidence"
    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(ForeignKey("agreements.year", ondelete="CASCADE"))
    condition: Mapped[str] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(2))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[str] = mapped_column(Text, default="")
    filename: Mapped[str | None] = mapped_column(String(200), nullable=True)
    content_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(USERNAME)

    __table_args__ = (UniqueConstraint("year", "condition", "region", "version"),)


class Decision(Base):
    """Beslut: whether a region met a condition, with the reason. A draft may be
    replaced; once ``published_at`` is set the row is never changed, and a
    correction is a new decision with ``corrects_id`` pointing at it."""

    __tablename__ = "agreement_decisions"
    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(ForeignKey("agreements.year", ondelete="CASCADE"))
    condition: Mapped[str] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(2))
    met: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(DateTime)
    decided_by: Mapped[str] = mapped_column(USERNAME)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    corrects_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreement_decisions.id"), nullable=True
    )


class Allocation(Base):
    """A computed allocation (the output JSON of ``allocation_file``), stored when
    the national coordinator publishes it."""

    __tablename__ = "agreement_allocations"
    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(ForeignKey("agreements.year", ondelete="CASCADE"))
    result: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(DateTime)
    published_by: Mapped[str] = mapped_column(USERNAME)

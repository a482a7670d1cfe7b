"""The database schema: the only place where Målbild's tables are defined.

Alembic migrations (`etl/migrations`) create these tables; a test checks that the migrations and
this module agree. Times are stored as naive UTC so that SQLite and PostgreSQL give identical
exports.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Now, as naive UTC (see the module docstring)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# --- Kolada catalogue ---------------------------------------------------------------------------


class Municipality(Base):
    """A kommun (type K), a region (type L) or Riket (`0000`, type L), as Kolada lists them."""

    __tablename__ = "municipality"
    id: Mapped[str] = mapped_column(String(8), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(1))


class MunicipalityGroup(Base):
    """A Kolada group (G-id) or a list of municipalities made by the user."""

    __tablename__ = "municipality_group"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    origin: Mapped[str] = mapped_column(String(16), default="kolada")


class MunicipalityGroupMember(Base):
    __tablename__ = "municipality_group_member"
    group_id: Mapped[str] = mapped_column(
        ForeignKey("municipality_group.id", ondelete="CASCADE"), primary_key=True
    )
    municipality_id: Mapped[str] = mapped_column(ForeignKey("municipality.id"), primary_key=True)


class Kpi(Base):
    """A Kolada key figure (nyckeltal). `direction`: which way is better (higher, lower, none)."""

    __tablename__ = "kpi"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    operating_area: Mapped[str] = mapped_column(Text, default="")
    is_divided_by_gender: Mapped[bool] = mapped_column(Boolean, default=False)
    municipality_type: Mapped[str] = mapped_column(String(4), default="K")
    publication_date: Mapped[str] = mapped_column(String(10), default="")
    direction: Mapped[str] = mapped_column(String(8), default="higher")
    unit: Mapped[str] = mapped_column(String(16), default="")
    retired: Mapped[bool] = mapped_column(Boolean, default=False)


class KpiGroup(Base):
    __tablename__ = "kpi_group"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))


class KpiGroupMember(Base):
    __tablename__ = "kpi_group_member"
    group_id: Mapped[str] = mapped_column(
        ForeignKey("kpi_group.id", ondelete="CASCADE"), primary_key=True
    )
    kpi_id: Mapped[str] = mapped_column(String(16), primary_key=True)


# --- Imports and values -------------------------------------------------------------------------


class ImportRun(Base):
    """One successful import. A failed import is rolled back and leaves no run behind."""

    __tablename__ = "import_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    location: Mapped[str] = mapped_column(Text)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)
    requested_by: Mapped[str | None] = mapped_column(String(100))


class KpiValue(Base):
    """A municipality's value of a KPI for a year and gender (T total, K women, M men)."""

    __tablename__ = "kpi_value"
    kpi_id: Mapped[str] = mapped_column(ForeignKey("kpi.id"), primary_key=True)
    municipality_id: Mapped[str] = mapped_column(ForeignKey("municipality.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    gender: Mapped[str] = mapped_column(String(1), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    count: Mapped[int | None] = mapped_column(Integer)
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)
    import_run_id: Mapped[int] = mapped_column(ForeignKey("import_run.id"))

    __table_args__ = (Index("ix_kpi_value_kpi_gender_year", "kpi_id", "gender", "year"),)


class GroupValue(Base):
    """Kolada's own value for a municipality group (an unweighted mean with its member count)."""

    __tablename__ = "group_value"
    kpi_id: Mapped[str] = mapped_column(ForeignKey("kpi.id"), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    gender: Mapped[str] = mapped_column(String(1), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    count: Mapped[int | None] = mapped_column(Integer)
    import_run_id: Mapped[int] = mapped_column(ForeignKey("import_run.id"))


class ValueRevision(Base):
    """The change log of municipal values: every value an import added, changed or removed.

    `kind` is "new" (`old_value` None), "revised" or "deleted" (`new_value` None). The first
    import of a KPI is the database being set up and logs no "new" rows. Alerts and the page
    Nytt read the log in id order; the archive reads the revisions of frozen values.
    """

    __tablename__ = "value_revision"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kpi_id: Mapped[str] = mapped_column(String(16))
    municipality_id: Mapped[str] = mapped_column(String(8))
    year: Mapped[int] = mapped_column(Integer)
    gender: Mapped[str] = mapped_column(String(1))
    old_value: Mapped[float | None] = mapped_column(Float)
    new_value: Mapped[float | None] = mapped_column(Float)
    revised_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    import_run_id: Mapped[int] = mapped_column(ForeignKey("import_run.id"))
    kind: Mapped[str] = mapped_column(String(8), default="revised", server_default="revised")

    __table_args__ = (Index("ix_value_revision_kpi_municipality", "kpi_id", "municipality_id"),)


# --- The strategy -------------------------------------------------------------------------------


class Strategy(Base):
    """The adopted strategy (one row): name, municipality, decision reference."""

    __tablename__ = "strategy"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    municipality_id: Mapped[str] = mapped_column(String(8))
    adopted: Mapped[date | None] = mapped_column(Date)
    decision: Mapped[str] = mapped_column(Text, default="")
    follow_up: Mapped[str] = mapped_column(Text, default="")
    source_file: Mapped[str] = mapped_column(Text, default="")
    loaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Goal(Base):
    __tablename__ = "goal"
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")


class Measure(Base):
    """A measure of a goal: what is measured, on what scale, which way is better."""

    __tablename__ = "measure"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    goal_number: Mapped[int] = mapped_column(ForeignKey("goal.number"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    question: Mapped[str] = mapped_column(Text, default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(32))
    scale_min: Mapped[float] = mapped_column(Float)
    scale_max: Mapped[float] = mapped_column(Float)
    direction: Mapped[str] = mapped_column(String(8))
    decimals: Mapped[int] = mapped_column(Integer, default=1)
    benchmark_kpi_id: Mapped[str | None] = mapped_column(String(16))
    survey_question_pattern: Mapped[str | None] = mapped_column(Text)
    cadence: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class MeasureKpi(Base):
    """One link of a measure's KPI lineage: this KPI from `first_year` to `last_year`."""

    __tablename__ = "measure_kpi"
    measure_id: Mapped[str] = mapped_column(
        ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True
    )
    first_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_year: Mapped[int | None] = mapped_column(Integer)
    kpi_id: Mapped[str] = mapped_column(ForeignKey("kpi.id"))
    method: Mapped[str] = mapped_column(Text, default="")


class Target(Base):
    """A target decision. Rows are never overwritten: the newest row per measure and year holds."""

    __tablename__ = "target"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    measure_id: Mapped[str] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float | None] = mapped_column(Float)
    decision: Mapped[str] = mapped_column(Text, default="")
    decision_body: Mapped[str] = mapped_column(String(100), default="")
    decision_date: Mapped[date | None] = mapped_column(Date)
    decision_paragraph: Mapped[str] = mapped_column(String(32), default="")
    diarienummer: Mapped[str] = mapped_column(String(64), default="")
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(100), default="")

    __table_args__ = (Index("ix_target_measure_year", "measure_id", "year"),)


class _YearlyText:
    """The columns every yearly text has: its words (light Markdown), its state and who wrote,
    changed and adopted it."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True,
                                    sort_order=-1)  # first, as the migrations made it
    year: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="utkast")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    # Who last changed the words (not just the state): the author an approver may have to
    # differ from (MALBILD_REQUIRE_SEPARATE_APPROVER).
    written_by: Mapped[str] = mapped_column(String(100), default="", server_default="")


class AnalysisText(_YearlyText, Base):
    """The yearly analysis of a measure, written by the administrator."""

    __tablename__ = "analysis_text"
    measure_id: Mapped[str] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))

    __table_args__ = (UniqueConstraint("measure_id", "year"),)


class AssessmentText(_YearlyText, Base):
    """The yearly text about a goal ("mal-1") or the whole year ("samlad": Samlad bedömning),
    with the same states as a measure's analysis."""

    __tablename__ = "assessment_text"
    scope: Mapped[str] = mapped_column(String(20))

    __table_args__ = (UniqueConstraint("scope", "year"),)


# --- Fastställda reports (the archive) --------------------------------------------------------


class ArchivedReport(Base):
    """A fastställd yearly report, frozen by an administrator and never rebuilt. Freezing the
    same year again adds a version; old versions stay."""

    __tablename__ = "archived_report"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    data_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="")

    __table_args__ = (UniqueConstraint("year", "version"),)


class ArchivedReportFile(Base):
    """One file of an archived report (pdf or docx), byte for byte as it was handed out."""

    __tablename__ = "archived_report_file"
    report_id: Mapped[int] = mapped_column(
        ForeignKey("archived_report.id", ondelete="CASCADE"), primary_key=True
    )
    format: Mapped[str] = mapped_column(String(8), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))


class ArchivedReportValue(Base):
    """A value the archived report showed (the home municipality's, gender total), so that
    later revisions of it can be listed."""

    __tablename__ = "archived_report_value"
    report_id: Mapped[int] = mapped_column(
        ForeignKey("archived_report.id", ondelete="CASCADE"), primary_key=True
    )
    kpi_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    municipality_id: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)


# --- Staff survey (aggregates only: respondent rows are never stored) ---------------------------


class SurveyResult(Base):
    """Aggregate answers to the goal-3 question for the whole kommun, a förvaltning or an enhet.

    `forvaltning` and `enhet` are empty strings at the levels above them. Units under the
    anonymity threshold are never stored.
    """

    __tablename__ = "survey_result"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    measure_id: Mapped[str] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(16))
    forvaltning: Mapped[str] = mapped_column(String(200), default="")
    enhet: Mapped[str] = mapped_column(String(200), default="")
    respondents: Mapped[int] = mapped_column(Integer)
    employees: Mapped[int | None] = mapped_column(Integer)
    mean: Mapped[float] = mapped_column(Float)
    share_positive: Mapped[float | None] = mapped_column(Float)
    answers_1: Mapped[int | None] = mapped_column(Integer)
    answers_2: Mapped[int | None] = mapped_column(Integer)
    answers_3: Mapped[int | None] = mapped_column(Integer)
    answers_4: Mapped[int | None] = mapped_column(Integer)
    answers_5: Mapped[int | None] = mapped_column(Integer)
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)
    import_run_id: Mapped[int] = mapped_column(ForeignKey("import_run.id"))

    __table_args__ = (UniqueConstraint("measure_id", "year", "level", "forvaltning", "enhet"),)


class SurveyShownUnit(Base):
    """What one stored version (import run) of a survey year showed, unit by unit.

    `respondents` is the n that was shown, or NULL for a unit that was hidden: a hidden unit's
    figures are never kept. The names of all of a version's units tell which smallest units
    each shown cell adds up, so a corrected re-import is suppressed against every version shown
    before it: no difference between versions reveals a small group, and no combination of
    their cells a unit that has never been shown (`etl.survey_audit`).
    """

    __tablename__ = "survey_shown_unit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    measure_id: Mapped[str] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    import_run_id: Mapped[int] = mapped_column(ForeignKey("import_run.id"))
    level: Mapped[str] = mapped_column(String(16))
    forvaltning: Mapped[str] = mapped_column(String(200), default="")
    enhet: Mapped[str] = mapped_column(String(200), default="")
    respondents: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("import_run_id", "level", "forvaltning", "enhet"),
        Index("ix_survey_shown_unit_measure_year", "measure_id", "year"),
    )


# --- Own measurement (test contacts) ------------------------------------------------------------


class Contact(Base):
    """One test contact of the municipality's own measurement: an e-mail, call or letter.

    `year` is the year of `sent`; `answered` is empty when no answer came. `reached_handlaggare`
    (telephone) and `grade` (bemötande 1–4) are empty when the tester did not record them.
    Every contact of a year comes from one file (its import run holds the file's SHA-256).
    """

    __tablename__ = "contact"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    sent: Mapped[datetime] = mapped_column(DateTime)
    answered: Mapped[datetime | None] = mapped_column(DateTime)
    reached_handlaggare: Mapped[bool | None] = mapped_column(Boolean)
    grade: Mapped[int | None] = mapped_column(Integer)
    forvaltning: Mapped[str] = mapped_column(String(200), default="")
    enhet: Mapped[str] = mapped_column(String(200), default="")
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)
    import_run_id: Mapped[int] = mapped_column(ForeignKey("import_run.id"))

    __table_args__ = (Index("ix_contact_year_channel", "year", "channel"),)


# --- People and audit ---------------------------------------------------------------------------


class AppUser(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16), default="viewer")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    email: Mapped[str | None] = mapped_column(String(254))
    # The name shown beside what the person changed ("av Anna Andersson"); the login name
    # when there is none. The audit log keeps the login name.
    display_name: Mapped[str | None] = mapped_column(String(100))
    # When the person last opened the page Nytt: the page lists what changed since then.
    news_seen_at: Mapped[datetime | None] = mapped_column(DateTime)


class UserSession(Base):
    """A logged-in browser session. The cookie holds a random token; only its hash is kept
    here, and deleting the row (logging out, a new password, a disabled account) ends the
    session at once, also for a copy of the cookie."""

    __tablename__ = "user_session"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_user_session_user_id", "user_id"),)


class LoginAttempt(Base):
    """Kept in the database (not in memory) so that every worker sees the same rate limit."""

    __tablename__ = "login_attempt"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100))
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    success: Mapped[bool] = mapped_column(Boolean, default=False)

    # What the login limit counts (the failures of a name from an address, and of an address)
    # and the purge of attempts too old to count.
    __table_args__ = (
        Index("ix_login_attempt_username_remote_addr", "username", "remote_addr", "success",
              "at"),
        Index("ix_login_attempt_remote_addr", "remote_addr", "success", "at"),
        Index("ix_login_attempt_at", "at"),
    )


class AuditEvent(Base):
    """Who changed what, when, from what to what (JSON text before and after)."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(200), default="")
    before: Mapped[str] = mapped_column(Text, default="")
    after: Mapped[str] = mapped_column(Text, default="")


# --- Alerts by e-mail ----------------------------------------------------------------------------


class AlertSubscription(Base):
    """A person's wish to be told by e-mail of one kind of change (see `etl.alerts.KINDS`)."""

    __tablename__ = "alert_subscription"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"),
                                         primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)


class AlertRun(Base):
    """One alert round: the change log rows (ids) it told about, so that the next round starts
    after them and no change is told twice."""

    __tablename__ = "alert_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    first_change_id: Mapped[int | None] = mapped_column(Integer)
    last_change_id: Mapped[int] = mapped_column(Integer)
    messages: Mapped[int] = mapped_column(Integer, default=0)


class AlertOutbox(Base):
    """An alert e-mail, kept from the round that wrote it until an SMTP server accepted it
    (`sent_at`), so that no alert is lost to a server that is down."""

    __tablename__ = "alert_outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_run_id: Mapped[int] = mapped_column(ForeignKey("alert_run.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_alert_outbox_sent_at", "sent_at"),)


class DataState(Base):
    """One row whose `version` every write bumps, so that cached query results can be dropped."""

    __tablename__ = "data_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


metadata = Base.metadata

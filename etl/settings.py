"""Settings from the environment (and an optional `.env` file).

Names follow the design: `DATABASE_URL`, `KOLADA_BASE_URL` and `REDIS_URL` are the usual
unprefixed names of a deployment; everything specific to Målbild starts with `MALBILD_`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from etl import digits

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'malbild.sqlite'}"
# The page cache's limits (dashboard/store/cache.py): per answer, in all, and answers per data
# version.
PAGE_CACHE_ENTRY_BYTES = 2 * 1024 * 1024
PAGE_CACHE_TOTAL_BYTES = 64 * 1024 * 1024
PAGE_CACHE_ENTRIES = 2000


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MALBILD_", env_file=".env", extra="ignore")

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        validation_alias=AliasChoices("DATABASE_URL", "MALBILD_DATABASE_URL"),
        description="SQLAlchemy URL; SQLite file by default, postgresql+psycopg://… in production.",
    )
    kolada_base_url: str = Field(
        "https://api.kolada.se/v3",
        validation_alias=AliasChoices("KOLADA_BASE_URL", "MALBILD_KOLADA_BASE_URL"),
    )
    kolada_timeout: float = Field(30.0, gt=0, description="Seconds to wait for one answer.")
    kolada_attempts: int = Field(5, ge=1, le=20, description="Tries per request before giving up.")
    kolada_backoff: float = Field(
        1.0, ge=0, description="First wait between tries (seconds); doubled on every retry."
    )
    redis_url: str | None = Field(
        None, validation_alias=AliasChoices("REDIS_URL", "MALBILD_REDIS_URL")
    )
    broker_url: str | None = Field(
        None, description="Celery's broker and result store (Redis); default REDIS_URL. Without "
                          "either, background work runs in the web process (DiskcacheManager) "
                          "and the scheduled sync from cron («malbild sync»).")
    sync_schedule: str = Field(
        "auto", description="When Celery beat runs the sync cycle: «auto» (daily at "
                            "MALBILD_SYNC_TIME in MALBILD_SYNC_SEASON_MONTHS, else weekly on "
                            "Mondays), a crontab «minute hour day month weekday», a number of "
                            "seconds between cycles, or «off».")
    sync_time: str = Field("06:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
                           description="Time of day (HH:MM, the worker's time zone) of a cycle.")
    sync_season_months: Annotated[list[int], NoDecode] = Field(
        default_factory=lambda: [1, 2, 3, 4, 5, 6, 12],
        description="Months of KKiK's publication season (daily cycles), e.g. «1-6,12».")
    data_dir: Path = DEFAULT_DATA_DIR
    strategy_file: Path | None = Field(
        None, description="The strategy file; default `<data_dir>/strategy.toml`."
    )
    report_template: Path | None = Field(
        None, description="Word template of the yearly report; default "
                          "`<data_dir>/report/rapportmall.docx`.")
    report_logo: Path | None = Field(
        None, description="The municipality's logo (PNG or JPEG) for the report's header and "
                          "title slide; none when not set.")
    municipality: str | None = Field(
        None, description="Overrides the strategy file's municipality (four digits, e.g. 1277)."
    )
    anonymity_threshold: int = Field(5, description="Smallest survey group that may be shown.")
    cache: bool = Field(True, description="Cache query results (MALBILD_CACHE=off turns off).")
    page_cache: bool = Field(
        True, description="Cache whole page answers (MALBILD_PAGE_CACHE=off keeps only query "
                          "results: every page is built again, from the follow-up built once).")
    page_cache_entry_bytes: int = Field(
        PAGE_CACHE_ENTRY_BYTES, gt=0, description="A larger page answer is not kept.")
    page_cache_total_bytes: int = Field(
        PAGE_CACHE_TOTAL_BYTES, gt=0,
        description="Page answers kept in all: in Redis, or in each worker's memory.")
    page_cache_entries: int = Field(
        PAGE_CACHE_ENTRIES, gt=0, description="Page answers kept per data version.")
    upload_max_bytes: int = Field(20 * 1024 * 1024, gt=0,
                                  description="Largest file accepted by an upload.")
    contact_email: str | None = Field(
        None, description="Kontakt i tillgänglighetsredogörelsen (e-post).")
    secret_key: str | None = Field(
        None, description="Signs session cookies; the same in every worker and server.")
    public_read: bool = Field(
        True, description="KKiK pages readable without logging in (survey per unit and admin "
                          "pages always need it).")
    trust_proxy_user_header: str | None = Field(
        None, description="Header with the user name set by a single-sign-on proxy (off).")
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Addresses or networks of the reverse proxies in front of Målbild, whose "
                    "user header and X-Forwarded-* are believed; none unless configured.")

    require_separate_approver: bool = Field(
        False, description="An analysis text is adopted (fastställd) only by someone else than "
                           "the one who wrote it.")

    smtp_url: str | None = Field(
        None, description="The SMTP server for alerts: smtp://[user:password@]host[:port], "
                          "smtp+starttls://… (STARTTLS, port 587) or smtps://… (TLS, port "
                          "465). Without it, alerts wait in the outbox.")
    mail_from: str | None = Field(
        None, description="Sender of alerts, e.g. «Målbild <malbild@astorp.se>».")
    public_url: str | None = Field(
        None, description="Målbild's public address (https://malbild.astorp.se), for the "
                          "links in alerts.")
    smtp_timeout: float = Field(30.0, gt=0, description="Seconds to wait for the SMTP server.")
    smtp_attempts: int = Field(3, ge=1, le=10,
                               description="Tries per e-mail and round before it waits for "
                                           "the next round.")

    @field_validator("smtp_url")
    @classmethod
    def _smtp_scheme(cls, value: str | None) -> str | None:
        if value and value.split("://", 1)[0] not in ("smtp", "smtp+starttls", "smtps"):
            raise ValueError("MALBILD_SMTP_URL ska börja med smtp://, smtp+starttls:// eller "
                             "smtps://")
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        """"10.0.0.5, 10.1.0.0/16" (or a JSON list) from the environment."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                import json

                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("sync_season_months", mode="before")
    @classmethod
    def _month_ranges(cls, value: object) -> object:
        """"1-6,12" (or a JSON list) from the environment."""
        if not isinstance(value, str):
            return value
        months: list[int] = []
        for part in filter(None, (p.strip() for p in value.split(","))):
            first, _, last = part.partition("-")
            months += range(int(first), int(last or first) + 1)
        return months

    @field_validator("sync_season_months")
    @classmethod
    def _real_months(cls, value: list[int]) -> list[int]:
        if any(not 1 <= month <= 12 for month in value):
            raise ValueError("MALBILD_SYNC_SEASON_MONTHS ska vara månader 1–12, t.ex. «1-6,12»")
        return sorted(set(value))

    @property
    def celery_broker(self) -> str | None:
        """Where background work is queued: MALBILD_BROKER_URL, else REDIS_URL, else none."""
        return self.broker_url or self.redis_url

    @model_validator(mode="after")
    def _single_sign_on_needs_a_proxy(self) -> Settings:
        """The user header makes anyone who can send it that user: only a named proxy may."""
        if self.trust_proxy_user_header and not self.trusted_proxies:
            raise ValueError(
                "MALBILD_TRUST_PROXY_USER_HEADER kräver att proxyns adress anges i "
                "MALBILD_TRUSTED_PROXIES (annars kan vem som helst på maskinen bli vilken "
                "användare som helst)")
        return self

    @field_validator("anonymity_threshold")
    @classmethod
    def _threshold_at_least_three(cls, value: int) -> int:
        if value < 3:
            raise ValueError("MALBILD_ANONYMITY_THRESHOLD får inte vara lägre än 3")
        return value

    @field_validator("municipality")
    @classmethod
    def _four_digit_code(cls, value: str | None) -> str | None:
        if value is not None and (len(value) != 4 or not digits.is_digits(value)):
            raise ValueError("MALBILD_MUNICIPALITY ska vara en kommunkod med fyra siffror (1277)")
        return value

    @property
    def strategy_path(self) -> Path:
        return self.strategy_file or self.data_dir / "strategy.toml"

    @property
    def kolada_dir(self) -> Path:
        return self.data_dir / "kolada"


UNPREFIXED = {"database_url": "DATABASE_URL", "kolada_base_url": "KOLADA_BASE_URL",
              "redis_url": "REDIS_URL"}


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    try:
        return Settings()
    except ValidationError as exc:
        from etl.errors import InputError, Location

        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else ""
        name = UNPREFIXED.get(field, f"MALBILD_{field.upper()}")
        problem = first["msg"].removeprefix("Value error, ").removeprefix(f"{name} ")
        if not field:  # a rule about several settings together
            raise InputError(f"{problem}.", Location("miljövariabler (eller .env)"),
                             hint="Rätta inställningarna och försök igen (se Konfiguration "
                             "i README).") from None
        raise InputError(f"{name} = «{first.get('input')}»: {problem}.",
                         Location("miljövariabler (eller .env)"),
                         hint="Rätta inställningen och försök igen (se Konfiguration i "
                         "README).") from None

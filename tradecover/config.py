"""Settings from environment variables prefixed ``TRADECOVER_`` (pydantic-settings)."""

from __future__ import annotations

import secrets
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

VAR_DIR = Path("var")

DB_CONNECT_TIMEOUT_S = 3
"""Default seconds a new database connection waits for the server."""
DB_POOL_TIMEOUT_S = 3.0
"""Default seconds a request waits for a pooled database connection."""


class Settings(BaseSettings):
    """Runtime configuration; every field can be set as ``TRADECOVER_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="TRADECOVER_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{VAR_DIR / 'tradecover.db'}",
        description="SQLAlchemy URL: SQLite by default, postgresql+psycopg://... in production",
    )
    db_connect_timeout_seconds: int = Field(
        default=DB_CONNECT_TIMEOUT_S,
        ge=2,
        le=30,
        description="Seconds a new PostgreSQL connection waits for the server before the "
        "request is answered 503 database_unavailable (libpq counts 2 at least)",
    )
    db_pool_timeout_seconds: float = Field(
        default=DB_POOL_TIMEOUT_S,
        gt=0,
        le=30,
        description="Seconds a request waits for a pooled PostgreSQL connection before it "
        "is answered 503 database_unavailable",
    )
    secret_key: str | None = Field(
        default=None,
        description="Key that signs access tokens; generated into var/secret_key when unset",
    )
    token_ttl_minutes: int = Field(default=480, ge=1, le=60 * 24 * 30)
    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    default_locale: str = "en"
    limit_four_eyes_above: int = Field(
        default=1_000_000,
        ge=0,
        description="Credit limits above this amount (major units of the limit's currency) "
        "need a second underwriter's approval",
    )
    limit_auto_approve_up_to: int = Field(
        default=50_000,
        ge=0,
        description="Small clean limit applications up to this amount are decided automatically",
    )
    limit_idle_days: int = Field(
        default=180, ge=1, description="Limits unused this many days are revoked by the job"
    )
    limit_under_use_share: Decimal = Field(
        default=Decimal("0.25"),
        gt=0,
        lt=1,
        description="A limit whose peak outstanding stayed below this share of it for the "
        "under-use period is proposed for reduction (0.25 = 25 %)",
    )
    limit_under_use_days: int = Field(
        default=180,
        ge=1,
        le=3650,
        description="Days (ending today) over which the under-use job looks at a limit's peak",
    )
    limit_under_use_target_share: Decimal = Field(
        default=Decimal("0.5"),
        gt=0,
        le=1,
        description="The proposed reduced limit makes the peak this share of it (0.5: twice "
        "the peak)",
    )
    limit_under_use_round_to: int = Field(
        default=1000,
        ge=1,
        description="Proposed amounts are rounded up to a multiple of this many major units",
    )
    limit_watch_single: int = Field(
        default=5_000_000,
        ge=1,
        description="A single credit limit from this amount (USD) puts its buyer on the watch list",
    )
    limit_watch_buyer_total: int = Field(
        default=10_000_000,
        ge=1,
        description="Limits on one buyer totalling this amount (USD) put it on the watch list",
    )
    dask_scheduler: str | None = Field(
        default=None,
        description="Address of a Dask scheduler (tcp://host:8786) that runs the Monte Carlo "
        "of risk runs; unset: the API's embedded thread pool runs them",
    )
    risk_max_obligor_scenarios: int = Field(
        default=10**10,
        ge=1,
        description="Largest risk run the API accepts: obligors x scenarios x cases",
    )
    billing_payment_days: int = Field(
        default=30, ge=0, le=365, description="Premium notices are due this many days after issue"
    )
    billing_at_risk_after_days: int = Field(
        default=0,
        ge=0,
        le=365,
        description="Shipments behind premium unpaid this many days past due are at risk",
    )
    billing_suspend_after_days: int = Field(
        default=60,
        ge=0,
        le=365,
        description="The arrears job suspends a policy whose premium is this many days past due",
    )
    claim_filing_days: int = Field(
        default=180,
        ge=0,
        le=730,
        description="Default days after the notice of possible loss to file the claim "
        "(a policy's claim terms may set its own)",
    )
    claim_waiting_period_days: int = Field(
        default=120,
        ge=0,
        le=730,
        description="Default waiting period after the due date before a protracted default "
        "is paid (none on proven insolvency unless the policy says so)",
    )
    claim_second_approval_above: int = Field(
        default=100_000,
        ge=0,
        description="Default: claims paying more than this (major units of the claim's "
        "currency) need a second claims handler's approval",
    )
    audit_keys_dir: Path = Field(
        default=VAR_DIR / "audit-keys",
        description="Folder of the audit checkpoint signing key (outside the database) and "
        "of public-keys.json, the public keys to publish",
    )
    audit_checkpoint_sink: str = Field(
        default=str(VAR_DIR / "audit-checkpoints.jsonl"),
        description="Where signed audit checkpoints are appended besides the database: a "
        "JSON-lines file path, or an fsspec URL (s3://bucket/prefix) for an "
        "object store",
    )
    consent_retention_days: int = Field(
        default=30,
        ge=0,
        le=3650,
        description="Days the data a consent opened is kept after the consent ended "
        "(revoked or expired) before the purge removes it",
    )
    financial_records_years: int = Field(
        default=10,
        ge=0,
        le=30,
        description="Years financial records (documents a declaration rests on) are kept "
        "whatever the consents, as the law requires",
    )
    claim_document_max_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1, description="Largest claim document accepted, in bytes"
    )
    claim_document_types: str = Field(
        default="application/pdf,image/png,image/jpeg,image/tiff,"
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
        "text/plain,text/csv",
        description="Media types of claim documents accepted (comma-separated); the type is "
        "sniffed from the content",
    )
    document_storage: Literal["local", "s3"] = Field(
        default="local",
        description="Where claim documents are stored: the local filesystem (document_dir) "
        "or an S3-compatible store (s3_*)",
    )
    document_dir: Path = Field(
        default=VAR_DIR / "documents", description="Directory of the local document store"
    )
    s3_endpoint_url: str | None = Field(
        default=None, description="S3-compatible endpoint (unset: AWS S3 of s3_region)"
    )
    s3_bucket: str | None = Field(default=None, description="Bucket of claim documents")
    s3_prefix: str = Field(default="tradecover/", description="Key prefix in the bucket")
    s3_region: str = Field(default="us-east-1", description="Region of the S3 store")
    s3_access_key_id: str | None = Field(default=None, description="S3 access key id")
    s3_secret_access_key: str | None = Field(default=None, description="S3 secret key")
    en16931_ubl_schematron_xslt: Path | None = Field(
        default=None,
        description="Compiled XSLT of the official EN 16931 Schematron for UBL that the "
        "e-invoice feeds run besides the built-in rules; unset: built-in only",
    )
    en16931_cii_schematron_xslt: Path | None = Field(
        default=None,
        description="Compiled XSLT of the official EN 16931 Schematron for CII (also "
        "Factur-X); unset: built-in rules only",
    )
    nats_url: str | None = Field(
        default=None,
        description="NATS servers of the feed stream (nats://host:4222, comma-separated for "
        "a cluster); unset: the embedded nats-server on 127.0.0.1:nats_port, "
        "its JetStream store under var/nats",
    )
    nats_port: int = Field(
        default=4222, ge=1, le=65535, description="Port of the embedded nats-server"
    )
    nats_store_dir: Path = Field(
        default=VAR_DIR / "nats", description="JetStream store of the embedded nats-server"
    )
    feeds_stream: str = Field(
        default="TRADECOVER_FEEDS",
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="JetStream stream of received feed documents",
    )
    feeds_subject_prefix: str = Field(
        default="tradecover.feeds",
        pattern=r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*$",
        description="Subjects are <prefix>.<source>.<exporter org id>",
    )
    feeds_consumer: str = Field(
        default="attachment",
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="Durable pull consumer the attachment workers share",
    )
    feeds_max_deliver: int = Field(
        default=5,
        ge=1,
        le=100,
        description="Deliveries of one message before the worker quarantines it "
        "(processing_failed)",
    )
    feeds_ack_wait_seconds: int = Field(
        default=30,
        ge=1,
        le=3600,
        description="Seconds a worker holds a message before JetStream redelivers it",
    )
    sql_echo: bool = False
    behind_tls: bool = Field(
        default=False,
        description="The deployment is served over HTTPS (directly or by a TLS proxy): send "
        "Strict-Transport-Security and mark the dashboard's cookies Secure",
    )
    sign_in_account_free_failures: int = Field(
        default=5,
        ge=1,
        le=1000,
        description="Wrong passwords for one e-mail address before it is locked for a while",
    )
    sign_in_address_free_failures: int = Field(
        default=20,
        ge=1,
        le=100_000,
        description="Failed sign-ins from one client address before it is locked for a while",
    )
    sign_in_lock_seconds: int = Field(
        default=30,
        ge=1,
        le=86_400,
        description="The first lock's length; each further failure doubles it",
    )
    sign_in_max_lock_seconds: int = Field(
        default=900, ge=1, le=7 * 86_400, description="The longest a lock lasts"
    )
    sign_in_forget_after_seconds: int = Field(
        default=900,
        ge=1,
        le=30 * 86_400,
        description="Failures older than this (with no lock in force) are forgotten",
    )
    webhooks_development: bool = Field(
        default=False,
        description="Development mode of webhooks: endpoints may be http:// on loopback and "
        "deliveries may go to loopback addresses (never in production)",
    )
    webhook_disable_after_days: int = Field(
        default=5,
        ge=1,
        le=60,
        description="An endpoint whose deliveries have failed this many days running is "
        "disabled (its organisation is told)",
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, le=60, description="How long one delivery attempt may take"
    )
    smtp_host: str = Field(default="127.0.0.1", description="The SMTP server e-mail goes out by")
    smtp_port: int = Field(default=25, ge=1, le=65535, description="Its port")
    mail_sender: str = Field(
        default="tradecover <no-reply@tradecover.example>",
        max_length=200,
        description="The From of the e-mailed notices",
    )
    jobs_stream: str = Field(
        default="TRADECOVER_JOBS",
        pattern=r"^[A-Z][A-Z0-9_]{0,63}$",
        description="The JetStream work-queue stream of the jobs",
    )

    def signing_key(self) -> str:
        """The token signing key, created once per installation when not configured."""
        if self.secret_key:
            return self.secret_key
        path = VAR_DIR / "secret_key"
        if path.exists():
            return path.read_text().strip()
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key

    @property
    def nats_address(self) -> str:
        """The NATS server the feeds and the jobs use: ``nats_url``, else the embedded one."""
        return self.nats_url or f"nats://127.0.0.1:{self.nats_port}"

    def accepted_document_types(self) -> tuple[str, ...]:
        """The media types of claim documents accepted, from ``claim_document_types``."""
        return tuple(t.strip().lower() for t in self.claim_document_types.split(",") if t.strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once from the environment)."""
    return Settings()

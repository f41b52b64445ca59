"""Use cases of signing in: throttled password checks, server-side sessions, revocation.

Every access token names a row of ``user_sessions``; a token is accepted only while its
session is neither revoked nor expired, checked by ONE indexed lookup that also loads the
person and their organisation. Failed sign-ins are counted per e-mail address and per
client address in ``sign_in_throttles`` (shared by every process) under the rules of
:mod:`tradecover.access.throttle`; an unknown e-mail address costs the same password hash
and the same writes as a known one.

A failed attempt's counters must outlive the refusal, so :func:`attempt_sign_in` does not
raise: it returns the refusal, the edge commits and then answers with it.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from tradecover import audit
from tradecover.access.model import Organisation, SignInThrottle, User, UserSession
from tradecover.access.principal import Principal
from tradecover.access.repository import readable_by
from tradecover.access.roles import OrganisationKind, Permission, Role
from tradecover.access.secrets import (
    hash_password,
    issue_token,
    read_token,
    subject_digest,
    verify_password,
)
from tradecover.access.throttle import (
    ThrottlePolicy,
    ThrottleState,
    after_failure,
    locked_for,
    newly_locked,
)
from tradecover.config import Settings
from tradecover.kit.dates import utc_now
from tradecover.kit.errors import (
    AuthenticationFailed,
    DomainError,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
)

ACCOUNT, ADDRESS = "account", "address"
_DECOY_HASH = hash_password(hmac.new(b"decoy", b"tradecover", "sha256").hexdigest())
"""A hash no password matches: unknown e-mail addresses are checked against it."""


@dataclass(frozen=True, slots=True)
class SignInLimits:
    """The throttles of accounts (by e-mail address) and of client addresses."""

    account: ThrottlePolicy
    address: ThrottlePolicy


@dataclass(frozen=True, slots=True)
class SignInOutcome:
    """A sign-in's result: the person, their token and session, or the refusal to raise."""

    user: User | None = None
    token: str | None = None
    user_session: UserSession | None = None
    refusal: DomainError | None = None


def attempt_sign_in(
    session: Session,
    *,
    email: str,
    password: str,
    client_address: str | None,
    user_agent: str | None,
    key: str,
    ttl: timedelta,
    limits: SignInLimits,
    now: datetime | None = None,
) -> SignInOutcome:
    """Check a person's password under the throttles; on success start a session.

    A locked account or client address is refused (429) before any password is checked;
    a wrong password counts one failure for both (401). The edge must commit the
    transaction before it answers a refusal: the counters and lockout entries stay.
    """
    now = now or utc_now()
    address = email.strip().lower()
    subjects = [(ACCOUNT, subject_digest(ACCOUNT, address), limits.account)]
    if client_address:
        subjects.append((ADDRESS, subject_digest(ADDRESS, client_address), limits.address))
    states = _states(session, [(scope, subject) for scope, subject, _ in subjects])
    waits = [w for w in (locked_for(states[(s, d)], now) for s, d, _ in subjects) if w]
    if waits:
        seconds = max(1, int(max(waits).total_seconds() + 0.999))
        return SignInOutcome(
            refusal=TooManyAttempts(
                f"too many failed sign-ins: try again in {seconds} seconds",
                code="sign_in_locked",
                retry_after=seconds,
            )
        )
    user = session.execute(select(User).where(User.email == address)).scalar_one_or_none()
    matches = verify_password(password, user.password_hash if user else _DECOY_HASH)
    if user is None or not user.active or not matches:
        for scope, subject, policy in subjects:
            _count_failure(
                session,
                scope=scope,
                subject=subject,
                policy=policy,
                now=now,
                user=user,
                shown=address if scope == ACCOUNT else client_address,
            )
        return SignInOutcome(
            refusal=AuthenticationFailed("wrong e-mail or password", code="invalid_credentials")
        )
    if states[(ACCOUNT, subjects[0][1])].failures:
        session.execute(
            delete(SignInThrottle).where(
                SignInThrottle.scope == ACCOUNT, SignInThrottle.subject == subjects[0][1]
            )
        )
    started = UserSession(
        user_id=user.id,
        created_at=now,
        expires_at=now + ttl,
        client_address=(client_address or None) and client_address[:64],
        user_agent=(user_agent or None) and user_agent[:200],
    )
    session.add(started)
    session.flush()
    token = issue_token(user_id=user.id, session_id=started.id, key=key, now=now, ttl=ttl)
    return SignInOutcome(user=user, token=token, user_session=started)


def _states(session: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], ThrottleState]:
    found = {
        (r.scope, r.subject): ThrottleState(r.failures, r.last_failure_at, r.locked_until)
        for r in session.execute(
            select(
                SignInThrottle.scope,
                SignInThrottle.subject,
                SignInThrottle.failures,
                SignInThrottle.last_failure_at,
                SignInThrottle.locked_until,
            ).where(  # primary-key probes: one per subject
                or_(
                    *(
                        and_(SignInThrottle.scope == scope, SignInThrottle.subject == subject)
                        for scope, subject in keys
                    )
                )
            )
        )
    }
    return {k: found.get(k, ThrottleState()) for k in keys}


def _count_failure(
    session: Session,
    *,
    scope: str,
    subject: str,
    policy: ThrottlePolicy,
    now: datetime,
    user: User | None,
    shown: str | None,
) -> None:
    """Count one failure of a subject under a row lock; audit the lock it may earn."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(SignInThrottle)
        .values(scope=scope, subject=subject, failures=0)
        .on_conflict_do_nothing()
    )
    row = session.execute(
        select(SignInThrottle)
        .where(SignInThrottle.scope == scope, SignInThrottle.subject == subject)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    before = ThrottleState(row.failures, row.last_failure_at, row.locked_until)
    after = after_failure(before, now, policy)
    row.failures, row.last_failure_at, row.locked_until = (
        after.failures,
        after.last_failure_at,
        after.locked_until,
    )
    if not newly_locked(before, after):
        return
    assert after.locked_until is not None
    if scope == ACCOUNT and user is not None:
        org_id, entity_type, entity_id = user.org_id, "user", str(user.id)
    else:
        org_id = session.execute(
            select(Organisation.id).where(Organisation.kind == OrganisationKind.INSURER.value)
        ).scalar_one()
        entity_type, entity_id = "sign_in_subject", f"{scope}:{subject[:16]}"
    audit.record(
        session,
        org_id=org_id,
        actor=f"sign-in:{scope}",
        action="sign_in.locked",
        entity_type=entity_type,
        entity_id=entity_id,
        at=now,
        reason=f"{after.failures} failed sign-ins in a row",
        after={
            "scope": scope,
            scope: shown,
            "failures": after.failures,
            "locked_until": after.locked_until.isoformat(),
        },
    )


def principal_from_token(
    session: Session, token: str, *, key: str, now: datetime | None = None
) -> Principal:
    """Resolve a bearer token to a principal, or :class:`AuthenticationFailed`: its
    session must be live (not revoked, not expired) and its person active.
    """
    claims = read_token(token, key=key)
    row = session.execute(
        select(
            UserSession.user_id, UserSession.expires_at, UserSession.revoked_at, User, Organisation
        )
        .join(User, User.id == UserSession.user_id)
        .join(Organisation, Organisation.id == User.org_id)
        .where(UserSession.id == claims.session_id)
    ).one_or_none()
    if row is None or row.user_id != claims.user_id:
        raise AuthenticationFailed("invalid access token", code="invalid_token")
    if row.revoked_at is not None:
        raise AuthenticationFailed("session ended", code="session_revoked")
    if row.expires_at <= (now or utc_now()):
        raise AuthenticationFailed("access token expired", code="token_expired")
    user, org = row.User, row.Organisation
    if not user.active:
        raise AuthenticationFailed("user unknown or disabled", code="invalid_token")
    return Principal(
        actor=f"user:{user.id}",
        org_id=org.id,
        org_slug=org.slug,
        org_kind=OrganisationKind(org.kind),
        role=Role(user.role),
        user_id=user.id,
        session_id=claims.session_id,
    )


def _user_in_reach(session: Session, principal: Principal, user_id: int) -> User:
    """The person ``user_id`` when the caller is that person or an admin who may see
    them; otherwise 404 (another organisation's person) or 403 (not an admin).
    """
    user = session.execute(
        readable_by(principal, User).where(User.id == user_id)
    ).scalar_one_or_none()
    if user is None:
        raise NotFound(f"no user {user_id}", code="user_not_found")
    if principal.user_id != user.id:
        principal.require(Permission.ORG_ADMIN)
    return user


def list_sessions(
    session: Session, *, principal: Principal, user_id: int, include_ended: bool = False
) -> list[UserSession]:
    """A person's sessions, newest first: live ones, or all with ``include_ended``."""
    _user_in_reach(session, principal, user_id)
    query = select(UserSession).where(UserSession.user_id == user_id)
    if not include_ended:
        query = query.where(UserSession.revoked_at.is_(None), UserSession.expires_at > utc_now())
    return list(session.execute(query.order_by(UserSession.id.desc())).scalars())


def revoke_session(
    session: Session, *, principal: Principal, session_id: int, reason: str | None = None
) -> UserSession:
    """End one session at once (its owner or an admin); ending an ended one changes nothing."""
    found = session.get(UserSession, session_id)
    if found is None:
        raise NotFound(f"no session {session_id}", code="session_not_found")
    try:
        user = _user_in_reach(session, principal, found.user_id)
    except NotFound:
        raise NotFound(f"no session {session_id}", code="session_not_found") from None
    except PermissionDenied:
        raise NotFound(f"no session {session_id}", code="session_not_found") from None
    if found.revoked_at is None:
        _revoke(session, principal=principal, user=user, ended=[found], reason=reason)
    return found


def revoke_all_sessions(
    session: Session, *, principal: Principal, user_id: int, reason: str | None = None
) -> int:
    """End every live session of a person (an admin, or the person) and return how many."""
    user = _user_in_reach(session, principal, user_id)
    live = list(
        session.execute(
            select(UserSession)
            .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
            .order_by(UserSession.id)
            .with_for_update()
        ).scalars()
    )
    if live:
        _revoke(session, principal=principal, user=user, ended=live, reason=reason)
    return len(live)


def _revoke(
    session: Session,
    *,
    principal: Principal,
    user: User,
    ended: list[UserSession],
    reason: str | None,
) -> None:
    now = utc_now()
    ids = [s.id for s in ended]
    session.execute(
        update(UserSession)
        .where(UserSession.id.in_(ids), UserSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by=principal.actor[:64])
        .execution_options(synchronize_session="fetch")
    )
    for ended_session in ended:
        audit.record(
            session,
            org_id=user.org_id,
            actor=principal.actor,
            action="session.revoked",
            entity_type="user_session",
            entity_id=ended_session.id,
            reason=reason,
            at=now,
            before={"revoked": False},
            after={"revoked": True, "user_id": user.id},
            chain=audit.chain_for(user.id),
        )


def sign_in_limits(settings: Settings) -> SignInLimits:
    """The throttles the deployment configured (``TRADECOVER_SIGN_IN_*``)."""
    lock = timedelta(seconds=settings.sign_in_lock_seconds)
    longest = max(lock, timedelta(seconds=settings.sign_in_max_lock_seconds))
    forget = timedelta(seconds=settings.sign_in_forget_after_seconds)
    return SignInLimits(
        account=ThrottlePolicy(
            free_failures=settings.sign_in_account_free_failures,
            first_lock=lock,
            max_lock=longest,
            forget_after=forget,
        ),
        address=ThrottlePolicy(
            free_failures=settings.sign_in_address_free_failures,
            first_lock=lock,
            max_lock=longest,
            forget_after=forget,
        ),
    )


def user_by_email(session: Session, email: str) -> User:
    """The person with ``email`` (any case) or :class:`NotFound`."""
    found = session.execute(
        select(User).where(User.email == email.strip().lower())
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"no user with e-mail {email.strip()}", code="user_not_found", field="email")
    return found

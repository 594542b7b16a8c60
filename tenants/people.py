"""Use cases on people: accounts, authentication, membership and roles."""

from __future__ import annotations

from datetime import UTC, datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ledger.errors import message
from tenants.errors import InvalidUser
from tenants.models import Invitation, Membership, User
from tenants.password_policy import check_new_password
from tenants.passwords import hash_password, needs_rehash, verify_password
from tenants.queries import membership_of, normalise_email, user_by_email
from tenants.roles import Role

# Verifying against this keeps a login for an unknown e-mail as slow as one for a known e-mail.
_DUMMY_HASH = hash_password("not-a-real-password-only-for-timing")


def create_user(
    session: Session,
    email: str,
    password: str,
    *,
    name: str = "",
    is_bureau_admin: bool = False,
    locale: str | None = None,
    organisation_name: str = "",
) -> User:
    """Register a person. The e-mail must be new and valid, the password long enough.

    ``organisation_name`` (of the invitation being accepted) counts as an easy guess, like the
    person's own name and address.
    """
    address = checked_email(email)
    check_password(password, address, name, organisation_name)
    if user_by_email(session, address) is not None:
        raise InvalidUser(message("%(email)s heeft al een account."), field="email", email=address)
    user = User(
        email=address,
        name=name.strip(),
        password_hash=hash_password(password),
        is_bureau_admin=is_bureau_admin,
        locale=locale,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None; upgrades an outdated hash."""
    user = user_by_email(session, email)
    if user is None or not user.is_active:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = datetime.now(UTC)
    session.flush()
    return user


def add_member(session: Session, user_id: int, organisation_id: int, role: Role) -> Membership:
    """Give a user a role in an organisation (or change the role they have)."""
    membership = membership_of(session, user_id, organisation_id)
    if membership is None:
        membership = Membership(user_id=user_id, organisation_id=organisation_id, role=role)
        session.add(membership)
    else:
        _guard_last_owner(session, membership, role)
        membership.role = role
    session.flush()
    return membership


def change_role(session: Session, user_id: int, organisation_id: int, role: Role) -> Membership:
    """Change a member's role; an organisation never loses its last owner."""
    membership = membership_of(session, user_id, organisation_id)
    if membership is None:
        raise InvalidUser(message("Die persoon is geen lid van deze organisatie."))
    _guard_last_owner(session, membership, role)
    membership.role = role
    session.flush()
    return membership


def remove_member(session: Session, user_id: int, organisation_id: int) -> None:
    """Take a person out of an organisation, unless they are its last owner.

    A person who is no member is refused, not passed over: what follows a removal (ending every
    session of that person) must never reach someone of another organisation.
    """
    membership = membership_of(session, user_id, organisation_id)
    if membership is None:
        raise InvalidUser(message("Die persoon is geen lid van deze organisatie."))
    _guard_last_owner(session, membership, None)
    close_open_invitations(session, organisation_id, membership.user.email)
    session.delete(membership)
    session.flush()


def close_open_invitations(
    session: Session, organisation_id: int, email: str, *, keeping: int | None = None
) -> None:
    """Close the open invitations of ``email`` to an organisation (but ``keeping``'s).

    So a link still in someone's mailbox cannot bring back a member just removed, nor add a
    second role once one invitation was accepted. Here rather than in ``tenants.invitations``,
    which builds on this module, because removing a member needs it.
    """
    statement = update(Invitation).where(
        Invitation.organisation_id == organisation_id,
        func.lower(Invitation.email) == normalise_email(email),
        Invitation.accepted_at.is_(None),
        Invitation.closed_at.is_(None),
    )
    if keeping is not None:
        statement = statement.where(Invitation.id != keeping)
    session.execute(statement.values(closed_at=func.now()))


def checked_email(email: str) -> str:
    try:
        return normalise_email(validate_email(email, check_deliverability=False).normalized)
    except EmailNotValidError as error:
        raise InvalidUser(
            message("%(email)s is geen geldig e-mailadres."), field="email", email=email
        ) from error


def check_password(password: str, *user_inputs: str) -> None:
    """Refuse a new password that breaks the policy (``tenants.password_policy.RULE``)."""
    check_new_password(password, user_inputs)


def _guard_last_owner(session: Session, membership: Membership, new_role: Role | None) -> None:
    if membership.role != Role.OWNER or new_role == Role.OWNER:
        return
    # PostgreSQL refuses FOR UPDATE with count(): lock the owners' rows and count them here,
    # so two owners stepping down at once cannot both pass the check.
    owners = session.scalars(
        select(Membership.id)
        .where(
            Membership.organisation_id == membership.organisation_id,
            Membership.role == Role.OWNER,
        )
        .with_for_update()
    ).all()
    if len(owners) <= 1:
        raise InvalidUser(message("Een organisatie houdt minstens één eigenaar."), field="role")

"""Errors of the tenancy layer."""

from __future__ import annotations

from ledger.errors import DomainError, NotFound, ValidationFailed


class TenantBindingError(DomainError):
    """A session could not be bound to the organisation it asked for; nothing may run."""


class OrganisationNotFound(NotFound):
    """No organisation by that slug (or the caller may not know of it)."""


class ProvisioningFailed(DomainError):
    """Creating an organisation failed; nothing of it was left behind."""


class RoleGrantMissing(DomainError):
    """The owner login may not hand on a shared database role; a superuser grants it once."""


class InvalidOrganisation(ValidationFailed):
    """An organisation's details break a rule."""


class OrganisationInUse(DomainError):
    """An organisation that the bureau's records still point at cannot be deleted."""


class InvalidUser(ValidationFailed):
    """A user's details break a rule."""


class InvitationInvalid(DomainError):
    """The invitation link is unknown, used or expired."""


class BackupFailed(DomainError):
    """Making or reading a backup failed (a program, a file); nothing was restored half-way."""


class RestoreRefused(DomainError):
    """A restore would overwrite or mix with data that is already there, or the file is wrong."""

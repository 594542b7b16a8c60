"""Purchasing's refusals, one small class per failure, under the domain's ``DomainError``."""

from __future__ import annotations

from ledger.errors import DomainError, NotFound, ValidationFailed, message

__all__ = [
    "AllocationRefused",
    "DomainError",
    "EnrolmentRefused",
    "NotFound",
    "PoolNotOpen",
    "TermsInvalid",
    "ValidationFailed",
    "message",
]


class AllocationRefused(ValidationFailed):
    """A total that cannot be split: fractions of a cent, negative weights, nobody to carry it."""


class TermsInvalid(ValidationFailed):
    """Policy terms that cannot price anything (no base tier, a split tax line without a share)."""


class PoolNotOpen(DomainError):
    """The pool is closed, or today is outside its enrolment window."""


class EnrolmentRefused(DomainError):
    """A join, change or leave that the enrolment's state does not allow."""

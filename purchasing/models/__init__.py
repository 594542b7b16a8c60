"""Purchasing's shared tables (schema ``public``); importing this registers them on PublicBase."""

from __future__ import annotations

from purchasing.models.collections import (
    CollectionStatus,
    SepaBatch,
    SepaCollection,
    SepaCreditor,
    SepaMandate,
    SequenceType,
)
from purchasing.models.invoices import (
    BillingDetails,
    Booking,
    BookingStatus,
    Invoice,
    InvoiceCounter,
    InvoiceKind,
    InvoiceLine,
    InvoicePurpose,
    LineKind,
    Payment,
    PaymentMethod,
    Side,
)
from purchasing.models.messages import InvoiceMessage, MessageKind
from purchasing.models.plans import Cadence, MembershipPlan, PlanTier, Subscription
from purchasing.models.policies import (
    CoInsured,
    CollectivePolicy,
    Insurer,
    PolicyDocument,
    RateTier,
)
from purchasing.models.pools import (
    DeclarationKind,
    Enrolment,
    ExposureDeclaration,
    Pool,
    PoolStatus,
)
from purchasing.models.runs import InvoiceRun, RunItem, RunKind, RunStatus
from purchasing.models.submissions import FormSubmission
from purchasing.models.tax import PremiumTaxRate, PremiumTaxTreatment
from purchasing.models.volunteers import MunicipalVolunteerCover, VolunteerScheme

# Online payments keep their tables in their own package; imported here so they are registered.
import purchasing.payments.models  # noqa: F401  isort: skip

__all__ = [
    "BillingDetails",
    "Booking",
    "BookingStatus",
    "Cadence",
    "CoInsured",
    "CollectionStatus",
    "CollectivePolicy",
    "DeclarationKind",
    "Enrolment",
    "ExposureDeclaration",
    "FormSubmission",
    "Insurer",
    "Invoice",
    "InvoiceCounter",
    "InvoiceKind",
    "InvoiceLine",
    "InvoiceMessage",
    "InvoicePurpose",
    "InvoiceRun",
    "LineKind",
    "MembershipPlan",
    "MessageKind",
    "MunicipalVolunteerCover",
    "Payment",
    "PaymentMethod",
    "PlanTier",
    "PolicyDocument",
    "Pool",
    "PoolStatus",
    "PremiumTaxRate",
    "PremiumTaxTreatment",
    "RateTier",
    "RunItem",
    "RunKind",
    "RunStatus",
    "SepaBatch",
    "SepaCollection",
    "SepaCreditor",
    "SepaMandate",
    "SequenceType",
    "Side",
    "Subscription",
    "VolunteerScheme",
]

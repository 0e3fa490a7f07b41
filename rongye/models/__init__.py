"""All models, imported here so Alembic and the app see one metadata."""

from rongye.models.accounts import ORGANISATION_KINDS, ROLES, STAFF_ROLES, Account, Organisation
from rongye.models.base import Base
from rongye.models.intake import ExtraQuestion, ImportBatch
from rongye.models.matching_runs import MatchDecision, MatchProposal, MatchRun, WeightsVersion
from rongye.models.outcomes import FollowUp, FollowUpFact, OutcomeFact, Placement
from rongye.models.profiles import Accommodation, Position, SeekerProfile
from rongye.models.records import CONSENT_PURPOSES, AuditEvent, ConsentEvent

__all__ = [
    "CONSENT_PURPOSES",
    "ORGANISATION_KINDS",
    "ROLES",
    "STAFF_ROLES",
    "Accommodation",
    "Account",
    "AuditEvent",
    "Base",
    "ConsentEvent",
    "ExtraQuestion",
    "FollowUp",
    "FollowUpFact",
    "ImportBatch",
    "MatchDecision",
    "MatchProposal",
    "MatchRun",
    "Organisation",
    "OutcomeFact",
    "Placement",
    "Position",
    "SeekerProfile",
    "WeightsVersion",
]

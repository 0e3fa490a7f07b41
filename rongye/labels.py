"""Translatable display labels for the coded values stored in the database."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROLES = {
    "seeker": _l("Job-seeker"),
    "employer": _l("Employer"),
    "social_worker": _l("Social worker"),
    "analyst": _l("Analyst"),
    "admin": _l("Administrator"),
}
ORGANISATION_KINDS = {
    "employer": _l("Employer"),
    "agency": _l("Social-work agency"),
    "ngo": _l("NGO or programme"),
}
DOMAINS = {
    "seeing": _l("Seeing"),
    "hearing": _l("Hearing"),
    "walking": _l("Walking or climbing steps"),
    "cognition": _l("Remembering or concentrating"),
    "self_care": _l("Self-care"),
    "communication": _l("Communicating"),
    "upper_body": _l("Using hands and arms"),
    "psychosocial": _l("Anxiety, mood and stress"),
}
WORK_MODES = {"remote": _l("Remote"), "onsite": _l("On site"), "hybrid": _l("Hybrid")}
POSITION_STATUSES = {
    "draft": _l("Draft"),
    "open": _l("Open"),
    "paused": _l("Paused"),
    "closed": _l("Closed"),
}
CONSENT_PURPOSES = {
    "matching": _l("Matching me with jobs"),
    "share_employer": _l("Sharing a summary with employers I am proposed to"),
    "research": _l("Anonymous outcome research"),
}
EXIT_CAUSES = {
    "automation": _l("Automation or AI"),
    "contract_end": _l("Contract ended"),
    "health": _l("Health"),
    "accommodation_failure": _l("Accommodation not provided"),
    "discrimination": _l("Discrimination"),
    "own_choice": _l("Own choice"),
    "other": _l("Other"),
}

ALL = {
    "roles": ROLES,
    "organisation_kinds": ORGANISATION_KINDS,
    "domains": DOMAINS,
    "work_modes": WORK_MODES,
    "position_statuses": POSITION_STATUSES,
    "consent_purposes": CONSENT_PURPOSES,
    "exit_causes": EXIT_CAUSES,
}

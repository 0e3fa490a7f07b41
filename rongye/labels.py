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

CONSENT_METHODS = {
    "self": _l("by the job-seeker online"),
    "in_person": _l("in person"),
    "paper": _l("on paper"),
}

ALL = {
    "consent_methods": CONSENT_METHODS,
    "roles": ROLES,
    "organisation_kinds": ORGANISATION_KINDS,
    "domains": DOMAINS,
    "work_modes": WORK_MODES,
    "position_statuses": POSITION_STATUSES,
    "consent_purposes": CONSENT_PURPOSES,
    "exit_causes": EXIT_CAUSES,
}

# -- Positions (employer area) ---------------------------------------------------------------

WORK_TYPES = {
    "data_annotation": _l("Data annotation"),
    "customer_service": _l("Online customer service"),
    "ecommerce": _l("E-commerce operations"),
    "content_review": _l("Content review"),
    "livestream": _l("Live-stream support"),
    "office": _l("Office work"),
    "manufacturing": _l("Manufacturing"),
    "services": _l("Services and care"),
    "crafts": _l("Crafts"),
}
CONTRACT_TYPES = {
    "permanent": _l("Open-ended contract"),
    "fixed_term": _l("Fixed-term contract"),
    "part_time": _l("Part-time work"),
    "platform": _l("Platform or gig work"),
    "internship": _l("Internship"),
}
#: What an employer is told about a proposal's stage (never why, never the seeker's details).
PROPOSAL_STATUSES = {
    "proposed": _l("Proposed by matching"),
    "confirmed": _l("Put forward by a social worker"),
    "rejected": _l("Not put forward"),
    "accepted": _l("The job-seeker is interested"),
    "declined": _l("The job-seeker declined"),
    "review_requested": _l("The job-seeker asked for a review"),
    "hired": _l("Hired"),
    "not_hired": _l("Not hired"),
}
ALL.update(
    {
        "work_types": WORK_TYPES,
        "contract_types": CONTRACT_TYPES,
        "proposal_statuses": PROPOSAL_STATUSES,
    }
)

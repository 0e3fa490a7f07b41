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

# -- Match review ----------------------------------------------------------------------------

RUN_STATUSES = {
    "queued": _l("Waiting to start"),
    "running": _l("Running"),
    "done": _l("Finished"),
    "failed": _l("Failed"),
}
RUN_STAGES = {
    "queued": _l("Waiting for the matching worker"),
    "collecting": _l("Collecting the job-seekers and positions"),
    "solving": _l("Finding the best matches"),
    "saving": _l("Saving the proposals"),
    "done": _l("Finished"),
    "failed": _l("Stopped by an error"),
}
#: Worker-facing names of the proposal statuses (labels.PROPOSAL_STATUSES is the employer's).
REVIEW_STATUSES = {
    "proposed": _l("To review"),
    "confirmed": _l("Confirmed, waiting for the job-seeker"),
    "rejected": _l("Rejected"),
    "accepted": _l("Accepted by the job-seeker"),
    "declined": _l("Declined by the job-seeker"),
    "review_requested": _l("The job-seeker asks for a review"),
    "hired": _l("Hired"),
    "not_hired": _l("Not hired"),
}
COMPONENTS = {
    "skills": _l("Skills fit"),
    "interests": _l("Interests"),
    "comfort": _l("Functional comfort"),
    "stability": _l("Job stability"),
    "net_income": _l("Net income after benefits"),
    "logistics": _l("Work mode and hours"),
}
NEAR_LIMITS = {
    "hours.min": _l("The hours are at the lowest the person wants"),
    "hours.max": _l("The hours are at the most the person wants"),
}
REASON_CODES = {
    "skills_mismatch": _l("Skills do not fit"),
    "not_interested": _l("Not what the person is interested in"),
    "functioning_concern": _l("The work would be too hard on the person's health or body"),
    "unstable_job": _l("The job is not stable enough"),
    "income_risk": _l("Risk to income or benefits"),
    "logistics": _l("Travel, work mode or hours do not suit"),
    "better_alternative": _l("Another position suits better"),
    "seeker_situation": _l("The person's situation has changed"),
    "employer_concern": _l("Concern about the employer"),
    "other": _l("Other reason"),
}
DECLINE_REASONS = {
    "not_interested": _l("I am not interested in this work"),
    "pay": _l("The pay is too low"),
    "hours": _l("The hours do not suit me"),
    "travel": _l("The place or travel does not suit me"),
    "health": _l("My health"),
    "benefits": _l("I am worried about my benefits"),
    "other": _l("Another reason"),
}
UNASSIGNED = {
    "no_reachable_position": _l("No open position matched the person's work modes, region "
                                "and hours."),
    "no_eligible_position": _l("No open position offered the support the person needs, or "
                               "the work asked too much of them."),
    "below_min_score": _l("Positions were possible, but none fitted well enough."),
    "positions_taken": _l("The positions that fitted were given to people they fitted even "
                          "better."),
}
DECISION_KINDS = {
    "confirm": _l("Confirmed"),
    "reject": _l("Rejected"),
    "pin": _l("Pinned"),
    "unpin": _l("Unpinned"),
    "forbid": _l("Forbidden"),
    "swap": _l("Swapped to an alternative"),
    "seeker_accept": _l("Accepted by the job-seeker"),
    "seeker_decline": _l("Declined by the job-seeker"),
    "seeker_review": _l("Review asked by the job-seeker"),
    "employer_hire": _l("Hired"),
    "employer_decline": _l("Not hired"),
    "employer_interview": _l("Interview"),
}
ALL.update(
    {
        "run_statuses": RUN_STATUSES,
        "run_stages": RUN_STAGES,
        "review_statuses": REVIEW_STATUSES,
        "components": COMPONENTS,
        "reason_codes": REASON_CODES,
        "decline_reasons": DECLINE_REASONS,
        "unassigned": UNASSIGNED,
        "decision_kinds": DECISION_KINDS,
        "near_limits": NEAR_LIMITS,
    }
)

"""An agency's own settings: its follow-up schedule, minimum score and local benefit rules.

DESIGN: local benefit rules are never hard-coded. Each agency sets the ones its city applies
(`Organisation.benefit_rules`, the fields of `matching.BenefitRules`); runs carry them in their
inputs snapshot, so a run replays with the rules it used. The minimum score lives in the
agency's weights versions: changing it here puts in force a new version with the same weights,
approved by the admin who changed it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound

from matching import BenefitRules
from rongye.models import Account, Organisation, WeightsVersion
from rongye.services import audit
from rongye.services.accounts import staff_organisations
from rongye.services.followups import DEFAULT_SCHEDULE, validate_schedule
from rongye.services.matching_runs import current_weights

log = logging.getLogger(__name__)


def benefit_rules(organisation: Organisation | None) -> BenefitRules:
    """Return the organisation's local benefit rules (the engine's defaults where unset)."""
    stored = (organisation.benefit_rules if organisation is not None else None) or {}
    fields = {f.name for f in dataclasses.fields(BenefitRules)}
    return BenefitRules(**{k: v for k, v in stored.items() if k in fields})  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Settings:
    #: Days after the start; yearly follow-ups continue after the last one.
    follow_up_days: list[int]
    min_score: int
    rules: BenefitRules


def managed_agencies(session: Session, admin: Account) -> list[Organisation]:
    """Return the agencies whose settings `admin` may change."""
    return [o for o in staff_organisations(session, admin) if o.kind == "agency"]


def managed_agency(session: Session, admin: Account, organisation_id: int) -> Organisation:
    """Return one agency `admin` manages, or raise NotFound (never say whether it exists)."""
    for organisation in managed_agencies(session, admin):
        if organisation.id == organisation_id:
            return organisation
    raise NotFound()


def current_settings(session: Session, organisation: Organisation) -> Settings:
    return Settings(
        follow_up_days=list(organisation.follow_up_days or DEFAULT_SCHEDULE),
        min_score=current_weights(session, organisation.id).min_score,
        rules=benefit_rules(organisation),
    )


def update_settings(
    session: Session, admin: Account, organisation: Organisation, new: Settings
) -> list[str]:
    """Save what changed, audit each change, commit once; return the names of what changed."""
    old = current_settings(session, organisation)
    changed: list[str] = []
    days = validate_schedule(new.follow_up_days)
    if days != old.follow_up_days:
        organisation.follow_up_days = None if days == list(DEFAULT_SCHEDULE) else days
        audit.record(session, admin, "organisation.follow_up_days", organisation, days=days)
        changed.append("follow_up_days")
    if new.rules != old.rules:
        rules = dataclasses.asdict(new.rules)
        organisation.benefit_rules = None if new.rules == BenefitRules() else rules
        audit.record(session, admin, "organisation.benefit_rules", organisation,
                     before=dataclasses.asdict(old.rules), after=rules)
        changed.append("benefit_rules")
    if not 0 <= new.min_score <= 100:
        raise ValueError("the minimum score is 0..100")
    if new.min_score != old.min_score:
        weights = current_weights(session, organisation.id)
        latest = session.scalar(
            select(func.max(WeightsVersion.version))
            .where(WeightsVersion.organisation_id == organisation.id)
        ) or 0
        version = WeightsVersion(
            organisation_id=organisation.id, version=latest + 1, weights=weights.weights,
            min_score=new.min_score, status="approved", proposed_by_id=admin.id,
            approved_by_id=admin.id, decided_at=dt.datetime.now(dt.UTC),
            evidence={"method": "minimum score set by an administrator",
                      "from_version": weights.version, "from_min_score": weights.min_score},
        )
        session.add(version)
        session.flush()
        audit.record(session, admin, "weights.min_score", version, version=version.version,
                     before=weights.min_score, after=new.min_score)
        changed.append("min_score")
    session.commit()
    log.info("settings of %r changed by %r: %s", organisation, admin, changed)
    return changed

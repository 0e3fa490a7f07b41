"""The instance: typed, validated input of the matching engine, and its JSON parser."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from matching.catalogue import BUILTIN_ACCOMMODATIONS, DOMAINS, LEVELS, WORK_MODES

#: Score components, in display order, with their default weights (points out of 100).
COMPONENTS: Final[tuple[str, ...]] = (
    "skills",
    "interests",
    "comfort",
    "stability",
    "net_income",
    "logistics",
)
DEFAULT_WEIGHTS: Final[Mapping[str, float]] = MappingProxyType(
    {
        "skills": 35.0,
        "interests": 10.0,
        "comfort": 15.0,
        "stability": 15.0,
        "net_income": 15.0,
        "logistics": 10.0,
    }
)
#: Pairs scoring below this are not candidates unless the instance says otherwise.
DEFAULT_MIN_SCORE: Final[int] = 50


class InstanceError(ValueError):
    """A bad instance; `field` is the JSON path of the bad value (``seekers[3].hours_max``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class BenefitRules:
    """Local rules deciding how much of a seeker's monthly benefits a job puts at risk."""

    #: Social insurance registers formal employment, which ends dibao-type benefits entirely.
    dibao_lost_if_social_insurance: bool = True
    #: Monthly earnings that never reduce benefits.
    earnings_disregard: float = 0.0
    #: Benefits withdrawn per unit of earnings above the disregard (1.0: one for one).
    benefit_taper: float = 1.0
    #: A monthly net gain at or above this earns the full net-income points.
    income_reference: float = 3000.0


@dataclass(frozen=True, slots=True)
class Seeker:
    """A job-seeker as the engine sees them (no protected traits)."""

    id: str
    skills: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    #: domain -> level 0..3; a domain absent here is unknown.
    functioning: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    needs: tuple[str, ...] = ()
    #: accepted work modes in order of preference; empty means any.
    work_modes: tuple[str, ...] = ()
    region: str | None = None
    hours_min: float | None = None
    hours_max: float | None = None
    monthly_benefits: float = 0.0
    group: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class Position:
    """An open position with its demands and what it offers."""

    id: str
    work_mode: str
    hours: float
    title: str = ""
    openings: int = 1
    skills: tuple[str, ...] = ()
    #: domain -> level 0..3 of demand; absent means 0.
    demands: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    offers: tuple[str, ...] = ()
    region: str | None = None
    monthly_pay: float | None = None
    social_insurance: bool = False
    automation_risk: float | None = None


@dataclass(frozen=True, slots=True)
class Floor:
    """At least `min` assigned seekers whose ``group[key] == value``."""

    key: str
    value: str
    min: int


@dataclass(frozen=True, slots=True)
class Instance:
    """A complete, validated matching instance."""

    seekers: tuple[Seeker, ...]
    positions: tuple[Position, ...]
    #: merged catalogue: code -> {domain: levels mitigated}
    accommodations: Mapping[str, Mapping[str, int]] = field(
        default_factory=lambda: BUILTIN_ACCOMMODATIONS
    )
    weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_WEIGHTS)
    min_score: int = DEFAULT_MIN_SCORE
    pins: tuple[tuple[str, str], ...] = ()
    forbids: tuple[tuple[str, str], ...] = ()
    floors: tuple[Floor, ...] = ()
    benefit_rules: BenefitRules = BenefitRules()


# --- parsing -------------------------------------------------------------------------------------


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(float(value))  # type: ignore[arg-type]


def _obj(value: object, path: str) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise InstanceError(path, "must be an object")
    return value


def _list(value: object, path: str) -> list[object]:
    if not isinstance(value, list):
        raise InstanceError(path, "must be a list")
    return value


def _string(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise InstanceError(path, "must be a string")
    return value


def _id(value: object, path: str) -> str:
    if value is None:
        raise InstanceError(path, "is required")
    text = _string(value, path)
    if not text.strip():
        raise InstanceError(path, "must not be empty")
    return text


def _number(value: object, path: str, *, minimum: float | None = None) -> float:
    if not _is_number(value):
        raise InstanceError(path, "must be a number")
    number = float(value)  # type: ignore[arg-type]
    if minimum is not None and number < minimum:
        raise InstanceError(path, f"must be >= {minimum:g}")
    return number


def _phrases(value: object, path: str) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(_string(item, f"{path}[{i}]") for i, item in enumerate(_list(value, path)))


def _level(value: object, path: str) -> int:
    if not _is_int(value) or value not in LEVELS:
        raise InstanceError(path, "must be an integer 0..3")
    return int(value)


def _domain_levels(value: object, path: str, *, allow_null: bool) -> Mapping[str, int]:
    if value is None:
        return MappingProxyType({})
    levels: dict[str, int] = {}
    for domain, level in _obj(value, path).items():
        where = f"{path}.{domain}"
        if domain not in DOMAINS:
            raise InstanceError(where, f"unknown domain (expected one of {', '.join(DOMAINS)})")
        if level is None and allow_null:
            continue
        if level is None:
            raise InstanceError(where, "must be an integer 0..3")
        levels[domain] = _level(level, where)
    return MappingProxyType(levels)


def _codes(value: object, path: str, catalogue: Mapping[str, object]) -> tuple[str, ...]:
    codes = _phrases(value, path)
    for i, code in enumerate(codes):
        if code not in catalogue:
            raise InstanceError(f"{path}[{i}]", f"unknown accommodation code {code!r}")
    return tuple(sorted(set(codes)))


def _unique_ids(items: list[object], section: str) -> list[Mapping[str, object]]:
    objects = [_obj(item, f"{section}[{i}]") for i, item in enumerate(items)]
    seen: dict[str, int] = {}
    for i, item in enumerate(objects):
        ident = _id(item.get("id"), f"{section}[{i}].id")
        if ident in seen:
            raise InstanceError(
                f"{section}[{i}].id", f"duplicate id {ident!r} (also {section}[{seen[ident]}])"
            )
        seen[ident] = i
    return objects


def _parse_accommodations(value: object) -> Mapping[str, Mapping[str, int]]:
    merged: dict[str, Mapping[str, int]] = dict(BUILTIN_ACCOMMODATIONS)
    if value is None:
        return MappingProxyType(merged)
    for code, mitigation in _obj(value, "accommodations").items():
        if not code.strip():
            raise InstanceError("accommodations", "codes must not be empty")
        where = f"accommodations.{code}"
        merged[code] = _domain_levels(_obj(mitigation, where), where, allow_null=False)
    return MappingProxyType(merged)


def _parse_seeker(raw: Mapping[str, object], path: str, catalogue: Mapping[str, object]) -> Seeker:
    modes = raw.get("work_modes")
    work_modes: tuple[str, ...] = ()
    if modes is not None:
        listed = _phrases(modes, f"{path}.work_modes")
        if not listed:
            raise InstanceError(f"{path}.work_modes", "must not be empty (omit it to accept any)")
        for i, mode in enumerate(listed):
            if mode not in WORK_MODES:
                raise InstanceError(
                    f"{path}.work_modes[{i}]", f"must be one of {', '.join(WORK_MODES)}"
                )
        work_modes = tuple(dict.fromkeys(listed))
    hours_min = raw.get("hours_min")
    hours_max = raw.get("hours_max")
    low = None if hours_min is None else _number(hours_min, f"{path}.hours_min", minimum=0)
    high = None if hours_max is None else _number(hours_max, f"{path}.hours_max", minimum=0)
    if low is not None and high is not None and high < low:
        raise InstanceError(f"{path}.hours_max", "must be >= hours_min")
    region = raw.get("region")
    benefits = raw.get("monthly_benefits")
    group: dict[str, str] = {}
    raw_group = raw.get("group")
    if raw_group is not None:
        for key, label in _obj(raw_group, f"{path}.group").items():
            group[key] = _string(label, f"{path}.group.{key}")
    return Seeker(
        id=str(raw["id"]),
        skills=_phrases(raw.get("skills"), f"{path}.skills"),
        interests=_phrases(raw.get("interests"), f"{path}.interests"),
        functioning=_domain_levels(raw.get("functioning"), f"{path}.functioning", allow_null=True),
        needs=_codes(raw.get("needs"), f"{path}.needs", catalogue),
        work_modes=work_modes,
        region=None if region is None else _string(region, f"{path}.region"),
        hours_min=low,
        hours_max=high,
        monthly_benefits=0.0
        if benefits is None
        else _number(benefits, f"{path}.monthly_benefits", minimum=0),
        group=MappingProxyType(group),
    )


def _parse_position(
    raw: Mapping[str, object], path: str, catalogue: Mapping[str, object]
) -> Position:
    mode = raw.get("work_mode")
    if mode not in WORK_MODES:
        raise InstanceError(f"{path}.work_mode", f"must be one of {', '.join(WORK_MODES)}")
    assert isinstance(mode, str)
    region = raw.get("region")
    if region is None and mode != "remote":
        raise InstanceError(f"{path}.region", "is required unless work_mode is remote")
    openings = raw.get("openings", 1)
    if not _is_int(openings):
        raise InstanceError(f"{path}.openings", "must be an integer")
    assert isinstance(openings, int)
    if openings < 1:
        raise InstanceError(f"{path}.openings", "must be >= 1")
    if raw.get("hours") is None:
        raise InstanceError(f"{path}.hours", "is required")
    pay = raw.get("monthly_pay")
    risk = raw.get("automation_risk")
    automation = None if risk is None else _number(risk, f"{path}.automation_risk", minimum=0)
    if automation is not None and automation > 1:
        raise InstanceError(f"{path}.automation_risk", "must be between 0 and 1")
    insurance = raw.get("social_insurance", False)
    if not isinstance(insurance, bool):
        raise InstanceError(f"{path}.social_insurance", "must be true or false")
    title = raw.get("title")
    demands = _domain_levels(raw.get("demands"), f"{path}.demands", allow_null=False)
    return Position(
        id=str(raw["id"]),
        work_mode=mode,
        hours=_number(raw.get("hours"), f"{path}.hours", minimum=0),
        title="" if title is None else _string(title, f"{path}.title"),
        openings=openings,
        skills=_phrases(raw.get("skills"), f"{path}.skills"),
        demands=MappingProxyType({d: v for d, v in demands.items() if v > 0}),
        offers=_codes(raw.get("offers"), f"{path}.offers", catalogue),
        region=None if region is None else _string(region, f"{path}.region"),
        monthly_pay=None if pay is None else _number(pay, f"{path}.monthly_pay", minimum=0),
        social_insurance=insurance,
        automation_risk=automation,
    )


def _parse_weights(value: object) -> Mapping[str, float]:
    weights = dict(DEFAULT_WEIGHTS)
    if value is None:
        return MappingProxyType(weights)
    for name, weight in _obj(value, "weights").items():
        if name not in DEFAULT_WEIGHTS:
            raise InstanceError(
                f"weights.{name}", f"unknown component (expected one of {', '.join(COMPONENTS)})"
            )
        weights[name] = _number(weight, f"weights.{name}", minimum=0)
    if sum(weights.values()) <= 0:
        raise InstanceError("weights", "at least one weight must be positive")
    return MappingProxyType(weights)


def _parse_benefit_rules(value: object) -> BenefitRules:
    if value is None:
        return BenefitRules()
    raw = _obj(value, "benefit_rules")
    defaults = BenefitRules()
    known = {
        "dibao_lost_if_social_insurance",
        "earnings_disregard",
        "benefit_taper",
        "income_reference",
    }
    for name in raw:
        if name not in known:
            raise InstanceError(
                f"benefit_rules.{name}",
                f"unknown rule (expected one of {', '.join(sorted(known))})",
            )
    lost = raw.get("dibao_lost_if_social_insurance", defaults.dibao_lost_if_social_insurance)
    if not isinstance(lost, bool):
        raise InstanceError("benefit_rules.dibao_lost_if_social_insurance", "must be true or false")
    taper = _number(
        raw.get("benefit_taper", defaults.benefit_taper), "benefit_rules.benefit_taper", minimum=0
    )
    if taper > 1:
        raise InstanceError("benefit_rules.benefit_taper", "must be between 0 and 1")
    reference = _number(
        raw.get("income_reference", defaults.income_reference), "benefit_rules.income_reference"
    )
    if reference <= 0:
        raise InstanceError("benefit_rules.income_reference", "must be > 0")
    return BenefitRules(
        dibao_lost_if_social_insurance=lost,
        earnings_disregard=_number(
            raw.get("earnings_disregard", defaults.earnings_disregard),
            "benefit_rules.earnings_disregard",
            minimum=0,
        ),
        benefit_taper=taper,
        income_reference=reference,
    )


def _parse_pairs(
    value: object, section: str, seekers: set[str], positions: set[str]
) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    pairs: list[tuple[str, str]] = []
    for i, item in enumerate(_list(value, section)):
        where = f"{section}[{i}]"
        pair = _list(item, where)
        if len(pair) != 2:
            raise InstanceError(where, "must be a [seeker, position] pair")
        seeker = _string(pair[0], f"{where}[0]")
        position = _string(pair[1], f"{where}[1]")
        if seeker not in seekers:
            raise InstanceError(f"{where}[0]", f"unknown seeker {seeker!r}")
        if position not in positions:
            raise InstanceError(f"{where}[1]", f"unknown position {position!r}")
        pairs.append((seeker, position))
    return tuple(pairs)


def _parse_floors(value: object) -> tuple[Floor, ...]:
    if value is None:
        return ()
    floors: list[Floor] = []
    seen: dict[tuple[str, str], int] = {}
    for i, item in enumerate(_list(value, "floors")):
        where = f"floors[{i}]"
        raw = _obj(item, where)
        key = _id(raw.get("key"), f"{where}.key")
        label = _string(raw.get("value"), f"{where}.value")
        minimum = raw.get("min")
        if not _is_int(minimum):
            raise InstanceError(f"{where}.min", "must be an integer")
        assert isinstance(minimum, int)
        if minimum < 0:
            raise InstanceError(f"{where}.min", "must be >= 0")
        if (key, label) in seen:
            raise InstanceError(
                where, f"duplicate floor for {key}={label!r} (also floors[{seen[key, label]}])"
            )
        seen[key, label] = i
        floors.append(Floor(key=key, value=label, min=minimum))
    return tuple(floors)


def parse_instance(data: object) -> Instance:
    """Validate a decoded JSON instance and return it typed; raise InstanceError if it is bad."""
    root = _obj(data, "instance")
    catalogue = _parse_accommodations(root.get("accommodations"))
    for section in ("seekers", "positions"):
        if section not in root:
            raise InstanceError(section, "is required")
    raw_seekers = _unique_ids(_list(root["seekers"], "seekers"), "seekers")
    raw_positions = _unique_ids(_list(root["positions"], "positions"), "positions")
    seekers = tuple(
        _parse_seeker(raw, f"seekers[{i}]", catalogue) for i, raw in enumerate(raw_seekers)
    )
    positions = tuple(
        _parse_position(raw, f"positions[{i}]", catalogue) for i, raw in enumerate(raw_positions)
    )
    seeker_ids = {s.id for s in seekers}
    position_ids = {p.id: p for p in positions}
    pins = _parse_pairs(root.get("pins"), "pins", seeker_ids, set(position_ids))
    forbids = _parse_pairs(root.get("forbids"), "forbids", seeker_ids, set(position_ids))
    pinned_seekers: dict[str, int] = {}
    pinned_positions: dict[str, int] = {}
    forbidden = {pair: i for i, pair in enumerate(forbids)}
    for i, (seeker, position) in enumerate(pins):
        if seeker in pinned_seekers:
            raise InstanceError(
                f"pins[{i}][0]",
                f"seeker {seeker!r} is pinned twice (also pins[{pinned_seekers[seeker]}])",
            )
        pinned_seekers[seeker] = i
        if (seeker, position) in forbidden:
            raise InstanceError(
                f"pins[{i}]", f"pair is also forbidden (forbids[{forbidden[seeker, position]}])"
            )
        pinned_positions[position] = pinned_positions.get(position, 0) + 1
        openings = position_ids[position].openings
        if pinned_positions[position] > openings:
            raise InstanceError(
                f"pins[{i}][1]",
                f"position {position!r} pinned {pinned_positions[position]} times "
                f"but has {openings} opening{'s' if openings != 1 else ''}",
            )
    min_score = root.get("min_score", DEFAULT_MIN_SCORE)
    if not _is_int(min_score) or not 0 <= min_score <= 100:  # type: ignore[operator]
        raise InstanceError("min_score", "must be an integer 0..100")
    assert isinstance(min_score, int)
    return Instance(
        seekers=seekers,
        positions=positions,
        accommodations=catalogue,
        weights=_parse_weights(root.get("weights")),
        min_score=min_score,
        pins=pins,
        forbids=tuple(sorted(set(forbids))),
        floors=_parse_floors(root.get("floors")),
        benefit_rules=_parse_benefit_rules(root.get("benefit_rules")),
    )

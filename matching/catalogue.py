"""Functioning domains and the built-in accommodation catalogue (engine and web app)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

#: Washington Group short set plus extended domains (DESIGN section 4), in display order.
DOMAINS: Final[tuple[str, ...]] = (
    "seeing",
    "hearing",
    "walking",
    "cognition",
    "self_care",
    "communication",
    "upper_body",
    "psychosocial",
)

#: Levels: 0 no difficulty, 1 some, 2 a lot, 3 cannot do at all (None = unknown).
LEVELS: Final[tuple[int, ...]] = (0, 1, 2, 3)

WORK_MODES: Final[tuple[str, ...]] = ("remote", "onsite", "hybrid")

#: Accommodation code -> {domain: levels of demand it mitigates}. Instances may extend or override.
BUILTIN_ACCOMMODATIONS: Final[Mapping[str, Mapping[str, int]]] = MappingProxyType(
    {
        "screen_reader": MappingProxyType({"seeing": 2}),
        "screen_magnifier": MappingProxyType({"seeing": 1}),
        "captioning": MappingProxyType({"hearing": 2}),
        "sign_language": MappingProxyType({"hearing": 2, "communication": 1}),
        "text_communication": MappingProxyType({"hearing": 1, "communication": 1}),
        "step_free": MappingProxyType({"walking": 2}),
        "accessible_toilet": MappingProxyType({"walking": 1, "self_care": 1}),
        "personal_assistant": MappingProxyType({"self_care": 2}),
        "adapted_input": MappingProxyType({"upper_body": 2}),
        "flexible_pace": MappingProxyType({"cognition": 1, "psychosocial": 1}),
        "easy_read": MappingProxyType({"cognition": 1}),
        "quiet_space": MappingProxyType({"psychosocial": 1}),
        "job_coach": MappingProxyType({"cognition": 1, "psychosocial": 1, "communication": 1}),
    }
)

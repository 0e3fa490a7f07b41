"""Declarative base, constraint naming convention and shared column shapes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Integer, MetaData, String, func
from sqlalchemy.orm import DeclarativeBase, mapped_column

# Stable constraint names: Alembic can then drop and alter them, also in SQLite batch mode.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

intpk = Annotated[int, mapped_column(Integer, primary_key=True)]
str20 = Annotated[str, mapped_column(String(20))]
str80 = Annotated[str, mapped_column(String(80))]
str200 = Annotated[str, mapped_column(String(200))]
created_at = Annotated[
    dt.datetime, mapped_column(DateTime(timezone=True), server_default=func.now())
]
json_list = Annotated[list[Any], mapped_column(JSON, default=list)]
json_dict = Annotated[dict[str, Any], mapped_column(JSON, default=dict)]


def fk(target: str, *, ondelete: str | None = None, index: bool = True) -> Any:
    """Return an indexed foreign-key column to `target` ("table.id")."""
    return mapped_column(ForeignKey(target, ondelete=ondelete), index=index)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def one_of(column: str, values: tuple[str, ...], *, nullable: bool = False) -> CheckConstraint:
    """Return a named CHECK constraint that keeps `column` within `values`."""
    allowed = ", ".join(f"'{v}'" for v in values)
    condition = f"{column} IN ({allowed})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return CheckConstraint(condition, name=column)


def range_check(column: str, low: int | None = None, high: int | None = None) -> CheckConstraint:
    """Return a named CHECK constraint keeping a nullable number within [low, high]."""
    bounds = []
    if low is not None:
        bounds.append(f"{column} >= {low}")
    if high is not None:
        bounds.append(f"{column} <= {high}")
    return CheckConstraint(f"{column} IS NULL OR ({' AND '.join(bounds)})", name=column)


def level_check(column: str, *, nullable: bool) -> CheckConstraint:
    """Return a named CHECK constraint keeping a functioning level or demand within 0..3."""
    condition = f"{column} BETWEEN 0 AND 3"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return CheckConstraint(condition, name=column)

"""Command-line tasks: `flask --app app demo`, `outcomes rebuild`, `followups schedule`."""

from __future__ import annotations

import datetime as dt
import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from rongye.extensions import db
from rongye.models import Account


def register(app: Flask) -> None:
    """Add the project's commands to the `flask` CLI."""
    app.cli.add_command(demo)
    app.cli.add_command(outcomes)
    app.cli.add_command(followups)


@click.command("demo")
@click.option("--seed", default=2026, show_default=True, help="Random seed of the population.")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Do nothing (and succeed) when the database already has accounts.",
)
@with_appcontext
def demo(seed: int, if_empty: bool) -> None:
    """Fill an empty database with a synthetic bilingual demo population."""
    from rongye.demo import build_demo

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("refusing to load demo data into a production configuration")
    if db.session.scalar(select(func.count()).select_from(Account)):
        if if_empty:
            click.echo("The database already has data; demo data not loaded.")
            return
        raise click.ClickException("the database is not empty; demo data goes into an empty one")
    summary = build_demo(db.session, seed=seed)
    click.echo("Demo data loaded: " + ", ".join(f"{n} {what}" for what, n in summary.items()))


@click.group("outcomes")
def outcomes() -> None:
    """The outcome facts behind the analyst dashboard."""


@outcomes.command("rebuild")
@with_appcontext
def rebuild_outcomes() -> None:
    """Recompute the outcome facts of every placement (after a bulk load, or to check)."""
    from rongye.services import outcome_facts

    started = time.perf_counter()
    with db.engine.begin() as connection:
        count = outcome_facts.rebuild(connection)
    click.echo(f"Outcome facts rebuilt for {count} placements "
               f"in {time.perf_counter() - started:.1f} s.")


@click.group("followups")
def followups() -> None:
    """Follow-ups of placements."""


@followups.command("schedule")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to schedule for (default: today).")
@with_appcontext
def schedule_follow_ups(today: dt.datetime | None) -> None:
    """Create the follow-ups now due for every organisation (run daily from cron)."""
    from rongye.services.followups import schedule_all

    added = schedule_all(db.session, today.date() if today else dt.date.today())
    click.echo(f"{sum(added.values())} follow-ups created "
               f"({len([n for n in added.values() if n])} organisations).")

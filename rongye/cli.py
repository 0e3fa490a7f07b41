"""Command-line tasks: `flask --app app demo`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from rongye.extensions import db
from rongye.models import Account


def register(app: Flask) -> None:
    """Add the project's commands to the `flask` CLI."""
    app.cli.add_command(demo)


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

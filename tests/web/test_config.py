"""Configuration from the environment, and what production refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from rongye.config import ConfigError, build_config
from tests.conftest import TEST_CONFIG


def test_secret_key_is_generated_once_outside_production(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("RONGYE_ENV", raising=False)
    first = build_config(tmp_path)["SECRET_KEY"]
    assert len(first) == 64 and build_config(tmp_path)["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_refuses_to_start_without_secret_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("RONGYE_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        build_config(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "s" * 64)
    config = build_config(tmp_path)
    assert config["SESSION_COOKIE_SECURE"] and config["ENV_NAME"] == "production"


def test_database_url_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example/rongye")
    monkeypatch.setenv("SECRET_KEY", "x")
    assert build_config(tmp_path)["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://u@db.example/rongye"
    )
    monkeypatch.delenv("DATABASE_URL")
    assert build_config(tmp_path)["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")


def test_threshold_and_time_zone_from_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OUTCOME_SUPPRESSION_THRESHOLD", "20")
    monkeypatch.setenv("RONGYE_TIMEZONE", "Asia/Urumqi")
    config = build_config(tmp_path)
    assert (config["OUTCOME_SUPPRESSION_THRESHOLD"], config["DISPLAY_TIMEZONE"]) == (
        20, "Asia/Urumqi")


def test_demo_refuses_production(tmp_path: Path) -> None:
    app: Flask = create_app(
        {**TEST_CONFIG, "ENV_NAME": "production",
         "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}"}
    )
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0 and "production" in result.output

"""How many prepared statements a connection keeps: ``SB_PREPARED_STATEMENTS``, both faces."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, make_url

from app import create_app
from app.extensions import db
from tenants.databases import keep_prepared_statements
from workers.settings import settings_from_env


@pytest.fixture
def engine_keeping_three(database_url: str) -> Iterator[Engine]:
    engine = create_engine(make_url(database_url).set(drivername="postgresql+psycopg"))
    keep_prepared_statements(engine, 3)
    yield engine
    engine.dispose()


def test_a_connection_keeps_no_more_prepared_statements_than_it_is_allowed(
    engine_keeping_three: Engine,
):
    with engine_keeping_three.connect() as connection:
        for number in range(6):  # six different statements, each run often enough to prepare
            for _ in range(6):
                connection.exec_driver_sql(f"SELECT {number} + 1").scalar_one()
        count = "SELECT count(*) FROM pg_prepared_statements"
        connection.exec_driver_sql(count)  # psycopg drops the oldest after the next statement
        assert connection.exec_driver_sql(count).scalar_one() == 3


def test_the_setting_is_read_from_the_environment_and_refuses_nonsense(tmp_path: Path):
    base = {"SB_INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "x"}
    assert settings_from_env(base).prepared_statements == 100  # psycopg's own default
    assert settings_from_env({**base, "SB_PREPARED_STATEMENTS": "2000"}).prepared_statements == 2000
    with pytest.raises(ValueError, match="SB_PREPARED_STATEMENTS"):
        settings_from_env({**base, "SB_PREPARED_STATEMENTS": "0"})


def test_the_web_face_gives_its_connections_the_setting(
    database_url: str, redis_url: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("SB_PREPARED_STATEMENTS", "250")
    web: Flask = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": redis_url}
    )
    with web.app_context():
        connection = db.engine.raw_connection()
        try:
            assert connection.driver_connection.prepared_max == 250
        finally:
            connection.close()
        db.engine.dispose()

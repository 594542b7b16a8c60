"""Settings of sessions and proxies: sane defaults, and a typo stops the start."""

from __future__ import annotations

import pytest

from workers.settings import settings_from_env


def test_sessions_last_two_hours_idle_and_twelve_at_most_and_no_proxy_is_trusted(tmp_path):
    settings = settings_from_env({"SB_INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "x"})
    assert (settings.session_idle_minutes, settings.session_absolute_hours) == (120, 12)
    assert settings.proxy_hops == 0


def test_the_environment_sets_the_proxy_hops_and_the_timeouts(tmp_path):
    settings = settings_from_env(
        {
            "SB_INSTANCE_DIR": str(tmp_path),
            "SECRET_KEY": "x",
            "SB_PROXY_HOPS": "1",
            "SB_SESSION_IDLE_MINUTES": "30",
            "SB_SESSION_ABSOLUTE_HOURS": "8",
        }
    )
    assert (settings.proxy_hops, settings.session_idle_minutes) == (1, 30)
    assert settings.session_absolute_hours == 8


@pytest.mark.parametrize(
    ("name", "value"),
    [("SB_PROXY_HOPS", "one"), ("SB_PROXY_HOPS", "-1"), ("SB_SESSION_IDLE_MINUTES", "0")],
)
def test_a_setting_that_is_not_a_whole_number_stops_the_start(tmp_path, name, value):
    with pytest.raises(ValueError, match=name):
        settings_from_env({"SB_INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "x", name: value})

"""Settings (kernel/settings.py): the environment's value or the default."""

from __future__ import annotations

import pytest

from kernel.settings import SETTINGS


def test_value_falls_back_to_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    setting = SETTINGS["PSP_SUPPRESS_K"]
    monkeypatch.delenv("PSP_SUPPRESS_K", raising=False)
    assert (setting.given(), setting.value()) == ("", "5")
    monkeypatch.setenv("PSP_SUPPRESS_K", "")  # empty counts as unset
    assert (setting.given(), setting.value()) == ("", "5")
    monkeypatch.setenv("PSP_SUPPRESS_K", "12")
    assert (setting.given(), setting.value()) == ("12", "12")


def test_every_setting_has_help() -> None:
    for name, setting in SETTINGS.items():
        assert setting.name == name and len(setting.help) > 20, name
    assert {"BROWSER_PATH", "STREAMLIT_SERVER_ADDRESS", "PSP_DB"} <= set(SETTINGS)

"""RETENTION_IDENTITY_MONTHS and RETENTION_MEDIA_MONTHS: 0 or nonsense stops the start with a
message naming the setting."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from cli.main import main
from runtime.settings import Settings


@pytest.mark.parametrize("value", ["0", "-3", "abc", "1.5", "12 bulan", "1201", ""])
def test_zero_or_nonsense_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="whole number of months"):
        Settings(_env_file=None, retention_media_months=value)


def test_the_defaults_and_a_good_value() -> None:
    settings = Settings(_env_file=None, bot_token=SecretStr("1:x"))
    assert (settings.retention_identity_months, settings.retention_media_months) == (24, 12)
    assert (
        Settings(_env_file=None, retention_identity_months=" 60 ").retention_identity_months == 60
    )


def test_the_command_stops_with_the_settings_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    monkeypatch.chdir(str(tmp_path))  # no .env of the developer's
    monkeypatch.setenv("RETENTION_IDENTITY_MONTHS", "0")
    monkeypatch.setenv("DEFAULT_LANGUAGE", "id")
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert "Pengaturan tidak dapat dipakai" in err
    assert "RETENTION_IDENTITY_MONTHS: must be a whole number of months from 1 to 1200" in err

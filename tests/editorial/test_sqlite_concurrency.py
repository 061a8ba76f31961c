"""The embedded SQLite database under concurrent use: no "database is locked", nothing lost (issue 11.13)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("trial", range(2))
def test_eight_people_saving_and_deciding_at_once_lose_nothing(tmp_path, trial):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "race-test",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
    }
    run = subprocess.run([sys.executable, str(HERE / "sqlite_race.py")], env=env, capture_output=True, text=True,
                         timeout=300, cwd=HERE.parents[1])
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    failures = [o for o in result["outcomes"] if o not in ("200", "302")]
    assert failures == [], failures
    assert len(result["outcomes"]) == 32
    assert all(text.startswith("<p>analyst") and "round 3" in text for text in result["saved"]), result["saved"]
    assert result["approved"] == 4 and result["comments"] == 12

"""A production-like environment is never in debug because of a local .env file (issue 11.14)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "DJANGO_SECRET_KEY": "a-production-like-secret-key-4f9c2b7e1d8a6c3f0e5b9a2d7c4f1e8b6a3d0c9f",
    "DJANGO_ALLOWED_HOSTS": "factsheets.example.org",
    "DJANGO_SITE_URL": "https://factsheets.example.org",
}


def _run(tmp_path, environment: dict, code: str) -> subprocess.CompletedProcess:
    env_file = tmp_path / ".env"
    env_file.write_text("DJANGO_DEBUG=1\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update({"DJANGO_ENV_FILE": str(env_file), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                "DJANGO_SETTINGS_MODULE": "config.settings", **environment})
    return subprocess.run([sys.executable, *code.split(" ", 1)] if code.startswith("manage.py") else
                          [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


DEBUG = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def test_a_secret_key_in_the_environment_ignores_the_local_env_file(tmp_path):
    run = _run(tmp_path, PRODUCTION, DEBUG)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"


def test_check_deploy_is_clean_in_that_case(tmp_path):
    (tmp_path / ".env-debug").write_text("DJANGO_DEBUG=1\n")
    run = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT, capture_output=True,
        text=True, timeout=120,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}, **PRODUCTION,
             "DJANGO_ENV_FILE": str(tmp_path / ".env-debug"), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues" in run.stdout


def test_a_checkout_without_a_secret_key_still_runs_in_development_mode(tmp_path):
    run = _run(tmp_path, {}, DEBUG)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "True"


def _redis_reachable() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


REDIS_CACHES = (
    "import django; django.setup(); from django.core.cache import caches; "
    "from editorial.publishing.downloads import stamp_bump, stamp_get; "
    "caches['default'].set('k', 1); caches['shared'].set('k', 2); stamp_bump(); "
    "print(caches['default'].get('k'), caches['shared'].get('k'), len(stamp_get()))"
)


def test_redis_caches_as_the_production_recipe_sets_them_work(tmp_path):
    """The README's production recipe: both caches on Redis (the shared one holds the download stamp)."""
    if not _redis_reachable():
        pytest.skip("no Redis on 127.0.0.1:6379")
    run = _run(tmp_path, {**PRODUCTION, "DJANGO_CACHE_URL": "redis://127.0.0.1:6379/12",
                          "DJANGO_SHARED_CACHE_URL": "redis://127.0.0.1:6379/11"}, REDIS_CACHES)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["1", "2", "32"]

"""Production settings: `manage.py check --deploy` is clean with secrets from the environment, and the
production settings refuse to start without a secret key."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def _django(args: list[str], env_extra: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    # a clean process environment: no test-run variables (e.g. DJANGO_ALLOW_ASYNC_UNSAFE set for Playwright)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ENVGOV_", "DJANGO_")) and k != "DATABASE_URL"}
    env.update({"PYTHONPATH": str(SRC), "DJANGO_SETTINGS_MODULE": "envgov.web.settings",
                "ENVGOV_DATA_DIR": str(tmp_path), **env_extra})
    return subprocess.run([sys.executable, "-m", "django", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_check_deploy_is_clean_in_production(tmp_path):
    result = _django(["check", "--deploy", "--fail-level", "WARNING"], {
        "ENVGOV_PRODUCTION": "1", "ENVGOV_SECRET_KEY": "x" * 20 + "-long-random-secret-from-the-environment-0123456789",
        "ENVGOV_ALLOWED_HOSTS": "envgov.example.gov.cn",
    }, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_missing_secret(tmp_path):
    result = _django(["check"], {"ENVGOV_PRODUCTION": "1"}, tmp_path)
    assert result.returncode != 0
    assert "ENVGOV_SECRET_KEY must be set" in result.stderr


def test_dev_check_warns_without_production(tmp_path):
    result = _django(["check", "--deploy"], {}, tmp_path)
    assert "security.W018" in result.stdout + result.stderr  # DEBUG on: --deploy must notice

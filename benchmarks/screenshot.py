"""Screenshots for the docs: the coordinator's overview (docs/img/overview.png), the standard parameters
page (docs/img/air-parameters.png) and a reporter's task page on a phone (docs/img/report-phone.png), taken
from the demo district (模拟数据) in Debian Chromium.

Writes only when ENVGOV_SCREENSHOTS=1 (so `make bench`, which runs every benchmarks/*.py, leaves the
committed images alone); otherwise it says so and exits 0.

    ENVGOV_SCREENSHOTS=1 .venv/bin/python benchmarks/screenshot.py [--data-dir DIR]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from overview_load import HOST, PY, ROOT, app_env, free_port, wait_until_up

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
OUT = ROOT / "docs" / "img"
PASSWORD = "envgov-demo"


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


def shoot(base: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = ctx.new_page()
        login(page, base, "coordinator")  # lands on the overview of the demo plan
        page.locator("#chart-unit canvas").wait_for()
        page.wait_for_timeout(1500)  # let ECharts finish its entry animation
        path = OUT / "overview.png"
        page.screenshot(path=str(path), full_page=True)
        written.append(path)
        page.goto(f"{base}/monitoring/air/parameters/")  # 标准参数: the unconfirmed rules, user-set
        path = OUT / "air-parameters.png"
        page.screenshot(path=str(path), full_page=True)
        written.append(path)
        ctx.close()

        phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                    is_mobile=True, has_touch=True, locale="zh-CN")
        page = phone.new_page()
        login(page, base, "scjg")  # 市场监管局 填报员 → 我的任务
        page.locator("table a").first.click()
        page.locator("#report-form").scroll_into_view_if_needed()
        path = OUT / "report-phone.png"
        page.screenshot(path=str(path))
        written.append(path)
        phone.close()
        browser.close()
    return written


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", help="reuse (and keep) this ENVGOV_DATA_DIR; demo loaded if empty")
    args = ap.parse_args()
    if os.environ.get("ENVGOV_SCREENSHOTS") != "1":
        print("screenshots skipped (set ENVGOV_SCREENSHOTS=1 to rewrite docs/img/*.png)")
        return 0
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} missing: apt-get install -y chromium fonts-noto-cjk", file=sys.stderr)
        return 1
    keep = args.data_dir is not None
    data_dir = Path(args.data_dir) if keep else Path(tempfile.mkdtemp(prefix="envgov-shots-"))
    env = app_env(data_dir)
    if not (data_dir / "envgov.sqlite3").exists():
        for cmd in (["migrate", "--noinput", "-v", "0"], ["load_demo", "--quiet"]):
            subprocess.run([PY, "-m", "django", *cmd], env=env, cwd=ROOT, check=True)
    # DEBUG is off (as in production): whitenoise serves CSS/JS from STATIC_ROOT inside the data dir
    subprocess.run([PY, "-m", "django", "collectstatic", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True)
    port = free_port()
    log = (data_dir / "waitress.log").open("wb")
    server = subprocess.Popen(
        [str(Path(PY).with_name("waitress-serve")), f"--listen={HOST}:{port}", "--threads=4",
         "envgov.web.wsgi:application"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(port, server)
        started = time.monotonic()
        for path in shoot(f"http://{HOST}:{port}"):
            print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1024:.0f} KiB)")
        print(f"screenshots took {time.monotonic() - started:.1f} s")
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

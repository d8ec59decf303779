"""Load benchmark of the plan overview page (总览) — not a test; `make bench` runs it.

Starts the app with the demo district (SQLite in a fresh temporary ENVGOV_DATA_DIR, migrate + load_demo)
under waitress (a real multi-threaded WSGI server) on a free loopback port, signs in CLIENTS coordinators
(each its own session cookie and keep-alive connection) and has them request the overview page together
until REQUESTS answers or SECONDS have passed. Prints p50/p95/p99 latency and requests per second.

Acceptance target (issue 3): p95 < 300 ms with 20 concurrent clients on loopback. Exit code 0 either
way (the figure is reported, not enforced); 1 only if the app answers with errors.

    .venv/bin/python benchmarks/overview_load.py [--clients 20] [--requests 2000] [--seconds 60] [--threads 8]
"""
from __future__ import annotations

import argparse
import http.client
import math
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
HOST = "127.0.0.1"  # loopback only
DEMO_USER, DEMO_PASSWORD = "coordinator", "envgov-demo"
TARGET_P95_MS = 300.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def app_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # the embedded SQLite file
    env.update({
        "PYTHONPATH": str(ROOT / "src"), "DJANGO_SETTINGS_MODULE": "envgov.web.settings",
        "ENVGOV_DATA_DIR": str(data_dir), "ENVGOV_TODAY": "2024-09-16", "ENVGOV_DEBUG": "0",
        "ENVGOV_ALLOWED_HOSTS": HOST,
    })
    return env


class Client:
    """One person: a keep-alive connection and a cookie jar of two cookies (session, csrf)."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str, dict]:
        headers = {"Host": HOST}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.conn.port}{path}"
        self.conn.request(method, path, body=body, headers=headers)
        resp = self.conn.getresponse()
        text = resp.read().decode("utf-8", "replace")
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return resp.status, text, dict(resp.getheaders())

    def login(self, username: str, password: str) -> str:
        status, text, _ = self.request("GET", "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        assert status == 200 and token, f"login page: HTTP {status}"
        body = urlencode({"csrfmiddlewaretoken": token.group(1), "username": username, "password": password})
        status, _, headers = self.request("POST", "/login/", body)
        assert status == 302, f"login refused: HTTP {status}"
        return headers.get("Location", "/")


def wait_until_up(port: int, proc: subprocess.Popen, seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            c = http.client.HTTPConnection(HOST, port, timeout=1)
            c.request("GET", "/health")
            if c.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the app did not come up in {seconds:.0f} s")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a server process and its worker processes (Linux /proc), to report the
    server's CPU cost per request."""
    try:
        total = 0.0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if stat.parent.name == str(pid) or int(fields[1]) == pid:  # fields[1] = parent pid
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total
    except (OSError, ValueError, IndexError):
        return None


def percentile(sorted_ms: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    k = max(0, min(len(sorted_ms) - 1, math.ceil(p / 100 * len(sorted_ms)) - 1))
    return sorted_ms[k]


def run(args: argparse.Namespace) -> int:
    keep = args.data_dir is not None  # a prepared folder is reused (and kept) to compare variants quickly
    data_dir = Path(args.data_dir) if keep else Path(tempfile.mkdtemp(prefix="envgov-bench-"))
    env = app_env(data_dir)
    if args.pythonpath:
        env["PYTHONPATH"] = os.pathsep.join([args.pythonpath, env["PYTHONPATH"]])
    t0 = time.monotonic()
    if not (keep and (data_dir / "envgov.sqlite3").exists()):
        for cmd in (["migrate", "--noinput", "-v", "0"], ["load_demo", "--quiet"]):
            subprocess.run([PY, "-m", "django", *cmd], env=env, cwd=ROOT, check=True)
    print(f"demo data ready in {time.monotonic() - t0:.1f} s ({data_dir})")
    port = free_port()
    server_log = (data_dir / "server.log").open("wb")  # a file, not a pipe: a full pipe would stall the server
    if args.server == "gunicorn":  # the production set-up: one process per core, threads within each
        cmd = [str(Path(PY).with_name("gunicorn")), f"--bind={HOST}:{port}", f"--workers={args.workers}",
               "--worker-class=gthread", f"--threads={args.threads}", "--keep-alive=75", "--log-level=warning",
               args.app]
    else:
        cmd = [str(Path(PY).with_name("waitress-serve")), f"--listen={HOST}:{port}", f"--threads={args.threads}",
               "--connection-limit=200", args.app]
    server = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=server_log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(port, server)
        clients = [Client(port) for _ in range(args.clients)]
        location = clients[0].login(DEMO_USER, DEMO_PASSWORD)
        for c in clients[1:]:
            c.login(DEMO_USER, DEMO_PASSWORD)
        status, _, headers = clients[0].request("GET", location)
        path = headers.get("Location", location) if status == 302 else location
        if not re.search(r"/plans/\d+/$", path):
            status, _, headers = clients[0].request("GET", "/")
            path = headers.get("Location", path)
        assert re.search(r"/plans/\d+/$", path), f"no overview page found (got {path})"
        status, page, _ = clients[0].request("GET", path)
        assert status == 200 and 'id="kpi-total"' in page, f"overview: HTTP {status}"
        print(f"overview page {path}: {len(page.encode()) / 1024:.0f} KiB")
        for c in clients:  # warm-up: every connection and server thread once
            c.request("GET", path)

        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        issued = 0
        deadline = time.monotonic() + args.seconds

        def worker(client: Client) -> None:
            nonlocal issued
            while True:
                with lock:
                    if issued >= args.requests or time.monotonic() > deadline:
                        return
                    issued += 1
                start = time.perf_counter()
                try:
                    status, body, _ = client.request("GET", path)
                    ok = status == 200 and 'id="kpi-total"' in body
                except (OSError, http.client.HTTPException) as exc:
                    ok, status = False, repr(exc)
                elapsed = (time.perf_counter() - start) * 1000
                with lock:
                    latencies.append(elapsed)
                    if not ok:
                        errors.append(str(status))

        threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
        cpu_before = cpu_seconds(server.pid)
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        cpu_after = cpu_seconds(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        server_log.close()
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)

    ms = sorted(latencies)
    p50, p95, p99 = (percentile(ms, p) for p in (50, 95, 99))
    print(f"server={args.server} workers={args.workers if args.server == 'gunicorn' else 1} "
          f"clients={args.clients} threads={args.threads} requests={len(ms)} errors={len(errors)} "
          f"wall={wall:.1f}s")
    print(f"overview latency ms: p50={p50:.0f} p95={p95:.0f} p99={p99:.0f} "
          f"mean={statistics.fmean(ms):.0f} max={ms[-1]:.0f}")
    print(f"throughput: {len(ms) / wall:.1f} requests/s")
    if cpu_before is not None and cpu_after is not None:
        print(f"server CPU per request: {(cpu_after - cpu_before) / len(ms) * 1000:.1f} ms "
              f"({'all worker processes' if args.server == 'gunicorn' else 'one waitress process: the GIL caps it near one core'})")
    if hasattr(os, "getloadavg"):
        print(f"machine load average (1 min) after the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
              f"(other work on the machine slows the figures)")
    verdict = "met" if p95 < TARGET_P95_MS else "MISSED"
    print(f"target p95 < {TARGET_P95_MS:.0f} ms with 20 concurrent clients: {verdict}")
    if errors:
        print(f"errors (first 5): {errors[:5]}", file=sys.stderr)
        return 1
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--server", choices=["gunicorn", "waitress"], default="gunicorn",
                    help="gunicorn (production: --workers processes × --threads) or waitress (one process)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn worker processes")
    ap.add_argument("--threads", type=int, default=4, help="threads per server process")
    ap.add_argument("--data-dir", help="reuse (and keep) this ENVGOV_DATA_DIR; demo loaded if empty")
    ap.add_argument("--app", default="envgov.web.wsgi:application", help="WSGI callable (to compare variants)")
    ap.add_argument("--pythonpath", help="folder put first on the app's PYTHONPATH (to compare variants)")
    return run(ap.parse_args())


if __name__ == "__main__":
    sys.exit(main())

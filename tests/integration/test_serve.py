"""`malbild serve` with several gunicorn workers: every worker serves every page and bundle."""

import os
import re
import subprocess
import sys
import time

import httpx
import pytest

from tests.e2e.conftest import free_port


@pytest.fixture
def served(demo_settings):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": demo_settings.database_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "etl", "serve", "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("servern startade inte: " + process.stderr.read()[-2000:])
    yield url
    process.terminate()
    process.wait(timeout=30)


def test_every_worker_serves_the_script_bundles(served):
    index = httpx.get(served + "/").text
    bundles = re.findall(r'src="(/_dash-component-suites/[^"]+)"', index)
    assert bundles
    with httpx.Client(base_url=served, timeout=10) as client:
        # New connections spread over both workers.
        for _ in range(6):
            for bundle in bundles:
                response = client.get(bundle, headers={"Connection": "close"})
                assert response.status_code == 200, bundle
            assert client.get("/_dash-layout").status_code == 200

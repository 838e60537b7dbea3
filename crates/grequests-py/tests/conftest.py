"""Fixtures: the servers `cargo test` starts (their addresses come through the environment),
and a default session that resolves the suite's made-up host names to nowhere, without DNS."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import grequests_rs
from grequests_rs import sessions

# Host names the suite uses for "does not resolve"; answered by the client, never by DNS.
NOWHERE = ("fakedomain", "fakedomain.invalid", "nowhere.invalid")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_server = None


def pytest_configure(config):
    """Starts httpbin from the workspace (`cargo run -p grequests-testserver`) for a run by
    hand; `cargo test` starts its own and says where in HTTPBIN_URL. Done before collection:
    grequests' own tests read HTTPBIN_URL when imported."""
    global _server
    if os.environ.get("HTTPBIN_URL"):
        return
    port = _free_port()
    root = Path(__file__).resolve().parents[3]
    _server = subprocess.Popen(
        ["cargo", "run", "-q", "-p", "grequests-testserver", "--", "--port", str(port)],
        cwd=root,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        _server.kill()
        raise pytest.UsageError("the test server did not start")
    os.environ["HTTPBIN_URL"] = f"http://127.0.0.1:{port}/"


def pytest_unconfigure(config):
    if _server is not None:
        _server.kill()


@pytest.fixture(scope="session")
def base_url():
    """httpbin's base URL, ending in '/'."""
    return os.environ["HTTPBIN_URL"]


@pytest.fixture(scope="session")
def httpbin(base_url):
    """``httpbin('get?p=1')`` → the URL of that resource."""

    def url(*suffix):
        return base_url + "/".join(suffix)

    return url


def _required(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the suite with `cargo test`, which starts it")
    return value


@pytest.fixture(scope="session")
def tls_url():
    return _required("HTTPBIN_TLS_URL")


@pytest.fixture(scope="session")
def ca_file():
    return _required("HTTPBIN_CA")


@pytest.fixture(scope="session")
def proxy_url():
    return _required("PROXY_URL")


@pytest.fixture(scope="session")
def mutual_tls():
    """``(base URL, CA file, client certificate file, client key file)`` of an httpbin that
    asks for a client certificate."""
    return tuple(
        _required(name)
        for name in ("HTTPBIN_MTLS_URL", "HTTPBIN_MTLS_CA", "CLIENT_CERT", "CLIENT_KEY")
    )


@pytest.fixture(autouse=True)
def offline_default_session(monkeypatch):
    """The module-level verbs' session, with the made-up names resolving to nowhere."""
    session = grequests_rs.Session(resolve={name: None for name in NOWHERE}, _cookies=False)
    monkeypatch.setattr(sessions, "_default", session)
    return session


@pytest.fixture
def refused_url():
    """A URL on 127.0.0.1 where nothing listens."""
    return f"http://127.0.0.1:{_free_port()}/"


@pytest.fixture
def run_python():
    """Runs a Python snippet in a fresh interpreter; returns the completed process."""

    def run(code, **kwargs):
        return subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, **kwargs
        )

    return run

"""grequests 0.7's own tests.py, run unchanged but for its server: the embedded httpbin."""

import time

import pytest
import requests
from requests.exceptions import Timeout

import grequests_rs as grequests

N = 5


@pytest.fixture
def urls(httpbin):
    return [httpbin("get?p=%s" % i) for i in range(N)]


def get(url, **kwargs):
    return grequests.map([grequests.get(url, **kwargs)])[0]


def test_map(urls):
    reqs = [grequests.get(url) for url in urls]
    resp = grequests.map(reqs, size=N)
    assert [r.url for r in resp] == urls


def test_imap(urls):
    reqs = (grequests.get(url) for url in urls)
    i = 0
    for i, r in enumerate(grequests.imap(reqs, size=N)):
        assert r.url in urls
    assert i == N - 1


def test_hooks(urls):
    result = {}

    def hook(r, **kwargs):
        result[r.url] = True
        return r

    reqs = [grequests.get(url, hooks={"response": [hook]}) for url in urls]
    grequests.map(reqs, size=N)
    assert sorted(result.keys()) == sorted(urls)


def test_callback_kwarg(urls):
    result = {"ok": False}

    def callback(r, **kwargs):
        result["ok"] = True
        return r

    get(urls[0], callback=callback)
    assert result["ok"]


def test_session_and_cookies(httpbin):
    c1 = {"k1": "v1"}
    r = get(httpbin("cookies/set"), params=c1).json()
    assert r["cookies"] == c1
    s = requests.Session()
    r = get(httpbin("cookies/set"), session=s, params=c1).json()
    assert dict(s.cookies) == c1

    # ensure all cookies saved
    c2 = {"k2": "v2"}
    c1.update(c2)
    r = get(httpbin("cookies/set"), session=s, params=c2).json()
    assert dict(s.cookies) == c1

    # ensure new session is created
    r = get(httpbin("cookies")).json()
    assert r["cookies"] == {}

    # cookies as param
    c3 = {"p1": "42"}
    r = get(httpbin("cookies"), cookies=c3).json()
    assert r["cookies"] == c3


def test_calling_request(httpbin):
    reqs = [grequests.request("POST", httpbin("post"), data={"p": i}) for i in range(N)]
    resp = grequests.map(reqs, size=N)
    assert [int(r.json()["form"]["p"]) for r in resp] == list(range(N))


def test_stream_enabled(httpbin):
    r = grequests.map([grequests.get(httpbin("stream/10"))], size=2, stream=True)[0]
    assert not r._content_consumed


def test_concurrency_with_delayed_url(httpbin):
    t = time.time()
    n = 10
    reqs = [grequests.get(httpbin("delay/1")) for _ in range(n)]
    grequests.map(reqs, size=n)
    assert (time.time() - t) < n


def test_map_timeout_no_exception_handler(httpbin):
    reqs = [grequests.get(httpbin("delay/1"), timeout=0.001), grequests.get(httpbin("/"))]
    responses = grequests.map(reqs)
    assert responses[0] is None
    assert responses[1].ok
    assert len(responses) == 2


def test_map_timeout_exception_handler_no_return(httpbin):
    def exception_handler(request, exception):
        pass

    reqs = [grequests.get(httpbin("delay/1"), timeout=0.001), grequests.get(httpbin("/"))]
    responses = grequests.map(reqs, exception_handler=exception_handler)
    assert responses[0] is None
    assert responses[1].ok
    assert len(responses) == 2


def test_map_timeout_exception_handler_returns_exception(httpbin):
    def exception_handler(request, exception):
        return exception

    reqs = [grequests.get(httpbin("delay/1"), timeout=0.001), grequests.get(httpbin("/"))]
    responses = grequests.map(reqs, exception_handler=exception_handler)
    assert isinstance(responses[0], Timeout)
    assert responses[1].ok
    assert len(responses) == 2


def test_imap_timeout_no_exception_handler(httpbin):
    reqs = [grequests.get(httpbin("delay/1"), timeout=0.001)]
    out = []
    try:
        for r in grequests.imap(reqs):
            out.append(r)
    except Timeout:
        pass
    assert out == []


def test_imap_timeout_exception_handler_no_return(httpbin):
    def exception_handler(request, exception):
        pass

    reqs = [grequests.get(httpbin("delay/1"), timeout=0.001)]
    out = list(grequests.imap(reqs, exception_handler=exception_handler))
    assert out == []


def test_imap_timeout_exception_handler_returns_value(httpbin):
    def exception_handler(request, exception):
        return "a value"

    reqs = [grequests.get(httpbin("delay/1"), timeout=0.001)]
    out = list(grequests.imap(reqs, exception_handler=exception_handler))
    assert out == ["a value"]


def test_map_timeout_exception(httpbin):
    calls = []
    reqs = [grequests.get(httpbin("delay/1"), timeout=0.001)]
    list(grequests.map(reqs, exception_handler=lambda r, e: calls.append(e)))
    assert len(calls) == 1


def test_imap_timeout_exception(httpbin):
    calls = []
    reqs = [grequests.get(httpbin("delay/1"), timeout=0.001)]
    list(grequests.imap(reqs, exception_handler=lambda r, e: calls.append(e)))
    assert len(calls) == 1

"""requests' keyword arguments, checked against httpbin's echo endpoints."""

import io

import pytest
import requests

import grequests_rs as grequests


def send(request):
    """The response, or the request's exception raised."""
    [response] = grequests.map([request], exception_handler=lambda r, e: e)
    if isinstance(response, BaseException):
        raise response
    return response


def echo(httpbin, method="post", **kwargs):
    return send(grequests.request(method.upper(), httpbin(method), **kwargs)).json()


def test_params_dict_list_and_none(httpbin):
    r = send(grequests.get(httpbin("get"), params={"a": 1, "b": ["x", "y"], "c": None}))
    assert r.json()["args"] == {"a": "1", "b": ["x", "y"]}
    r = send(grequests.get(httpbin("get?z=0"), params=[("a", "1"), ("a", "2")]))
    assert r.json()["args"] == {"z": "0", "a": ["1", "2"]}
    r = send(grequests.get(httpbin("get"), params="q=raw&r=2"))
    assert r.json()["args"] == {"q": "raw", "r": "2"}


@pytest.mark.parametrize(
    "data",
    [{"k": "v", "n": ["1", "2"]}, [("k", "v"), ("n", "1"), ("n", "2")]],
    ids=["dict", "pairs"],
)
def test_data_as_a_form(httpbin, data):
    body = echo(httpbin, data=data)
    assert body["form"] == {"k": "v", "n": ["1", "2"]}
    assert body["headers"]["Content-Type"].startswith("application/x-www-form-urlencoded")


@pytest.mark.parametrize(
    "data",
    [b"raw bytes", "raw bytes", io.BytesIO(b"raw bytes"), (c for c in [b"raw ", b"bytes"])],
    ids=["bytes", "str", "file", "generator"],
)
def test_data_as_a_body(httpbin, data):
    assert echo(httpbin, data=data)["data"] == "raw bytes"


def test_json(httpbin):
    body = echo(httpbin, json={"a": [1, 2], "b": None})
    assert body["json"] == {"a": [1, 2], "b": None}
    assert body["headers"]["Content-Type"] == "application/json"


def test_headers_and_user_agent(httpbin):
    headers = echo(httpbin, "get", headers={"X-Test": "1", "User-Agent": "me/1"})["headers"]
    assert headers["X-Test"] == "1"
    assert headers["User-Agent"] == "me/1"


def test_cookies(httpbin):
    r = send(grequests.get(httpbin("cookies"), cookies={"a": "1", "b": "2"}))
    assert r.json()["cookies"] == {"a": "1", "b": "2"}
    jar = requests.cookies.RequestsCookieJar()
    jar.set("c", "3")
    assert send(grequests.get(httpbin("cookies"), cookies=jar)).json()["cookies"] == {"c": "3"}


def test_files_in_requests_forms(httpbin):
    files = {
        "plain": io.BytesIO(b"one"),
        "named": ("report.csv", b"a,b\n", "text/csv"),
        "pair": ("notes.txt", io.BytesIO(b"three")),
    }
    body = echo(httpbin, files=files, data={"field": "value"})
    assert body["form"] == {"field": "value"}
    assert body["files"] == {"plain": "one", "named": "a,b\n", "pair": "three"}
    assert body["headers"]["Content-Type"].startswith("multipart/form-data")


def test_auth_tuple_basic_and_auth_base(httpbin):
    assert send(grequests.get(httpbin("basic-auth/u/p"), auth=("u", "p"))).status_code == 200
    basic = requests.auth.HTTPBasicAuth("u", "p")
    assert send(grequests.get(httpbin("basic-auth/u/p"), auth=basic)).status_code == 200
    assert send(grequests.get(httpbin("basic-auth/u/p"), auth=("u", "x"))).status_code == 401

    class Bearer(requests.auth.AuthBase):
        def __call__(self, r):
            r.headers["Authorization"] = "Bearer t0k3n"
            return r

    assert send(grequests.get(httpbin("bearer"), auth=Bearer())).status_code == 200


def test_timeouts(httpbin):
    with pytest.raises(grequests.exceptions.ReadTimeout):
        send(grequests.get(httpbin("delay/2"), timeout=0.05))
    with pytest.raises(requests.exceptions.Timeout):
        send(grequests.get(httpbin("delay/2"), timeout=(1, 0.05)))
    assert send(grequests.get(httpbin("get"), timeout=(5, 5))).ok
    with pytest.raises(ValueError):
        send(grequests.get(httpbin("get"), timeout=-1))


def test_redirects_followed_or_not(httpbin):
    r = send(grequests.get(httpbin("redirect/3")))
    assert r.status_code == 200
    assert [h.status_code for h in r.history] == [302, 302, 302]
    assert r.url == httpbin("get")
    r = send(grequests.get(httpbin("redirect/3"), allow_redirects=False))
    assert r.status_code == 302
    assert r.is_redirect
    assert r.history == []


def test_verify_with_a_ca_file_or_off(tls_url, ca_file):
    with pytest.raises(requests.exceptions.SSLError):
        send(grequests.get(tls_url + "get"))
    assert send(grequests.get(tls_url + "get", verify=ca_file)).ok
    assert send(grequests.get(tls_url + "get", verify=False)).ok


def test_cert_presents_a_client_certificate(mutual_tls):
    url, ca, cert, key = mutual_tls
    with pytest.raises(requests.exceptions.ConnectionError):
        send(grequests.get(url + "get", verify=ca))
    assert send(grequests.get(url + "get", verify=ca, cert=(cert, key))).ok
    with pytest.raises(OSError, match="Could not find the TLS certificate file"):
        send(grequests.get(url + "get", verify=ca, cert="/nonexistent/cert.pem"))


def test_proxies(httpbin, proxy_url):
    r = send(grequests.get(httpbin("get?via=proxy"), proxies={"http": proxy_url}))
    assert r.json()["args"] == {"via": "proxy"}


def test_stream_iter_content_and_lines(httpbin):
    r = send(grequests.get(httpbin("stream/5"), stream=True))
    assert not r._content_consumed
    lines = list(r.iter_lines())
    assert len(lines) == 5
    assert r._content_consumed
    r = send(grequests.get(httpbin("bytes/1000"), stream=True))
    chunks = list(r.iter_content(chunk_size=300))
    assert [len(c) for c in chunks] == [300, 300, 300, 100]
    with pytest.raises(requests.exceptions.StreamConsumedError):
        r.iter_content(chunk_size=300)


def test_session_settings_apply_to_its_requests(httpbin):
    s = grequests.Session()
    s.headers["X-Session"] = "yes"
    s.params = {"from": "session"}
    s.auth = ("u", "p")
    r = send(grequests.get(httpbin("basic-auth/u/p"), session=s))
    assert r.status_code == 200
    body = send(grequests.get(httpbin("get"), session=s)).json()
    assert body["headers"]["X-Session"] == "yes"
    assert body["args"] == {"from": "session"}


def test_a_session_keeps_cookies_and_the_default_does_not(httpbin):
    s = grequests.Session()
    send(grequests.get(httpbin("cookies/set?sid=1"), session=s))
    assert send(grequests.get(httpbin("cookies"), session=s)).json()["cookies"] == {"sid": "1"}
    assert dict(s.cookies) == {"sid": "1"}
    assert send(grequests.get(httpbin("cookies"))).json()["cookies"] == {}
    other = grequests.Session()
    assert send(grequests.get(httpbin("cookies"), session=other)).json()["cookies"] == {}


def test_session_request_sends_now(httpbin):
    with grequests.Session() as s:
        assert s.get(httpbin("get")).status_code == 200
        assert s.post(httpbin("post"), json={"a": 1}).json()["json"] == {"a": 1}


def test_session_hooks(httpbin):
    seen = []
    s = grequests.Session()
    s.hooks["response"].append(lambda r, **kw: seen.append(r.status_code))
    send(grequests.get(httpbin("status/201"), session=s))
    assert seen == [201]


def test_a_hook_may_replace_the_response(httpbin):
    r = send(grequests.get(httpbin("get"), hooks={"response": lambda r, **kw: "replaced"}))
    assert r == "replaced"


def test_a_body_over_the_sessions_limit_fails_and_streaming_is_not_bounded(httpbin):
    s = grequests.Session()
    s.max_body_size = 1000
    with pytest.raises(requests.exceptions.ChunkedEncodingError, match="max_body_size"):
        send(grequests.get(httpbin("bytes/5000"), session=s))
    assert len(send(grequests.get(httpbin("bytes/1000"), session=s)).content) == 1000
    streamed = send(grequests.get(httpbin("bytes/5000"), session=s, stream=True))
    assert len(streamed.content) == 5000
    s.max_body_size = None
    assert len(send(grequests.get(httpbin("bytes/5000"), session=s)).content) == 5000


def test_the_engines_guards_are_session_settings_with_the_engines_defaults(httpbin):
    from grequests_rs import _native

    s = grequests.Session()
    assert s.low_speed_limit == _native.DEFAULT_LOW_SPEED_LIMIT == (1024, 60.0)
    assert s.max_decompression_ratio == _native.DEFAULT_MAX_DECOMPRESSION_RATIO == 100
    assert s.max_decoded_body_size is _native.DEFAULT_MAX_DECODED_BODY_SIZE is None
    # A trickle: 10 bytes over 2 s is under 1 000 bytes per half second.
    s.low_speed_limit = (1000, 0.5)
    with pytest.raises(requests.exceptions.Timeout, match="low_speed_limit"):
        send(grequests.get(httpbin("drip?numbytes=10&duration=2"), session=s))
    s.low_speed_limit = None
    assert send(grequests.get(httpbin("drip?numbytes=4&duration=0.4"), session=s)).content == b"****"
    s.max_decoded_body_size = 100
    with pytest.raises(requests.exceptions.ContentDecodingError, match="max_decoded_body_size"):
        send(grequests.get(httpbin("gzip"), session=s))
    s.max_decoded_body_size = None
    s.max_decompression_ratio = None
    assert send(grequests.get(httpbin("gzip"), session=s)).json()["gzipped"] is True


def test_uploads_stream_from_files_and_generators(httpbin, tmp_path):
    path = tmp_path / "upload.bin"
    path.write_bytes(b"x" * 300_000)
    with open(path, "rb") as file:
        body = echo(httpbin, data=file)
    assert len(body["data"]) == 300_000
    assert body["headers"]["Content-Length"] == "300000"

    def pieces():
        yield b"first,"
        yield "second,"
        yield b"third"

    body = echo(httpbin, data=pieces())
    assert body["data"] == "first,second,third"
    assert "Content-Length" not in body["headers"]


def test_an_upload_iterator_that_raises_fails_its_request(httpbin):
    def broken():
        yield b"start"
        raise ValueError("the disk went away")

    with pytest.raises(requests.exceptions.RequestException, match="the disk went away"):
        echo(httpbin, data=broken())


def test_file_parts_stream_too(httpbin, tmp_path):
    path = tmp_path / "part.bin"
    path.write_bytes(b"y" * 200_000)
    with open(path, "rb") as file:
        body = echo(httpbin, files={"upload": ("part.bin", file, "application/octet-stream")})
    assert len(body["files"]["upload"]) == 200_000


def test_json_is_sent_when_data_is_empty_as_requests_does(httpbin):
    assert echo(httpbin, data={}, json={"a": 1})["json"] == {"a": 1}
    assert echo(httpbin, data=b"", json=[1])["json"] == [1]
    body = echo(httpbin, data={"k": "v"}, json={"ignored": True})
    assert body["form"] == {"k": "v"} and body["json"] is None


def test_raw_is_a_file_over_the_streamed_body(httpbin, tmp_path):
    import shutil

    r = send(grequests.get(httpbin("bytes/100000"), stream=True))
    assert len(r.raw.read(10)) == 10
    target = tmp_path / "download.bin"
    with open(target, "wb") as file:
        shutil.copyfileobj(r.raw, file)
    assert target.stat().st_size == 100_000 - 10
    r = send(grequests.get(httpbin("bytes/5000"), stream=True))
    assert sum(len(piece) for piece in r.raw.stream(1024)) == 5000


def test_a_sessions_stream_setting_streams_and_the_body_is_read_on_first_access(httpbin):
    # requests: `Session.stream = True` defers the body; `.content` then reads it.
    s = grequests.Session()
    s.stream = True
    s.max_body_size = 1000  # bounds buffered bodies only: these 5000 bytes prove it streamed
    (r,) = grequests.map([grequests.get(httpbin("bytes/5000"), session=s)])
    assert len(r.content) == 5000
    assert r.content is r.content
    (r,) = grequests.map([grequests.get(httpbin("stream/3"), session=s)])
    assert len(list(r.iter_lines())) == 3


def test_response_hooks_and_callbacks_run_on_every_hop_of_a_redirect(httpbin):
    # requests dispatches the response hook per response: Python grequests' callback sees
    # 302, 302, 200 for /redirect/2.
    seen = []
    r = send(grequests.get(httpbin("redirect/2"), callback=lambda r, **kw: seen.append(r.status_code)))
    assert seen == [302, 302, 200]
    assert r.status_code == 200

    s = grequests.Session()
    s.hooks["response"].append(lambda r, **kw: seen.append(("session", r.status_code)))
    seen.clear()
    send(grequests.get(httpbin("redirect/1"), session=s))
    assert seen == [("session", 302), ("session", 200)]

    # A hook's return value replaces the response it was given, on every hop.
    tagged = send(grequests.get(httpbin("redirect/1"), hooks={"response": lambda r, **kw: ("tag", r.status_code)}))
    assert tagged == ("tag", 200)
    hop_replaced = send(grequests.get(httpbin("redirect/1"), hooks={"response": [lambda r, **kw: "hop" if r.status_code == 302 else None]}))
    assert hop_replaced.status_code == 200 and hop_replaced.history == ["hop"]

"""Bad input and failures get requests' exception types, never a crash, and every request
gets its one result."""

import pytest
import requests

import grequests_rs as grequests
from grequests_rs import exceptions


def failure(request):
    [result] = grequests.map([request], exception_handler=lambda r, e: e)
    assert isinstance(result, BaseException), result
    return result


@pytest.mark.parametrize(
    ("url", "ours", "theirs"),
    [
        ("fakedomain/", exceptions.MissingSchema, requests.exceptions.MissingSchema),
        ("ftp://example.invalid/", exceptions.InvalidSchema, requests.exceptions.InvalidSchema),
        ("http://", exceptions.InvalidURL, requests.exceptions.InvalidURL),
        ("localhost:8080/x", exceptions.InvalidSchema, requests.exceptions.InvalidSchema),
        ("http://exa mple.invalid/", exceptions.InvalidURL, requests.exceptions.InvalidURL),
    ],
)
def test_bad_urls(url, ours, theirs):
    # The engine checks the URL (there is no check of it in Python): its error says what
    # was wrong, and each kind maps to requests' class for it.
    for request in (grequests.get(url), grequests.get(url, headers={"X-A": "b"})):
        error = failure(request)
        assert isinstance(error, ours) and isinstance(error, theirs), repr(error)
        assert "URL" in str(error) or "scheme" in str(error), error


def test_a_header_value_with_leading_whitespace_is_invalid_header():
    # As requests rules; the engine refuses it, for every caller of it.
    error = failure(grequests.get("http://fakedomain.invalid/", headers={"X-A": " b"}))
    assert isinstance(error, requests.exceptions.InvalidHeader), repr(error)
    assert "X-A" in str(error) or "x-a" in str(error), error


@pytest.mark.parametrize("timeout", [-1, (1, -0.5), float("nan")])
def test_a_timeout_that_is_no_duration_is_a_value_error_naming_it(timeout):
    error = failure(grequests.get("http://fakedomain.invalid/", timeout=timeout))
    assert type(error) is ValueError, repr(error)
    assert "Timeout value" in str(error), error


def test_a_tls_file_that_is_not_there_is_an_os_error(tmp_path):
    missing = str(tmp_path / "missing.pem")
    error = failure(grequests.get("https://fakedomain.invalid/", verify=missing))
    assert type(error) is OSError, repr(error)
    assert "Could not find a suitable TLS CA certificate bundle" in str(error), error
    assert missing in str(error)
    error = failure(grequests.get("https://fakedomain.invalid/", cert=(missing, missing)))
    assert "Could not find the TLS certificate file" in str(error), error


def test_a_tls_file_without_a_certificate_is_an_ssl_error(tmp_path):
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    error = failure(grequests.get("https://fakedomain.invalid/", verify=str(junk)))
    assert isinstance(error, requests.exceptions.SSLError), repr(error)
    assert "certificate" in str(error), error


@pytest.mark.parametrize("proxy", ["ftp://user:secret@127.0.0.1:1", "http://"])
def test_a_proxy_url_no_connector_can_use_is_invalid_proxy_url(proxy):
    # Never sent around the proxy, and its credentials never in the message.
    error = failure(grequests.get("http://fakedomain.invalid/", proxies={"http": proxy}))
    assert isinstance(error, requests.exceptions.InvalidProxyURL), repr(error)
    assert "proxy" in str(error) and "secret" not in str(error), error


def test_a_header_with_a_line_break():
    error = failure(grequests.get("http://fakedomain.invalid/", headers={"X-A": "b\r\nc"}))
    assert isinstance(error, requests.exceptions.InvalidHeader)
    error = failure(grequests.get("http://fakedomain.invalid/", headers={"X-A": 1}))
    assert isinstance(error, exceptions.InvalidHeader)


def test_unserialisable_json():
    error = failure(grequests.post("http://fakedomain.invalid/", json={"a": object()}))
    assert isinstance(error, requests.exceptions.InvalidJSONError)


def test_an_unknown_keyword_is_a_type_error():
    assert isinstance(failure(grequests.get("http://fakedomain.invalid/", colour="red")), TypeError)


def test_connection_refused_and_names_that_do_not_resolve(refused_url):
    assert isinstance(failure(grequests.get(refused_url)), requests.exceptions.ConnectionError)
    error = failure(grequests.get("http://nowhere.invalid/"))
    assert isinstance(error, exceptions.ConnectionError)
    assert "nowhere.invalid" in str(error)


def test_too_many_redirects(httpbin):
    s = grequests.Session()
    assert grequests.map([grequests.get(httpbin("redirect/5"), session=s)])[0].status_code == 200
    # A setting changed after the session sent requests holds for the next ones.
    s.max_redirects = 2
    error = failure(grequests.get(httpbin("redirect/5"), session=s))
    assert isinstance(error, requests.exceptions.TooManyRedirects)


def test_every_request_gets_one_result_whatever_goes_wrong(httpbin, refused_url):
    reqs = [
        grequests.get(httpbin("get")),
        grequests.get("no scheme"),
        grequests.get(refused_url),
        grequests.get(httpbin("status/503")),
        grequests.post(httpbin("post"), json={1, 2}),
        grequests.get(httpbin("get"), headers={"bad": "a\nb"}),
        grequests.get(httpbin("delay/1"), timeout=0.01),
    ]
    results = grequests.map(reqs, size=3)
    assert [r.status_code if r is not None else None for r in results] == [
        200, None, None, 503, None, None, None,
    ]
    for request in reqs:
        assert (request.response is None) == hasattr(request, "exception")
    kinds = [type(r.exception).__name__ for r in reqs if hasattr(r, "exception")]
    assert kinds == ["MissingSchema", "ConnectionError", "InvalidJSONError", "InvalidHeader",
                     "ReadTimeout"]


def test_send_sets_response_or_exception(httpbin, refused_url):
    ok = grequests.get(httpbin("get")).send()
    assert ok.response.status_code == 200
    failed = grequests.get(refused_url).send()
    assert failed.response is None
    assert isinstance(failed.exception, requests.exceptions.ConnectionError)
    assert "ConnectionError" in failed.traceback
    job = grequests.send(grequests.get(httpbin("get")))
    assert job.get().response.ok


def test_raise_for_status(httpbin):
    r = grequests.map([grequests.get(httpbin("status/404"))])[0]
    with pytest.raises(requests.exceptions.HTTPError) as raised:
        r.raise_for_status()
    assert str(raised.value) == f"404 Client Error: Not Found for url: {httpbin('status/404')}"
    assert raised.value.response is r


def test_exceptions_are_requests_exceptions_too():
    for name in exceptions.__all__:
        ours, theirs = getattr(exceptions, name), getattr(requests.exceptions, name)
        assert issubclass(ours, theirs), name
        assert issubclass(ours, exceptions.RequestException), name
    assert issubclass(exceptions.ConnectTimeout, exceptions.Timeout)
    assert issubclass(exceptions.JSONDecodeError, ValueError)


def test_a_body_that_is_not_json(httpbin):
    r = grequests.map([grequests.get(httpbin(""))])[0]
    with pytest.raises(requests.exceptions.JSONDecodeError):
        r.json()


def test_a_batch_inside_a_request_generator_is_an_error_not_a_crash(httpbin):
    def nested():
        grequests.map([grequests.get(httpbin("get"))])
        yield grequests.get(httpbin("get"))

    with pytest.raises(RuntimeError, match="inside another batch"):
        list(grequests.imap(nested()))


def test_an_exception_from_the_callers_generator_is_raised(httpbin):
    def broken():
        yield grequests.get(httpbin("get"))
        raise KeyError("broken generator")

    with pytest.raises(KeyError, match="broken generator"):
        list(grequests.imap(broken(), size=1))


@pytest.mark.parametrize(
    "keywords",
    [{"cookies": {"a": "b\x01c"}}, {"headers": {"X-A": "b\x01c"}}],
    ids=["cookie", "header"],
)
def test_a_header_or_cookie_the_engine_refuses_is_invalid_header(httpbin, keywords):
    # requests raises InvalidHeader; the engine's builder error says which input it was.
    errors = []
    grequests.map([grequests.get(httpbin("get"), **keywords)], exception_handler=lambda r, e: errors.append(e))
    assert isinstance(errors[0], requests.exceptions.InvalidHeader), repr(errors[0])
    assert not isinstance(errors[0], requests.exceptions.InvalidURL)

"""The seed README's examples, with their exact output (the servers are local: the
README's hosts became the embedded httpbin's paths, `fakedomain` resolves nowhere)."""

import grequests_rs as grequests


def test_map_usage(httpbin):
    urls = [
        httpbin("anything/heroku"),
        httpbin("anything/python-tablib"),
        httpbin(""),
        httpbin("anything/python-requests"),
        "http://fakedomain/",
        httpbin("anything/kennethreitz"),
    ]
    rs = (grequests.get(u) for u in urls)
    assert repr(grequests.map(rs)) == (
        "[<Response [200]>, <Response [200]>, <Response [200]>, <Response [200]>, None, "
        "<Response [200]>]"
    )


def test_error_handling(httpbin, capsys):
    def exception_handler(request, exception):
        print("Request failed")

    reqs = [
        grequests.get(httpbin("delay/1"), timeout=0.001),
        grequests.get("http://fakedomain/"),
        grequests.get(httpbin("status/500")),
    ]
    result = grequests.map(reqs, exception_handler=exception_handler)
    assert capsys.readouterr().out == "Request failed\nRequest failed\n"
    assert repr(result) == "[None, None, <Response [500]>]"


def test_imap(httpbin, capsys):
    reqs = [grequests.get(httpbin("status/%d" % code)) for code in (200, 201, 500)]
    for resp in grequests.imap(reqs, size=10):
        print(resp)
    lines = sorted(capsys.readouterr().out.splitlines())
    assert lines == ["<Response [200]>", "<Response [201]>", "<Response [500]>"]


def test_imap_enumerated(httpbin, capsys):
    rs = [grequests.get(httpbin(f"status/{code}")) for code in range(200, 206)]
    for index, response in grequests.imap_enumerated(rs, size=5):
        print(index, response)
    lines = sorted(capsys.readouterr().out.splitlines())
    assert lines == [f"{i} <Response [{200 + i}]>" for i in range(6)]

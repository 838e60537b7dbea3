use super::*;

/// What the fast path promises for `text`, when it takes it: `Url::parse` gives the text
/// back unchanged, and the URI sent is the one the `Url` would have made.
fn assert_faithful(text: &str) -> bool {
    let Some(fast) = RequestUrl::canonical(text) else {
        return false;
    };
    let parsed = Url::parse(text).unwrap_or_else(|e| panic!("{text:?} was taken but {e}"));
    assert_eq!(parsed.as_str(), text, "Url::parse changes {text:?}");
    let sent = fast.to_uri().expect("a canonical URI");
    assert_eq!(
        sent,
        super::super::uri::to_uri(&parsed).expect("a URI"),
        "{text:?}"
    );
    assert_eq!(sent.to_string(), text, "{text:?}");
    assert_eq!(fast.to_string(), text, "{text:?} as text");
    assert!(!fast.is_parsed(), "{text:?} was parsed on the fast path");
    assert_eq!(fast.url(), &parsed, "{text:?}");
    true
}

#[test]
fn plain_urls_take_the_fast_path_and_give_what_url_parse_gives() {
    for text in [
        "http://127.0.0.1:18080/small",
        "http://127.0.0.1:18080/small?i=12&j=x",
        "https://api.example.test/v1/items/42?page=2",
        "http://localhost:8080/",
        "http://a-b.c0.test/x/.y/y.z/..a/%41?q=?&r=:@/",
        "http://example.test/a%zz",
        "http://example.test/p?",
    ] {
        assert!(assert_faithful(text), "{text:?} took the long way");
    }
}

#[test]
fn anything_url_would_rewrite_takes_the_long_way() {
    for text in [
        "HTTP://example.test/",
        "http://Example.test/",
        "http://example.test",
        "http://example.test:80/",
        "https://example.test:443/",
        "http://example.test:080/",
        "http://example.test:65536/",
        "http://example.test:/",
        "http://1.2.3/",
        "http://01.2.3.4/",
        "http://256.1.1.1/",
        "http://a.0x10/",
        "http://xn--nxasmq6b.example/",
        "http://a..b/",
        "http://user:pass@example.test/",
        "http://example.test/a/../b",
        "http://example.test/a/%2E%2e/b",
        "http://example.test/a/.",
        "http://example.test//evil.test/",
        "http://example.test/a\\b",
        "http://example.test/a b",
        "http://example.test/a\tb",
        "http://example.test/é",
        "http://example.test/{x}",
        "http://example.test/?q='x'",
        "http://example.test/#frag",
        "ftp://example.test/",
        "http://[::1]:8080/",
    ] {
        assert!(
            RequestUrl::canonical(text).is_none(),
            "{text:?} took the fast path"
        );
    }
}

/// Text stitched from pieces that `Url` keeps, rewrites or refuses, in every mix a seeded
/// generator reaches: whatever the fast path takes must be faithful, and it must take some.
#[test]
fn no_mix_of_pieces_gets_past_the_fast_path_changed() {
    const SCHEMES: &[&str] = &["http://", "https://", "HTTP://", "http:/"];
    const HOSTS: &[&str] = &[
        "a.test",
        "127.0.0.1",
        "1.2.3",
        "A.test",
        "xn--nxasmq6b.example",
        "a..b",
        "localhost",
        "0x7f.1",
        "256.1.1.1",
        "01.2.3.4",
        "a-b.c",
        "a_b.c",
        "x.1a",
        "-a.b",
        "a.b.",
        "",
    ];
    const PORTS: &[&str] = &[
        "", ":80", ":443", ":8080", ":080", ":65536", ":0", ":", ":1",
    ];
    const PIECES: &[&str] = &[
        "/", "/", "a", "Z9", ".", "..", "%2e", "%2E", "%41", "%", "%zz", "~", "-_", "\\", " ", "'",
        "\"", "{", "}", "|", "^", "`", "[", "]", "<", ">", "?", "#", "é", "\t", "\n", "@", ":",
        ";", "=", "&", "+", "$", "!", "*", "(", ")", ",",
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut taken = 0;
    for _ in 0..50_000 {
        let mut text = String::new();
        text.push_str(SCHEMES[next(SCHEMES.len())]);
        text.push_str(HOSTS[next(HOSTS.len())]);
        text.push_str(PORTS[next(PORTS.len())]);
        text.push('/');
        for _ in 0..next(8) {
            text.push_str(PIECES[next(PIECES.len())]);
        }
        if assert_faithful(&text) {
            taken += 1;
        }
    }
    assert!(
        taken > 1_000,
        "only {taken} of the mixes took the fast path"
    );
}

#[test]
fn a_changed_url_is_sent_as_changed() {
    let mut url = RequestUrl::canonical("http://a.test:8080/p?x=1").expect("canonical");
    url.url_mut()
        .query_pairs_mut()
        .append_pair("y", "two words");
    assert_eq!(
        url.to_uri().expect("a URI").to_string(),
        "http://a.test:8080/p?x=1&y=two+words"
    );
}

/// The authority is checked once per run of requests to an origin: an origin cached by a
/// `Url` sent (which may hold credentials) is still checked before the fast path takes it.
#[test]
fn an_origin_cached_from_a_url_is_still_checked() {
    let with_credentials = Url::parse("http://user:pass@example.test/x").expect("a URL");
    super::super::uri::to_uri(&with_credentials).expect("a URI");
    for _ in 0..2 {
        assert!(RequestUrl::canonical("http://user:pass@example.test/x").is_none());
    }
    let plain = Url::parse("http://a.test:8080/x").expect("a URL");
    super::super::uri::to_uri(&plain).expect("a URI");
    for path in ["/x", "/y", "/x"] {
        assert!(
            assert_faithful(&format!("http://a.test:8080{path}")),
            "{path}"
        );
    }
}

/// Copies share the parsed `Url` until one is changed: a response's copy of its request's
/// URL keeps what was sent when the request's own is edited afterwards.
#[test]
fn a_copy_keeps_its_url_when_the_original_is_changed() {
    let mut url = RequestUrl::from_url(Url::parse("http://A.test/p").expect("a URL"));
    let copy = url.clone();
    assert!(std::ptr::eq(copy.url(), url.url()), "one Url, shared");
    url.url_mut().set_path("/q");
    assert_eq!(copy.url().as_str(), "http://a.test/p");
    assert_eq!(url.url().as_str(), "http://a.test/q");
}

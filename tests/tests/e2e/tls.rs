//! TLS with the test CA, verification failures, and HTTP/2 (ALPN and prior knowledge).

use grequests::http::Version;
use grequests::Client;
use grequests_testserver::TestServer;

use crate::support::{client, json, server};

fn trusting(server: &TestServer) -> Client {
    Client::builder()
        .no_proxies()
        .add_root_certificate_pem(server.ca_pem().unwrap().as_bytes())
        .build()
        .unwrap()
}

#[tokio::test]
async fn https_with_the_test_ca_negotiates_http2() {
    let server = TestServer::start_tls().await.unwrap();
    let client = trusting(&server);
    let response = client.get(server.url("/get")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.version(), Version::HTTP_2);
    assert!(json(&response)["url"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    let by_name = client
        .get(format!("https://localhost:{}/get", server.addr().port()))
        .send()
        .await
        .unwrap();
    assert_eq!(by_name.status(), 200);
    let http1 = Client::builder()
        .no_proxies()
        .http1_only()
        .add_root_certificate_pem(server.ca_pem().unwrap().as_bytes())
        .build()
        .unwrap();
    let response = http1.get(server.url("/get")).send().await.unwrap();
    assert_eq!(response.version(), Version::HTTP_11);
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_tls_error() {
    let server = TestServer::start_tls().await.unwrap();
    let error = client().get(server.url("/get")).send().await.unwrap_err();
    assert!(error.is_tls(), "{error}");
    assert!(error.is_connect());
}

#[tokio::test]
async fn a_wrong_host_name_fails_verification() {
    let server = TestServer::start_tls().await.unwrap();
    let client = Client::builder()
        .no_proxies()
        .add_root_certificate_pem(server.ca_pem().unwrap().as_bytes())
        .resolve("other.test", server.addr())
        .build()
        .unwrap();
    let error = client
        .get(format!("https://other.test:{}/get", server.addr().port()))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_tls(), "{error}");
}

#[tokio::test]
async fn h2c_by_prior_knowledge() {
    let server = server().await;
    let h2c = Client::builder()
        .no_proxies()
        .http2_prior_knowledge()
        .build()
        .unwrap();
    let responses = grequests::map((0..20).map(|_| h2c.get(server.url("/get"))))
        .size(10)
        .await;
    assert!(responses
        .iter()
        .all(|r| r.as_ref().is_some_and(|r| r.version() == Version::HTTP_2)));
    let plain = client().get(server.url("/get")).send().await.unwrap();
    assert_eq!(plain.version(), Version::HTTP_11);
}

#[tokio::test]
async fn bad_tls_settings_are_builder_errors() {
    let error = Client::builder()
        .add_root_certificate_pem(b"not a pem")
        .build()
        .unwrap_err();
    assert!(error.is_builder(), "{error}");
    assert_eq!(
        error.invalid_input(),
        Some(grequests::Input::Tls),
        "{error}"
    );
    let error = Client::builder()
        .identity_pem(b"nope", b"nope")
        .build()
        .unwrap_err();
    assert!(error.is_builder(), "{error}");
    assert_eq!(
        error.invalid_input(),
        Some(grequests::Input::Tls),
        "{error}"
    );
}

#[tokio::test]
async fn mutual_tls_presents_the_client_certificate() {
    let server = TestServer::builder()
        .client_auth(true)
        .start()
        .await
        .unwrap();
    let (cert, key) = server.client_identity_pem().unwrap();
    let with_identity = Client::builder()
        .no_proxies()
        .add_root_certificate_pem(server.ca_pem().unwrap().as_bytes())
        .identity_pem(cert.as_bytes(), key.as_bytes())
        .build()
        .unwrap();
    assert_eq!(
        with_identity
            .get(server.url("/get"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let without = trusting(&server)
        .get(server.url("/get"))
        .send()
        .await
        .unwrap_err();
    assert!(without.is_tls() || without.is_request(), "{without}");
}

#[tokio::test]
async fn verification_off_is_asked_for_and_its_connections_never_serve_a_verified_request() {
    // Turning verification off takes an explicit, loudly named setting, and requests'
    // CVE-2024-35195 (a session reused a verify=False connection for later verified
    // requests) cannot happen: TLS settings belong to a client here, and so does the pool.
    let server = TestServer::start_tls().await.unwrap();
    let insecure = Client::builder()
        .no_proxies()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    assert_eq!(
        insecure
            .get(server.url("/get"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let verified = client().get(server.url("/get")).send().await.unwrap_err();
    assert!(verified.is_tls(), "{verified}");
}

/// Writes the test server's CA to a file of its own, for the trust-store variables.
fn ca_file(server: &TestServer, name: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "grequests-{name}-{}-{}.pem",
        std::process::id(),
        server.addr().port()
    ));
    std::fs::write(&path, server.ca_pem().unwrap()).unwrap();
    path
}

#[test]
fn a_ca_named_by_the_environment_is_trusted_by_default() {
    let server = TestServer::builder().tls(true).spawn_thread().unwrap();
    let url = format!("https://localhost:{}/get", server.addr().port());
    for variable in ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"] {
        let path = ca_file(&server, variable);
        let path_text = path.to_string_lossy().into_owned();
        crate::support::run_child(
            "tls::trust_store_child",
            &[(variable, &path_text), ("GREQUESTS_TARGET", &url)],
            None,
        );
        let _ = std::fs::remove_file(path);
    }
}

/// Run by the test above with `SSL_CERT_FILE` or `REQUESTS_CA_BUNDLE` naming the test CA:
/// a default client verifies the server; one that ignores the platform's roots does not.
#[tokio::test]
#[ignore = "run in a child process by a_ca_named_by_the_environment_is_trusted_by_default"]
async fn trust_store_child() {
    if !crate::support::is_child() {
        return;
    }
    let url = std::env::var("GREQUESTS_TARGET").unwrap();
    let response = client().get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let webpki_only = Client::builder()
        .no_proxies()
        .tls_platform_root_certs(false)
        .build()
        .unwrap();
    let err = webpki_only.get(&url).send().await.unwrap_err();
    assert!(err.is_tls(), "{err}");
}

#[tokio::test]
async fn a_minimum_tls_version_is_honoured() {
    let server = TestServer::start_tls().await.unwrap();
    let client = Client::builder()
        .no_proxies()
        .add_root_certificate_pem(server.ca_pem().unwrap().as_bytes())
        .tls_min_version(grequests::TlsVersion::Tls13)
        .build()
        .unwrap();
    let url = format!("https://localhost:{}/get", server.addr().port());
    assert_eq!(client.get(&url).send().await.unwrap().status(), 200);

    let old = TestServer::builder()
        .tls12_only(true)
        .start()
        .await
        .unwrap();
    let url = format!("https://localhost:{}/get", old.addr().port());
    let strict = Client::builder()
        .no_proxies()
        .add_root_certificate_pem(old.ca_pem().unwrap().as_bytes())
        .tls_min_version(grequests::TlsVersion::Tls13)
        .build()
        .unwrap();
    let err = strict.get(&url).send().await.unwrap_err();
    assert!(err.is_tls(), "{err}");
    let lenient = Client::builder()
        .no_proxies()
        .add_root_certificate_pem(old.ca_pem().unwrap().as_bytes())
        .build()
        .unwrap();
    assert_eq!(lenient.get(&url).send().await.unwrap().status(), 200);
}

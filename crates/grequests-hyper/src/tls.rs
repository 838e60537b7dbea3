//! TLS settings, turned into a rustls `ClientConfig` (ring as the crypto provider).

use std::sync::{Arc, OnceLock};

use grequests_transport::{Error, Input, Result};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

/// The oldest TLS version a transport accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum TlsVersion {
    /// TLS 1.2 (the default minimum).
    Tls12,
    /// TLS 1.3.
    Tls13,
}

/// What a transport's TLS does: verification on by default against the platform's roots,
/// webpki's roots and any added, an optional client certificate, and verification off only
/// when asked loudly.
#[derive(Clone, Default)]
pub(crate) struct TlsSettings {
    pub(crate) extra_roots: Vec<CertificateDer<'static>>,
    pub(crate) builtin_roots: bool,
    pub(crate) platform_roots: bool,
    pub(crate) min_version: Option<TlsVersion>,
    pub(crate) identity: Option<(Vec<CertificateDer<'static>>, Arc<PrivateKeyDer<'static>>)>,
    pub(crate) accept_invalid_certs: bool,
}

/// The certificates the machine trusts: its store (or `SSL_CERT_FILE`/`SSL_CERT_DIR` when
/// set, as OpenSSL reads them), plus requests' `REQUESTS_CA_BUNDLE` and `CURL_CA_BUNDLE`.
fn platform_roots() -> Vec<CertificateDer<'static>> {
    let mut certs = rustls_native_certs::load_native_certs().certs;
    for variable in ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"] {
        let Some(path) = std::env::var_os(variable).filter(|p| !p.is_empty()) else {
            continue;
        };
        if let Ok(pem) = std::fs::read(&path) {
            certs.extend(CertificateDer::pem_slice_iter(&pem).filter_map(|c| c.ok()));
        }
    }
    certs
}

/// The roots a client trusts unless told otherwise: webpki's, and the machine's when
/// `platform`. Built once per process and shared by every client: the machine's store is
/// a few hundred files, and its certificates as read (about 0.5 MB) are dropped once
/// parsed into trust anchors (about 0.2 MB, which each client used to build again).
fn default_roots(platform: bool) -> Arc<RootCertStore> {
    static BUILTIN: OnceLock<Arc<RootCertStore>> = OnceLock::new();
    static WITH_PLATFORM: OnceLock<Arc<RootCertStore>> = OnceLock::new();
    let cell = if platform { &WITH_PLATFORM } else { &BUILTIN };
    cell.get_or_init(|| {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if platform {
            // A store may hold certificates rustls can't use; they are skipped.
            roots.add_parsable_certificates(platform_roots());
        }
        Arc::new(roots)
    })
    .clone()
}

impl TlsSettings {
    pub(crate) fn new() -> Self {
        TlsSettings {
            builtin_roots: true,
            platform_roots: true,
            ..TlsSettings::default()
        }
    }

    /// Adds the certificates of a PEM bundle as trusted roots.
    pub(crate) fn add_root_pem(&mut self, pem: &[u8]) -> Result<()> {
        let certs = parse_certs(pem)?;
        self.extra_roots.extend(certs);
        Ok(())
    }

    /// A client certificate chain and its private key, both PEM.
    pub(crate) fn set_identity(&mut self, cert_pem: &[u8], key_pem: &[u8]) -> Result<()> {
        let chain = parse_certs(cert_pem)?;
        let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| {
            Error::invalid(Input::Tls, format!("invalid client private key PEM: {e}"))
        })?;
        self.identity = Some((chain, Arc::new(key)));
        Ok(())
    }

    /// The rustls configuration; ALPN is left to hyper-rustls, which sets it per protocol.
    pub(crate) fn client_config(&self) -> Result<rustls::ClientConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let versions: &[&rustls::SupportedProtocolVersion] = match self.min_version {
            Some(TlsVersion::Tls13) => &[&rustls::version::TLS13],
            Some(TlsVersion::Tls12) | None => rustls::DEFAULT_VERSIONS,
        };
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(versions)
            .map_err(|e| Error::builder(format!("TLS setup: {e}")))?;
        let builder = if self.accept_invalid_certs {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
        } else {
            if self.builtin_roots && self.extra_roots.is_empty() {
                let verifier = DefaultRootsVerifier::new(self.platform_roots, provider);
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(verifier))
            } else {
                let defaults = self
                    .builtin_roots
                    .then(|| default_roots(self.platform_roots));
                let mut roots = defaults.map_or_else(RootCertStore::empty, |d| (*d).clone());
                for cert in &self.extra_roots {
                    roots.add(cert.clone()).map_err(|e| {
                        Error::invalid(Input::Tls, format!("invalid root certificate: {e}"))
                    })?;
                }
                builder.with_root_certificates(roots)
            }
        };
        let config = match &self.identity {
            Some((chain, key)) => builder
                .with_client_auth_cert(chain.clone(), key.clone_key())
                .map_err(|e| {
                    Error::invalid(Input::Tls, format!("invalid client certificate: {e}"))
                })?,
            None => builder.with_no_client_auth(),
        };
        Ok(config)
    }
}

fn parse_certs(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Error::invalid(Input::Tls, format!("invalid certificate PEM: {e}")))?;
    if certs.is_empty() {
        return Err(Error::invalid(Input::Tls, "no certificate found in PEM"));
    }
    Ok(certs)
}

/// rustls' own verifier over the default roots (webpki's, and the machine's when
/// `platform`), made at the first TLS handshake, not with the client: a client that only
/// speaks plain HTTP never builds the roots. The machine's store is a few hundred files;
/// reading and parsing it took 36 M instructions at the first client, a tenth of
/// `grequests fetch`'s whole run over 2 000 plain-HTTP URLs. Every check is the webpki
/// verifier's.
#[derive(Debug)]
struct DefaultRootsVerifier {
    platform: bool,
    provider: Arc<CryptoProvider>,
    webpki: OnceLock<std::result::Result<Arc<WebPkiServerVerifier>, rustls::Error>>,
}

impl DefaultRootsVerifier {
    fn new(platform: bool, provider: Arc<CryptoProvider>) -> Self {
        DefaultRootsVerifier {
            platform,
            provider,
            webpki: OnceLock::new(),
        }
    }

    fn webpki(&self) -> std::result::Result<&WebPkiServerVerifier, rustls::Error> {
        let made = self.webpki.get_or_init(|| {
            let roots = default_roots(self.platform);
            WebPkiServerVerifier::builder_with_provider(roots, self.provider.clone())
                .build()
                .map_err(|e| rustls::Error::General(format!("default trust anchors: {e}")))
        });
        made.as_deref().map_err(Clone::clone)
    }
}

impl ServerCertVerifier for DefaultRootsVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        self.webpki()?.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki()?.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki()?.verify_tls13_signature(message, cert, dss)
    }

    /// Asked for the first ClientHello, which is when the roots are built. Were they to
    /// fail, no scheme is offered, and the handshake fails with the reason in
    /// `verify_server_cert`'s place.
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki()
            .map_or_else(|_| Vec::new(), |webpki| webpki.supported_verify_schemes())
    }
}

/// requests' `verify=False`: any certificate for any name is accepted. Signatures are still
/// checked, so the peer holds the key of the certificate it shows.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_roots_are_built_at_the_first_handshake_not_with_the_client() {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = DefaultRootsVerifier::new(false, provider);
        assert!(verifier.webpki.get().is_none());
        let self_signed = CertificateDer::from(&b"not a certificate"[..]);
        let name = ServerName::try_from("example.invalid").expect("a name");
        let verdict = verifier.verify_server_cert(&self_signed, &[], &name, &[], UnixTime::now());
        assert!(
            verdict.is_err(),
            "a certificate no root signed was accepted"
        );
        assert!(verifier.webpki.get().is_some_and(|made| made.is_ok()));
    }
}

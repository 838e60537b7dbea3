//! Certificates made at start-up: a throwaway CA and a leaf for `localhost` and 127.0.0.1.

use std::io;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

/// A CA of its own and a server certificate it signed; clients trust [`ca_pem`](Self::ca_pem).
pub(crate) struct TestCertificates {
    pub(crate) ca_pem: String,
    pub(crate) acceptor: TlsAcceptor,
    /// With client authentication on: a client certificate and key (PEM) the server accepts.
    pub(crate) client_identity: Option<(String, String)>,
}

fn invalid(err: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("test certificates: {err}"))
}

impl TestCertificates {
    /// `names`: DNS names and IP addresses the server certificate covers. With
    /// `client_auth`, clients must present a certificate from the same CA.
    pub(crate) fn generate(
        names: &[String],
        client_auth: bool,
        tls12_only: bool,
    ) -> io::Result<Self> {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(invalid)?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "grequests test CA");
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().map_err(invalid)?)
            .map_err(invalid)?;

        let leaf_key = KeyPair::generate().map_err(invalid)?;
        let mut leaf_params = CertificateParams::new(names.to_vec()).map_err(invalid)?;
        leaf_params
            .distinguished_name
            .push(DnType::CommonName, "grequests test server");
        let leaf = leaf_params.signed_by(&leaf_key, &ca).map_err(invalid)?;

        let chain = vec![leaf.der().clone(), CertificateDer::from(ca.der().to_vec())];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let versions: &[&rustls::SupportedProtocolVersion] = if tls12_only {
            &[&rustls::version::TLS12]
        } else {
            rustls::DEFAULT_VERSIONS
        };
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(versions)
            .map_err(invalid)?;
        let (builder, client_identity) = if client_auth {
            let client_key = KeyPair::generate().map_err(invalid)?;
            let mut client_params =
                CertificateParams::new(Vec::<String>::new()).map_err(invalid)?;
            client_params
                .distinguished_name
                .push(DnType::CommonName, "grequests test client");
            let client_cert = client_params.signed_by(&client_key, &ca).map_err(invalid)?;
            let mut roots = rustls::RootCertStore::empty();
            roots
                .add(CertificateDer::from(ca.der().to_vec()))
                .map_err(invalid)?;
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .map_err(invalid)?;
            let identity = (client_cert.pem(), client_key.serialize_pem());
            (builder.with_client_cert_verifier(verifier), Some(identity))
        } else {
            (builder.with_no_client_auth(), None)
        };
        let mut config = builder.with_single_cert(chain, key).map_err(invalid)?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(TestCertificates {
            ca_pem: ca.pem(),
            acceptor: TlsAcceptor::from(Arc::new(config)),
            client_identity,
        })
    }
}

//! The process-wide TLS crypto provider. Outgoing HTTPS clients (reqwest, built without a
//! provider of its own so that aws-lc is not compiled) use ring, already built for the
//! database's TLS. Installing twice is harmless.

/// Installs ring as the default rustls provider, if none is installed yet.
pub fn init() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

//! TLS for PostgreSQL connections, as libpq's `sslmode` and `sslrootcert`
//! describe it.
//!
//! Building a `native-tls` connector loads the system's whole certificate
//! bundle (about 100 ms of CPU here), so it is built only once the server
//! has agreed to TLS, and at most once per process for each setting: a
//! server that declines TLS under `prefer` costs nothing, and a `diff`'s
//! two connections share one connector.

use std::error::Error as StdError;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use ::postgres::tls::{MakeTlsConnect, TlsConnect};
use ::postgres::Socket;

use crate::db_url::DatabaseUrl;
use crate::error::{Error, Result};

/// How to secure the connection, from libpq's `sslmode` and `sslrootcert`.
pub(super) enum Tls {
    /// `sslmode=disable`: plain TCP.
    Off,
    /// Any other mode: TLS when the server offers it (`prefer`, `allow`) or
    /// always (`require`, `verify-ca`, `verify-full`).
    On(Settings),
}

/// What a TLS connection checks.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct Settings {
    /// Check the certificate chain and host name (`verify-*`, or
    /// `require` with an `sslrootcert`, as libpq does).
    verify: bool,
    /// Extra trusted root certificate (PEM file).
    root_cert: Option<String>,
}

/// Splits libpq's TLS parameters off the URL. tokio-postgres knows only
/// `disable`, `prefer` and `require`; the verification modes and the root
/// certificate are applied to the TLS connector instead.
pub(super) fn settings(url: &DatabaseUrl) -> Result<(String, Tls)> {
    let raw = url.as_str();
    let (base, query) = match raw.split_once('?') {
        Some((b, q)) => (b, q),
        None => (raw, ""),
    };
    let mut mode = "prefer".to_string();
    let mut root_cert = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslmode", v)) => mode = v.to_string(),
            Some(("sslrootcert", v)) => root_cert = Some(v.to_string()),
            _ => kept.push(pair),
        }
    }
    let on = |verify, root_cert| Tls::On(Settings { verify, root_cert });
    let (pg_mode, tls) = match mode.as_str() {
        "disable" => ("disable", Tls::Off),
        "allow" | "prefer" => ("prefer", on(false, root_cert)),
        "require" => ("require", on(root_cert.is_some(), root_cert)),
        "verify-ca" | "verify-full" => ("require", on(true, root_cert)),
        other => {
            return Err(Error::Url(format!(
                "unknown sslmode '{other}' in '{}': use disable, allow, prefer, require, verify-ca or verify-full",
                url.masked()
            )))
        }
    };
    kept.push(match pg_mode {
        "disable" => "sslmode=disable",
        "require" => "sslmode=require",
        _ => "sslmode=prefer",
    });
    Ok((format!("{base}?{}", kept.join("&")), tls))
}

/// A `MakeTlsConnect` that builds nothing until the server accepts TLS.
pub(super) struct LazyTls(pub(super) Settings);

/// The TLS handshake for one connection, its connector built on first use.
pub(super) struct LazyTlsConnect {
    settings: Settings,
    domain: String,
}

type BoxError = Box<dyn StdError + Send + Sync>;

impl MakeTlsConnect<Socket> for LazyTls {
    type Stream = postgres_native_tls::TlsStream<Socket>;
    type TlsConnect = LazyTlsConnect;
    type Error = BoxError;

    fn make_tls_connect(&mut self, domain: &str) -> std::result::Result<LazyTlsConnect, BoxError> {
        Ok(LazyTlsConnect {
            settings: self.0.clone(),
            domain: domain.to_string(),
        })
    }
}

impl TlsConnect<Socket> for LazyTlsConnect {
    type Stream = postgres_native_tls::TlsStream<Socket>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = std::result::Result<Self::Stream, BoxError>> + Send>>;

    fn connect(self, stream: Socket) -> Self::Future {
        Box::pin(async move {
            let connector = connector(&self.settings)?;
            let handshake =
                postgres_native_tls::TlsConnector::new(connector, &self.domain).connect(stream);
            Ok(handshake.await?)
        })
    }
}

/// The connectors built so far in this process (a handful at most).
static CONNECTORS: Mutex<Vec<(Settings, native_tls::TlsConnector)>> = Mutex::new(Vec::new());

/// The connector for `settings`, built once per process.
fn connector(settings: &Settings) -> std::result::Result<native_tls::TlsConnector, String> {
    let mut built = CONNECTORS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, c)) = built.iter().find(|(s, _)| s == settings) {
        return Ok(c.clone());
    }
    let c = build(settings)?;
    built.push((settings.clone(), c.clone()));
    Ok(c)
}

fn build(settings: &Settings) -> std::result::Result<native_tls::TlsConnector, String> {
    let mut builder = native_tls::TlsConnector::builder();
    if !settings.verify {
        // libpq's `prefer`/`require`: encrypt, but do not check who answers.
        builder
            .danger_accept_invalid_certs(true)
            .danger_accept_invalid_hostnames(true);
    }
    if let Some(path) = &settings.root_cert {
        let pem =
            std::fs::read(path).map_err(|e| format!("cannot read sslrootcert {path}: {e}"))?;
        let cert = native_tls::Certificate::from_pem(&pem)
            .map_err(|e| format!("sslrootcert {path} is not a PEM certificate: {e}"))?;
        builder.add_root_certificate(cert);
    }
    builder
        .build()
        .map_err(|e| format!("cannot set up TLS: {e}"))
}

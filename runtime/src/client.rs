//! The client's address, for rate limits and BankID's `endUserIp`. It is the connection's peer,
//! unless the peer is one of the operator's `trusted_proxies`: then `X-Forwarded-For` is read from
//! the right, skipping trusted hops, and the first address the proxies did not add is the client.
//! A hop the client wrote itself is never believed (issue 21: spoofed first hops let 40 logins
//! through a limit of 20).

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// The client's address; `None` when the request came without a connection (in-process tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

impl ClientAddr {
    /// The key rate limits count under.
    pub fn key(&self) -> String {
        match self.0 {
            Some(ip) => ip.to_string(),
            None => "in-process".into(),
        }
    }

    /// The client of the request being served, for code that runs inside it without the
    /// extractor (the audit trail, a signature started deep in a handler); none for the
    /// server's own work.
    pub fn current() -> ClientAddr {
        crate::audit::CLIENT
            .try_with(|c| *c)
            .unwrap_or(ClientAddr(None))
    }
}

/// A proxy the operator trusts (`trusted_proxies` in blankett.toml): an address (`10.0.0.5`)
/// or a network (`10.0.0.0/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyNet(pub IpNet);

impl std::str::FromStr for ProxyNet {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        s.parse::<IpNet>()
            .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
            .map(ProxyNet)
            .map_err(|_| {
                format!(
                    "trusted_proxies: `{s}` is not an address (10.0.0.5) or a network (10.0.0.0/8)"
                )
            })
    }
}

impl<'de> serde::Deserialize<'de> for ProxyNet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

fn trusts(proxies: &[ProxyNet], ip: IpAddr) -> bool {
    let ip = canonical(ip);
    proxies.iter().any(|n| n.0.contains(&ip))
}

/// The client of a request from `peer` with these headers, behind these `proxies`.
pub fn client_of(proxies: &[ProxyNet], peer: Option<IpAddr>, headers: &HeaderMap) -> ClientAddr {
    let Some(peer) = peer.map(canonical) else {
        return ClientAddr(None);
    };
    if !trusts(proxies, peer) {
        return ClientAddr(Some(peer));
    }
    let hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusts(proxies, ip) => client = canonical(ip),
            Ok(ip) => return ClientAddr(Some(canonical(ip))),
            // A hop that is no address: the last trusted one is all we know.
            Err(_) => break,
        }
    }
    ClientAddr(Some(client))
}

/// IPv4 addresses that arrive as IPv6 (`::ffff:10.0.0.1`) count as the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// The address `layer` found for this request (none outside it: in-process tests).
impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<ClientAddr>()
            .copied()
            .unwrap_or(ClientAddr(None)))
    }
}

/// Finds the request's client once: for handlers (the `ClientAddr` extractor) and for the audit
/// trail, for as long as the request is served.
pub async fn layer(
    axum::extract::State(state): axum::extract::State<crate::app::AppState>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let client = client_of(&state.config.trusted_proxies, peer, req.headers());
    req.extensions_mut().insert(client);
    crate::audit::CLIENT.scope(client, next.run(req)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap());
        h
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    fn nets(list: &[&str]) -> Vec<ProxyNet> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_says() {
        let t = nets(&["10.0.0.0/8"]);
        assert_eq!(
            client_of(&t, ip("203.0.113.9"), &headers("1.2.3.4")),
            ClientAddr(ip("203.0.113.9"))
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_hop_it_added_is_the_client() {
        let t = nets(&["10.0.0.5", "10.1.0.0/16"]);
        // The client wrote "1.2.3.4" itself; the proxy appended the address it saw.
        let h = headers("1.2.3.4, 198.51.100.7, 10.1.2.3");
        assert_eq!(
            client_of(&t, ip("10.0.0.5"), &h),
            ClientAddr(ip("198.51.100.7"))
        );
        assert_eq!(
            client_of(&t, ip("::ffff:10.0.0.5"), &h),
            ClientAddr(ip("198.51.100.7"))
        );
        assert_eq!(
            client_of(&t, ip("10.0.0.5"), &HeaderMap::new()),
            ClientAddr(ip("10.0.0.5"))
        );
        assert_eq!(
            client_of(&t, ip("10.0.0.5"), &headers("junk, 10.1.0.1")),
            ClientAddr(ip("10.1.0.1"))
        );
    }

    #[test]
    fn a_bad_entry_is_refused_with_the_fix() {
        let e = "proxy.example".parse::<ProxyNet>().unwrap_err();
        assert!(e.contains("10.0.0.0/8"), "{e}");
    }
}

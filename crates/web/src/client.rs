//! Who the client is, for the login rate limits and the logs.
//!
//! Behind a reverse proxy every request comes from the proxy's address, so all users would share
//! one rate limit. When the peer is one of `ADESAO_TRUSTED_PROXIES`, the client is read from
//! `X-Forwarded-For`, walking it from the nearest hop: each trusted proxy appended the address it
//! saw, and the first address that is not a trusted proxy is the client. Anything a client
//! wrote itself sits further left and is never reached. Without trusted proxies the header is
//! ignored.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;

use crate::state::AppState;

/// The client as the rate limits count it: an IPv4 address, or the /64 network of an IPv6
/// address (one subscriber usually holds a whole /64, so counting single addresses would let
/// them rotate freely).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let ip = client_ip(peer, &parts.headers, &state.trusted_proxies);
        Ok(ClientAddr(key(ip)))
    }
}

/// The client's address: the peer, or what trusted proxies say in `X-Forwarded-For`.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    let mut client = peer.to_canonical();
    if !is_trusted(&client) {
        return client;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.iter().rev() {
        match parse_hop(hop) {
            Some(ip) => client = ip.to_canonical(),
            // A hop that is not an address: stop at the last proxy that vouched for something.
            None => break,
        }
        if !is_trusted(&client) {
            break;
        }
    }
    client
}

/// An address as proxies write it: `192.0.2.1`, `2001:db8::1`, with a port (`192.0.2.1:4711`,
/// `[2001:db8::1]:4711`) or in brackets (`[2001:db8::1]`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            hop.strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .and_then(|h| h.parse().ok())
        })
}

fn key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => ipnet::Ipv6Net::new(v6, 64)
            .map(|n| n.trunc().to_string())
            .unwrap_or_else(|_| v6.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn with_xff(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let h = with_xff(&["203.0.113.9"]);
        assert_eq!(client_ip(ip("198.51.100.1"), &h, &[]), ip("198.51.100.1"));
    }

    #[test]
    fn a_trusted_proxy_names_the_client() {
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        let h = with_xff(&["203.0.113.9"]);
        assert_eq!(client_ip(ip("10.1.2.3"), &h, &trusted), ip("203.0.113.9"));
        // Not from the proxy: the peer itself, whatever it claims.
        assert_eq!(
            client_ip(ip("198.51.100.1"), &h, &trusted),
            ip("198.51.100.1")
        );
        // No header: the proxy is all we know.
        assert_eq!(
            client_ip(ip("10.1.2.3"), &HeaderMap::new(), &trusted),
            ip("10.1.2.3")
        );
    }

    #[test]
    fn what_the_client_wrote_itself_is_never_believed() {
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        // The client sent "X-Forwarded-For: 1.2.3.4"; two proxies appended what they saw.
        let h = with_xff(&["1.2.3.4, 203.0.113.9", "10.0.0.5"]);
        assert_eq!(client_ip(ip("10.1.2.3"), &h, &trusted), ip("203.0.113.9"));
        let h = with_xff(&["garbage, 203.0.113.9"]);
        assert_eq!(client_ip(ip("10.1.2.3"), &h, &trusted), ip("203.0.113.9"));
        let h = with_xff(&["203.0.113.9, not-an-address"]);
        assert_eq!(client_ip(ip("10.1.2.3"), &h, &trusted), ip("10.1.2.3"));
    }

    #[test]
    fn hops_with_ports_and_brackets_are_addresses() {
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        for (hop, client) in [
            ("203.0.113.9:4711", "203.0.113.9"),
            ("[2001:db8::7]:4711", "2001:db8::7"),
            ("[2001:db8::7]", "2001:db8::7"),
        ] {
            let h = with_xff(&[hop]);
            assert_eq!(client_ip(ip("10.1.2.3"), &h, &trusted), ip(client), "{hop}");
        }
    }

    #[test]
    fn ipv6_clients_count_by_their_64_network() {
        assert_eq!(key(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(key(ip("2001:db8:1:2:bbbb::9")), "2001:db8:1:2::/64");
        assert_eq!(key(ip("::ffff:192.0.2.1").to_canonical()), "192.0.2.1");
        assert_eq!(key(ip("192.0.2.1")), "192.0.2.1");
    }
}

//! The key of a client in the per-IP limits.

use std::net::{IpAddr, Ipv6Addr};

/// The key of a client in the per-IP limits: an IPv4 address itself, an IPv6 address its /64
/// (one subscriber or host usually holds a whole /64, so each address of it is not a new client).
pub fn limiter_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64_and_ipv4_by_address() {
        let a = limiter_key(ip("2001:db8:1:2:aaaa::1"));
        assert_eq!(a, ip("2001:db8:1:2::"));
        assert_eq!(limiter_key(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")), a);
        assert_ne!(limiter_key(ip("2001:db8:1:3::1")), a);
        assert_eq!(limiter_key(ip("192.0.2.7")), ip("192.0.2.7"));
        assert_eq!(limiter_key(ip("::ffff:192.0.2.7")), ip("192.0.2.7"));
    }
}

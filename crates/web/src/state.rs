use std::sync::Arc;

use adesao_services::{AdminService, AuthService, RequestService};
use adesao_store::Db;
use ipnet::IpNet;

/// What every handler may reach. Cheap to clone (handles only).
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub auth: AuthService,
    pub requests: RequestService,
    pub admin: AdminService,
    /// The builtin signature provider's CA.
    pub signing: adesao_services::SigningAuthority,
    pub cookies: CookiePolicy,
    /// Largest attachment accepted, in bytes.
    pub max_upload_bytes: usize,
    /// `ADESAO_TRUSTED_PROXIES` (see [`crate::client`]).
    pub trusted_proxies: Arc<Vec<IpNet>>,
    /// SMS leave through a gateway (otherwise they stay in the outbox, and the signing pages
    /// say where the code can be read).
    pub sms_leaves: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct CookiePolicy {
    pub secure: bool,
}

impl CookiePolicy {
    /// With HTTPS the `__Host-` prefix makes browsers refuse the cookie unless it is Secure,
    /// host-only and for `/`, so a sibling subdomain cannot plant or overwrite it.
    pub fn session_cookie(self) -> &'static str {
        if self.secure {
            "__Host-adesao_session"
        } else {
            "adesao_session"
        }
    }

    /// The long-lived cookie of a browser its user logged in from (a known device).
    pub fn device_cookie(self) -> &'static str {
        if self.secure {
            "__Host-adesao_device"
        } else {
            "adesao_device"
        }
    }

    pub fn login_csrf_cookie(self) -> &'static str {
        if self.secure {
            "__Host-adesao_login_csrf"
        } else {
            "adesao_login_csrf"
        }
    }
}

//! `OIDC_ISSUER`, parsed once: what tokens carry as `iss`, and what AWS will be told.
use std::fmt;

use serde::Serialize;
use url::Url;

use crate::error::{ServiceError, ServiceResult};

/// The issuer exactly as configured: relying parties compare it byte for byte with `iss`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuerUrl {
    text: String,
    parsed: Url,
}

/// Something AWS would refuse or trip over later, said now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum IssuerWarning {
    NotHttps,
    HasPort,
    TrailingSlash,
}

impl IssuerWarning {
    pub fn message(self) -> &'static str {
        match self {
            IssuerWarning::NotHttps => {
                "The issuer is not https. AWS STS only trusts https issuers: set OIDC_ISSUER to the public https URL of this Wisp."
            }
            IssuerWarning::HasPort => {
                "The issuer carries a port. AWS fetches discovery and keys on port 443: serve Wisp there and drop the port from OIDC_ISSUER."
            }
            IssuerWarning::TrailingSlash => {
                "The issuer ends with '/'. Tokens must carry the issuer exactly as AWS registered it: remove the trailing slash from OIDC_ISSUER."
            }
        }
    }
}

impl IssuerUrl {
    pub fn parse(text: &str) -> ServiceResult<Self> {
        let invalid = |why: &str| ServiceError::Configuration {
            variable: "OIDC_ISSUER",
            message: format!("OIDC_ISSUER '{text}' {why}"),
        };
        let parsed = Url::parse(text).map_err(|e| invalid(&format!("is not a URL ({e}); use https://host[/path].")))?;
        if !matches!(parsed.scheme(), "https" | "http") {
            return Err(invalid("must start with https://."));
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(invalid("has no host; use https://host[/path]."));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(invalid("must not have a query or a fragment."));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(invalid("must not carry a user name or password."));
        }
        Ok(Self { text: text.to_owned(), parsed })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `scheme://host[:port]`, as browsers send it in `Origin` (no default port, no path).
    pub fn origin(&self) -> String {
        self.parsed.origin().ascii_serialization()
    }

    /// The issuer without its trailing slash, the base of the endpoints' URLs.
    fn base(&self) -> &str {
        self.text.trim_end_matches('/')
    }

    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.base())
    }

    pub fn jwks_url(&self) -> String {
        format!("{}/oauth2/jwks", self.base())
    }

    /// The path the issuer lives under (`/tenant` for https://host/tenant), if any: the issuer
    /// endpoints are served there too, since relying parties build their URLs from the issuer.
    pub fn path_prefix(&self) -> Option<&str> {
        let path = self.parsed.path().trim_end_matches('/');
        (!path.is_empty()).then_some(path)
    }

    /// Host, port and path with no scheme: how IAM names the provider and its condition keys.
    pub fn host_and_path(&self) -> String {
        let host = self.parsed.host_str().unwrap_or_default();
        let port = self.parsed.port().map(|p| format!(":{p}")).unwrap_or_default();
        format!("{host}{port}{}", self.path_prefix().unwrap_or_default())
    }

    pub fn warnings(&self) -> Vec<IssuerWarning> {
        let mut warnings = Vec::new();
        if self.parsed.scheme() != "https" {
            warnings.push(IssuerWarning::NotHttps);
        }
        if self.parsed.port().is_some() {
            warnings.push(IssuerWarning::HasPort);
        }
        if self.text.ends_with('/') {
            warnings.push(IssuerWarning::TrailingSlash);
        }
        warnings
    }
}

impl fmt::Display for IssuerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_https_issuer_has_no_warnings() {
        let issuer = IssuerUrl::parse("https://wisp.example.com").unwrap();
        assert_eq!(issuer.warnings(), []);
        assert_eq!(issuer.discovery_url(), "https://wisp.example.com/.well-known/openid-configuration");
        assert_eq!(issuer.jwks_url(), "https://wisp.example.com/oauth2/jwks");
        assert_eq!(issuer.path_prefix(), None);
        assert_eq!(issuer.host_and_path(), "wisp.example.com");
    }

    #[test]
    fn an_issuer_under_a_path_serves_its_endpoints_there() {
        let issuer = IssuerUrl::parse("https://example.com/wisp/tenant").unwrap();
        assert_eq!(issuer.path_prefix(), Some("/wisp/tenant"));
        assert_eq!(issuer.jwks_url(), "https://example.com/wisp/tenant/oauth2/jwks");
        assert_eq!(issuer.host_and_path(), "example.com/wisp/tenant");
    }

    #[test]
    fn warns_of_what_aws_would_refuse() {
        let issuer = IssuerUrl::parse("http://127.0.0.1:3000/").unwrap();
        assert_eq!(issuer.warnings(), [IssuerWarning::NotHttps, IssuerWarning::HasPort, IssuerWarning::TrailingSlash]);
        assert_eq!(issuer.as_str(), "http://127.0.0.1:3000/", "kept exactly as configured");
        assert_eq!(issuer.jwks_url(), "http://127.0.0.1:3000/oauth2/jwks");
    }

    #[test]
    fn refuses_what_cannot_be_an_issuer() {
        for (bad, why) in [
            ("wisp.example.com", "is not a URL"),
            ("ftp://wisp.example.com", "https://"),
            ("https://wisp.example.com?tenant=1", "query"),
            ("https://wisp.example.com#x", "fragment"),
            ("https://user:pw@wisp.example.com", "user name"),
        ] {
            let err = IssuerUrl::parse(bad).unwrap_err().to_string();
            assert!(err.contains(why) && err.contains("OIDC_ISSUER"), "{bad}: {err}");
        }
    }
}

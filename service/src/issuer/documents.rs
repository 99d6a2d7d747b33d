//! Discovery and JWKS, rendered once per key set: serving them is copying bytes.
use bytes::Bytes;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{keys::PublicJwk, url::IssuerUrl};

pub const CLAIMS: [&str; 7] = ["iss", "sub", "aud", "iat", "nbf", "exp", "jti"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub body: Bytes,
    /// A strong validator over the exact bytes.
    pub etag: String,
}

impl Document {
    fn of(value: &serde_json::Value) -> Self {
        let body = Bytes::from(serde_json::to_vec(value).expect("JSON values serialize"));
        let digest = Sha256::digest(&body);
        let etag = format!("\"{}\"", hex::encode(&digest[..16]));
        Self { body, etag }
    }

    /// Whether an `If-None-Match` header value names this version.
    pub fn matches(&self, if_none_match: &str) -> bool {
        if_none_match.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == self.etag)
    }
}

pub fn discovery(issuer: &IssuerUrl, keys: &[PublicJwk]) -> Document {
    let mut algorithms: Vec<&str> = keys.iter().map(|k| k.alg.as_str()).collect();
    algorithms.sort_unstable();
    algorithms.dedup();
    Document::of(&json!({
        "issuer": issuer.as_str(),
        "jwks_uri": issuer.jwks_url(),
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": algorithms,
        "claims_supported": CLAIMS,
    }))
}

pub fn jwks(keys: &[PublicJwk]) -> Document {
    Document::of(&json!({ "keys": keys }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::issuer::keys::{SigningAlgorithm, generate, parse_published_keys, parse_signing_key};

    #[test]
    fn discovery_names_the_issuer_and_keys_exactly() {
        let issuer = IssuerUrl::parse("https://wisp.example.com/tenant").unwrap();
        let signing = parse_signing_key(&generate(SigningAlgorithm::ES256), "OIDC_PRIVATE_KEY").unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&discovery(&issuer, &[signing.jwk]).body).unwrap();
        assert_eq!(doc["issuer"], "https://wisp.example.com/tenant");
        assert_eq!(doc["jwks_uri"], "https://wisp.example.com/tenant/oauth2/jwks");
        assert_eq!(doc["id_token_signing_alg_values_supported"], json!(["ES256"]));
        assert_eq!(doc["response_types_supported"], json!(["id_token"]));
        assert_eq!(doc["subject_types_supported"], json!(["public"]));
    }

    #[test]
    fn jwks_carries_public_members_only() {
        let rsa = parse_signing_key(&generate(SigningAlgorithm::RS256), "OIDC_PRIVATE_KEY").unwrap();
        let ec = parse_published_keys(&generate(SigningAlgorithm::ES256), "OIDC_PUBLISHED_KEYS").unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&jwks(&[rsa.jwk.clone(), ec[0].clone()]).body).unwrap();
        let keys = doc["keys"].as_array().unwrap();
        let members = |i: usize| {
            let mut names: Vec<&str> = keys[i].as_object().unwrap().keys().map(String::as_str).collect();
            names.sort_unstable();
            names
        };
        assert_eq!(members(0), ["alg", "e", "kid", "kty", "n", "use"]);
        assert_eq!(members(1), ["alg", "crv", "kid", "kty", "use", "x", "y"]);
        assert_eq!(keys[0]["kid"], rsa.jwk.kid);
    }

    #[test]
    fn etags_follow_the_bytes() {
        let a = Document::of(&json!({ "keys": [] }));
        let b = Document::of(&json!({ "keys": [1] }));
        assert_ne!(a.etag, b.etag);
        assert!(a.matches(&a.etag));
        assert!(a.matches(&format!("W/{}, \"other\"", a.etag)));
        assert!(!a.matches(&b.etag));
    }
}

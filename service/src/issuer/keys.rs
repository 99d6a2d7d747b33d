//! The issuer's keys from configuration: PEM in, public JWKs and a signing key out.
//!
//! Accepted: RSA of 2048 bits or more (RS256) and EC P-256 (ES256), as PKCS#1, PKCS#8 or SEC1
//! private keys, or as public keys (SPKI, PKCS#1) for `OIDC_PUBLISHED_KEYS`. Errors name the
//! variable and the reason, never the key.
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey};
use p256::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
use rsa::{
    RsaPrivateKey, RsaPublicKey,
    pkcs1::{DecodeRsaPrivateKey as _, DecodeRsaPublicKey as _, EncodeRsaPrivateKey as _},
    pkcs8::DecodePublicKey as _,
    traits::PublicKeyParts,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use spki::{ObjectIdentifier, der::Decode};

/// AWS STS accepts at most this many keys of each type in a JWKS.
pub const MAX_KEYS_PER_TYPE: usize = 100;
pub const MIN_RSA_BITS: usize = 2048;

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");

/// A configuration problem with a key; the message names the variable.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {reason}")]
pub struct KeyError {
    pub variable: &'static str,
    pub reason: String,
}

pub use vocabulary::token::SigningAlgorithm;

/// jsonwebtoken's name for the algorithm.
pub fn jwt_algorithm(alg: SigningAlgorithm) -> Algorithm {
    match alg {
        SigningAlgorithm::RS256 => Algorithm::RS256,
        SigningAlgorithm::ES256 => Algorithm::ES256,
    }
}

/// The public half of a key, as published in the JWKS. It has no field that could hold a
/// private parameter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublicJwk {
    pub kty: &'static str,
    pub kid: String,
    #[serde(rename = "use")]
    pub use_: &'static str,
    pub alg: SigningAlgorithm,
    #[serde(flatten)]
    pub params: JwkParams,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum JwkParams {
    Rsa { n: String, e: String },
    Ec { crv: &'static str, x: String, y: String },
}

impl PublicJwk {
    /// Reads back a JWK this module wrote (`serde_json::to_string`); `None` for anything else.
    pub fn from_json(text: &str) -> Option<Self> {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        let member = |name: &str| value.get(name).and_then(|v| v.as_str()).map(str::to_owned);
        let params = match value.get("kty")?.as_str()? {
            "RSA" => JwkParams::Rsa { n: member("n")?, e: member("e")? },
            "EC" if member("crv")? == "P-256" => JwkParams::Ec { crv: "P-256", x: member("x")?, y: member("y")? },
            _ => return None,
        };
        let jwk = params.into_jwk();
        (member("kid")? == jwk.kid).then_some(jwk)
    }
}

impl JwkParams {
    /// RFC 7638: SHA-256 over the required members in lexicographic order, base64url.
    pub fn thumbprint(&self) -> String {
        // base64url values never need JSON escaping, so the canonical form can be written out.
        let canonical = match self {
            JwkParams::Rsa { n, e } => format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#),
            JwkParams::Ec { crv, x, y } => format!(r#"{{"crv":"{crv}","kty":"EC","x":"{x}","y":"{y}"}}"#),
        };
        URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
    }

    fn into_jwk(self) -> PublicJwk {
        let (kty, alg) = match self {
            JwkParams::Rsa { .. } => ("RSA", SigningAlgorithm::RS256),
            JwkParams::Ec { .. } => ("EC", SigningAlgorithm::ES256),
        };
        PublicJwk { kty, kid: self.thumbprint(), use_: "sig", alg, params: self }
    }
}

/// The key that signs tokens.
#[derive(Clone)]
pub struct SigningKey {
    pub jwk: PublicJwk,
    pub encoding: EncodingKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").field("kid", &self.jwk.kid).field("alg", &self.jwk.alg).finish_non_exhaustive()
    }
}

/// One parsed PEM block. Short-lived (a handful at start-up), so its size does not matter.
#[allow(clippy::large_enum_variant)]
enum Material {
    RsaPrivate(RsaPrivateKey),
    RsaPublic(RsaPublicKey),
    EcPrivate(p256::SecretKey),
    EcPublic(p256::PublicKey),
}

impl Material {
    fn public_params(&self) -> JwkParams {
        let rsa = |key: &RsaPublicKey| JwkParams::Rsa {
            n: URL_SAFE_NO_PAD.encode(key.n().to_bytes_be()),
            e: URL_SAFE_NO_PAD.encode(key.e().to_bytes_be()),
        };
        let ec = |key: &p256::PublicKey| {
            let point = p256::EncodedPoint::from(key);
            JwkParams::Ec {
                crv: "P-256",
                x: URL_SAFE_NO_PAD.encode(point.x().expect("an uncompressed P-256 point has x")),
                y: URL_SAFE_NO_PAD.encode(point.y().expect("an uncompressed P-256 point has y")),
            }
        };
        match self {
            Material::RsaPrivate(key) => rsa(&key.to_public_key()),
            Material::RsaPublic(key) => rsa(key),
            Material::EcPrivate(key) => ec(&key.public_key()),
            Material::EcPublic(key) => ec(key),
        }
    }
}

fn curve_name(oid: Option<ObjectIdentifier>) -> String {
    match oid.map(|o| o.to_string()).as_deref() {
        Some("1.3.132.0.34") => "P-384 (secp384r1)".to_owned(),
        Some("1.3.132.0.35") => "P-521 (secp521r1)".to_owned(),
        Some("1.3.132.0.10") => "secp256k1".to_owned(),
        Some(other) => format!("with OID {other}"),
        None => "of unknown name".to_owned(),
    }
}

fn parse_block(block: &pem::Pem, variable: &'static str) -> Result<Material, KeyError> {
    let fail = |reason: String| KeyError { variable, reason };
    let garbled = |what: &str| fail(format!("the {what} block cannot be read; it may be truncated or not a key"));
    let wrong_curve = |oid| {
        fail(format!(
            "the EC key is on curve {}; Wisp signs ES256, which needs P-256. Generate one with `wisp keys generate --alg es256`",
            curve_name(oid)
        ))
    };
    let on_p256 = |curve: Option<ObjectIdentifier>| match curve {
        Some(P256) => Ok(()),
        other => Err(wrong_curve(other)),
    };
    let unsupported = |oid: ObjectIdentifier| {
        fail(format!(
            "the key's algorithm (OID {oid}) is not supported; AWS STS accepts RSA and EC keys, and Wisp signs RS256 or ES256"
        ))
    };
    let contents = block.contents();
    let material = match block.tag() {
        "RSA PRIVATE KEY" => {
            Material::RsaPrivate(RsaPrivateKey::from_pkcs1_der(contents).map_err(|_| garbled("RSA PRIVATE KEY"))?)
        }
        "RSA PUBLIC KEY" => {
            Material::RsaPublic(RsaPublicKey::from_pkcs1_der(contents).map_err(|_| garbled("RSA PUBLIC KEY"))?)
        }
        "EC PRIVATE KEY" => {
            let sec1 = sec1::EcPrivateKey::from_der(contents).map_err(|_| garbled("EC PRIVATE KEY"))?;
            // SEC1 may leave the curve implicit; p256 then refuses a point of any other curve.
            if let Some(curve) = sec1.parameters.and_then(|p| p.named_curve()) {
                on_p256(Some(curve))?;
            }
            Material::EcPrivate(p256::SecretKey::from_sec1_der(contents).map_err(|_| garbled("EC PRIVATE KEY"))?)
        }
        "PRIVATE KEY" => {
            let info = pkcs8::PrivateKeyInfo::from_der(contents).map_err(|_| garbled("PRIVATE KEY"))?;
            match info.algorithm.oid {
                RSA_ENCRYPTION => {
                    Material::RsaPrivate(RsaPrivateKey::from_pkcs8_der(contents).map_err(|_| garbled("PRIVATE KEY"))?)
                }
                EC_PUBLIC_KEY => {
                    on_p256(info.algorithm.parameters_oid().ok())?;
                    Material::EcPrivate(p256::SecretKey::from_pkcs8_der(contents).map_err(|_| garbled("PRIVATE KEY"))?)
                }
                other => return Err(unsupported(other)),
            }
        }
        "PUBLIC KEY" => {
            let info = spki::SubjectPublicKeyInfoRef::from_der(contents).map_err(|_| garbled("PUBLIC KEY"))?;
            match info.algorithm.oid {
                RSA_ENCRYPTION => {
                    Material::RsaPublic(RsaPublicKey::from_public_key_der(contents).map_err(|_| garbled("PUBLIC KEY"))?)
                }
                EC_PUBLIC_KEY => {
                    on_p256(info.algorithm.parameters_oid().ok())?;
                    Material::EcPublic(
                        <p256::PublicKey as p256::pkcs8::DecodePublicKey>::from_public_key_der(contents)
                            .map_err(|_| garbled("PUBLIC KEY"))?,
                    )
                }
                other => return Err(unsupported(other)),
            }
        }
        "ENCRYPTED PRIVATE KEY" => {
            return Err(fail(
                "the key is encrypted; give it unencrypted (`openssl pkcs8 -topk8 -nocrypt -in key.pem`) and protect the variable instead"
                    .to_owned(),
            ));
        }
        "CERTIFICATE" => return Err(fail("this is a certificate, not a key; give the PEM key itself".to_owned())),
        other => return Err(fail(format!("a PEM block '{other}' is not a key Wisp can use"))),
    };
    if let Material::RsaPrivate(key) = &material {
        key.validate().map_err(|_| garbled("RSA"))?;
    }
    let bits = match &material {
        Material::RsaPrivate(key) => Some(key.size() * 8),
        Material::RsaPublic(key) => Some(key.size() * 8),
        _ => None,
    };
    if let Some(bits) = bits.filter(|bits| *bits < MIN_RSA_BITS) {
        return Err(fail(format!(
            "the RSA key has {bits} bits; AWS STS and Wisp need at least {MIN_RSA_BITS}. Generate a new one with `wisp keys generate --alg rs256`"
        )));
    }
    Ok(material)
}

fn parse_all(text: &str, variable: &'static str) -> Result<Vec<Material>, KeyError> {
    let blocks = pem::parse_many(text.trim()).map_err(|_| KeyError {
        variable,
        reason: "the PEM text cannot be read; each key must sit between -----BEGIN …----- and -----END …----- lines"
            .to_owned(),
    })?;
    blocks.iter().map(|block| parse_block(block, variable)).collect()
}

/// The signing key from `OIDC_PRIVATE_KEY` (exactly one private key).
pub fn parse_signing_key(text: &str, variable: &'static str) -> Result<SigningKey, KeyError> {
    let fail = |reason: &str| KeyError { variable, reason: reason.to_owned() };
    let mut keys = parse_all(text, variable)?;
    let material = match keys.len() {
        0 => return Err(fail("no PEM key found. Generate one with `wisp keys generate`")),
        1 => keys.remove(0),
        _ => return Err(fail("holds several keys; put the one that signs here and the others in OIDC_PUBLISHED_KEYS")),
    };
    let encoding = match &material {
        Material::RsaPrivate(key) => {
            let der = key.to_pkcs1_der().map_err(|_| fail("the RSA key cannot be encoded for signing"))?;
            EncodingKey::from_rsa_der(der.as_bytes())
        }
        Material::EcPrivate(key) => {
            let der = key.to_pkcs8_der().map_err(|_| fail("the EC key cannot be encoded for signing"))?;
            EncodingKey::from_ec_der(der.as_bytes())
        }
        Material::RsaPublic(_) | Material::EcPublic(_) => {
            return Err(fail(
                "holds a public key; the signing key must be private. Publish public keys with OIDC_PUBLISHED_KEYS",
            ));
        }
    };
    Ok(SigningKey { jwk: material.public_params().into_jwk(), encoding })
}

/// The public halves of `OIDC_PUBLISHED_KEYS` (any number, private or public).
pub fn parse_published_keys(text: &str, variable: &'static str) -> Result<Vec<PublicJwk>, KeyError> {
    let keys = parse_all(text, variable)?;
    if keys.is_empty() {
        return Err(KeyError { variable, reason: "no PEM key found".to_owned() });
    }
    Ok(keys.iter().map(|key| key.public_params().into_jwk()).collect())
}

/// What the JWKS publishes: the signing key first, then the others, each once, within AWS's limits.
pub fn published_set(signing: &SigningKey, others: Vec<PublicJwk>) -> Result<Vec<PublicJwk>, KeyError> {
    let mut all = vec![signing.jwk.clone()];
    for jwk in others {
        if !all.iter().any(|known| known.kid == jwk.kid) {
            all.push(jwk);
        }
    }
    for kty in ["RSA", "EC"] {
        let count = all.iter().filter(|k| k.kty == kty).count();
        if count > MAX_KEYS_PER_TYPE {
            return Err(KeyError {
                variable: "OIDC_PUBLISHED_KEYS",
                reason: format!(
                    "{count} {kty} keys would be published; AWS STS reads at most {MAX_KEYS_PER_TYPE}. Drop retired keys whose tokens have expired"
                ),
            });
        }
    }
    Ok(all)
}

/// A new private key, PKCS#8 PEM, for `wisp keys generate`.
pub fn generate(algorithm: SigningAlgorithm) -> String {
    let mut rng = rand::thread_rng();
    let pem = match algorithm {
        SigningAlgorithm::ES256 => p256::SecretKey::random(&mut rng).to_pkcs8_pem(pkcs8::LineEnding::LF),
        SigningAlgorithm::RS256 => {
            use rsa::pkcs8::EncodePrivateKey as _;
            RsaPrivateKey::new(&mut rng, 3072).expect("RSA key generation").to_pkcs8_pem(pkcs8::LineEnding::LF)
        }
    };
    pem.expect("a fresh key encodes as PKCS#8").to_string()
}

#[cfg(test)]
mod tests {
    use p256::pkcs8::EncodePublicKey as _;
    use rsa::pkcs1::EncodeRsaPublicKey as _;

    use super::*;

    const P384_PKCS8: &str = "-----BEGIN PRIVATE KEY-----
MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDBuLDnqmU+dapjbe6bK
KiLfvmyJr2tytv/pR7KU944kmnu/yOFjHgvF95+AIQVGuYihZANiAARCEzndfgPy
NE4ZTeZ6OmQiqh6MxY/9A/qDYglabBdh7O8HP814ep1nJHB/NSX3Gb/MFYbBW1M1
tKBUYqAyGeRwy7okbrT/6Nqk7FkJvo8j/Lz+4b4smVNL+TApQ/3iAi0=
-----END PRIVATE KEY-----";

    fn rsa_key(bits: usize) -> RsaPrivateKey {
        RsaPrivateKey::new(&mut rand::thread_rng(), bits).unwrap()
    }

    #[test]
    fn rfc7638_example_thumbprint() {
        let params = JwkParams::Rsa {
            n: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw".to_owned(),
            e: "AQAB".to_owned(),
        };
        assert_eq!(params.thumbprint(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }

    #[test]
    fn rsa_in_every_format_gives_the_same_key() {
        use rsa::pkcs8::EncodePrivateKey as _;
        let key = rsa_key(2048);
        let pkcs1 = key.to_pkcs1_pem(pkcs8::LineEnding::LF).unwrap();
        let pkcs8 = key.to_pkcs8_pem(pkcs8::LineEnding::LF).unwrap();
        let a = parse_signing_key(&pkcs1, "OIDC_PRIVATE_KEY").unwrap();
        let b = parse_signing_key(&pkcs8, "OIDC_PRIVATE_KEY").unwrap();
        assert_eq!(a.jwk, b.jwk);
        assert_eq!((a.jwk.kty, a.jwk.alg, a.jwk.use_), ("RSA", SigningAlgorithm::RS256, "sig"));
        let public = key.to_public_key();
        for text in [
            public.to_public_key_pem(pkcs8::LineEnding::LF).unwrap(),
            public.to_pkcs1_pem(pkcs8::LineEnding::LF).unwrap(),
        ] {
            assert_eq!(parse_published_keys(&text, "OIDC_PUBLISHED_KEYS").unwrap(), std::slice::from_ref(&a.jwk));
        }
    }

    #[test]
    fn p256_in_every_format_gives_the_same_key() {
        let key = p256::SecretKey::random(&mut rand::thread_rng());
        let sec1 = key.to_sec1_pem(pkcs8::LineEnding::LF).unwrap();
        let pkcs8 = key.to_pkcs8_pem(pkcs8::LineEnding::LF).unwrap();
        let a = parse_signing_key(&sec1, "OIDC_PRIVATE_KEY").unwrap();
        let b = parse_signing_key(&pkcs8, "OIDC_PRIVATE_KEY").unwrap();
        assert_eq!(a.jwk, b.jwk);
        assert_eq!((a.jwk.kty, a.jwk.alg), ("EC", SigningAlgorithm::ES256));
        let JwkParams::Ec { crv, x, y } = &a.jwk.params else { panic!("not EC") };
        assert_eq!(
            (*crv, URL_SAFE_NO_PAD.decode(x).unwrap().len(), URL_SAFE_NO_PAD.decode(y).unwrap().len()),
            ("P-256", 32, 32)
        );
        let public = key.public_key().to_public_key_pem(pkcs8::LineEnding::LF).unwrap();
        assert_eq!(parse_published_keys(&public, "OIDC_PUBLISHED_KEYS").unwrap(), [a.jwk]);
    }

    #[test]
    fn refusals_name_the_variable_and_the_reason() {
        use rsa::pkcs8::EncodePrivateKey as _;
        let short = rsa_key(1024).to_pkcs8_pem(pkcs8::LineEnding::LF).unwrap();
        let public = p256::SecretKey::random(&mut rand::thread_rng())
            .public_key()
            .to_public_key_pem(pkcs8::LineEnding::LF)
            .unwrap();
        let two = format!("{}\n{}", generate(SigningAlgorithm::ES256), generate(SigningAlgorithm::ES256));
        for (text, expected) in [
            (short.as_str(), "has 1024 bits; AWS STS and Wisp need at least 2048"),
            (P384_PKCS8, "curve P-384 (secp384r1)"),
            (public.as_str(), "holds a public key"),
            (two.as_str(), "holds several keys"),
            ("", "no PEM key found"),
            ("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "cannot be read"),
            ("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----", "encrypted"),
            ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "certificate"),
        ] {
            let err = parse_signing_key(text, "OIDC_PRIVATE_KEY").unwrap_err().to_string();
            assert!(err.starts_with("OIDC_PRIVATE_KEY: ") && err.contains(expected), "{expected}: {err}");
            assert!(!err.contains("MIG") && !err.contains("AAAA"), "key material leaked: {err}");
        }
    }

    #[test]
    fn the_published_set_has_each_key_once_signing_first() {
        let signing = parse_signing_key(&generate(SigningAlgorithm::ES256), "OIDC_PRIVATE_KEY").unwrap();
        let next = parse_published_keys(&generate(SigningAlgorithm::ES256), "OIDC_PUBLISHED_KEYS").unwrap();
        let set = published_set(&signing, [next.clone(), vec![signing.jwk.clone()], next.clone()].concat()).unwrap();
        assert_eq!(
            set.iter().map(|k| k.kid.as_str()).collect::<Vec<_>>(),
            [signing.jwk.kid.as_str(), next[0].kid.as_str()]
        );
    }

    #[test]
    fn a_public_jwk_reads_back_from_its_json() {
        for alg in [SigningAlgorithm::ES256, SigningAlgorithm::RS256] {
            let key = parse_signing_key(&generate(alg), "OIDC_PRIVATE_KEY").unwrap();
            let text = serde_json::to_string(&key.jwk).unwrap();
            assert_eq!(PublicJwk::from_json(&text), Some(key.jwk.clone()));
            let tampered = text.replace(&key.jwk.kid, "another-kid");
            assert_eq!(PublicJwk::from_json(&tampered), None, "a kid that is not the thumbprint");
        }
        assert_eq!(PublicJwk::from_json("{}"), None);
    }

    #[test]
    fn generated_keys_parse_as_signing_keys() {
        for alg in [SigningAlgorithm::ES256, SigningAlgorithm::RS256] {
            let pem = generate(alg);
            assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
            assert_eq!(parse_signing_key(&pem, "OIDC_PRIVATE_KEY").unwrap().jwk.alg, alg);
        }
    }
}

//! Passwords: argon2id hashes, generated passwords, and a type that never prints its value.
use std::fmt;

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use rand::{Rng, distributions::Alphanumeric};

use crate::error::{ServiceError, ServiceResult};

pub const MIN_LENGTH: usize = 12;
const GENERATED_LENGTH: usize = 20;
/// A valid argon2id hash (default parameters) that no typed password matches.
const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$4oZsg2zq0Ym5bmXo7N0Gk0i0Zg5fqyR3Hc0Hk8m9V0E";

/// A plaintext password on its way to being hashed or checked.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// A password someone chose: long enough to resist guessing.
    pub fn new(value: impl Into<String>) -> ServiceResult<Self> {
        let value = value.into();
        if value.chars().count() < MIN_LENGTH {
            return Err(ServiceError::invalid(
                "password",
                format!("The password needs at least {MIN_LENGTH} characters."),
            ));
        }
        if value.len() > 1024 {
            return Err(ServiceError::invalid("password", "The password is longer than 1024 bytes."));
        }
        Ok(Self(value))
    }

    /// What a user typed at sign-in; checked, never judged.
    pub fn attempt(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn generate() -> Self {
        Self(rand::thread_rng().sample_iter(&Alphanumeric).take(GENERATED_LENGTH).map(char::from).collect())
    }

    /// The plaintext, for the one place allowed to show it: printing a generated password once.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// argon2id with a random salt; CPU-bound, so it runs off the async workers.
    pub async fn hash(&self) -> ServiceResult<String> {
        let password = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|e| ServiceError::Internal(format!("hashing the password failed: {e}")))
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("hashing the password failed: {e}")))?
    }

    /// Costs what checking a real hash costs, for sign-ins with an unknown e-mail.
    pub async fn spend_verification_time(&self) {
        self.verify(DECOY_HASH).await;
    }

    pub async fn verify(&self, stored_hash: &str) -> bool {
        let password = self.0.clone();
        let stored_hash = stored_hash.to_owned();
        tokio::task::spawn_blocking(move || {
            PasswordHash::new(&stored_hash)
                .map(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false)
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_verifies_only_the_same_password() {
        let password = Password::new("correct horse battery").unwrap();
        let hash = password.hash().await.unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(password.verify(&hash).await);
        assert!(!Password::attempt("correct horse battery!").verify(&hash).await);
        assert!(!password.verify("not a hash").await);
    }

    /// A decoy that failed to parse would return at once and give unknown e-mails away.
    #[test]
    fn decoy_hash_is_a_real_argon2id_hash_with_default_cost() {
        let decoy = PasswordHash::new(DECOY_HASH).unwrap();
        assert_eq!(decoy.algorithm.as_str(), "argon2id");
        let params = argon2::Params::try_from(&decoy).unwrap();
        assert_eq!(
            (params.m_cost(), params.t_cost()),
            (argon2::Params::DEFAULT_M_COST, argon2::Params::DEFAULT_T_COST)
        );
    }

    #[test]
    fn short_passwords_are_refused_with_the_rule() {
        let err = Password::new("short").unwrap_err();
        assert!(err.to_string().contains("at least 12 characters"), "{err}");
    }

    #[test]
    fn generated_passwords_are_long_and_differ() {
        let (a, b) = (Password::generate(), Password::generate());
        assert_eq!(a.reveal().len(), GENERATED_LENGTH);
        assert_ne!(a.reveal(), b.reveal());
        assert!(Password::new(a.reveal()).is_ok());
    }

    #[test]
    fn debug_never_shows_the_value() {
        assert_eq!(format!("{:?}", Password::attempt("secret-value")), "Password(***)");
    }
}

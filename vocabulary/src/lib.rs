//! Wisp's shared vocabulary, compiled into the server and into the browser bundle alike: the
//! domain values (ids, roles, permissions, cloud providers, regions, role ARNs), the error
//! envelope, and the DTOs server functions exchange. Values are parsed once, here, so the UI
//! never spells a role, a provider or a region as a string of its own.
//!
//! Only `serde` and `uuid` may be dependencies: anything heavier would land in the bundle.
/// An enum whose values travel as fixed words (`owner`, `aws`, `member.add`): the words are
/// spelled once, in the variant list. `("role", "a role")` names the field a bad word is
/// reported against and what the word should have been.
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident ($field:literal, $what:literal) { $($(#[$vmeta:meta])* $variant:ident = $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            /// The value spelled exactly `text`.
            pub fn from_word(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|value| value.as_str() == text)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::error::FieldError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::from_word(s.trim()).ok_or_else(|| {
                    let words: Vec<&str> = Self::ALL.iter().map(|value| value.as_str()).collect();
                    $crate::error::FieldError::new($field, format!("'{s}' is not {}: use {}.", $what, $crate::one_of(&words)))
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

/// Values that travel as their text and are parsed back through `FromStr`, so a bad value in a
/// request gets the same message as a bad value in a form.
macro_rules! serde_as_text {
    ($($name:ty),*) => {$(
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    )*};
}

pub mod access;
pub mod audit;
pub mod aws;
pub mod dto;
pub mod env;
pub mod error;
pub mod ids;
#[cfg(feature = "server")]
pub mod name;
pub mod providers;
pub mod token;
pub mod used_by;
pub mod vault;

pub use error::{ApiError, ErrorCode, FieldError};

/// "a", "a or b", "a, b or c": choices as a sentence names them.
fn one_of(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

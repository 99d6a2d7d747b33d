//! Names people give things (organizations, configs, credentials, automations): one type, so
//! every feature refuses the same tricks. A name is trimmed and NFC-normalised; invisible,
//! text-direction and control characters are refused, as are names mixing scripts (`aws-prоd`
//! with a Cyrillic `о`); and two names that read alike (`Prod`, `prod`, `pr0d`… by Unicode's
//! confusable skeleton, lower-cased) share one [`Name::key`], which uniqueness is checked on.
use std::fmt;

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
use unicode_security::{MixedScript, skeleton};

use crate::error::FieldError;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Name {
    text: String,
    key: String,
}

impl Name {
    /// `field` is the form field the message goes next to; `example` a name that would do.
    pub fn parse(field: &'static str, text: &str, max_chars: usize, example: &str) -> Result<Self, FieldError> {
        let invalid = |message: String| FieldError::new(field, message);
        let text: String = text.trim().nfc().collect();
        if text.is_empty() {
            return Err(invalid(format!("Enter a name, such as {example}.")));
        }
        if let Some(c) = text.chars().find(|c| hidden(*c)) {
            return Err(invalid(format!(
                "The name contains an invisible, control or text-direction character (U+{:04X}); remove it.",
                u32::from(c)
            )));
        }
        if text.contains('\u{FFFD}') {
            return Err(invalid("The name contains garbled text (�); retype it.".to_owned()));
        }
        if !text.as_str().is_single_script() {
            return Err(invalid(
                "The name mixes letters of different scripts (such as Latin and Cyrillic), so it can pass for another name; use one script."
                    .to_owned(),
            ));
        }
        // Any run of spaces (including no-break and other widths) reads as one space.
        let text = text
            .split(|c: char| c.general_category() == GeneralCategory::SpaceSeparator)
            .filter(|word| !word.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if text.chars().count() > max_chars {
            return Err(invalid(format!("Use at most {max_chars} characters for the name.")));
        }
        Ok(Self { key: key(&text), text })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// What uniqueness is checked on: names with the same key read alike.
    pub fn key(&self) -> &str {
        &self.key
    }
}

/// The key of a name already stored (migrations backfill with it).
pub fn key(text: &str) -> String {
    skeleton(&text.nfc().collect::<String>().to_lowercase()).collect::<String>().to_lowercase()
}

fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c.general_category(),
            GeneralCategory::Format
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
                | GeneralCategory::PrivateUse
                | GeneralCategory::Surrogate
                | GeneralCategory::Unassigned
        )
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> Result<Name, FieldError> {
        Name::parse("name", text, 64, "aws-prod")
    }

    #[test]
    fn names_are_trimmed_normalised_and_keyed_alike_when_they_read_alike() {
        let composed = name("  café prod ").unwrap();
        let decomposed = name("cafe\u{301}\u{a0}\u{a0}prod").unwrap();
        assert_eq!((composed.as_str(), decomposed.as_str()), ("café prod", "café prod"));
        assert_eq!(composed.key(), decomposed.key());
        assert_eq!(name("AWS-Prod").unwrap().key(), name("aws-prod").unwrap().key());
        assert_eq!(name("aws-pr0d").unwrap().key(), name("aws-prod").unwrap().key(), "0 reads as o");
        assert_ne!(name("aws-prod").unwrap().key(), name("aws-dev").unwrap().key());
        assert!(name("Прод").is_ok() && name("本番").is_ok(), "one script of any kind is fine");
    }

    #[test]
    fn invisible_direction_control_mixed_script_and_garbled_names_are_refused() {
        for bad in [
            "aws-pr\u{43e}d",      // Cyrillic о among Latin letters
            "aws\u{200b}prod",     // zero-width space
            "aws\u{202e}dorp",     // right-to-left override
            "aws\u{2066}prod",     // left-to-right isolate
            "aws\u{feff}prod",     // byte-order mark
            "aws\tprod",           // control
            "aws\u{fffd}\u{fffd}", // what invalid UTF-8 becomes
            "   ",
        ] {
            let error = name(bad).unwrap_err();
            assert_eq!(error.field, "name", "{bad:?}");
        }
        assert!(name(&"x".repeat(65)).unwrap_err().message.contains("at most 64"));
    }
}

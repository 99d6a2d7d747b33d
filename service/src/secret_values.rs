//! Secret values as a run gets them, whichever provider holds them: one field of a secret that
//! holds several, as its variable's JSON Key names it (an AWS secret stored as a JSON object, or a
//! Vault KV secret, whose data always is one). Text comes as it is, any other JSON value as its
//! JSON. A value is never shown: not by `Debug`, not in an error.
use std::fmt;

use serde_json::{Map, Value};
use vocabulary::env::JsonKey;

/// A secret's value; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretValue(pub String);

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretValue(***)")
    }
}

/// Why a field could not be picked, and what to do: never a value, only the keys there are.
pub(crate) type Unpicked = (&'static str, String);

pub(crate) fn field(mut object: Map<String, Value>, key: &JsonKey) -> Result<String, Unpicked> {
    match object.remove(key.as_str()) {
        Some(value) => Ok(text(value)),
        None => {
            let mut keys: Vec<&String> = object.keys().collect();
            keys.sort();
            let listed: Vec<&str> = keys.iter().take(20).map(|k| k.as_str()).collect();
            Err((
                "The secret has no such top-level key.",
                format!("Use one of its keys ({}), or add '{key}' to the secret.", listed.join(", ")),
            ))
        }
    }
}

/// A Vault KV secret's value: the field its JSON Key names; with no key, the one field there is,
/// or all of them as a JSON object.
pub(crate) fn of_fields(mut fields: Map<String, Value>, key: Option<&JsonKey>) -> Result<String, Unpicked> {
    match key {
        Some(key) => field(fields, key),
        None if fields.len() == 1 => Ok(text(fields.values_mut().next().map(Value::take).unwrap_or_default())),
        None => Ok(Value::Object(fields).to_string()),
    }
}

/// A field's value as an environment variable holds it.
pub(crate) fn text(value: Value) -> String {
    match value {
        Value::String(text) => text,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        let Value::Object(object) = value else { panic!("an object") };
        object
    }

    #[test]
    fn a_field_is_its_text_or_its_json() {
        let secret = object(json!({ "password": "s3cret", "port": 5432, "tls": { "on": true } }));
        let key = |k: &str| k.parse::<JsonKey>().unwrap();
        assert_eq!(field(secret.clone(), &key("password")).unwrap(), "s3cret");
        assert_eq!(field(secret.clone(), &key("port")).unwrap(), "5432");
        assert_eq!(field(secret.clone(), &key("tls")).unwrap(), r#"{"on":true}"#);
        let (_, fix) = field(secret, &key("user")).unwrap_err();
        assert_eq!(fix, "Use one of its keys (password, port, tls), or add 'user' to the secret.");
    }

    #[test]
    fn a_vault_secret_without_a_key_is_its_one_field_or_all_of_them() {
        let one = object(json!({ "password": "s3cret" }));
        assert_eq!(of_fields(one, None).unwrap(), "s3cret");
        let two = object(json!({ "user": "app", "port": 5432 }));
        assert_eq!(of_fields(two.clone(), None).unwrap(), r#"{"port":5432,"user":"app"}"#);
        assert_eq!(of_fields(two, Some(&"user".parse().unwrap())).unwrap(), "app");
        assert!(!format!("{:?}", SecretValue("s3cret".to_owned())).contains("s3cret"));
    }
}

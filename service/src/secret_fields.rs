//! One field of a secret that holds several, as its variable's JSON Key names it: an AWS secret
//! stored as a JSON object, or a Vault KV secret, whose data always is one. Text comes as it is,
//! any other JSON value as its JSON.
use serde_json::{Map, Value};
use vocabulary::env::JsonKey;

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
}

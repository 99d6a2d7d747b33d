//! How server functions read their arguments: form encoding (what a `<form>` posts) or a JSON
//! object (what the hydrated app and API clients send). Stricter than Leptos's own reader, and
//! every refusal names the argument: a body over [`MAX_BODY_BYTES`] (413), another content type
//! (415), bytes that are not UTF-8, an argument sent twice, missing or malformed (400).
use http::Method;
use leptos::server_fn::{ContentType, codec::Encoding};

/// What server functions are called with: `#[server(input = FormOrJson)]`, and the function's
/// argument struct listed in [`form_or_json!`].
pub struct FormOrJson;

impl ContentType for FormOrJson {
    const CONTENT_TYPE: &'static str = "application/x-www-form-urlencoded";
}

impl Encoding for FormOrJson {
    const METHOD: Method = Method::POST;
}

/// Server function arguments are small: ids, names, an ARN.
#[cfg(feature = "ssr")]
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Lets the argument structs of the server functions named here be read as [`FormOrJson`]. The
/// hydrated app sends them as JSON: the browser bundle already reads JSON, so it carries no
/// form encoder (a plain `<form>` still posts a form).
macro_rules! form_or_json {
    ($($args:ty),* $(,)?) => {$(
        impl<R> leptos::server_fn::codec::IntoReq<$crate::codec::FormOrJson, R, $crate::error::AppError> for $args
        where
            R: leptos::server_fn::request::ClientReq<$crate::error::AppError>,
        {
            fn into_req(self, path: &str, accepts: &str) -> Result<R, $crate::error::AppError> {
                <Self as leptos::server_fn::codec::IntoReq<leptos::server_fn::codec::Json, R, $crate::error::AppError>>::into_req(self, path, accepts)
            }
        }

        impl<R> leptos::server_fn::codec::FromReq<$crate::codec::FormOrJson, R, $crate::error::AppError> for $args
        where
            R: leptos::server_fn::request::Req<$crate::error::AppError> + Send + 'static,
        {
            async fn from_req(req: R) -> Result<Self, $crate::error::AppError> {
                $crate::codec::decode(req).await
            }
        }
    )*};
}
pub(crate) use form_or_json;

#[cfg(feature = "ssr")]
pub use server::decode;

/// The browser never reads requests; this only satisfies the trait there.
#[cfg(not(feature = "ssr"))]
pub async fn decode<T, R>(_req: R) -> Result<T, crate::error::AppError> {
    Err(crate::error::internal("server functions run on the server"))
}

#[cfg(feature = "ssr")]
mod server {
    use futures::StreamExt;
    use leptos::server_fn::request::Req;
    use percent_encoding::percent_decode_str;
    use serde::de::DeserializeOwned;
    use vocabulary::{ErrorCode, FieldError};

    use super::MAX_BODY_BYTES;
    use crate::error::AppError;

    fn bad_request(message: impl Into<String>, fields: Vec<FieldError>) -> AppError {
        AppError::new(
            ErrorCode::BadRequest,
            message,
            "Send each argument once, as a form (application/x-www-form-urlencoded) or a JSON object.",
        )
        .with_fields(fields)
    }

    pub async fn decode<T: DeserializeOwned, R: Req<AppError> + Send>(req: R) -> Result<T, AppError> {
        let content_type = req.to_content_type().map(|t| t.split(';').next().unwrap_or_default().trim().to_lowercase());
        let json = match content_type.as_deref() {
            None | Some("") | Some("application/x-www-form-urlencoded") => false,
            Some("application/json") => true,
            Some(other) => {
                return Err(AppError::new(
                    ErrorCode::UnsupportedMediaType,
                    format!("Wisp cannot read a request body of type {other}."),
                    "Send the arguments as application/x-www-form-urlencoded or application/json.",
                ));
            }
        };
        let body = read_limited(req).await?;
        if json { from_json(&body) } else { from_form(&body) }
    }

    async fn read_limited<R: Req<AppError> + Send>(req: R) -> Result<Vec<u8>, AppError> {
        let mut stream = Box::pin(req.try_into_stream()?);
        let mut body = Vec::new();
        let mut seen = 0;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|_| bad_request("The request body could not be read.", Vec::new()))?;
            seen += chunk.len();
            // Past the limit the rest is read and dropped (up to a bound), so the client, still
            // sending, gets the answer rather than a closed connection.
            if seen > MAX_BODY_BYTES * 16 {
                break;
            }
            if seen <= MAX_BODY_BYTES {
                body.extend_from_slice(&chunk);
            }
        }
        if seen > MAX_BODY_BYTES {
            return Err(AppError::new(
                ErrorCode::PayloadTooLarge,
                format!("The request body is larger than {} KiB.", MAX_BODY_BYTES / 1024),
                "Send only the arguments the call takes.",
            ));
        }
        Ok(body)
    }

    fn from_form<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
        let text =
            std::str::from_utf8(body).map_err(|_| bad_request("The request body is not valid UTF-8.", Vec::new()))?;
        let mut seen: Vec<String> = Vec::new();
        for pair in text.split('&').filter(|pair| !pair.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |part: &str| percent_decode_str(&part.replace('+', " ")).decode_utf8().map(|s| s.into_owned());
            let key = decode(key).map_err(|_| bad_request("An argument's name is not valid UTF-8.", Vec::new()))?;
            if decode(value).is_err() {
                let message = format!("`{key}` is not valid UTF-8.");
                return Err(bad_request(message.clone(), vec![FieldError::new(key, message)]));
            }
            if seen.contains(&key) {
                let message = format!("`{key}` was sent more than once.");
                return Err(bad_request(message.clone(), vec![FieldError::new(key, message)]));
            }
            seen.push(key);
        }
        let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(body));
        serde_path_to_error::deserialize(deserializer).map_err(|e| argument_error(e.path().to_string(), e.inner()))
    }

    fn from_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
        let body = if body.iter().all(u8::is_ascii_whitespace) { b"{}".as_slice() } else { body };
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
            if e.inner().is_data() {
                argument_error(e.path().to_string(), e.inner())
            } else {
                bad_request(format!("The request body is not a valid JSON object: {}.", e.inner()), Vec::new())
            }
        })
    }

    /// serde says "missing field `x`" at the top level; anything else happened at `path`.
    fn argument_error(path: String, cause: &dyn std::fmt::Display) -> AppError {
        let cause = cause.to_string();
        let named =
            |prefix: &str| cause.strip_prefix(prefix).and_then(|rest| rest.split('`').next()).map(str::to_owned);
        let (field, message) = if let Some(field) = named("missing field `") {
            let message = format!("The request has no `{field}`.");
            (field, message)
        } else if let Some(field) = named("duplicate field `") {
            let message = format!("`{field}` was sent more than once.");
            (field, message)
        } else {
            let field = if path == "." { "request".to_owned() } else { path };
            let message = format!("`{field}` is not valid: {cause}");
            (field, message)
        };
        bad_request(message.clone(), vec![FieldError::new(field, message)])
    }

    #[cfg(test)]
    mod tests {
        use serde::Deserialize;
        use vocabulary::ids::UserId;

        use super::*;

        #[derive(Debug, Deserialize)]
        struct Args {
            user_id: UserId,
            flag: Option<bool>,
        }

        fn field_of(error: AppError) -> (ErrorCode, String) {
            (error.code, error.fields.first().map(|f| f.field.to_string()).unwrap_or_default())
        }

        #[test]
        fn forms_and_json_read_the_same_arguments() {
            let id = "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f";
            let form: Args = from_form(format!("user_id={id}&flag=true").as_bytes()).unwrap();
            let json: Args = from_json(format!(r#"{{"user_id":"{id}","flag":true}}"#).as_bytes()).unwrap();
            assert_eq!((form.user_id, form.flag), (json.user_id, json.flag));
            assert_eq!(form.user_id.to_string(), id);
        }

        #[test]
        fn every_refusal_names_the_argument() {
            let cases: [(&[u8], bool, &str); 6] = [
                (b"user_id=acme", false, "user_id"),
                (b"flag=true", false, "user_id"),
                (
                    b"user_id=6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f&user_id=6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f",
                    false,
                    "user_id",
                ),
                (b"user_id=%FF", false, "user_id"),
                (br#"{"user_id": 5}"#, true, "user_id"),
                (br#"{"flag": true}"#, true, "user_id"),
            ];
            for (body, json, field) in cases {
                let error = if json { from_json::<Args>(body) } else { from_form::<Args>(body) }.unwrap_err();
                assert_eq!(
                    field_of(error),
                    (ErrorCode::BadRequest, field.to_owned()),
                    "{}",
                    String::from_utf8_lossy(body)
                );
            }
            let garbage = from_form::<Args>(b"\xff\xfe").unwrap_err();
            assert_eq!(garbage.code, ErrorCode::BadRequest);
            let not_json = from_json::<Args>(b"{user_id").unwrap_err();
            assert_eq!(not_json.code, ErrorCode::BadRequest);
        }
    }
}

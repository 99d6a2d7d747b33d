//! Field errors, and the one JSON error envelope every server function and API route answers
//! with: `{"error":{"code","message","hint","fields":[{"field","message"}]}}`.
use std::{borrow::Cow, fmt};

use serde::{Deserialize, Serialize};

use crate::dto::deployments::SecretFailure;

/// What is wrong with one form field or request argument, named as the form or request names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub field: Cow<'static, str>,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FieldError {}

macro_rules! error_codes {
    ($($variant:ident = $status:literal, $code:literal;)*) => {
        /// A stable, machine-readable reason. Clients branch on it; the words may change.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($variant,)*
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            /// The HTTP status an error with this code is answered with: decided here only.
            pub fn status(self) -> u16 {
                match self {
                    $(ErrorCode::$variant => $status,)*
                }
            }
        }
    };
}

error_codes! {
    BadRequest = 400, "bad_request";
    Unauthenticated = 401, "unauthenticated";
    InvalidCredentials = 401, "invalid_credentials";
    PermissionDenied = 403, "permission_denied";
    OwnerOnly = 403, "owner_only";
    CrossSiteRequest = 403, "cross_site_request";
    NotFound = 404, "not_found";
    MethodNotAllowed = 405, "method_not_allowed";
    NameTaken = 409, "name_taken";
    AlreadyMember = 409, "already_member";
    LastOwner = 409, "last_owner";
    InUse = 409, "in_use";
    PayloadTooLarge = 413, "payload_too_large";
    UnsupportedMediaType = 415, "unsupported_media_type";
    InvalidInput = 422, "invalid_input";
    SecretsUnresolved = 422, "secrets_unresolved";
    RateLimited = 429, "rate_limited";
    InternalError = 500, "internal_error";
    CorruptRecord = 500, "corrupt_record";
    DatabaseUnavailable = 503, "database_unavailable";
    IssuerNotConfigured = 503, "issuer_not_configured";
    NotConfigured = 503, "not_configured";
    // Made by the browser when no answer came; the server never sends it.
    Unreachable = 503, "unreachable";
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error as the client sees it: what happened (`message`), what to do (`hint`), and the
/// message for each field it concerns. On the wire it is the [`Envelope`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "Envelope", from = "Envelope")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub hint: String,
    pub fields: Vec<FieldError>,
    /// For `secrets_unresolved`: every variable whose secret could not be read.
    pub failures: Vec<SecretFailure>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self { code, message: message.into(), hint: hint.into(), fields: Vec::new(), failures: Vec::new() }
    }

    pub fn with_failures(mut self, failures: Vec<SecretFailure>) -> Self {
        self.failures = failures;
        self
    }

    pub fn with_fields(mut self, fields: Vec<FieldError>) -> Self {
        self.fields = fields;
        self
    }

    pub fn status(&self) -> u16 {
        self.code.status()
    }

    /// The message for one form field, if this error is about it.
    pub fn for_field(&self, name: &str) -> Option<String> {
        self.fields.iter().find(|f| f.field == name).map(|f| f.message.clone())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.message.is_empty(), self.hint.is_empty()) {
            (_, true) => f.write_str(&self.message),
            (true, false) => f.write_str(&self.hint),
            (false, false) => write!(f, "{} {}", self.message, self.hint),
        }
    }
}

impl std::error::Error for ApiError {}

/// The error envelope: `{"error": {…}}`.
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
struct Envelope {
    error: ErrorBody,
}

/// What went wrong, for people (`message`, `hint`) and for code (`code`, `fields`, `failures`).
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
struct ErrorBody {
    code: ErrorCode,
    /// What happened.
    message: String,
    /// What to do about it.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    hint: String,
    /// The request's fields it concerns, each with its own message; often empty.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    fields: Vec<FieldError>,
    /// With `secrets_unresolved` only: every variable whose secret could not be read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    failures: Vec<SecretFailure>,
}

impl From<ApiError> for Envelope {
    fn from(ApiError { code, message, hint, fields, failures }: ApiError) -> Self {
        Self { error: ErrorBody { code, message, hint, fields, failures } }
    }
}

impl From<Envelope> for ApiError {
    fn from(Envelope { error: ErrorBody { code, message, hint, fields, failures } }: Envelope) -> Self {
        Self { code, message, hint, fields, failures }
    }
}

// The document names the envelope after the type clients know.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ApiError {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <Envelope as utoipa::PartialSchema>::schema()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ApiError {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        <Envelope as utoipa::ToSchema>::schemas(schemas);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_envelope_has_the_designed_shape_and_round_trips() {
        let error = ApiError::new(ErrorCode::InvalidInput, "The form has mistakes.", "Correct the fields marked.")
            .with_fields(vec![FieldError::new("name", "Enter a name.")]);
        let value = serde_json::to_value(&error).unwrap();
        assert_eq!(
            value,
            json!({"error": {"code": "invalid_input", "message": "The form has mistakes.",
                "hint": "Correct the fields marked.", "fields": [{"field": "name", "message": "Enter a name."}]}})
        );
        assert_eq!(serde_json::from_value::<ApiError>(value).unwrap(), error);
        assert_eq!(error.for_field("name").as_deref(), Some("Enter a name."));
    }

    /// The README's table is what clients read: it lists every code with the status it is sent with.
    #[test]
    fn the_readme_lists_every_code_with_its_status() {
        let readme = include_str!("../../README.md");
        for code in ErrorCode::ALL {
            let status = if *code == ErrorCode::Unreachable { "—".to_owned() } else { code.status().to_string() };
            let row = format!("| `{code}` | {status} |");
            assert!(readme.contains(&row), "the README's error table lacks {row}");
        }
    }

    #[test]
    fn codes_are_snake_case_and_unique_with_a_client_or_server_status() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert_eq!(serde_json::to_value(code).unwrap(), json!(code.as_str()));
            assert!(code.as_str().bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{code}");
            assert!((400..600).contains(&code.status()), "{code}");
        }
    }
}

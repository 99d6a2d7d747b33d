//! Reading secret values from AWS Secrets Manager for a deploy (through static keys) or a kickoff
//! (through workload identity): one session per credential, shared by every secret it reads,
//! the reads concurrent and bounded, each answer checked for its JSON key, and every failure
//! said for the variable it concerns. A value never leaves this module except in the result.
use std::{collections::HashMap, fmt};

use aws_sdk_secretsmanager::Client;
use futures::{StreamExt, stream};
use tokio::time::{Instant, timeout_at};
use vocabulary::{
    dto::deployments::SecretFailure,
    env::{JsonKey, SecretName},
    ids::CredentialId,
};

use crate::{
    aws::{
        Aws,
        guidance::{Context, Diagnosis, Failure, diagnose_secret},
    },
    secret_providers::{self, Credential},
};

/// How many `GetSecretValue` calls one kickoff has in flight: far below AWS's 10,000 a second,
/// enough that 50 secrets take about two round trips.
const IN_FLIGHT: usize = 32;

/// One variable's secret to read.
pub(crate) struct SecretRead<'a> {
    pub variable: &'a str,
    pub credential: &'a Credential,
    pub secret_name: &'a SecretName,
    pub json_key: Option<&'a JsonKey>,
}

/// A secret's value; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct SecretValue(pub String);

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretValue(***)")
    }
}

/// Reads every secret, each by `deadline`; the answers come in the order of `reads`.
pub(crate) async fn read_all(
    aws: Aws<'_>,
    reads: &[SecretRead<'_>],
    deadline: Instant,
) -> Vec<Result<SecretValue, SecretFailure>> {
    let clients = clients(aws, reads, deadline).await;
    // Futures made first and then polled as a stream: a closure inside the stream would not be
    // `Send` for every lifetime, which axum's handlers need.
    let calls: Vec<_> =
        reads.iter().map(|read| read_with(aws, &clients[&read.credential.id], read, deadline)).collect();
    stream::iter(calls).buffered(IN_FLIGHT).collect().await
}

async fn read_with(
    aws: Aws<'_>,
    client: &Result<Client, Diagnosis>,
    read: &SecretRead<'_>,
    deadline: Instant,
) -> Result<SecretValue, SecretFailure> {
    match client {
        Ok(client) => read_one(aws, client, read, deadline).await,
        Err(diagnosis) => Err(failure(read, diagnosis.clone())),
    }
}

/// A Secrets Manager client per credential, signed with its session (kept ones are reused).
async fn clients(
    aws: Aws<'_>,
    reads: &[SecretRead<'_>],
    deadline: Instant,
) -> HashMap<CredentialId, Result<Client, Diagnosis>> {
    let mut credentials: Vec<&Credential> = reads.iter().map(|r| r.credential).collect();
    credentials.sort_by_key(|c| c.id);
    credentials.dedup_by_key(|c| c.id);
    let sessions = futures::future::join_all(credentials.into_iter().map(|c| client_for(aws, c, deadline))).await;
    sessions.into_iter().collect()
}

async fn client_for(
    aws: Aws<'_>,
    credential: &Credential,
    deadline: Instant,
) -> (CredentialId, Result<Client, Diagnosis>) {
    let session = secret_providers::session(aws.issuer, aws.sdk, aws.master_key, credential);
    let client = match timeout_at(deadline, session).await {
        Ok(Ok(session)) => Ok(aws.sdk.secrets_manager_with(credential.region, &session)),
        Ok(Err(diagnosis)) => Err(diagnosis),
        Err(_) => Err(out_of_time(credential)),
    };
    (credential.id, client)
}

async fn read_one(
    aws: Aws<'_>,
    client: &Client,
    read: &SecretRead<'_>,
    deadline: Instant,
) -> Result<SecretValue, SecretFailure> {
    let request = client.get_secret_value().secret_id(read.secret_name.as_str()).send();
    let answer = match timeout_at(deadline, request).await {
        Err(_) => return Err(failure(read, out_of_time(read.credential))),
        Ok(answer) => answer,
    };
    let output = answer.map_err(|error| {
        let issuer = aws.issuer.ready().ok().map(|issuer| &issuer.url);
        let diagnosis = match secret_providers::identity(read.credential, issuer) {
            Some(identity) => {
                let ctx = Context { org: read.credential.org_id, region: read.credential.region, identity };
                diagnose_secret(&Failure::from_sdk(&error), &ctx, read.secret_name.as_str())
            }
            None => Diagnosis {
                code: None,
                aws_message: None,
                cause: "Wisp cannot sign in to AWS with this credential: the issuer is not configured.".to_owned(),
                fix: "Ask your operator to configure the issuer and restart Wisp.".to_owned(),
            },
        };
        failure(read, diagnosis)
    })?;
    let text = match (output.secret_string(), output.secret_binary()) {
        (Some(text), _) => text.to_owned(),
        (None, Some(binary)) => String::from_utf8(binary.as_ref().to_vec()).map_err(|_| {
            local_failure(
                read,
                "The secret holds binary data that is not text, and an environment variable can only hold text.",
                "Store the value as a SecretString (base64-encode binary data), or pick one key of a JSON secret.",
            )
        })?,
        (None, None) => {
            return Err(local_failure(
                read,
                "The secret has no value in its AWSCURRENT version.",
                "Put a value in the secret (aws secretsmanager put-secret-value), then kick off again.",
            ));
        }
    };
    match read.json_key {
        None => Ok(SecretValue(text)),
        Some(key) => pick(&text, key).map(SecretValue).map_err(|(cause, fix)| local_failure(read, cause, &fix)),
    }
}

/// One top-level key of a JSON object: text as it is, anything else as its JSON.
fn pick(text: &str, key: &JsonKey) -> Result<String, (&'static str, String)> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|_| {
        (
            "The secret is not JSON, so it has no key to pick.",
            "Clear the JSON Key field to use the whole value, or store the secret as a JSON object.".to_owned(),
        )
    })?;
    let serde_json::Value::Object(mut object) = value else {
        return Err((
            "The secret is JSON but not an object, so it has no keys.",
            "Clear the JSON Key field to use the whole value.".to_owned(),
        ));
    };
    match object.remove(key.as_str()) {
        Some(serde_json::Value::String(text)) => Ok(text),
        Some(other) => Ok(other.to_string()),
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

fn failure(read: &SecretRead<'_>, diagnosis: Diagnosis) -> SecretFailure {
    let message = match &diagnosis.aws_message {
        Some(aws) => format!("{} AWS said: {aws}", diagnosis.cause),
        None => diagnosis.cause,
    };
    SecretFailure {
        variable: read.variable.to_owned(),
        secret: read.secret_name.to_string(),
        credential: read.credential.name.clone(),
        code: diagnosis.code,
        message,
        hint: diagnosis.fix,
    }
}

fn local_failure(read: &SecretRead<'_>, message: &str, hint: &str) -> SecretFailure {
    failure(read, Diagnosis { code: None, aws_message: None, cause: message.to_owned(), fix: hint.to_owned() })
}

fn out_of_time(credential: &Credential) -> Diagnosis {
    Diagnosis {
        code: None,
        aws_message: None,
        cause: format!(
            "AWS in {} did not answer before the kickoff's {} second limit.",
            credential.region,
            super::KICKOFF_LIMIT.as_secs()
        ),
        fix: "Kick off again; if it keeps happening, run Test Connection on the credential to see which call is slow."
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_key_picks_text_as_it_is_and_anything_else_as_json() {
        let key = |k: &str| JsonKey::parse(k).unwrap().unwrap();
        let secret = r#"{"password":"s3cr3t","port":5432,"tls":{"on":true}}"#;
        assert_eq!(pick(secret, &key("password")).unwrap(), "s3cr3t");
        assert_eq!(pick(secret, &key("port")).unwrap(), "5432");
        assert_eq!(pick(secret, &key("tls")).unwrap(), r#"{"on":true}"#);
        let (cause, fix) = pick(secret, &key("user")).unwrap_err();
        assert!(cause.contains("no such top-level key"), "{cause}");
        assert!(fix.contains("password, port, tls"), "{fix}");
        assert!(pick("plain text", &key("password")).unwrap_err().0.contains("not JSON"));
        assert!(pick("[1,2]", &key("password")).unwrap_err().0.contains("not an object"));
    }
}

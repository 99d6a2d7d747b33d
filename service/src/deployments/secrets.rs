//! Reading secret values from AWS Secrets Manager for a deploy (through static keys) or a kickoff
//! (through workload identity): one session per credential, shared by every secret it reads,
//! the reads concurrent and bounded, each answer checked for its JSON key, and every failure
//! said for the variable it concerns. A value never leaves this module except in the result.
use std::collections::{BTreeMap, BTreeSet, HashMap};

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
    secret_values::{self, SecretValue, Unpicked},
};

/// How many `GetSecretValue` calls one kickoff has in flight when it cannot batch: far below
/// AWS's 10,000 a second.
const IN_FLIGHT: usize = 32;
/// AWS's limit of secrets per `BatchGetSecretValue`.
const BATCH: usize = 20;

/// One variable's secret to read.
pub(crate) struct SecretRead<'a> {
    pub variable: &'a str,
    pub credential: &'a Credential,
    pub secret_name: &'a SecretName,
    pub json_key: Option<&'a JsonKey>,
}

/// Reads every secret, each by `deadline`; the answers come in the order of `reads`. A secret
/// named by several variables is read once.
pub(crate) async fn read_all(
    aws: Aws<'_>,
    reads: &[SecretRead<'_>],
    deadline: Instant,
) -> Vec<Result<SecretValue, Box<SecretFailure>>> {
    let mut wanted: BTreeMap<CredentialId, (&Credential, BTreeSet<&str>)> = BTreeMap::new();
    for read in reads {
        wanted
            .entry(read.credential.id)
            .or_insert_with(|| (read.credential, BTreeSet::new()))
            .1
            .insert(read.secret_name.as_str());
    }
    // Every credential's session and batches at once; then what the batches left, one by one.
    let (groups, found): (Vec<Group<'_>>, Vec<_>) = futures::future::join_all(
        wanted.into_values().map(|(credential, names)| start(aws, credential, names, deadline)),
    )
    .await
    .into_iter()
    .unzip();
    let mut fetched: HashMap<(CredentialId, String), Fetched> = HashMap::new();
    for (group, answered) in groups.iter().zip(found) {
        fetched.extend(answered.into_iter().map(|(name, value)| ((group.credential.id, name), value)));
    }
    let singles: Vec<(&Credential, &Client, &str)> = groups
        .iter()
        .filter_map(|group| group.client.as_ref().map(|client| (group, client)))
        .flat_map(|(group, client)| group.rest.iter().map(move |name| (group.credential, client, name.as_str())))
        .collect();
    // Futures made first and then polled as a stream: a closure inside the stream would not be
    // `Send` for every lifetime, which axum's handlers need.
    let calls: Vec<_> =
        singles.iter().map(|(credential, client, name)| read_one(aws, client, credential, name, deadline)).collect();
    let answers: Vec<Fetched> = stream::iter(calls).buffered(IN_FLIGHT).collect().await;
    for ((credential, _, name), answer) in singles.into_iter().zip(answers) {
        fetched.insert((credential.id, name.to_owned()), answer);
    }
    reads
        .iter()
        .map(|read| match &fetched[&(read.credential.id, read.secret_name.to_string())] {
            Ok(text) => extract(read, text),
            Err(diagnosis) => Err(Box::new(failure(read, diagnosis.clone()))),
        })
        .collect()
}

/// One credential's part of a read: its Secrets Manager client (signed with its session, kept
/// ones reused; none when there is no session) and the names its batches did not answer.
struct Group<'a> {
    credential: &'a Credential,
    client: Option<Client>,
    rest: Vec<String>,
}

/// The credential's session, then its batches: what they answered, and what is left.
async fn start<'a>(
    aws: Aws<'_>,
    credential: &'a Credential,
    names: BTreeSet<&str>,
    deadline: Instant,
) -> (Group<'a>, Vec<(String, Fetched)>) {
    let region = match credential.aws_region() {
        Ok(region) => region,
        Err(diagnosis) => return refused(credential, names, diagnosis),
    };
    let session = secret_providers::session(aws.issuer, aws.sdk, aws.master_key, credential);
    let client = match timeout_at(deadline, session).await {
        Ok(Ok(session)) => aws.sdk.secrets_manager_with(region, &session),
        Ok(Err(diagnosis)) => return refused(credential, names, diagnosis),
        Err(_) => return refused(credential, names, out_of_time(credential)),
    };
    let names: Vec<&str> = names.into_iter().collect();
    let (found, rest) = read_in_batches(aws, &client, credential, &names, deadline).await;
    (Group { credential, client: Some(client), rest }, found)
}

/// Every name fails as the credential's session did.
fn refused<'a>(
    credential: &'a Credential,
    names: BTreeSet<&str>,
    diagnosis: Diagnosis,
) -> (Group<'a>, Vec<(String, Fetched)>) {
    let found = names.into_iter().map(|name| (name.to_owned(), Err(diagnosis.clone()))).collect();
    (Group { credential, client: None, rest: Vec::new() }, found)
}

/// A secret's text, or why it could not be read.
type Fetched = Result<String, Diagnosis>;

/// `BatchGetSecretValue`, 20 names a call, all calls at once: what it answered, and the names
/// left to read one by one (all of them when the identity may not batch: it still needs
/// `GetSecretValue` on each secret, so nothing is lost but a call).
async fn read_in_batches(
    aws: Aws<'_>,
    client: &Client,
    credential: &Credential,
    names: &[&str],
    deadline: Instant,
) -> (Vec<(String, Fetched)>, Vec<String>) {
    let refusal = format!("{}:{}:BatchGetSecretValue", credential.id, credential.updated_at.timestamp_micros());
    if names.len() < 2 || aws.sdk.was_refused(&refusal) {
        return (Vec::new(), names.iter().map(|n| (*n).to_owned()).collect());
    }
    let calls = names.chunks(BATCH).map(|chunk| batch(aws, client, credential, chunk, deadline));
    let (mut found, mut rest) = (Vec::new(), Vec::new());
    for (chunk, answer) in names.chunks(BATCH).zip(futures::future::join_all(calls).await) {
        match answer {
            Ok((answered, missing)) => {
                found.extend(answered);
                rest.extend(missing);
            }
            Err(refused) => {
                if refused {
                    aws.sdk.remember_refusal(refusal.clone());
                }
                rest.extend(chunk.iter().map(|n| (*n).to_owned()));
            }
        }
    }
    (found, rest)
}

/// One `BatchGetSecretValue`: the answers by requested name, and the names it did not answer.
/// `Err(true)` when the identity may not batch; `Err(false)` when the call failed otherwise.
async fn batch(
    aws: Aws<'_>,
    client: &Client,
    credential: &Credential,
    names: &[&str],
    deadline: Instant,
) -> Result<(Vec<(String, Fetched)>, Vec<String>), bool> {
    let request =
        client.batch_get_secret_value().set_secret_id_list(Some(names.iter().map(|n| (*n).to_owned()).collect()));
    let output = match timeout_at(deadline, request.send()).await {
        Err(_) => return Err(false),
        Ok(Err(error)) => {
            let refused = matches!(Failure::from_sdk(&error), Failure::Service { ref code, .. }
                if code.starts_with("AccessDenied") || code == "UnknownOperationException" || code == "InvalidAction");
            return Err(refused);
        }
        Ok(Ok(output)) => output,
    };
    let mut answered = Vec::new();
    let mut missing = Vec::new();
    for name in names {
        let entry = output.secret_values().iter().find(|e| {
            e.name() == Some(*name)
                || e.arn() == Some(*name)
                || (name.starts_with("arn:") && e.arn().is_some_and(|arn| arn.starts_with(*name)))
        });
        let error = output.errors().iter().find(|e| e.secret_id() == Some(*name));
        match (entry, error) {
            (Some(entry), _) => {
                answered.push(((*name).to_owned(), text_of(entry.secret_string(), entry.secret_binary())))
            }
            (None, Some(error)) => {
                let failure = Failure::Service {
                    code: error.error_code().unwrap_or("Unknown").to_owned(),
                    message: error.message().unwrap_or_default().to_owned(),
                };
                answered.push(((*name).to_owned(), Err(diagnose_for(aws, credential, &failure, name))));
            }
            (None, None) => missing.push((*name).to_owned()),
        }
    }
    Ok((answered, missing))
}

async fn read_one(aws: Aws<'_>, client: &Client, credential: &Credential, name: &str, deadline: Instant) -> Fetched {
    let request = client.get_secret_value().secret_id(name).send();
    match timeout_at(deadline, request).await {
        Err(_) => Err(out_of_time(credential)),
        Ok(Err(error)) => Err(diagnose_for(aws, credential, &Failure::from_sdk(&error), name)),
        Ok(Ok(output)) => text_of(output.secret_string(), output.secret_binary()),
    }
}

fn diagnose_for(aws: Aws<'_>, credential: &Credential, failure: &Failure, name: &str) -> Diagnosis {
    let issuer = aws.issuer.ready().ok().and(aws.issuer.url.as_ref());
    let region = match credential.aws_region() {
        Ok(region) => region,
        Err(diagnosis) => return diagnosis,
    };
    match secret_providers::identity(credential, issuer) {
        Some(identity) => {
            let ctx = Context { org: credential.org_id, region, identity };
            diagnose_secret(failure, &ctx, name)
        }
        None => Diagnosis::local(
            "Wisp cannot sign in to AWS with this credential: the issuer is not configured.",
            "Ask your operator to configure the issuer and restart Wisp.",
        ),
    }
}

/// The value of a secret version: its string, or its binary when that is text.
fn text_of(string: Option<&str>, binary: Option<&aws_sdk_secretsmanager::primitives::Blob>) -> Fetched {
    match (string, binary) {
        (Some(text), _) => Ok(text.to_owned()),
        (None, Some(binary)) => String::from_utf8(binary.as_ref().to_vec()).map_err(|_| {
            Diagnosis::local(
                "The secret holds binary data that is not text, and an environment variable can only hold text.",
                "Store the value as a SecretString (base64-encode binary data), or pick one key of a JSON secret.",
            )
        }),
        (None, None) => Err(Diagnosis::local(
            "The secret has no value in its AWSCURRENT version.",
            "Put a value in the secret (aws secretsmanager put-secret-value), then kick off again.",
        )),
    }
}

/// The variable's value: the whole text, or its JSON key.
fn extract(read: &SecretRead<'_>, text: &str) -> Result<SecretValue, Box<SecretFailure>> {
    match read.json_key {
        None => Ok(SecretValue(text.to_owned())),
        Some(key) => pick(text, key)
            .map(SecretValue)
            .map_err(|(cause, fix)| Box::new(failure(read, Diagnosis::local(cause, &fix)))),
    }
}

/// One top-level key of a secret stored as a JSON object.
fn pick(text: &str, key: &JsonKey) -> Result<String, Unpicked> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|_| {
        (
            "The secret is not JSON, so it has no key to pick.",
            "Clear the JSON Key field to use the whole value, or store the secret as a JSON object.".to_owned(),
        )
    })?;
    let serde_json::Value::Object(object) = value else {
        return Err((
            "The secret is JSON but not an object, so it has no keys.",
            "Clear the JSON Key field to use the whole value.".to_owned(),
        ));
    };
    secret_values::field(object, key)
}

fn failure(read: &SecretRead<'_>, diagnosis: Diagnosis) -> SecretFailure {
    let message = match &diagnosis.provider_message {
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

fn out_of_time(credential: &Credential) -> Diagnosis {
    Diagnosis {
        code: None,
        provider_message: None,
        cause: format!(
            "AWS Secrets Manager{} did not answer before the kickoff's {} second limit.",
            credential.aws_region().map(|region| format!(" in {region}")).unwrap_or_default(),
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

//! The Secret Name field's suggestions through the chosen credential: `ListSecrets` with AWS's
//! `name` filter (a case-sensitive prefix), or a Vault `LIST` of the typed folder (KV has no
//! prefix filter; the names in it are narrowed here). Answers are kept 60 s per (credential,
//! query); a query that extends one whose answer was complete is answered from it without a call
//! (for Vault, only within the same folder: a deeper folder is another listing); one user causes
//! at most four provider calls a second (beyond that, the freshest kept answer, or a 429); and
//! AWS pages are read only as far as twenty suggestions need.
use std::{
    num::NonZeroU32,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use aws_sdk_secretsmanager::types::{Filter, FilterNameStringType, SecretListEntry};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use moka::future::Cache;
use vocabulary::{
    aws::Region,
    dto::automations::{SecretSuggestion, SecretSuggestions, SuggestionProblem},
    ids::{CredentialId, UserId},
    providers::SecretStore,
    token::Subject,
    vault::KvMount,
};

use super::Manager;
use crate::{
    aws::{
        Aws,
        guidance::{AwsCall, Context, Diagnosis, Failure, diagnose},
    },
    error::{ServiceError, ServiceResult},
    providers::Providers,
    secret_providers::{self, Auth, Credential},
    vault::{
        client::Vault,
        guidance::{VaultCall, VaultContext, diagnose as diagnose_vault},
        names::{self, Lookup},
        secrets::{LoginAs, kept_login},
    },
};

pub const MAX_SUGGESTIONS: usize = 20;
const ANSWER_TTL: Duration = Duration::from_secs(60);
const MAX_ANSWERS: u64 = 50_000;
const AWS_CALLS_PER_SECOND: u32 = 4;
/// A suggestion that comes later than this is no use to someone typing; the name is checked
/// again at kickoff anyway.
const LIST_TIMEOUT: Duration = Duration::from_secs(5);
/// AWS may return short pages; this bounds the reading of one answer.
const MAX_PAGES: usize = 5;
const MAX_QUERY: usize = 512;

const LIST_STATEMENT: &str = r#"{
  "Effect": "Allow",
  "Action": "secretsmanager:ListSecrets",
  "Resource": "*"
}"#;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct AnswerKey {
    credential: CredentialId,
    /// The credential's last save: an edited credential starts afresh.
    version: i64,
    query: String,
}

#[derive(Debug)]
struct Answer {
    suggestions: Vec<SecretSuggestion>,
    /// Every secret whose name starts with the query is in `suggestions`.
    complete: bool,
}

/// What an AWS lookup could not do, said for the field.
#[derive(Clone, Debug)]
struct Unanswered(SuggestionProblem);

pub struct SecretNames {
    answers: Cache<AnswerKey, Arc<Answer>>,
    limiter: DefaultKeyedRateLimiter<UserId>,
    provider_calls: AtomicU64,
}

impl Default for SecretNames {
    fn default() -> Self {
        let per_second = NonZeroU32::new(AWS_CALLS_PER_SECOND).expect("a positive rate");
        Self {
            answers: Cache::builder().max_capacity(MAX_ANSWERS).time_to_live(ANSWER_TTL).build(),
            limiter: RateLimiter::keyed(Quota::per_second(per_second)),
            provider_calls: AtomicU64::new(0),
        }
    }
}

impl SecretNames {
    /// How many `ListSecrets` and Vault `LIST` calls were made: for tests and benchmarks.
    pub fn provider_calls(&self) -> u64 {
        self.provider_calls.load(Ordering::Relaxed)
    }

    /// Suggestions for `query` among `credential`'s secrets, for the member `actor`.
    pub async fn suggest(
        &self,
        providers: Providers<'_>,
        actor: &Manager,
        credential: &Credential,
        query: &str,
    ) -> ServiceResult<SecretSuggestions> {
        let answer = |suggestions, problem| Ok(SecretSuggestions { query: query.to_owned(), suggestions, problem });
        // No secret name holds such characters: nothing to ask AWS.
        if query.len() > MAX_QUERY || query.chars().any(|c| !(c.is_ascii_alphanumeric() || "/_+=.@-".contains(c))) {
            return answer(Vec::new(), None);
        }
        let key = |query: &str| AnswerKey {
            credential: credential.id,
            version: credential.updated_at.timestamp_micros(),
            query: query.to_owned(),
        };
        // One pass, longest first: the query's own answer, else the closest complete answer (the
        // fewest names to filter); the longest kept one is the freshest fallback beyond the rate.
        // A Vault answer lists one folder: only queries in that folder can narrow it.
        let shortest = match credential.store {
            // The typed folder is everything up to its last `/`.
            SecretStore::VaultKv2 { .. } => query.rfind('/').map_or(0, |slash| slash + 1),
            SecretStore::AwsSecretsManager { .. } => 0,
        };
        let mut fallback = None;
        for end in (shortest..=query.len()).rev() {
            let Some(kept) = self.answers.get(&key(&query[..end])).await else { continue };
            if end == query.len() || kept.complete {
                return answer(narrow(&kept.suggestions, query), None);
            }
            fallback.get_or_insert(kept);
        }
        if self.limiter.check_key(&actor.user_id()).is_err() {
            return match fallback {
                Some(kept) => answer(narrow(&kept.suggestions, query), None),
                None => Err(ServiceError::TooManyRequests { what: "secret name lookups", retry_after_secs: 1 }),
            };
        }
        let fetched = match &credential.store {
            SecretStore::AwsSecretsManager { .. } => {
                self.answers.try_get_with(key(query), self.fetch(&providers.aws, credential, query)).await
            }
            SecretStore::VaultKv2 { kv_mount } => {
                self.answers.try_get_with(key(query), self.fetch_vault(providers, credential, kv_mount, query)).await
            }
        };
        match fetched {
            Ok(kept) => answer(kept.suggestions.clone(), None),
            Err(unanswered) => answer(Vec::new(), Some(unanswered.0.clone())),
        }
    }

    async fn fetch(&self, aws: &Aws<'_>, credential: &Credential, query: &str) -> Result<Arc<Answer>, Unanswered> {
        let session = secret_providers::session(aws.issuer, aws.sdk, aws.master_key, credential)
            .await
            .map_err(|diagnosis| problem(diagnosis, None))?;
        let region = credential.aws_region().map_err(|diagnosis| problem(diagnosis, None))?;
        let client = aws.sdk.secrets_manager_with(region, &session);
        let issuer_url = aws.issuer.ready().ok().and(aws.issuer.url.as_ref());
        let (mut suggestions, mut next_token, mut pages) = (Vec::new(), None::<String>, 0);
        loop {
            let mut request =
                client.list_secrets().max_results(MAX_SUGGESTIONS as i32).set_next_token(next_token.take());
            if !query.is_empty() {
                request = request.filters(Filter::builder().key(FilterNameStringType::Name).values(query).build());
            }
            self.provider_calls.fetch_add(1, Ordering::Relaxed);
            let page = match tokio::time::timeout(LIST_TIMEOUT, request.send()).await {
                Err(_) => return Err(timed_out(region)),
                Ok(Err(error)) => {
                    let failure = Failure::from_sdk(&error);
                    if failure == Failure::Timeout {
                        return Err(timed_out(region));
                    }
                    let Some(identity) = secret_providers::identity(credential, issuer_url) else {
                        return Err(problem(
                            Diagnosis {
                                code: None,
                                provider_message: None,
                                cause: "AWS refused to list secrets.".to_owned(),
                                fix: "Run Test Connection on the credential to see why.".to_owned(),
                            },
                            None,
                        ));
                    };
                    let ctx = Context { org: credential.org_id, region, identity };
                    let diagnosis = diagnose(AwsCall::ListSecrets, &failure, &ctx);
                    let denied = matches!(diagnosis.code.as_deref(), Some("AccessDenied" | "AccessDeniedException"));
                    return Err(problem(diagnosis, denied.then(|| LIST_STATEMENT.to_owned())));
                }
                Ok(Ok(page)) => page,
            };
            pages += 1;
            suggestions.extend(page.secret_list().iter().filter_map(suggestion));
            next_token = page.next_token().map(str::to_owned);
            if suggestions.len() >= MAX_SUGGESTIONS || next_token.is_none() || pages == MAX_PAGES {
                break;
            }
        }
        let complete = next_token.is_none() && suggestions.len() <= MAX_SUGGESTIONS;
        suggestions.truncate(MAX_SUGGESTIONS);
        suggestions.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Arc::new(Answer { suggestions, complete }))
    }
}

impl SecretNames {
    /// The organization's Vault login (kept across lookups), then a `LIST` of the typed folder.
    async fn fetch_vault(
        &self,
        providers: Providers<'_>,
        credential: &Credential,
        kv: &KvMount,
        query: &str,
    ) -> Result<Arc<Answer>, Unanswered> {
        let unavailable = |cause: String, fix: &str| vault_problem(Diagnosis::local(cause, fix), None);
        let Auth::WorkloadIdentity(config) = &credential.auth else {
            return Err(unavailable(
                "A Vault credential signs in with workload identity only.".to_owned(),
                "Edit the credential and choose a HashiCorp Vault config.",
            ));
        };
        let login = config.vault().map_err(|error| unavailable(error.to_string(), &error.hint()))?;
        let issuer = providers.aws.issuer.ready().map_err(|reason| {
            unavailable(reason.to_owned(), "Ask your operator to configure the issuer and restart Wisp.")
        })?;
        let subject = Subject::Organization(credential.org_id).to_string();
        let timed_out = || {
            Unanswered(SuggestionProblem {
                message: format!(
                    "Suggestions are unavailable: Vault at {} did not answer within {} seconds.",
                    login.address,
                    LIST_TIMEOUT.as_secs()
                ),
                hint: "Keep typing to try again, or type the full path; it is read at kickoff.".to_owned(),
                statement: None,
            })
        };
        let as_whom = LoginAs::Organization(credential.org_id);
        let saved_at = config.saved_at.timestamp_micros();
        let logged_in = kept_login(providers.vault, &issuer, as_whom, &subject, config.id, saved_at, login);
        let logged_in = match tokio::time::timeout(LIST_TIMEOUT, logged_in).await {
            Err(_) => return Err(timed_out()),
            Ok(answer) => answer.map_err(|diagnosis| vault_problem(diagnosis, None))?,
        };
        self.provider_calls.fetch_add(1, Ordering::Relaxed);
        let vault = Vault::of(providers.vault, login);
        let listed = names::suggest(vault, &logged_in.token, kv, query, MAX_SUGGESTIONS);
        match tokio::time::timeout(LIST_TIMEOUT, listed).await {
            Err(_) => Err(timed_out()),
            Ok(Ok(suggested)) => {
                let suggestions = suggested
                    .paths
                    .into_iter()
                    .map(|name| SecretSuggestion { name, description: None, last_changed: None })
                    .collect();
                Ok(Arc::new(Answer { suggestions, complete: suggested.complete }))
            }
            Ok(Err(failure)) => {
                let folder = Lookup::of(query).folder;
                let ctx = VaultContext { login, issuer: &issuer.url, subject: &subject };
                let diagnosis = diagnose_vault(VaultCall::List, &failure, &ctx, Some((kv, folder)));
                let rule = (diagnosis.code.as_deref() == Some("permission_denied"))
                    .then(|| format!("path \"{kv}/metadata/{folder}\" {{\n  capabilities = [\"list\"]\n}}"));
                Err(vault_problem(diagnosis, rule))
            }
        }
    }
}

/// The suggestions of a shorter query that also match `query`.
fn narrow(suggestions: &[SecretSuggestion], query: &str) -> Vec<SecretSuggestion> {
    suggestions.iter().filter(|s| s.name.starts_with(query)).cloned().collect()
}

fn suggestion(entry: &SecretListEntry) -> Option<SecretSuggestion> {
    let date = |d: &aws_sdk_secretsmanager::primitives::DateTime| {
        d.fmt(aws_sdk_secretsmanager::primitives::DateTimeFormat::DateTime).ok().map(|t| t.chars().take(10).collect())
    };
    Some(SecretSuggestion {
        name: entry.name()?.to_owned(),
        description: entry.description().filter(|d| !d.is_empty()).map(str::to_owned),
        last_changed: entry.last_changed_date().or(entry.created_date()).and_then(date),
    })
}

/// What the field says when the provider gave no list; `statement` is what to grant, when it
/// refused.
/// As [`problem`], in Vault's words: Vault has no codes, so its own sentence is quoted.
fn vault_problem(diagnosis: Diagnosis, statement: Option<String>) -> Unanswered {
    let words = diagnosis.provider_message.as_ref().map(|words| format!(" Vault said: {words}")).unwrap_or_default();
    let message = format!("Suggestions are unavailable: {}{words}", diagnosis.cause);
    let hint = format!("{} You can still type the full path; it is read at kickoff.", diagnosis.fix);
    Unanswered(SuggestionProblem { message, hint, statement })
}

fn problem(diagnosis: Diagnosis, statement: Option<String>) -> Unanswered {
    let message = match &diagnosis.code {
        Some(code) => format!("Suggestions are unavailable: AWS answered {code}. {}", diagnosis.cause),
        None => format!("Suggestions are unavailable: {}", diagnosis.cause),
    };
    let hint = format!("{} You can still type the full name; it is read at kickoff.", diagnosis.fix);
    Unanswered(SuggestionProblem { message, hint, statement })
}

fn timed_out(region: Region) -> Unanswered {
    Unanswered(SuggestionProblem {
        message: format!(
            "Suggestions are unavailable: AWS Secrets Manager in {region} did not answer within {} seconds.",
            LIST_TIMEOUT.as_secs()
        ),
        hint: "Keep typing to try again, or type the full name; it is read at kickoff.".to_owned(),
        statement: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrowing_keeps_only_names_with_the_longer_prefix() {
        let s = |name: &str| SecretSuggestion { name: name.to_owned(), description: None, last_changed: None };
        let kept = [s("team-1/a"), s("team-1/b"), s("team-10/a"), s("Team-1/c")];
        let names: Vec<String> = narrow(&kept, "team-1/").into_iter().map(|s| s.name).collect();
        assert_eq!(names, ["team-1/a", "team-1/b"]);
    }
}

//! The Secret Name field's suggestions: `ListSecrets` with AWS's `name` filter (a case-sensitive
//! prefix) through the chosen credential. Answers are kept 60 s per (credential, query); a query
//! that extends one whose answer was complete is answered from it without calling AWS; one user
//! causes at most four AWS calls a second (beyond that, the freshest kept answer, or a 429); and
//! pages are read only as far as twenty suggestions need.
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
    dto::automations::{SecretSuggestion, SecretSuggestions, SuggestionProblem},
    ids::{CredentialId, UserId},
};

use super::Manager;
use crate::{
    aws::{
        Aws,
        guidance::{AwsCall, Context, Diagnosis, Failure, diagnose},
    },
    error::{ServiceError, ServiceResult},
    secret_providers::{self, Credential},
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
    aws_calls: AtomicU64,
}

impl Default for SecretNames {
    fn default() -> Self {
        let per_second = NonZeroU32::new(AWS_CALLS_PER_SECOND).expect("a positive rate");
        Self {
            answers: Cache::builder().max_capacity(MAX_ANSWERS).time_to_live(ANSWER_TTL).build(),
            limiter: RateLimiter::keyed(Quota::per_second(per_second)),
            aws_calls: AtomicU64::new(0),
        }
    }
}

impl SecretNames {
    /// How many `ListSecrets` calls were made: for tests and benchmarks.
    pub fn aws_calls(&self) -> u64 {
        self.aws_calls.load(Ordering::Relaxed)
    }

    /// Suggestions for `query` among `credential`'s secrets, for the member `actor`.
    pub async fn suggest(
        &self,
        aws: &Aws<'_>,
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
        let mut fallback = None;
        for end in (0..=query.len()).rev() {
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
        let fetched = self.answers.try_get_with(key(query), self.fetch(aws, credential, query)).await;
        match fetched {
            Ok(kept) => answer(kept.suggestions.clone(), None),
            Err(unanswered) => answer(Vec::new(), Some(unanswered.0.clone())),
        }
    }

    async fn fetch(&self, aws: &Aws<'_>, credential: &Credential, query: &str) -> Result<Arc<Answer>, Unanswered> {
        let session = secret_providers::session(aws.issuer, aws.sdk, aws.master_key, credential)
            .await
            .map_err(|diagnosis| problem(diagnosis, false))?;
        let client = aws.sdk.secrets_manager_with(credential.region, &session);
        let issuer_url = aws.issuer.ready().ok().and(aws.issuer.url.as_ref());
        let (mut suggestions, mut next_token, mut pages) = (Vec::new(), None::<String>, 0);
        loop {
            let mut request =
                client.list_secrets().max_results(MAX_SUGGESTIONS as i32).set_next_token(next_token.take());
            if !query.is_empty() {
                request = request.filters(Filter::builder().key(FilterNameStringType::Name).values(query).build());
            }
            self.aws_calls.fetch_add(1, Ordering::Relaxed);
            let page = match tokio::time::timeout(LIST_TIMEOUT, request.send()).await {
                Err(_) => return Err(timed_out(credential)),
                Ok(Err(error)) => {
                    let failure = Failure::from_sdk(&error);
                    if failure == Failure::Timeout {
                        return Err(timed_out(credential));
                    }
                    let Some(identity) = secret_providers::identity(credential, issuer_url) else {
                        return Err(problem(
                            Diagnosis {
                                code: None,
                                provider_message: None,
                                cause: "AWS refused to list secrets.".to_owned(),
                                fix: "Run Test Connection on the credential to see why.".to_owned(),
                            },
                            false,
                        ));
                    };
                    let ctx = Context { org: credential.org_id, region: credential.region, identity };
                    let diagnosis = diagnose(AwsCall::ListSecrets, &failure, &ctx);
                    let denied = matches!(diagnosis.code.as_deref(), Some("AccessDenied" | "AccessDeniedException"));
                    return Err(problem(diagnosis, denied));
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

fn problem(diagnosis: Diagnosis, denied: bool) -> Unanswered {
    let message = match &diagnosis.code {
        Some(code) => format!("Suggestions are unavailable: AWS answered {code}. {}", diagnosis.cause),
        None => format!("Suggestions are unavailable: {}", diagnosis.cause),
    };
    let hint = format!("{} You can still type the full name; it is read at kickoff.", diagnosis.fix);
    Unanswered(SuggestionProblem { message, hint, statement: denied.then(|| LIST_STATEMENT.to_owned()) })
}

fn timed_out(credential: &Credential) -> Unanswered {
    Unanswered(SuggestionProblem {
        message: format!(
            "Suggestions are unavailable: AWS Secrets Manager in {} did not answer within {} seconds.",
            credential.region,
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

//! The Secret Name suggestions against moto's server, with the fault proxy counting (and
//! failing) the calls that reach AWS. Ignored by default: they need the test command's
//! virtualenv (scripts/test.sh runs them).
use serde_json::json;
use service::{ServiceError, automations::secret_names::SecretNames, testing::AwsWorld};

struct World(AwsWorld);

impl std::ops::Deref for World {
    type Target = AwsWorld;
    fn deref(&self) -> &AwsWorld {
        &self.0
    }
}

impl World {
    async fn new() -> Self {
        let world = AwsWorld::new().await;
        let client = world.admin_client();
        let mut names: Vec<String> = (0..25).map(|n| format!("team-1/svc-{n}")).collect();
        names.extend(["team-2/db".to_owned(), "Team-1/upper".to_owned()]);
        for name in names {
            client
                .create_secret()
                .name(name)
                .description("seeded")
                .secret_string("v1")
                .send()
                .await
                .expect("create a secret");
        }
        Self(world)
    }

    async fn list_calls(&self) -> u64 {
        self.aws.calls("ListSecrets").await
    }
}

fn names(answer: &vocabulary::dto::automations::SecretSuggestions) -> Vec<&str> {
    answer.suggestions.iter().map(|s| s.name.as_str()).collect()
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh runs it"]
async fn suggestions_page_only_as_far_as_needed_and_narrow_from_complete_answers() {
    let world = World::new().await;
    let names_service = SecretNames::default();
    let (aws, actor, credential) = (world.providers(), &world.actor, &world.static_keys);

    let broad = names_service.suggest(aws, actor, credential, "team-1/").await.unwrap();
    assert_eq!(broad.suggestions.len(), 20, "at most twenty: {broad:?}");
    assert!(broad.problem.is_none());
    assert!(names(&broad).iter().all(|n| n.starts_with("team-1/")), "a case-sensitive prefix: {broad:?}");
    let first = &broad.suggestions[0];
    assert_eq!(first.description.as_deref(), Some("seeded"));
    assert_eq!(first.last_changed.as_ref().map(String::len), Some(10), "{first:?}");
    let calls = world.list_calls().await;
    assert!(calls >= 1, "AWS was asked");

    // 25 secrets start with team-1/: that answer was not complete, so a longer query asks AWS.
    let narrower = names_service.suggest(aws, actor, credential, "team-1/svc-1").await.unwrap();
    assert_eq!(names(&narrower).len(), 11, "svc-1 and svc-10..19: {narrower:?}");
    assert_eq!(world.list_calls().await, calls + 1);

    // That one was complete: everything longer is answered from it, without AWS.
    let narrowest = names_service.suggest(aws, actor, credential, "team-1/svc-12").await.unwrap();
    assert_eq!(names(&narrowest), ["team-1/svc-12"]);
    let again = names_service.suggest(aws, actor, credential, "team-1/").await.unwrap();
    assert_eq!(again, broad, "kept for a minute");
    let none = names_service.suggest(aws, actor, credential, "team-1/svc-1z").await.unwrap();
    assert!(none.suggestions.is_empty());
    assert_eq!(world.list_calls().await, calls + 1, "no AWS call for narrowed or repeated queries");
    // Characters no secret name holds are not sent to AWS.
    let odd = names_service.suggest(aws, actor, credential, "team 1").await.unwrap();
    assert!(odd.suggestions.is_empty() && odd.problem.is_none());
    assert_eq!(world.list_calls().await, calls + 1);
    assert_eq!(names_service.provider_calls(), calls + 1);
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh runs it"]
async fn one_member_causes_at_most_four_calls_a_second_and_gets_the_freshest_answer_beyond() {
    let world = World::new().await;
    let names_service = SecretNames::default();
    let (aws, actor, credential) = (world.providers(), &world.actor, &world.static_keys);
    let before = world.list_calls().await;
    let mut limited = 0;
    // Queries none of which extends another's complete answer, as fast as a script sends them.
    for n in 0..10 {
        match names_service.suggest(aws, actor, credential, &format!("team-3/x{n}")).await {
            Ok(_) => {}
            Err(ServiceError::TooManyRequests { retry_after_secs, .. }) => {
                assert_eq!(retry_after_secs, 1);
                limited += 1;
            }
            Err(other) => panic!("{other:?}"),
        }
    }
    let made = world.list_calls().await - before;
    assert!(made <= 5, "{made} AWS calls for one member in about a second");
    assert!(limited >= 5, "the excess was refused with a retry time: {limited}");

    // Beyond the rate, a kept answer to a shorter query (even an incomplete one) is the freshest.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let broad = names_service.suggest(aws, actor, credential, "team-1/").await.unwrap();
    assert_eq!(broad.suggestions.len(), 20);
    for n in 0..6 {
        let _ = names_service.suggest(aws, actor, credential, &format!("team-4/y{n}")).await;
    }
    let made = world.list_calls().await;
    let from_kept = names_service.suggest(aws, actor, credential, "team-1/svc-").await.unwrap();
    assert!(!from_kept.suggestions.is_empty(), "{from_kept:?}");
    assert!(names(&from_kept).iter().all(|n| n.starts_with("team-1/svc-")));
    assert_eq!(world.list_calls().await, made, "answered without AWS");
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh runs it"]
async fn a_refusal_or_a_stall_is_said_in_the_field_and_not_kept() {
    let world = World::new().await;
    let names_service = SecretNames::default();
    let (aws, actor, credential) = (world.providers(), &world.actor, &world.static_keys);
    world
        .aws
        .inject(json!({ "action": "ListSecrets", "code": "AccessDeniedException", "status": 400, "message": "not authorized" }))
        .await;
    let refused = names_service.suggest(aws, actor, credential, "team-2/").await.unwrap();
    let problem = refused.problem.expect("a problem");
    assert!(problem.message.contains("AccessDeniedException"), "{problem:?}");
    assert!(problem.hint.contains("type the full name"), "{problem:?}");
    let statement: serde_json::Value = serde_json::from_str(problem.statement.as_deref().unwrap()).unwrap();
    assert_eq!(statement, json!({ "Effect": "Allow", "Action": "secretsmanager:ListSecrets", "Resource": "*" }));

    world.aws.clear().await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let answered = names_service.suggest(aws, actor, credential, "team-2/").await.unwrap();
    assert_eq!(names(&answered), ["team-2/db"], "a refusal is not kept");

    world.aws.inject(json!({ "action": "ListSecrets", "delay": 8 })).await;
    let started = std::time::Instant::now();
    let stalled = names_service.suggest(aws, actor, credential, "team-1/").await.unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(7), "given up within the limit");
    let problem = stalled.problem.expect("a problem");
    assert!(problem.message.contains("did not answer within 5 seconds"), "{problem:?}");
    assert!(problem.statement.is_none());
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh runs it"]
async fn a_workload_identity_credential_trades_its_token_once_for_many_lookups() {
    let world = World::new().await;
    let names_service = SecretNames::default();
    let (aws, actor, credential) = (world.providers(), &world.actor, &world.workload_identity);
    for query in ["team-2/", "team-1/svc-3", "team-1/svc-4"] {
        let answer = names_service.suggest(aws, actor, credential, query).await.unwrap();
        assert!(answer.problem.is_none(), "{answer:?}");
        assert!(!answer.suggestions.is_empty(), "{query}: {answer:?}");
    }
    assert_eq!(world.aws.calls("AssumeRoleWithWebIdentity").await, 1, "the STS session is kept");
    assert_eq!(world.list_calls().await, 3);
}

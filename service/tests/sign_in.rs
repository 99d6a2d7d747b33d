//! Sign-in under attack, on a real database: failures counted per e-mail and per address,
//! refusals that grow, a bounded number of password checks at once.
use std::net::IpAddr;

use service::{
    ServiceError,
    accounts::{self, SignInGuard},
    audit::Actor,
    password::Password,
    testing::{TestDatabase, recent_actions},
};
use vocabulary::{access::Role, audit::AuditAction};

const PASSWORD: &str = "a-long-test-password";

async fn setup(db: &TestDatabase) -> vocabulary::ids::OrgId {
    let email = "owner@acme.test".parse().unwrap();
    let created =
        accounts::create_organization(&db.db, "Acme", &email, Some(Password::new(PASSWORD).unwrap())).await.unwrap();
    let other = "other@acme.test".parse().unwrap();
    let password = Some(Password::new(PASSWORD).unwrap());
    accounts::add_member(&db.db, Actor::Cli, created.organization.id, &other, Role::Viewer, password).await.unwrap();
    created.organization.id
}

fn ip(text: &str) -> Option<IpAddr> {
    Some(text.parse().unwrap())
}

#[tokio::test]
async fn repeated_failures_lock_the_account_even_against_the_right_password_and_are_audited() {
    let db = TestDatabase::new().await;
    let org = setup(&db).await;
    let guard = SignInGuard::new(2, 16);
    let wrong = Password::attempt("not the password at all");
    for n in 1..=5 {
        let error = guard.sign_in(&db.db, "owner@acme.test", &wrong, ip("192.0.2.1")).await.unwrap_err();
        assert!(matches!(error, ServiceError::InvalidCredentials), "failure {n}: {error:?}");
    }
    let right = Password::attempt(PASSWORD);
    // From another address too: the account itself is paused.
    let refused = guard.sign_in(&db.db, "OWNER@acme.test", &right, ip("192.0.2.2")).await.unwrap_err();
    let ServiceError::TooManySignIns { retry_after_secs } = refused else { panic!("{refused:?}") };
    assert!((1..=60).contains(&retry_after_secs), "{retry_after_secs}");
    assert_eq!(recent_actions(&db.db, org, 1).await, [AuditAction::SignInLocked]);
    // Someone else signs in as usual.
    guard.sign_in(&db.db, "other@acme.test", &right, ip("192.0.2.2")).await.expect("another account is not paused");
}

#[tokio::test]
async fn one_address_failing_for_many_accounts_is_paused() {
    let db = TestDatabase::new().await;
    setup(&db).await;
    let guard = SignInGuard::new(2, 64);
    let wrong = Password::attempt("not the password at all");
    let attempts = (0..20).map(|n| {
        let (db, guard, wrong) = (&db.db, &guard, &wrong);
        async move { guard.sign_in(db, &format!("nobody{n}@acme.test"), wrong, ip("198.51.100.7")).await }
    });
    for outcome in futures::future::join_all(attempts).await {
        assert!(matches!(outcome, Err(ServiceError::InvalidCredentials)), "{outcome:?}");
    }
    let refused = guard.sign_in(&db.db, "owner@acme.test", &Password::attempt(PASSWORD), ip("198.51.100.7")).await;
    assert!(matches!(refused, Err(ServiceError::TooManySignIns { .. })), "{refused:?}");
    let elsewhere = guard.sign_in(&db.db, "owner@acme.test", &Password::attempt(PASSWORD), ip("198.51.100.8")).await;
    assert!(elsewhere.is_ok(), "another address is not paused: {elsewhere:?}");
}

#[tokio::test]
async fn password_checks_beyond_the_queue_are_told_to_come_back() {
    let db = TestDatabase::new().await;
    setup(&db).await;
    let guard = SignInGuard::new(1, 1);
    let right = Password::attempt(PASSWORD);
    let attempts =
        (0..12).map(|n| guard.sign_in(&db.db, "owner@acme.test", &right, ip(&format!("203.0.113.{}", n + 1))));
    let outcomes = futures::future::join_all(attempts).await;
    let signed_in = outcomes.iter().filter(|o| o.is_ok()).count();
    let busy = outcomes.iter().filter(|o| matches!(o, Err(ServiceError::Busy { retry_after_secs: 1 }))).count();
    assert_eq!(signed_in + busy, 12, "{outcomes:?}");
    assert!(signed_in >= 1 && busy >= 1, "one checked at a time, one waiting, the rest told to come back");
}

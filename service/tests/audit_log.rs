//! The Audit Log page's service on a real database: every audited action driven once, each entry
//! read back as people see it (who, what, which object, the changed fields), filters, paging, and
//! no secret anywhere in it.
use std::collections::HashSet;

use service::{
    access::{AccessControl, Authorized, Manage, Read, resource},
    accounts::{self, SignInGuard},
    audit::{self, Actor, Filter},
    automations::{self, variables},
    aws::{Aws, sdk::AwsSdk},
    deployments,
    issuer::{IssuerConfig, IssuerState},
    master_key::MasterKey,
    password::Password,
    secret_providers::{self as credentials, CredentialInput, DefaultChoice},
    testing::{TestDatabase, plain_variable, static_key_form},
    workload_identity::{self as wi, ConfigForm, ConfigInput},
};
use vocabulary::{access::Role, audit::AuditAction, aws::Region, dto::audit::AuditEntryView};

const PASSWORD: &str = "a-long-test-password";
const SENSITIVE: &str = "audit-sensitive-4b1e";

#[tokio::test]
async fn every_audited_action_reads_well_and_no_secret_appears() {
    let db = TestDatabase::new().await;
    let key = MasterKey::generate();
    let email = "owner@acme.test".parse().unwrap();
    let created =
        accounts::create_organization(&db.db, "Acme", &email, Some(Password::new(PASSWORD).unwrap())).await.unwrap();
    let (org, owner) = (created.organization.id, created.owner.user_id);
    let access = AccessControl::new().await.unwrap();
    let automations_actor: Authorized<Manage<resource::Automations>> =
        access.authorize(&db.db, owner, org).await.unwrap();
    let members_actor: Authorized<Manage<resource::Members>> = access.also(&automations_actor).unwrap();
    let configs: Authorized<Manage<resource::WorkloadIdentityConfigs>> = access.also(&automations_actor).unwrap();
    let creds: Authorized<Manage<resource::SecretProviders>> = access.also(&automations_actor).unwrap();
    let reader: Authorized<Read<resource::AuditLog>> = access.also(&automations_actor).unwrap();

    // Members: added (with a new user), role changed, removed; a paused sign-in.
    let bob = "bob@acme.test".parse().unwrap();
    let enrolled = accounts::add_member(
        &db.db,
        Actor::User(owner),
        org,
        &bob,
        Role::Viewer,
        Some(Password::new(PASSWORD).unwrap()),
    )
    .await
    .unwrap();
    let guard = SignInGuard::new(2, 16);
    for _ in 0..5 {
        guard.sign_in(&db.db, "bob@acme.test", &Password::attempt("wrong password here"), None).await.unwrap_err();
    }
    accounts::change_role(&db.db, &members_actor, enrolled.user_id, Role::Developer).await.unwrap();

    // Workload identity, credentials.
    let role = "arn:aws:iam::123456789012:role/reader";
    let first = wi::create(
        &db.db,
        &configs,
        ConfigInput::parse(ConfigForm::aws("aws", role, Region::DEFAULT)).unwrap(),
        DefaultChoice::Automatic,
    )
    .await
    .unwrap();
    let second = wi::create(
        &db.db,
        &configs,
        ConfigInput::parse(ConfigForm::aws("aws-2", role, Region::DEFAULT)).unwrap(),
        DefaultChoice::No,
    )
    .await
    .unwrap();
    wi::update(
        &db.db,
        &configs,
        second.id,
        ConfigInput::parse(ConfigForm::aws("aws-two", role, Region::DEFAULT)).unwrap(),
        false,
    )
    .await
    .unwrap();
    wi::make_default(&db.db, &configs, second.id).await.unwrap();
    wi::delete(&db.db, &configs, first.id).await.unwrap();
    let ci = credentials::create(
        &db.db,
        &key,
        &creds,
        CredentialInput::parse(static_key_form("ci")).unwrap(),
        DefaultChoice::Yes,
    )
    .await
    .unwrap();
    let spare = credentials::create(
        &db.db,
        &key,
        &creds,
        CredentialInput::parse(static_key_form("spare")).unwrap(),
        DefaultChoice::No,
    )
    .await
    .unwrap();
    credentials::update(
        &db.db,
        &key,
        &creds,
        spare.id,
        CredentialInput::parse(static_key_form("spare-2")).unwrap(),
        false,
    )
    .await
    .unwrap();
    credentials::make_default(&db.db, &creds, spare.id).await.unwrap();
    credentials::delete(&db.db, &creds, ci.id).await.unwrap();

    // Automations, variables (one sensitive), a deployment and its revoked token.
    let nightly =
        automations::create(&db.db, &automations_actor, automations::parse_name("nightly").unwrap()).await.unwrap().id;
    automations::rename(&db.db, &automations_actor, nightly, automations::parse_name("nightly-2").unwrap())
        .await
        .unwrap();
    automations::set_run_role(&db.db, &automations_actor, nightly, Some(second.id)).await.unwrap();
    let sensitive = variables::VariableForm { sensitive: true, ..plain_variable("API_TOKEN", SENSITIVE) };
    let added =
        variables::add(&db.db, &key, &automations_actor, nightly, variables::VariableInput::parse(sensitive).unwrap())
            .await
            .unwrap();
    variables::update(
        &db.db,
        &key,
        &automations_actor,
        added.id,
        variables::VariableInput::parse(variables::VariableForm { value: "", ..sensitive }).unwrap(),
    )
    .await
    .unwrap();
    let plain = variables::add(
        &db.db,
        &key,
        &automations_actor,
        nightly,
        variables::VariableInput::parse(plain_variable("MODE", "batch")).unwrap(),
    )
    .await
    .unwrap();
    variables::delete(&db.db, &automations_actor, plain.id).await.unwrap();
    let sdk = AwsSdk::with_endpoint("http://127.0.0.1:9").await;
    let issuer = IssuerState::load(&IssuerConfig::default()).unwrap();
    let aws = Aws { issuer: &issuer, sdk: &sdk, master_key: &key };
    let deployed = deployments::deploy(&db.db, aws, &automations_actor, nightly).await.unwrap();
    deployments::revoke_token(&db.db, &automations_actor, deployed.deployment.id).await.unwrap();
    let gone = automations::create(&db.db, &automations_actor, automations::parse_name("short-lived").unwrap())
        .await
        .unwrap()
        .id;
    automations::delete(&db.db, &automations_actor, gone).await.unwrap();
    accounts::remove_member(&db.db, &members_actor, enrolled.user_id).await.unwrap();

    // Every entry, through the pages.
    let mut entries: Vec<AuditEntryView> = Vec::new();
    let mut before = None;
    loop {
        let page = audit::page(&db.db, &reader, Filter::default(), before).await.unwrap();
        entries.extend(page.entries);
        match page.next {
            Some(next) => before = Some(next),
            None => break,
        }
    }
    let seen: HashSet<AuditAction> = entries.iter().map(|e| e.action).collect();
    // Set up in AWS needs IAM: tests/iam_assistant.rs drives it against the local AWS and reads its entry.
    let needs_aws = [AuditAction::WorkloadIdentityAwsSetup];
    let missing: Vec<_> = AuditAction::ALL.iter().filter(|a| !seen.contains(a) && !needs_aws.contains(a)).collect();
    assert!(missing.is_empty(), "actions never driven: {missing:?}");
    assert!(entries.windows(2).all(|pair| pair[0].id > pair[1].id), "newest first");

    let find = |action: AuditAction| entries.iter().find(|e| e.action == action).unwrap();
    let change = |entry: &AuditEntryView, field: &str| {
        entry
            .changes
            .iter()
            .find(|c| c.field == field)
            .map(|c| c.value.clone())
            .unwrap_or_else(|| panic!("{field} in {entry:?}"))
    };
    for entry in &entries {
        assert!(!entry.object.trim().is_empty() && !entry.actor.is_empty(), "{entry:?}");
        assert!(!entry.object.ends_with(' '), "an object named: {entry:?}");
        assert!(entry.at.ends_with('Z'), "{entry:?}");
    }
    let renamed = find(AuditAction::AutomationRename);
    assert_eq!(renamed.actor, "owner@acme.test");
    assert_eq!(renamed.object, "automation nightly-2");
    assert_eq!(renamed.href.as_deref(), Some(format!("/automations/{nightly}").as_str()));
    assert_eq!(change(renamed, "previous name"), "nightly");
    let deleted = find(AuditAction::AutomationDelete);
    assert_eq!(
        (deleted.object.as_str(), deleted.href.as_deref()),
        ("automation short-lived", None),
        "no link to what is gone"
    );
    let role_change = find(AuditAction::MemberRoleChange);
    assert_eq!((change(role_change, "from"), change(role_change, "to")), ("viewer".to_owned(), "developer".to_owned()));
    assert_eq!(role_change.object, "member bob@acme.test");
    assert_eq!(role_change.href, None, "bob was removed since");
    assert_eq!(find(AuditAction::SignInLocked).actor, "Wisp");
    let revoked = find(AuditAction::DeploymentRevokeToken);
    assert_eq!(revoked.object, "deployment 1 of nightly-2");
    let credential = find(AuditAction::CredentialCreate);
    assert_eq!(change(credential, "access key id"), "AKIA…MPLE", "only masked");
    let variable = find(AuditAction::VariableCreate);
    assert!(variable.object.starts_with("variable "), "{variable:?}");
    assert!(variable.changes.iter().all(|c| c.field != "credential"), "ids are left out: {variable:?}");

    let everything = format!("{entries:?}");
    for secret in
        [SENSITIVE, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AKIAIOSFODNN7EXAMPLE", &deployed.token, PASSWORD]
    {
        assert!(!everything.contains(secret), "a secret in the audit log");
    }

    // Filters: by actor and by action, and the actors offered.
    let by_wisp = audit::page(&db.db, &reader, Filter { actor: Some(Actor::Wisp), action: None }, None).await.unwrap();
    assert!(by_wisp.entries.iter().all(|e| e.actor == "Wisp") && !by_wisp.entries.is_empty());
    let labels: Vec<&str> = by_wisp.actors.iter().map(|a| a.label.as_str()).collect();
    assert!(labels.contains(&"owner@acme.test") && labels.contains(&"Wisp"), "{labels:?}");
    let renames = Filter { actor: Some(Actor::User(owner)), action: Some(AuditAction::AutomationRename) };
    let only = audit::page(&db.db, &reader, renames, None).await.unwrap();
    assert_eq!(only.entries.len(), 1);

    // Another organization's log is its own.
    let other = "owner@other.test".parse().unwrap();
    let theirs = accounts::create_organization(&db.db, "Other", &other, None).await.unwrap();
    let their_reader: Authorized<Read<resource::AuditLog>> =
        access.authorize(&db.db, theirs.owner.user_id, theirs.organization.id).await.unwrap();
    let their_page = audit::page(&db.db, &their_reader, Filter::default(), None).await.unwrap();
    assert!(their_page.entries.iter().all(|e| !e.object.contains("nightly")));
}

//! Account and membership rules on a real database: SQLite by default, PostgreSQL when
//! WISP_TEST_POSTGRES_URL is set (the test command runs both).
use service::{
    ServiceError,
    access::{AccessControl, Authorized, Manage, Read, resource},
    accounts,
    audit::Actor,
    email::Email,
    password::Password,
    testing::{TestDatabase, recent_actions},
};
use vocabulary::{
    access::{Permission, Resource, Role},
    audit::AuditAction,
    ids::{OrgId, UserId},
};

fn email(s: &str) -> Email {
    s.parse().unwrap()
}

async fn member(
    db: &TestDatabase,
    access: &AccessControl,
    org: OrgId,
    user: UserId,
) -> Authorized<Manage<resource::Members>> {
    access.authorize(&db.db, user, org).await.unwrap()
}

#[tokio::test]
async fn bootstrap_creates_org_owner_and_audit_entries() {
    let db = TestDatabase::new().await;
    let created = accounts::create_organization(&db.db, "  Acme  ", &email("Owner@Acme.test"), None).await.unwrap();
    assert_eq!(created.organization.name, "Acme");
    assert!(created.owner.user_created);
    let password = created.owner.generated_password.expect("a generated password for a new owner");

    let user = accounts::authenticate(&db.db, "owner@acme.test", &password).await.unwrap();
    assert_eq!(user.id, created.owner.user_id);
    let orgs = accounts::organizations_of(&db.db, user.id).await.unwrap();
    assert_eq!(orgs, vec![(created.organization.clone(), Role::Owner)]);

    assert_eq!(
        recent_actions(&db.db, created.organization.id, 10).await,
        [AuditAction::MemberAdd, AuditAction::UserCreate, AuditAction::OrganizationCreate]
    );
}

#[tokio::test]
async fn duplicate_org_names_and_members_are_refused_with_guidance() {
    let db = TestDatabase::new().await;
    let org = accounts::create_organization(&db.db, "Acme", &email("a@acme.test"), None).await.unwrap().organization;
    let again = accounts::create_organization(&db.db, "Acme", &email("b@acme.test"), None).await.unwrap_err();
    assert!(matches!(&again, ServiceError::NameTaken { name, .. } if name == "Acme"), "{again:?}");
    let alike = accounts::create_organization(&db.db, " ACME ", &email("b@acme.test"), None).await.unwrap_err();
    assert!(matches!(&alike, ServiceError::NameTaken { .. }), "names differing in case are one name: {alike:?}");

    let twice =
        accounts::add_member(&db.db, Actor::Cli, org.id, &email("A@acme.test"), Role::Viewer, None).await.unwrap_err();
    assert!(matches!(twice, ServiceError::AlreadyMember { role: Role::Owner, .. }), "{twice:?}");

    let nowhere =
        accounts::add_member(&db.db, Actor::Cli, OrgId::new(), &email("c@acme.test"), Role::Viewer, None).await;
    assert!(matches!(nowhere, Err(ServiceError::NotFound { .. })));
}

#[tokio::test]
async fn sign_in_refuses_wrong_password_and_unknown_email_alike() {
    let db = TestDatabase::new().await;
    let chosen = Password::new("a long enough password").unwrap();
    accounts::create_organization(&db.db, "Acme", &email("a@acme.test"), Some(chosen.clone())).await.unwrap();
    assert!(accounts::authenticate(&db.db, "A@ACME.test", &chosen).await.is_ok());
    for (who, password) in
        [("a@acme.test", "wrong password!!"), ("nobody@acme.test", "a long enough password"), ("junk", "x")]
    {
        let err = accounts::authenticate(&db.db, who, &Password::attempt(password)).await.unwrap_err();
        assert!(matches!(err, ServiceError::InvalidCredentials), "{who}: {err}");
    }
}

#[tokio::test]
async fn a_user_can_belong_to_several_organizations() {
    let db = TestDatabase::new().await;
    let shared = email("dev@example.test");
    let a = accounts::create_organization(&db.db, "Beta", &shared, None).await.unwrap();
    let b = accounts::create_organization(&db.db, "Alpha", &email("owner@alpha.test"), None).await.unwrap();
    let added =
        accounts::add_member(&db.db, Actor::Cli, b.organization.id, &shared, Role::Developer, None).await.unwrap();
    assert!(!added.user_created);
    assert!(added.generated_password.is_none(), "an existing user keeps the password it has");
    let orgs = accounts::organizations_of(&db.db, a.owner.user_id).await.unwrap();
    let names: Vec<_> = orgs.iter().map(|(org, role)| (org.name.as_str(), *role)).collect();
    assert_eq!(names, [("Alpha", Role::Developer), ("Beta", Role::Owner)]);
}

#[tokio::test]
async fn authorize_answers_not_found_outside_and_forbidden_inside() {
    let db = TestDatabase::new().await;
    let access = AccessControl::new().await.unwrap();
    let acme = accounts::create_organization(&db.db, "Acme", &email("owner@acme.test"), None).await.unwrap();
    let viewer =
        accounts::add_member(&db.db, Actor::Cli, acme.organization.id, &email("v@acme.test"), Role::Viewer, None)
            .await
            .unwrap();
    let other = accounts::create_organization(&db.db, "Other", &email("owner@other.test"), None).await.unwrap();

    let refused =
        access.authorize::<Manage<resource::Members>>(&db.db, viewer.user_id, acme.organization.id).await.unwrap_err();
    assert!(
        matches!(refused, ServiceError::Forbidden { permission } if permission == Permission::manage(Resource::Members)),
        "{refused:?}"
    );

    let outside = access
        .authorize::<Read<resource::Organization>>(&db.db, other.owner.user_id, acme.organization.id)
        .await
        .unwrap_err();
    assert!(matches!(outside, ServiceError::NotFound { .. }), "{outside}");
}

#[tokio::test]
async fn owner_rules_protect_the_last_owner_and_the_owner_role() {
    let db = TestDatabase::new().await;
    let access = AccessControl::new().await.unwrap();
    let acme = accounts::create_organization(&db.db, "Acme", &email("owner@acme.test"), None).await.unwrap();
    let org = acme.organization.id;
    let admin_id = accounts::add_member(&db.db, Actor::Cli, org, &email("admin@acme.test"), Role::Admin, None)
        .await
        .unwrap()
        .user_id;
    let dev_id = accounts::add_member(&db.db, Actor::Cli, org, &email("dev@acme.test"), Role::Developer, None)
        .await
        .unwrap()
        .user_id;
    let owner = member(&db, &access, org, acme.owner.user_id).await;
    let admin = member(&db, &access, org, admin_id).await;

    // An admin manages non-owners, but cannot touch the owner role.
    accounts::change_role(&db.db, &admin, dev_id, Role::Viewer).await.unwrap();
    for attempt in [
        accounts::change_role(&db.db, &admin, dev_id, Role::Owner).await,
        accounts::change_role(&db.db, &admin, acme.owner.user_id, Role::Viewer).await,
        accounts::remove_member(&db.db, &admin, acme.owner.user_id).await,
    ] {
        let err = attempt.unwrap_err();
        assert!(matches!(err, ServiceError::OwnerOnly), "{err:?}");
    }

    // The last owner cannot leave or be demoted; with a second owner it can.
    let err = accounts::change_role(&db.db, &owner, acme.owner.user_id, Role::Admin).await.unwrap_err();
    assert!(matches!(err, ServiceError::LastOwner), "{err:?}");
    accounts::change_role(&db.db, &owner, admin_id, Role::Owner).await.unwrap();
    accounts::remove_member(&db.db, &owner, acme.owner.user_id).await.unwrap();
    let left: Vec<_> =
        accounts::list_members(&db.db, &owner.read()).await.unwrap().into_iter().map(|m| (m.email, m.role)).collect();
    assert_eq!(left, [("admin@acme.test".to_owned(), Role::Owner), ("dev@acme.test".to_owned(), Role::Viewer)]);

    assert_eq!(
        recent_actions(&db.db, org, 3).await,
        [AuditAction::MemberRemove, AuditAction::MemberRoleChange, AuditAction::MemberRoleChange]
    );
}

#[tokio::test]
async fn a_member_of_another_organization_is_not_found() {
    let db = TestDatabase::new().await;
    let access = AccessControl::new().await.unwrap();
    let acme = accounts::create_organization(&db.db, "Acme", &email("owner@acme.test"), None).await.unwrap();
    let other = accounts::create_organization(&db.db, "Other", &email("owner@other.test"), None).await.unwrap();
    let acme_owner = member(&db, &access, acme.organization.id, acme.owner.user_id).await;
    let err = accounts::remove_member(&db.db, &acme_owner, other.owner.user_id).await.unwrap_err();
    assert!(matches!(err, ServiceError::NotFound { .. }), "{err}");
    let other_owner = member(&db, &access, other.organization.id, other.owner.user_id).await;
    assert_eq!(accounts::list_members(&db.db, &other_owner.read()).await.unwrap().len(), 1);
}

/// On SQLite a transaction that reads and then writes used to fail at once ("database is locked")
/// when another writer got there first; write transactions now take the lock up front and wait.
#[tokio::test]
async fn concurrent_role_changes_all_succeed() {
    let db = TestDatabase::new().await;
    let access = AccessControl::new().await.unwrap();
    let acme = accounts::create_organization(&db.db, "Acme", &email("owner@acme.test"), None).await.unwrap();
    let org = acme.organization.id;
    let owner = member(&db, &access, org, acme.owner.user_id).await;
    let mut members = Vec::new();
    for n in 0..12 {
        let address = email(&format!("m{n}@acme.test"));
        members
            .push(accounts::add_member(&db.db, Actor::Cli, org, &address, Role::Viewer, None).await.unwrap().user_id);
    }
    let changes: Vec<_> = members
        .iter()
        .map(|user| {
            let (db, user) = (db.db.clone(), *user);
            tokio::spawn(async move { accounts::change_role(&db, &owner, user, Role::Developer).await })
        })
        .collect();
    for change in changes {
        change.await.unwrap().expect("every change succeeds");
    }
    let roles = accounts::list_members(&db.db, &owner.read()).await.unwrap();
    assert_eq!(roles.iter().filter(|m| m.role == Role::Developer).count(), 12);
}

/// Two owners demoting, or removing, each other at the same moment: one may win, never both, so
/// the organization keeps an owner (PostgreSQL once let both through). The loser hears why.
#[tokio::test]
async fn owners_racing_to_demote_or_remove_each_other_leave_one_owner() {
    let db = TestDatabase::new().await;
    let access = AccessControl::new().await.unwrap();
    for round in 0..8 {
        let acme = accounts::create_organization(
            &db.db,
            &format!("Acme {round}"),
            &email(&format!("a{round}@acme.test")),
            None,
        )
        .await
        .unwrap();
        let org = acme.organization.id;
        let second = email(&format!("b{round}@acme.test"));
        let b = accounts::add_member(&db.db, Actor::Cli, org, &second, Role::Owner, None).await.unwrap().user_id;
        let a = acme.owner.user_id;
        let (as_a, as_b) = (member(&db, &access, org, a).await, member(&db, &access, org, b).await);
        let (first, second) = {
            let (db1, db2) = (db.db.clone(), db.db.clone());
            if round % 2 == 0 {
                tokio::join!(
                    tokio::spawn(async move { accounts::change_role(&db1, &as_a, b, Role::Admin).await }),
                    tokio::spawn(async move { accounts::change_role(&db2, &as_b, a, Role::Admin).await }),
                )
            } else {
                tokio::join!(
                    tokio::spawn(async move { accounts::remove_member(&db1, &as_a, b).await }),
                    tokio::spawn(async move { accounts::remove_member(&db2, &as_b, a).await }),
                )
            }
        };
        for outcome in [first.unwrap(), second.unwrap()] {
            assert!(
                matches!(
                    outcome,
                    Ok(()) | Err(ServiceError::LastOwner | ServiceError::OwnerOnly | ServiceError::NotFound { .. })
                ),
                "round {round}: {outcome:?}"
            );
        }
        let reader = Authorized::<Read<resource::Members>>::for_tests(UserId::new(), org, Role::Owner);
        let members = accounts::list_members(&db.db, &reader).await.unwrap();
        let owners = members.iter().filter(|m| m.role == Role::Owner).count();
        assert_eq!(owners, 1, "round {round}: exactly one owner left");
    }
}

//! Managed signing keys on a real database (SQLite, or PostgreSQL with WISP_TEST_POSTGRES_URL),
//! with a clock the tests move: every state change, the invariants of DESIGN §10, schedulers
//! racing for the same step, revoke, rotate and import, replicas following, and the master key
//! ring that seals the keys.
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use service::{
    entity::signing_key,
    issuer::{
        IssuerConfig, IssuerState,
        keys::{SigningAlgorithm, generate},
        rotation::Rotation,
        store::{self, ChangeKind, Rotated},
    },
    master_key::{self, MasterKey},
    testing::TestDatabase,
};
use vocabulary::token::KeyState;

const T0: i64 = 1_900_000_000;
/// As the rotation test runs it: a 1-minute period, 5-second caches, 20-second tokens.
const CACHE: i64 = 5;
const LEAD: i64 = CACHE + 10;
const RETENTION: i64 = 5 + 20 + CACHE + 5;

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(T0 + seconds, 0).unwrap()
}

fn config(rotation: &str) -> IssuerConfig {
    IssuerConfig {
        issuer: Some("http://127.0.0.1:1".to_owned()),
        shortened_lifetime_seconds: Some(20),
        jwks_max_age_seconds: u32::try_from(CACHE).unwrap(),
        rotation: rotation.parse::<Rotation>().unwrap(),
        ..IssuerConfig::default()
    }
}

struct World {
    db: TestDatabase,
    ring: MasterKey,
    issuer: IssuerState,
}

impl World {
    async fn new(rotation: &str) -> Self {
        let db = TestDatabase::new().await;
        let ring = MasterKey::generate();
        master_key::adopt(&db.db, &ring).await.unwrap();
        Self { db, ring, issuer: IssuerState::load(&config(rotation)).unwrap() }
    }

    async fn step(&self, seconds: i64) -> Vec<store::Change> {
        store::step(&self.db.db, &self.ring, &self.issuer.policy, at(seconds)).await.unwrap()
    }

    async fn keys(&self) -> Vec<signing_key::Model> {
        store::list(&self.db.db).await.unwrap()
    }

    async fn in_state(&self, state: KeyState) -> Vec<String> {
        self.keys().await.into_iter().filter(|k| k.state.0 == state).map(|k| k.kid).collect()
    }

    async fn active(&self) -> String {
        let active = self.in_state(KeyState::Active).await;
        assert_eq!(active.len(), 1, "exactly one active key");
        active[0].clone()
    }

    async fn next(&self) -> String {
        let next = self.in_state(KeyState::Next).await;
        assert_eq!(next.len(), 1, "exactly one next key");
        next[0].clone()
    }

    /// The kids `state` publishes after following the database, the signing one first.
    async fn follow(&self, state: &IssuerState) -> Vec<String> {
        let keyring = master_key::keyring(&self.db.db, &self.ring).await.unwrap();
        state.refresh(&self.db.db, &self.ring, &keyring).await.unwrap();
        let ready = state.ready().unwrap();
        let jwks: serde_json::Value = serde_json::from_slice(&ready.jwks.body).unwrap();
        let kids: Vec<String> =
            jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_owned()).collect();
        assert_eq!(kids[0], ready.minter.kid(), "the signing key comes first");
        kids
    }

    /// Invariant 1 in the stored dates: every key that took over from another had been published
    /// for the lead by then.
    async fn assert_published_long_enough_before_signing(&self) {
        for key in self.keys().await {
            if let Some(activated) =
                key.activated_at.filter(|_| key.retired_at.is_some() || key.state.0 == KeyState::Active)
            {
                let first = activated == key.published_at;
                assert!(
                    first || (activated - key.published_at).num_seconds() >= LEAD,
                    "{} signed {} s after it was published",
                    key.kid,
                    (activated - key.published_at).num_seconds()
                );
            }
        }
    }
}

#[tokio::test]
async fn a_new_database_gets_a_sealed_active_key_and_a_published_next_one() {
    let world = World::new("7d").await;
    let before = master_key::keyring(&world.db.db, &world.ring).await.unwrap().version;
    let changes = world.step(0).await;
    assert_eq!(changes.iter().map(|c| &c.what).collect::<Vec<_>>()[0], &ChangeKind::Activated);
    assert!(matches!(changes[1].what, ChangeKind::Published { takes_over_at: Some(t) } if t == at(7 * 86_400)));
    for key in world.keys().await {
        let sealed = key.sealed_private_key.clone().unwrap();
        assert!(!String::from_utf8_lossy(&sealed).contains("PRIVATE KEY"), "the private half is sealed");
        assert_eq!(key.master_key_id.as_deref(), Some(world.ring.id().as_str()));
        assert_eq!(key.alg.0, SigningAlgorithm::ES256);
        assert!(!format!("{key:?}").contains("sealed"), "Debug shows no key material: {key:?}");
    }
    assert_eq!(world.in_state(KeyState::Active).await.len(), 1);
    assert_eq!(world.in_state(KeyState::Next).await.len(), 1);
    assert!(master_key::keyring(&world.db.db, &world.ring).await.unwrap().version > before, "replicas are told");
    assert!(world.step(0).await.is_empty(), "nothing more to do");
    assert!(world.step(7 * 86_400 - 1).await.is_empty(), "not before the period");
}

#[tokio::test]
async fn keys_move_through_next_active_retired_removed_on_schedule() {
    let world = World::new("1m").await;
    world.step(0).await;
    let (a, b) = (world.active().await, world.next().await);
    assert_eq!(world.follow(&world.issuer).await, [a.clone(), b.clone()]);
    assert!(world.step(59).await.is_empty());

    // The period has passed: b takes over, a retires, c is published behind b.
    let changes = world.step(60).await;
    let kinds: Vec<&ChangeKind> = changes.iter().map(|c| &c.what).collect();
    assert!(
        matches!(kinds[..], [ChangeKind::Retired { .. }, ChangeKind::Activated, ChangeKind::Published { .. }]),
        "{kinds:?}"
    );
    let c = world.next().await;
    assert_eq!(world.active().await, b);
    assert_eq!(world.in_state(KeyState::Retired).await, std::slice::from_ref(&a));
    let retired = world.keys().await.into_iter().find(|k| k.kid == a).unwrap();
    assert_eq!(retired.remove_after, Some(at(60 + RETENTION)), "its last token expired, plus every cache");
    let published = world.follow(&world.issuer).await;
    assert_eq!(published[0], b);
    assert_eq!(published.len(), 3, "active, next and retired: {published:?}");
    assert!(published.contains(&a) && published.contains(&c));

    // The retired key leaves once its retention has passed, its private half erased.
    assert!(world.step(60 + RETENTION - 1).await.is_empty());
    let removed = world.step(60 + RETENTION).await;
    assert_eq!((removed[0].kid.clone(), removed[0].what.clone()), (a.clone(), ChangeKind::Removed));
    let row = world.keys().await.into_iter().find(|k| k.kid == a).unwrap();
    assert_eq!(row.state.0, KeyState::Removed);
    assert_eq!((row.sealed_private_key, row.master_key_id, row.removed_at), (None, None, Some(at(60 + RETENTION))));
    assert_eq!(world.follow(&world.issuer).await, [b.clone(), c.clone()]);

    // And again: a second rotation, the JWKS never past three keys.
    world.step(120).await;
    assert_eq!(world.active().await, c);
    assert_eq!(world.follow(&world.issuer).await.len(), 3);
    world.assert_published_long_enough_before_signing().await;
}

#[tokio::test]
async fn a_late_next_key_waits_out_the_cache_lifetime_before_it_signs() {
    let world = World::new("1m").await;
    world.step(0).await;
    let b = world.next().await;
    // The next key vanished (say, revoked) and its successor was published late.
    store::revoke(&world.db.db, &world.ring, &world.issuer.policy, &b, at(55)).await.unwrap();
    let c = world.next().await;
    assert!(world.step(60).await.is_empty(), "the period has passed, but c was published 5 s ago");
    assert!(world.step(55 + LEAD - 1).await.is_empty());
    world.step(55 + LEAD).await;
    assert_eq!(world.active().await, c);
    world.assert_published_long_enough_before_signing().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn schedulers_racing_for_the_same_step_make_it_once() {
    let world = std::sync::Arc::new(World::new("1m").await);
    for seconds in [0, 60, 60 + RETENTION, 120] {
        let racers: Vec<_> = (0..6)
            .map(|_| {
                let world = world.clone();
                tokio::spawn(async move { world.step(seconds).await })
            })
            .collect();
        let mut changes = 0;
        for racer in racers {
            changes += racer.await.unwrap().len();
        }
        let expected = match seconds {
            0 => 2,
            s if s == 60 + RETENTION => 1,
            _ => 3,
        };
        assert_eq!(changes, expected, "each step made once at {seconds} s");
        world.active().await;
        world.next().await;
    }
    let all = world.keys().await;
    assert_eq!(all.len(), 4, "a, b, c, d: no key generated twice");
    assert_eq!(all.iter().filter(|k| k.state.0 == KeyState::Retired).count(), 1);
}

#[tokio::test]
async fn the_database_refuses_a_second_active_or_next_key_and_a_published_key_without_its_private_half() {
    let world = World::new("7d").await;
    world.step(0).await;
    let rows = world.keys().await;
    let next = rows.iter().find(|k| k.state.0 == KeyState::Next).unwrap().clone();
    let mut second_active: signing_key::ActiveModel = next.clone().into();
    second_active.state = Set(service::db::text::Text(KeyState::Active));
    second_active.activated_at = Set(Some(at(1)));
    assert!(second_active.update(&world.db.db).await.is_err(), "one active key");
    let mut second_next = next.clone();
    second_next.id = uuid::Uuid::new_v4();
    second_next.kid = "another".to_owned();
    let insert: signing_key::ActiveModel = second_next.into();
    assert!(signing_key::Entity::insert(insert.reset_all()).exec(&world.db.db).await.is_err(), "one next key");
    let mut erased: signing_key::ActiveModel = next.into();
    erased.sealed_private_key = Set(None);
    assert!(erased.update(&world.db.db).await.is_err(), "a published key keeps its private half");
}

#[tokio::test]
async fn a_sealed_key_copied_to_another_row_does_not_open() {
    let world = World::new("7d").await;
    world.step(0).await;
    let rows = world.keys().await;
    for row in &rows {
        assert_eq!(store::signing_key(&world.ring, row).unwrap().jwk.kid, row.kid);
    }
    let swapped = signing_key::Model { sealed_private_key: rows[1].sealed_private_key.clone(), ..rows[0].clone() };
    assert!(store::signing_key(&world.ring, &swapped).is_err());
    assert!(store::signing_key(&MasterKey::generate(), &rows[0]).unwrap_err().to_string().contains(&world.ring.id()));
}

#[tokio::test]
async fn revoking_the_active_key_hands_over_to_the_next_one_at_once() {
    let world = World::new("7d").await;
    world.step(0).await;
    let (a, b) = (world.active().await, world.next().await);
    let other = IssuerState::load(&config("7d")).unwrap();
    assert_eq!(world.follow(&other).await, [a.clone(), b.clone()]);

    let changes = store::revoke(&world.db.db, &world.ring, &world.issuer.policy, &a, at(10)).await.unwrap();
    let kinds: Vec<&ChangeKind> = changes.iter().map(|c| &c.what).collect();
    assert!(
        matches!(kinds[..], [ChangeKind::Revoked, ChangeKind::Activated, ChangeKind::Published { .. }]),
        "{kinds:?}"
    );
    assert_eq!(world.active().await, b);
    let revoked = world.keys().await.into_iter().find(|k| k.kid == a).unwrap();
    assert_eq!(
        (revoked.state.0, revoked.sealed_private_key, revoked.removed_at),
        (KeyState::Revoked, None, Some(at(10)))
    );
    // Another replica follows: the revoked kid is gone from its JWKS, b signs.
    let published = world.follow(&other).await;
    assert_eq!(published[0], b);
    assert!(!published.contains(&a), "{published:?}");

    let again = store::revoke(&world.db.db, &world.ring, &world.issuer.policy, &a, at(11)).await.unwrap_err();
    assert!(again.to_string().contains("already revoked"), "{again}");
    let unknown = store::revoke(&world.db.db, &world.ring, &world.issuer.policy, "nope", at(11)).await.unwrap_err();
    assert!(matches!(unknown, service::ServiceError::NotFound { .. }), "{unknown}");

    // Revoking the next key publishes another; revoking a retired one unpublishes it.
    let c = world.next().await;
    store::revoke(&world.db.db, &world.ring, &world.issuer.policy, &c, at(12)).await.unwrap();
    assert_ne!(world.next().await, c);
    assert_eq!(world.active().await, b, "the active key is untouched");
}

#[tokio::test]
async fn an_operators_rotation_waits_for_the_cache_lifetime_or_happens_at_once() {
    let world = World::new("off").await;
    world.step(0).await;
    let (a, b) = (world.active().await, world.next().await);
    assert!(world.step(365 * 86_400).await.is_empty(), "rotation off: nothing happens by itself");

    // Asked right away: b was published 3 s ago, so it takes over once published for the lead.
    let Rotated::Later(changes) = store::rotate(&world.db.db, &world.ring, &world.issuer.policy, at(3)).await.unwrap()
    else {
        panic!("b is too young to sign")
    };
    assert_eq!(changes[0].what, ChangeKind::Scheduled { takes_over_at: at(LEAD) });
    assert!(world.step(LEAD - 1).await.is_empty());
    world.step(LEAD).await;
    assert_eq!(world.active().await, b);
    assert_eq!(world.in_state(KeyState::Retired).await, [a]);

    // Asked when the next key has waited long enough: at once.
    let c = world.next().await;
    let Rotated::Now(changes) = store::rotate(&world.db.db, &world.ring, &world.issuer.policy, at(1000)).await.unwrap()
    else {
        panic!("c has been published long enough")
    };
    assert_eq!(changes.iter().filter(|c| c.what == ChangeKind::Activated).count(), 1);
    assert_eq!(world.active().await, c);
    world.assert_published_long_enough_before_signing().await;
}

#[tokio::test]
async fn an_imported_key_signs_at_once_in_an_empty_database_and_waits_its_turn_otherwise() {
    let world = World::new("7d").await;
    let pinned = generate(SigningAlgorithm::RS256);
    let changes = store::import(&world.db.db, &world.ring, &world.issuer.policy, &pinned, at(0)).await.unwrap();
    assert_eq!(changes.last().unwrap().what, ChangeKind::Activated);
    let imported = world.active().await;
    let row = world.keys().await.into_iter().find(|k| k.kid == imported).unwrap();
    assert_eq!((row.origin.as_str(), row.alg.0), ("imported", SigningAlgorithm::RS256));
    world.step(0).await;
    assert_eq!(world.follow(&world.issuer).await.len(), 2, "a next key is published behind it");

    let again = store::import(&world.db.db, &world.ring, &world.issuer.policy, &pinned, at(1)).await.unwrap_err();
    assert!(again.to_string().contains("already in the database, active"), "{again}");

    let another = generate(SigningAlgorithm::ES256);
    let waiting = world.next().await;
    let changes = store::import(&world.db.db, &world.ring, &world.issuer.policy, &another, at(10)).await.unwrap();
    assert_eq!(changes[0], store::Change { kid: waiting, alg: SigningAlgorithm::ES256, what: ChangeKind::Removed });
    assert!(matches!(changes[1].what, ChangeKind::Published { takes_over_at: Some(t) } if t == at(10 + LEAD)));
    world.step(10 + LEAD).await;
    assert_eq!(world.active().await, changes[1].kid);

    let garbled = store::import(&world.db.db, &world.ring, &world.issuer.policy, "junk", at(20)).await.unwrap_err();
    assert!(garbled.to_string().contains("PEM"), "{garbled}");
    store::revoke(&world.db.db, &world.ring, &world.issuer.policy, &imported, at(21)).await.unwrap();
    let back = store::import(&world.db.db, &world.ring, &world.issuer.policy, &pinned, at(22)).await.unwrap_err();
    assert!(back.to_string().contains("never comes back"), "{back}");
}

#[tokio::test]
async fn a_replica_follows_a_change_by_the_version_alone() {
    let world = World::new("1m").await;
    world.step(0).await;
    let (a, b) = (IssuerState::load(&config("1m")).unwrap(), IssuerState::load(&config("1m")).unwrap());
    world.follow(&a).await;
    world.follow(&b).await;
    assert_eq!(a.ready().unwrap().jwks, b.ready().unwrap().jwks, "the same bytes and ETag");
    let keyring = master_key::keyring(&world.db.db, &world.ring).await.unwrap();
    assert!(!a.refresh(&world.db.db, &world.ring, &keyring).await.unwrap(), "nothing changed: nothing read");
    let before = a.ready().unwrap().jwks.etag.clone();

    world.step(60).await;
    let keyring = master_key::keyring(&world.db.db, &world.ring).await.unwrap();
    assert!(a.refresh(&world.db.db, &world.ring, &keyring).await.unwrap());
    assert_ne!(a.ready().unwrap().jwks.etag, before);
    assert_eq!(a.ready().unwrap().minter.kid(), world.active().await);
    let removal = 60 + RETENTION;
    assert!(a.due(at(removal)) && !a.due(at(removal - 1)), "the replica knows when the next step falls due");
}

#[tokio::test]
async fn a_master_key_rotation_reseals_the_signing_keys_and_the_new_key_alone_serves() {
    let world = World::new("7d").await;
    world.step(0).await;
    let next = MasterKey::generate();
    let ring = world.ring.with(&next);
    let resealed = master_key::rotate(&world.db.db, &ring, &next.id(), Duration::ZERO).await.unwrap();
    assert_eq!(resealed, 2, "both published keys");
    for key in world.keys().await {
        assert_eq!(key.master_key_id.as_deref(), Some(next.id().as_str()));
        store::signing_key(&next, &key).unwrap();
    }
    // A process holding only the old key refuses to start, naming the key it lacks.
    let refused = master_key::adopt(&world.db.db, &world.ring).await.unwrap_err().to_string();
    assert!(refused.contains(&next.id()), "{refused}");
    master_key::adopt(&world.db.db, &next).await.unwrap();
    let alone = IssuerState::load(&config("7d")).unwrap();
    let keyring = master_key::keyring(&world.db.db, &next).await.unwrap();
    alone.refresh(&world.db.db, &next, &keyring).await.unwrap();
    assert_eq!(alone.ready().unwrap().minter.kid(), world.active().await);
    // New keys are sealed under the new master key.
    store::step(&world.db.db, &next, &world.issuer.policy, at(7 * 86_400)).await.unwrap();
    let newest = world.next().await;
    let row = world.keys().await.into_iter().find(|k| k.kid == newest).unwrap();
    assert_eq!(row.master_key_id, Some(next.id()));
}

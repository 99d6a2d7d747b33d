//! Keys that rotate themselves, proven on two `wisp serve` replicas sharing one database (the
//! test command runs this on PostgreSQL) behind a round-robin balancer that is the issuer's
//! address. Relying parties that cache the JWKS verify every token minted through both replicas
//! through two rotations and a revoke; a master-key rotation runs while workers kick off.
use std::{
    io::Write,
    process::Stdio,
    time::{Duration, Instant},
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use service::testing::TestDatabase;

use crate::{
    common::{MASTER_KEY, PASSWORD, Server, create_org, free_port, output, run},
    fleet::{BAO_ROLE, Balancer, CachedVerifier, Watcher, kids, openbao_trusting, unix_now},
    seaweed::{AUDIENCE, SeaweedSts, StsAnswer, TrustedRole},
};

/// The JWKS max-age and every token's lifetime in this test: a rotation period of one minute
/// then keeps at most three keys published (DESIGN §10's figures, scaled down).
const CACHE_SECONDS: u64 = 5;
const TOKEN_SECONDS: u64 = 20;
const BAO_AUDIENCE: &str = "openbao";

fn settings(issuer: &str) -> Vec<(&'static str, String)> {
    vec![
        ("OIDC_ISSUER", issuer.to_owned()),
        ("WISP_SIGNING_KEY_ROTATION", "1m".to_owned()),
        ("WISP_SIGNING_KEY_ALG", "rs256".to_owned()),
        ("WISP_JWKS_MAX_AGE_SECONDS", CACHE_SECONDS.to_string()),
        ("WISP_TEST_TOKEN_LIFETIME_SECONDS", TOKEN_SECONDS.to_string()),
    ]
}

fn borrowed<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter().map(|(name, value)| (*name, value.as_str())).collect()
}

/// An automation with one plain variable, deployed by acme's owner through the balancer (the
/// issuer's origin is the only one state-changing requests may come from): its id and token.
async fn deployed(issuer: &str, name: &str) -> (String, String) {
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let call = async |endpoint: &str, body: Value| -> Value {
        let response =
            client.post(format!("{issuer}/api/{endpoint}")).header("Origin", issuer).json(&body).send().await.unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap_or_default();
        assert!(status.is_success(), "{endpoint}: {status} {body}");
        body
    };
    call("login", json!({ "email": "owner@acme.test", "password": PASSWORD })).await;
    let id = call("automations/create", json!({ "name": name })).await.as_str().unwrap().to_owned();
    call(
        "automations/variables/add",
        json!({ "automation": id, "key": "GREETING", "source": "plain", "value": "hello" }),
    )
    .await;
    let deployed = call("automations/deploy", json!({ "automation": id })).await;
    (id, deployed["token"].as_str().unwrap().to_owned())
}

/// An ID token for `audience` through `server`, with its kid and iat.
async fn id_token(server: &Server, deployment_token: &str, audience: &str) -> (String, String, f64) {
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/id-tokens", server.base))
        .bearer_auth(deployment_token)
        .json(&json!({ "audience": audience }))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["token"].as_str().unwrap().to_owned();
    let part = |n: usize| -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(token.split('.').nth(n).unwrap()).unwrap()).unwrap()
    };
    let kid = part(0)["kid"].as_str().unwrap().to_owned();
    let iat = part(1)["iat"].as_f64().unwrap();
    (token, kid, iat)
}

/// Every relying party's verdict on the same automation's tokens.
struct Verifiers {
    pyjwt: CachedVerifier,
    bao: service::testing::OpenBao,
    sts: SeaweedSts,
    sub: String,
    verified: [u64; 3],
    failures: Vec<String>,
}

impl Verifiers {
    const ROLE: &'static str = "arn:aws:iam::123456789012:role/wisp-rotation";

    async fn verify(&mut self, sts_token: &str, bao_token: &str, kid: &str) {
        let sub = self.sub.clone();
        let answers = [
            self.pyjwt
                .verify(sts_token, &sub, AUDIENCE)
                .and_then(|_| self.pyjwt.verify(bao_token, &sub, BAO_AUDIENCE))
                .map(|_| ()),
            self.bao.login("jwt", BAO_ROLE, bao_token).await,
            match self.sts.assume_role_with_web_identity(Self::ROLE, sts_token).await {
                StsAnswer::Credentials { .. } => Ok(()),
                StsAnswer::Refused { code, message } => Err(format!("{code}: {message}")),
            },
        ];
        for (n, (answer, name)) in answers.into_iter().zip(["PyJWT", "OpenBao", "SeaweedFS STS"]).enumerate() {
            match answer {
                Ok(()) => self.verified[n] += 1,
                Err(why) => self.failures.push(format!("{name} refused a token of {kid}: {why}")),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the test command's virtualenv (PyJWT, OpenBao, SeaweedFS) and runs for three minutes"]
async fn keys_rotate_on_two_replicas_and_no_caching_relying_party_ever_refuses_a_token() {
    let db = TestDatabase::new().await;
    let org = create_org(&db, "acme");
    let (port_a, port_b) = (free_port(), free_port());
    let balancer = Balancer::start(vec![format!("127.0.0.1:{port_a}"), format!("127.0.0.1:{port_b}")]).await;
    let issuer = balancer.base.clone();
    let env = settings(&issuer);
    let a = Server::start_on(&db, port_a, &borrowed(&env)).await;
    let b = Server::start_on(&db, port_b, &borrowed(&env)).await;
    let replicas = vec![a.base.clone(), b.base.clone()];
    let watcher = Watcher::start(replicas.clone()).await;
    let started = unix_now();

    let (automation, deployment_token) = deployed(&issuer, "rotating").await;
    let sub = format!("organization:{org}:automation:{automation}");
    let sts = SeaweedSts::start(&issuer, &[TrustedRole { arn: Verifiers::ROLE, sub: &sub }]).await;
    let bao = openbao_trusting(&issuer, BAO_AUDIENCE, &sub).await;
    let mut verifiers = Verifiers {
        pyjwt: CachedVerifier::start(&issuer),
        bao,
        sts,
        sub: sub.clone(),
        verified: [0; 3],
        failures: Vec::new(),
    };

    // Mint through both replicas in turn and verify everything, until two rotations have passed,
    // the first retired key has left the JWKS, and the third key has signed for a token lifetime
    // (long enough that its successor, which the revoke below promotes, has been published for
    // more than the cache lifetime).
    let mut signing: Vec<String> = Vec::new();
    let mut third_signing_since: Option<Instant> = None;
    let mut tokens: Vec<(String, f64)> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(240);
    let mut turn = 0;
    loop {
        let server = if turn % 2 == 0 { &a } else { &b };
        turn += 1;
        let (sts_token, kid, iat) = id_token(server, &deployment_token, AUDIENCE).await;
        let (bao_token, bao_kid, bao_iat) = id_token(server, &deployment_token, BAO_AUDIENCE).await;
        verifiers.verify(&sts_token, &bao_token, &kid).await;
        for (kid, iat) in [(kid, iat), (bao_kid, bao_iat)] {
            if signing.last() != Some(&kid) {
                signing.push(kid.clone());
            }
            tokens.push((kid, iat));
        }
        if signing.iter().collect::<std::collections::HashSet<_>>().len() >= 3 {
            let since = *third_signing_since.get_or_insert_with(Instant::now);
            let first_gone = !kids(&a.base).await.contains(&signing[0]);
            if first_gone && since.elapsed() >= Duration::from_secs(TOKEN_SECONDS) {
                break;
            }
        }
        assert!(Instant::now() < deadline, "two rotations did not happen in 4 minutes: {signing:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let rotation_ended = unix_now();

    // Revoke: the active key leaves both replicas within seconds; its tokens stop verifying.
    let before = id_token(&b, &deployment_token, AUDIENCE).await;
    let revoked = before.1.clone();
    let printed = run(&db, &borrowed(&env), &["keys", "revoke", &revoked], "");
    assert!(printed.contains(&format!("key {revoked} revoked")), "{printed}");
    let revoked_at = Instant::now();
    let gone_after = watcher.until_gone(&replicas, &revoked, Duration::from_secs(5)).await;
    let python = std::env::var("WISP_TEST_PYTHON").unwrap();
    let fresh = std::process::Command::new(&python)
        .args([concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/interop/verify_token.py"), &issuer, &before.0, &sub])
        .output()
        .unwrap();
    assert!(!fresh.status.success(), "a verifier fetching the JWKS now refuses the revoked key's token");
    assert!(String::from_utf8_lossy(&fresh.stderr).contains(&revoked), "{fresh:?}");
    // A caching verifier refuses it once its cache has expired (it held the JWKS for max-age).
    tokio::time::sleep(Duration::from_secs(CACHE_SECONDS + 1).saturating_sub(revoked_at.elapsed())).await;
    let cached = verifiers.pyjwt.verify(&before.0, &sub, AUDIENCE);
    assert!(cached.as_ref().is_err_and(|why| why.contains(&revoked)), "{cached:?}");
    // Verifiers that refetch only on an unknown kid keep a revoked key until they fetch again.
    let bao_says = verifiers.bao.login("jwt", BAO_ROLE, &id_token(&a, &deployment_token, BAO_AUDIENCE).await.0).await;
    let sts_says = verifiers.sts.assume_role_with_web_identity(Verifiers::ROLE, &before.0).await;
    let after = (id_token(&a, &deployment_token, AUDIENCE).await, id_token(&b, &deployment_token, BAO_AUDIENCE).await);
    assert_ne!(after.0.1, revoked, "a fresh key took over");
    assert_eq!(after.0.1, after.1.1, "on both replicas");
    verifiers.verify(&after.0.0, &after.1.0, &after.0.1).await;

    // The figures, then the verdicts.
    let seen = watcher.seen.lock().unwrap();
    let listed = run(&db, &borrowed(&env), &["keys", "list"], "");
    println!(
        "rotation test on {}: {} replicas, period 1m, max-age {CACHE_SECONDS} s, tokens {TOKEN_SECONDS} s",
        if db.is_postgres() { "PostgreSQL" } else { "SQLite" },
        replicas.len()
    );
    println!(
        "tokens minted: {}; verified by PyJWT {} (JWKS fetched as its max-age allows), OpenBao {}, SeaweedFS STS {}; failures {}",
        tokens.len() + 3,
        verifiers.verified[0],
        verifiers.verified[1],
        verifiers.verified[2],
        verifiers.failures.len()
    );
    println!("signing keys in turn: {signing:?}, then {} after revoking {revoked}", after.0.1);
    for (at, replica, kids) in &seen.changes {
        println!("  t+{:6.1} s replica {}: {} key(s) {kids:?}", at - started, ["A", "B"][*replica], kids.len());
    }
    for kid in seen.first.keys() {
        let (on_a, on_b) = (seen.first_by_replica.get(&(0, kid.clone())), seen.first_by_replica.get(&(1, kid.clone())));
        if let (Some(on_a), Some(on_b)) = (on_a, on_b) {
            println!(
                "  {kid}: first served by A at t+{:.1} s, by B at t+{:.1} s ({:.2} s apart)",
                on_a - started,
                on_b - started,
                (on_a - on_b).abs()
            );
        }
    }
    println!(
        "revoked {revoked}: gone from both replicas {:.2} s after the command returned; PyJWT refuses its tokens (fetching now, and cached once max-age passed); a token of its successor at OpenBao: {bao_says:?}; its token at SeaweedFS (which keeps the JWKS an hour): {sts_says:?}",
        gone_after.as_secs_f64()
    );
    println!("most keys in a JWKS: {}; rotation phase {:.0} s\n{listed}", seen.most_keys, rotation_ended - started);
    assert!(
        verifiers.failures.is_empty(),
        "{:#?}\nOpenBao: {}\nSeaweedFS: {}",
        verifiers.failures,
        verifiers.bao.log(),
        verifiers.sts.log()
    );
    assert!(seen.most_keys <= 3, "the JWKS held {} keys", seen.most_keys);
    assert!(signing.len() >= 3, "two rotations: {signing:?}");
    // Invariant 1: a key that was not served from the start signs only once it has been served
    // for the cache lifetime (iat counts whole seconds).
    for (kid, iat) in &tokens {
        if seen.initial.contains(kid) {
            continue;
        }
        let first = seen.first[kid];
        assert!(
            iat + 1.0 >= first + CACHE_SECONDS as f64,
            "{kid} signed at {iat}, {:.1} s after it was first served",
            iat - first
        );
    }
    assert!(gone_after < Duration::from_secs(5));
}

/// Kicks off `token`'s deployment through `server`; whether it answered 200 with `expected`.
async fn kicked_off(server: &str, token: &str, expected: &Value) -> Result<(), String> {
    let response = reqwest::Client::new()
        .post(format!("{server}/api/v1/kickoffs"))
        .bearer_auth(token)
        .json(&json!({}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body: Value = response.json().await.map_err(|e| e.to_string())?;
    if status == StatusCode::OK && &body["env"] == expected { Ok(()) } else { Err(format!("{status} {body}")) }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_master_key_rotates_while_workers_kick_off_through_both_replicas() {
    let db = TestDatabase::new().await;
    create_org(&db, "acme");
    let new_key = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";
    let both = format!("{MASTER_KEY},{new_key}");
    // Step 1 of the README's procedure (done before the load): every replica holds both keys.
    let (a, b) = (
        Server::start_on(&db, free_port(), &[("WISP_MASTER_KEY", &both)]).await,
        Server::start_on(&db, free_port(), &[("WISP_MASTER_KEY", &both)]).await,
    );
    let owner = a.signed_in("owner@acme.test", PASSWORD).await;
    let (_, id) = a.call(&owner, "automations/create", &[("name", "nightly")]).await;
    let id = id.as_str().unwrap().to_owned();
    let mut expected = serde_json::Map::new();
    for n in 0..10 {
        let (key, value) = (format!("VAR_{n}"), format!("value-{n}"));
        let body = json!({ "automation": id, "key": key, "source": "plain", "value": value, "sensitive": n % 2 == 0 });
        let (status, added) = a.call_json(&owner, "automations/variables/add", body).await;
        assert_eq!(status, StatusCode::OK, "{added}");
        expected.insert(key, Value::String(value));
    }
    let expected = Value::Object(expected);
    let mut tokens = Vec::new();
    for _ in 0..25 {
        let (status, deployed) = b.call(&owner, "automations/deploy", &[("automation", &id)]).await;
        assert_eq!(status, StatusCode::OK, "{deployed}");
        tokens.push(deployed["token"].as_str().unwrap().to_owned());
    }

    // Step 2, under load: workers kick off through both replicas while the CLI rotates.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let workers: Vec<_> = (0..4)
        .map(|n| {
            let (servers, token, expected, stop) =
                ([a.base.clone(), b.base.clone()], tokens[n].clone(), expected.clone(), stop.clone());
            tokio::spawn(async move {
                let (mut done, mut failed) = (0u32, Vec::new());
                while !stop.load(std::sync::atomic::Ordering::Relaxed) && done < 20_000 {
                    if let Err(why) = kicked_off(&servers[done as usize % 2], &token, &expected).await {
                        failed.push(why);
                    }
                    done += 1;
                }
                (done, failed)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut rotate = crate::common::wisp(&db, &[("WISP_MASTER_KEY", MASTER_KEY)]);
    rotate.args(["master-key", "rotate"]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = rotate.spawn().unwrap();
    child.stdin.take().unwrap().write_all(new_key.as_bytes()).unwrap();
    let rotation = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap());
    // Meanwhile a deploy seals new values, through whichever key its replica holds as current.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, during) = a.call(&owner, "automations/deploy", &[("automation", &id)]).await;
    assert_eq!(status, StatusCode::OK, "{during}");
    let during = during["token"].as_str().unwrap().to_owned();
    let rotated = rotation.await.unwrap();
    assert!(rotated.status.success(), "{}", String::from_utf8_lossy(&rotated.stderr));
    let printed = String::from_utf8_lossy(&rotated.stdout).to_string();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (mut kickoffs, mut failures) = (0, Vec::new());
    for worker in workers {
        let (done, failed) = worker.await.unwrap();
        kickoffs += done;
        failures.extend(failed);
    }
    println!(
        "master-key rotation under load: {kickoffs} kickoffs through two replicas, {} failed\n{printed}",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {kickoffs} kickoffs failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    assert!(kickoffs > 50, "the workers ran during the rotation: {kickoffs}");

    // Every value is under the new key now, and Step 3: a replica with only the new key serves
    // everything: old and new deployments' values, the variables, the signing keys.
    let new_id = crate::common::master_key_id(&printed);
    for table in ["secret_provider_credentials", "environment_variables", "deployment_variables", "signing_keys"] {
        let sql = format!(
            "SELECT COUNT(*) AS n FROM {table} WHERE master_key_id IS NOT NULL AND master_key_id <> '{new_id}'"
        );
        let row =
            db.db.query_one_raw(Statement::from_string(db.db.get_database_backend(), sql)).await.unwrap().unwrap();
        assert_eq!(row.try_get::<i64>("", "n").unwrap(), 0, "{table} holds values under another key");
    }
    drop((a, b));
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let c = Server::start_on(&db, port, &[("WISP_MASTER_KEY", new_key), ("OIDC_ISSUER", &issuer)]).await;
    let owner = c.signed_in("owner@acme.test", PASSWORD).await;
    let (status, redeployed) = c.call(&owner, "automations/deploy", &[("automation", &id)]).await;
    assert_eq!(status, StatusCode::OK, "the sensitive variables open: {redeployed}");
    for token in [&tokens[0], &tokens[24], &during, &redeployed["token"].as_str().unwrap().to_owned()] {
        kicked_off(&c.base, token, &expected).await.unwrap();
    }
    let id_token = reqwest::Client::new()
        .post(format!("{}/api/v1/id-tokens", c.base))
        .bearer_auth(&tokens[0])
        .json(&json!({ "audience": "sts.amazonaws.com" }))
        .send()
        .await
        .unwrap();
    assert_eq!(id_token.status(), StatusCode::OK, "the signing keys open");
    // A Wisp with only the old key refuses to start, naming the one it lacks.
    let refused = output(&db, &[("WISP_LISTEN", &format!("127.0.0.1:{}", free_port()))], &["serve"], "");
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && said.contains(&format!("master key {new_id}")), "{said}");
}

//! The OIDC issuer as relying parties see it. Tests marked `ignore` use the independent verifier
//! in tests/interop (PyJWT) or SeaweedFS from the test command's virtualenv.
use std::process::Command;

use reqwest::{StatusCode, header};
use serde_json::Value;
use service::testing::TestDatabase;

use crate::common::{self, Server, code, create_org, free_port, output, run};

pub fn keygen(db: &TestDatabase, alg: &str) -> String {
    run(db, &[], &["keys", "generate", "--alg", alg], "")
}

async fn json(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
}

#[tokio::test]
async fn without_an_issuer_the_endpoints_say_what_to_set_and_with_one_wisp_makes_its_own_keys() {
    let db = TestDatabase::new().await;
    let server = Server::start(&db).await;
    let response = server.get("/oauth2/jwks").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = json(response).await;
    assert_eq!(code(&body), "issuer_not_configured");
    assert!(body["error"]["message"].as_str().unwrap().contains("set OIDC_ISSUER"), "{body}");
    drop(server);

    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let server = Server::start_on(&db, port, &[("OIDC_ISSUER", &issuer), ("WISP_JWKS_MAX_AGE_SECONDS", "42")]).await;
    let response = server.get("/oauth2/jwks").await;
    assert_eq!(response.status(), StatusCode::OK, "managed mode: no key to configure");
    assert_eq!(response.headers()[header::CACHE_CONTROL], "public, max-age=42");
    let jwks = json(response).await;
    let kids: Vec<&str> = jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert_eq!(kids.len(), 2, "the active key and the next one: {jwks}");
    let listed = run(&db, &[], &["keys", "list"], "");
    for (kid, state) in kids.iter().zip(["active", "next"]) {
        let line = listed.lines().find(|l| l.starts_with(kid)).unwrap_or_else(|| panic!("{kid} in {listed}"));
        assert!(line.contains(&format!(" ES256  {state} ")), "{line}");
    }
    assert!(listed.contains("Keys rotate every 7d."), "{listed}");
    assert!(!listed.contains("PRIVATE"), "no key material: {listed}");
}

#[tokio::test]
async fn documents_are_cacheable_and_revalidate_with_etags() {
    let db = TestDatabase::new().await;
    let key = keygen(&db, "es256");
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let server = Server::start_on(&db, port, &[("OIDC_ISSUER", &issuer), ("OIDC_PRIVATE_KEY", &key)]).await;
    for (path, content_type) in
        [("/.well-known/openid-configuration", "application/json"), ("/oauth2/jwks", "application/jwk-set+json")]
    {
        let response = server.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let headers = response.headers().clone();
        assert_eq!(headers[header::CONTENT_TYPE], content_type);
        assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=300");
        let etag = headers[header::ETAG].to_str().unwrap().to_owned();
        let again = reqwest::Client::new()
            .get(format!("{}{path}", server.base))
            .header(header::IF_NONE_MATCH, &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(again.headers()[header::ETAG], etag.as_str());
    }
    let discovery = json(server.get("/.well-known/openid-configuration").await).await;
    assert_eq!(discovery["issuer"], issuer);
    assert_eq!(discovery["jwks_uri"], format!("{issuer}/oauth2/jwks"));
}

#[tokio::test]
async fn the_jwks_never_carries_private_members() {
    let db = TestDatabase::new().await;
    let signing = keygen(&db, "rs256");
    let published = format!("{}{}", keygen(&db, "rs256"), keygen(&db, "es256"));
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let server = Server::start_on(
        &db,
        port,
        &[("OIDC_ISSUER", &issuer), ("OIDC_PRIVATE_KEY", &signing), ("OIDC_PUBLISHED_KEYS", &published)],
    )
    .await;
    let jwks = json(server.get("/oauth2/jwks").await).await;
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 3);
    for key in keys {
        for private in ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] {
            assert!(key.get(private).is_none(), "{private} in {key}");
        }
    }
}

#[tokio::test]
async fn an_issuer_with_a_path_serves_its_documents_under_it() {
    let db = TestDatabase::new().await;
    let key = keygen(&db, "es256");
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}/tenants/acme");
    let server = Server::start_on(&db, port, &[("OIDC_ISSUER", &issuer), ("OIDC_PRIVATE_KEY", &key)]).await;
    let discovery = json(server.get("/tenants/acme/.well-known/openid-configuration").await).await;
    assert_eq!(discovery["issuer"], issuer);
    assert_eq!(discovery["jwks_uri"], format!("{issuer}/oauth2/jwks"));
    assert_eq!(server.get("/tenants/acme/oauth2/jwks").await.status(), StatusCode::OK);
}

#[test]
fn a_bad_key_stops_start_up_naming_the_variable_and_not_the_key() {
    let garbled = "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAq7BFUpkGp3+LQmlQ\n-----END PRIVATE KEY-----\n";
    let out = Command::new(env!("CARGO_BIN_EXE_wisp"))
        .args(["serve"])
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/wisp-bad-key-{}.db?mode=rwc", std::env::temp_dir().display(), std::process::id()),
        )
        .env("WISP_MASTER_KEY", common::MASTER_KEY)
        .env("OIDC_ISSUER", "https://wisp.example.com")
        .env("OIDC_PRIVATE_KEY", garbled)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("OIDC_PRIVATE_KEY: "), "{stderr}");
    assert!(!stderr.contains("MIIB"), "the key leaked: {stderr}");
}

#[tokio::test]
async fn an_empty_variable_means_unset() {
    let db = TestDatabase::new().await;
    let empty = [
        ("OIDC_ISSUER", ""),
        ("OIDC_PRIVATE_KEY", ""),
        ("OIDC_PRIVATE_KEY_FILE", ""),
        ("OIDC_PUBLISHED_KEYS_FILE", ""),
    ];
    let server = Server::start_on(&db, free_port(), &empty).await;
    let response = server.get("/oauth2/jwks").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(code(&json(response).await), "issuer_not_configured");
}

#[test]
fn start_up_warns_about_an_issuer_aws_would_refuse_and_names_a_bad_variable() {
    let dir = std::env::temp_dir().join(format!("wisp-warn-{}", std::process::id()));
    // Held by this test, so serving stops right after start-up has logged.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let start = |extra: &[(&str, &str)]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_wisp"));
        command
            .args(["serve", "--demo"])
            .env("DATABASE_URL", format!("sqlite://{}/wisp.db?mode=rwc", dir.display()))
            .env("WISP_DATA_DIR", &dir)
            .env("WISP_LISTEN", taken.local_addr().unwrap().to_string())
            .env("OIDC_ISSUER", "http://wisp.example/")
            .env_remove("WISP_MASTER_KEY");
        command.envs(extra.iter().copied());
        let out = command.output().unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let stderr = start(&[]);
    assert!(stderr.contains("OIDC_ISSUER: ") && stderr.contains("https"), "{stderr}");
    let stderr = start(&[("OIDC_TOKEN_LIFETIME_SECONDS", "soon")]);
    assert!(stderr.contains("OIDC_TOKEN_LIFETIME_SECONDS"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn token_mint_prints_a_token_for_an_existing_organization() {
    let db = TestDatabase::new().await;
    let org = create_org(&db, "acme");
    let key = keygen(&db, "es256");
    let env = [("OIDC_ISSUER", "https://wisp.example.com"), ("OIDC_PRIVATE_KEY", key.as_str())];
    let token = run(&db, &env, &["token", "mint", "--org", &org], "");
    assert_eq!(token.trim().split('.').count(), 3, "{token}");
    let missing = output(&db, &env, &["token", "mint", "--org", &uuid::Uuid::new_v4().to_string()], "");
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("not found"));
    let unconfigured = output(&db, &[], &["token", "mint", "--org", &org], "");
    assert!(String::from_utf8_lossy(&unconfigured.stderr).contains("OIDC_ISSUER"));
}

/// The independent verifier's verdict on a token for AWS STS: Ok(what it checked) or Err(why it refused).
fn verify(issuer: &str, token: &str, sub: &str) -> Result<Value, String> {
    verify_for(issuer, token, sub, vocabulary::token::STS_AUDIENCE)
}

/// The verdict on a token for `audience`.
pub fn verify_for(issuer: &str, token: &str, sub: &str, audience: &str) -> Result<Value, String> {
    let python = std::env::var("WISP_TEST_PYTHON").expect("WISP_TEST_PYTHON: run through scripts/test.sh");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/interop/verify_token.py");
    let out = Command::new(python).args([script, issuer, token.trim(), sub, audience]).output().unwrap();
    if out.status.success() {
        Ok(serde_json::from_slice(&out.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[tokio::test]
#[ignore = "needs the PyJWT verifier: scripts/test.sh runs it"]
async fn pyjwt_accepts_tokens_signed_with_rsa_and_ec_and_under_a_path() {
    let db = TestDatabase::new().await;
    let org = create_org(&db, "acme");
    let sub = format!("organization:{org}");
    for (alg, path) in [("rs256", ""), ("es256", ""), ("es256", "/tenants/acme")] {
        let key = keygen(&db, alg);
        let port = free_port();
        let issuer = format!("http://127.0.0.1:{port}{path}");
        let env = [("OIDC_ISSUER", issuer.as_str()), ("OIDC_PRIVATE_KEY", key.as_str())];
        let _server = Server::start_on(&db, port, &env).await;
        let token = run(&db, &env, &["token", "mint", "--org", &org], "");
        let verdict = verify(&issuer, &token, &sub).unwrap_or_else(|e| panic!("{alg} {path}: {e}"));
        assert_eq!(verdict["alg"], alg.to_uppercase());
        let wrong = verify(&issuer, &token, &format!("organization:{}", uuid::Uuid::new_v4()));
        assert!(wrong.unwrap_err().contains("refused: sub"), "another organization's sub must not pass");
    }
}

#[tokio::test]
#[ignore = "needs the PyJWT verifier: scripts/test.sh runs it"]
async fn rotation_keeps_old_tokens_valid_until_their_key_is_dropped() {
    let db = TestDatabase::new().await;
    let org = create_org(&db, "acme");
    let sub = format!("organization:{org}");
    let (a, b) = (keygen(&db, "es256"), keygen(&db, "rs256"));
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let mint = |env: &[(&str, &str)]| run(&db, env, &["token", "mint", "--org", &org], "");

    // 1. A signs, B is published ahead of its turn.
    let env = [("OIDC_ISSUER", issuer.as_str()), ("OIDC_PRIVATE_KEY", a.as_str()), ("OIDC_PUBLISHED_KEYS", b.as_str())];
    let server = Server::start_on(&db, port, &env).await;
    let token_a = mint(&env);
    let kid_a = verify(&issuer, &token_a, &sub).unwrap()["kid"].clone();
    drop(server);

    // 2. B signs, A stays published: the old token still verifies, new ones carry B's kid.
    let env = [("OIDC_ISSUER", issuer.as_str()), ("OIDC_PRIVATE_KEY", b.as_str()), ("OIDC_PUBLISHED_KEYS", a.as_str())];
    let server = Server::start_on(&db, port, &env).await;
    assert_eq!(verify(&issuer, &token_a, &sub).unwrap()["kid"], kid_a);
    let token_b = mint(&env);
    let kid_b = verify(&issuer, &token_b, &sub).unwrap()["kid"].clone();
    assert_ne!(kid_a, kid_b);
    drop(server);

    // 3. A is dropped: only B is published, and A's tokens no longer verify.
    let env = [("OIDC_ISSUER", issuer.as_str()), ("OIDC_PRIVATE_KEY", b.as_str())];
    let server = Server::start_on(&db, port, &env).await;
    let jwks = json(server.get("/oauth2/jwks").await).await;
    let kids: Vec<&Value> = jwks["keys"].as_array().unwrap().iter().map(|k| &k["kid"]).collect();
    assert_eq!(kids, [&kid_b]);
    assert!(verify(&issuer, &token_a, &sub).is_err());
    assert!(verify(&issuer, &token_b, &sub).is_ok());
}

#[tokio::test]
#[ignore = "needs SeaweedFS: scripts/test.sh runs it"]
async fn a_real_sts_trades_a_wisp_token_for_credentials_and_refuses_the_wrong_ones() {
    use crate::seaweed::{AUDIENCE, SeaweedSts, StsAnswer, TrustedRole};
    use service::issuer::{
        keys::parse_signing_key,
        mint::{Lifetimes, Minter},
        url::IssuerUrl,
    };
    use vocabulary::token::Audience;

    let db = TestDatabase::new().await;
    let (acme, other) = (create_org(&db, "acme"), create_org(&db, "other"));
    // SeaweedFS verifies RS256 only; PyJWT covers ES256.
    let key = keygen(&db, "rs256");
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let env = [("OIDC_ISSUER", issuer.as_str()), ("OIDC_PRIVATE_KEY", key.as_str())];
    let _wisp = Server::start_on(&db, port, &env).await;
    let role = "arn:aws:iam::123456789012:role/acme-secrets";
    let acme_sub = format!("organization:{acme}");
    let sts = SeaweedSts::start(&issuer, &[TrustedRole { arn: role, sub: &acme_sub }]).await;
    let mint = |org: &str, audience: &str| run(&db, &env, &["token", "mint", "--org", org, "--audience", audience], "");

    let answer = sts.assume_role_with_web_identity(role, &mint(&acme, AUDIENCE)).await;
    assert!(
        matches!(&answer, StsAnswer::Credentials { access_key_id } if !access_key_id.is_empty()),
        "{answer:?}\n{}",
        sts.log()
    );

    // Signed by the real key an hour and a half ago with a 15-minute lifetime.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let past = i64::try_from(now).unwrap() - 5400;
    let minter = Minter::with_clock(
        IssuerUrl::parse(&issuer).unwrap(),
        parse_signing_key(&key, "test key").unwrap(),
        Lifetimes::new(900).unwrap(),
        std::sync::Arc::new(move || past),
    );
    let expired = minter.fresh_token(acme.parse().unwrap(), &AUDIENCE.parse::<Audience>().unwrap()).unwrap().token;
    // Right issuer, subject and audience, but signed by a key Wisp does not publish.
    let stranger = Minter::new(
        IssuerUrl::parse(&issuer).unwrap(),
        parse_signing_key(&keygen(&db, "rs256"), "test key").unwrap(),
        Lifetimes::new(900).unwrap(),
    )
    .fresh_token(acme.parse().unwrap(), &AUDIENCE.parse::<Audience>().unwrap())
    .unwrap()
    .token;

    let refusals = [
        ("another organization's sub", mint(&other, AUDIENCE), "AccessDenied", "trust policy"),
        ("an expired token", expired, "ExpiredTokenException", "expired"),
        ("a token signed by an unpublished key", stranger, "AccessDenied", "not found in JWKS"),
        // AWS answers InvalidIdentityToken here; SeaweedFS 4.48 says InvalidParameterValue.
        ("a token for another audience", mint(&acme, "some-other-service"), "InvalidParameterValue", "audience"),
    ];
    // The reason matters as much as the refusal: a wrong sub must fail at the trust policy,
    // after the signature and claims were accepted.
    for (what, token, expected, reason) in refusals {
        match sts.assume_role_with_web_identity(role, &token).await {
            StsAnswer::Refused { code, message } => {
                assert_eq!(code, expected, "{what}: {message}");
                assert!(message.contains(reason), "{what}: {message}");
            }
            credentials => panic!("the STS accepted {what}: {credentials:?}"),
        }
    }
}

/// Polls `check` for up to five seconds (the time DESIGN §10 gives replicas to follow).
async fn within_five_seconds(what: &str, mut check: impl AsyncFnMut() -> bool) -> std::time::Duration {
    let start = std::time::Instant::now();
    while !check().await {
        assert!(start.elapsed() < std::time::Duration::from_secs(5), "{what} after 5 s");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    start.elapsed()
}

#[tokio::test]
async fn a_pinned_key_moves_into_the_database_with_no_change_for_relying_parties() {
    let db = TestDatabase::new().await;
    let org = create_org(&db, "acme");
    let pinned = keygen(&db, "es256");
    let (port_a, port_b) = (free_port(), free_port());
    let issuer = format!("http://127.0.0.1:{port_a}");
    let pinned_env = [("OIDC_ISSUER", issuer.as_str()), ("OIDC_PRIVATE_KEY", pinned.as_str())];
    let a = Server::start_on(&db, port_a, &pinned_env).await;
    let kids = async |server: &Server| -> Vec<String> {
        let jwks = json(server.get("/oauth2/jwks").await).await;
        jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_owned()).collect()
    };
    let pinned_kid = kids(&a).await[0].clone();
    assert_eq!(kids(&a).await.len(), 1, "pinned mode publishes the pinned key, as before");
    assert!(run(&db, &pinned_env, &["keys", "list"], "").contains("No signing keys"));

    let imported = run(&db, &pinned_env, &["keys", "import"], &pinned);
    assert!(imported.contains(&format!("key {pinned_kid} signs from now on")), "{imported}");
    assert!(!imported.contains("BEGIN"), "no key material: {imported}");
    let again = output(&db, &pinned_env, &["keys", "import"], &pinned);
    assert!(String::from_utf8_lossy(&again.stderr).contains("already in the database, active"), "{again:?}");

    // A managed replica joins: it signs with the imported key and publishes a next key, which the
    // pinned replica publishes too, within seconds.
    let b = Server::start_on(&db, port_b, &[("OIDC_ISSUER", issuer.as_str())]).await;
    let served = kids(&b).await;
    assert_eq!((served.len(), &served[0]), (2, &pinned_kid), "{served:?}");
    let followed =
        within_five_seconds("the pinned replica publishes the next key", async || kids(&a).await == served).await;
    println!("the pinned replica followed the managed one's next key in {followed:?}");
    for env in [&pinned_env[..], &[("OIDC_ISSUER", issuer.as_str())]] {
        let token = run(&db, env, &["token", "mint", "--org", &org], "");
        let header: Value = serde_json::from_slice(
            &base64::Engine::decode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                token.split('.').next().unwrap(),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(header["kid"], pinned_kid.as_str(), "both modes sign with the same key");
    }

    // An operator's rotation: the next key is too young to sign yet, so the swap is scheduled.
    let rotated = run(&db, &[("OIDC_ISSUER", issuer.as_str())], &["keys", "rotate"], "");
    assert!(rotated.contains(&format!("Next key {} takes over at", served[1])), "{rotated}");
    assert!(rotated.contains("the swap happens then"), "{rotated}");
}

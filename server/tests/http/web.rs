//! Web basics: real redirects for anonymous visitors, sign-in without JavaScript, and the
//! browser bundle served precompressed under content-hashed names with immutable caching.
use reqwest::{StatusCode, header};
use service::testing::TestDatabase;

use crate::common::{PASSWORD, Server, create_org, free_port};

fn location(response: &reqwest::Response) -> &str {
    response.headers()[header::LOCATION].to_str().unwrap()
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_sign_in_and_back() {
    let db = TestDatabase::new().await;
    create_org(&db, "acme");
    let server = Server::start(&db).await;
    let client = server.client();

    let root = client.get(format!("{}/", server.base)).send().await.unwrap();
    assert_eq!(root.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&root), "/settings/organization");

    let page = client.get(format!("{}/settings/members?tab=all", server.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&page), "/login?next=/settings/members%3Ftab%3Dall");
    let login = client.get(format!("{}{}", server.base, location(&page))).send().await.unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let html = login.text().await.unwrap();
    assert!(html.contains(r#"action="/api/login""#) && html.contains(r#"value="/settings/members?tab=all""#), "{html}");

    // Without JavaScript: the browser posts the form and follows the redirect.
    let form = [("email", "owner@acme.test"), ("password", PASSWORD), ("next", "/settings/members?tab=all")];
    let signed_in = client
        .post(format!("{}/api/login", server.base))
        .header(header::ORIGIN, &server.base)
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, format!("{}/login?next=/settings/members", server.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::FOUND);
    assert_eq!(location(&signed_in), "/settings/members?tab=all");
    let page = client.get(format!("{}/settings/members", server.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK, "signed in, the page renders");

    // A place on another site is not a place to return to.
    let form = [("email", "owner@acme.test"), ("password", PASSWORD), ("next", "//evil.example/")];
    let elsewhere = server
        .client()
        .post(format!("{}/api/login", server.base))
        .header(header::ORIGIN, &server.base)
        .header(header::ACCEPT, "text/html")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(location(&elsewhere), "/settings/organization");
}

#[tokio::test]
async fn a_failed_sign_in_without_javascript_returns_to_the_form_with_the_error() {
    let db = TestDatabase::new().await;
    create_org(&db, "acme");
    let server = Server::start(&db).await;
    let client = server.client();
    let back = client
        .post(format!("{}/api/login", server.base))
        .header(header::ORIGIN, &server.base)
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, format!("{}/login", server.base))
        .form(&[("email", "owner@acme.test"), ("password", "not the password")])
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), StatusCode::FOUND);
    let to = location(&back).to_owned();
    assert!(to.starts_with(&format!("{}/login?", server.base)) && to.contains("__err="), "{to}");
    let html = client.get(&to).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("The e-mail or password is not correct."), "{html}");
}

#[tokio::test]
async fn the_bundle_is_served_precompressed_under_hashed_names_and_cached_for_good() {
    let db = TestDatabase::new().await;
    let site = std::env::temp_dir().join(format!("wisp-site-{}", uuid::Uuid::new_v4().simple()));
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(
        site.join("hash.txt"),
        "js: 0123abcd\nwasm: 0123abcd\nmanifest: 89ab\nsplit: 0123456789abcdef012345\n\
         main.css: main.4567ef01.css\nsign-in.js: sign-in.cdef2345.js\n",
    )
    .unwrap();
    for (name, body) in
        [("wisp.0123abcd.js", "plain"), ("wisp.0123abcd.js.br", "brotli"), ("wisp.0123abcd.js.gz", "gzip")]
    {
        std::fs::write(pkg.join(name), body).unwrap();
    }
    let port = free_port();
    let server = Server::start_on(&db, port, &[("LEPTOS_SITE_ROOT", site.to_str().unwrap())]).await;
    let client = server.client();
    let get = |encoding: &'static str| {
        client.get(format!("{}/pkg/wisp.0123abcd.js", server.base)).header(header::ACCEPT_ENCODING, encoding).send()
    };

    let brotli = get("gzip, deflate, br").await.unwrap();
    assert_eq!(brotli.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(brotli.headers()[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert_eq!(brotli.headers()[header::VARY], "accept-encoding");
    let gzip = get("gzip").await.unwrap();
    assert_eq!(gzip.headers()[header::CONTENT_ENCODING], "gzip");
    let plain = get("identity").await.unwrap();
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(plain.text().await.unwrap(), "plain");

    // Every page loads the bundle but the sign-in page, which has a script of its own.
    let page = client.get(format!("{}/no-such-page", server.base)).send().await.unwrap().text().await.unwrap();
    for name in ["/pkg/wisp.0123abcd.js", "/pkg/wisp.0123abcd.wasm", "/pkg/main.4567ef01.css"] {
        assert!(page.contains(name), "the page names {name}: {page}");
    }
    // Pages are compressed too; a server function's answer (it may carry a token) is not.
    let compressed =
        client.get(format!("{}/login", server.base)).header(header::ACCEPT_ENCODING, "br").send().await.unwrap();
    assert_eq!(compressed.headers()[header::CONTENT_ENCODING], "br");
    let answer = client
        .post(format!("{}/api/login", server.base))
        .header(header::ACCEPT_ENCODING, "br")
        .header(header::ORIGIN, &server.base)
        .json(&serde_json::json!({"email": "nobody@example.com", "password": "wrong"}))
        .send()
        .await
        .unwrap();
    assert!(answer.headers().get(header::CONTENT_ENCODING).is_none(), "{:?}", answer.headers());
    let login = client.get(format!("{}/login", server.base)).send().await.unwrap().text().await.unwrap();
    assert!(login.contains("/pkg/main.4567ef01.css") && login.contains("/pkg/sign-in.cdef2345.js"), "{login}");
    assert!(!login.contains("wisp.0123abcd"), "the sign-in page loads no bundle: {login}");
    let missing = client.get(format!("{}/pkg/wisp.old.js", server.base)).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_ne!(
        missing.headers().get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap()),
        Some("public, max-age=31536000, immutable")
    );
    drop(server);
    let _ = std::fs::remove_dir_all(site);
}

#[tokio::test]
async fn pages_carry_a_content_security_policy_naming_their_own_nonce_and_https_brings_hsts() {
    let db = TestDatabase::new().await;
    let server = Server::start(&db).await;
    let login = server.get("/login").await;
    let policy = login.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    assert!(login.headers().get(header::STRICT_TRANSPORT_SECURITY).is_none(), "no HSTS over plain http");
    let html = login.text().await.unwrap();
    let nonce = html.split("<script nonce=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap();
    assert!(policy.contains(&format!("script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'")), "{policy}");
    assert!(policy.contains("object-src 'none'") && policy.contains("frame-ancestors 'none'"), "{policy}");
    let again = server.get("/login").await.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    assert_ne!(again, policy, "a fresh nonce for every page");
    drop(server);

    let server = Server::start_on(&db, free_port(), &[("OIDC_ISSUER", "https://wisp.example")]).await;
    let response = server.get("/login").await;
    assert_eq!(response.headers()[header::STRICT_TRANSPORT_SECURITY], "max-age=63072000");
}

//! Minting: a cached hit (what nearly every kickoff costs) against a fresh ES256 and RS256 signature.
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use service::issuer::{
    keys::{SigningAlgorithm, generate, parse_signing_key},
    mint::{Lifetimes, Minter},
    url::IssuerUrl,
};
use vocabulary::{ids::OrgId, token::Audience};

fn minter(alg: SigningAlgorithm) -> Minter {
    let key = parse_signing_key(&generate(alg), "OIDC_PRIVATE_KEY").expect("a generated key parses");
    Minter::new(IssuerUrl::parse("https://wisp.example.com").unwrap(), key, Lifetimes::new(3600).unwrap())
}

fn mint(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let audience = Audience::sts();
    let org = OrgId::new();

    let es256 = minter(SigningAlgorithm::ES256);
    runtime.block_on(es256.token(org, &audience)).unwrap();
    c.bench_function("mint/cached_hit", |b| {
        b.iter(|| runtime.block_on(es256.token(black_box(org), &audience)).unwrap())
    });
    c.bench_function("mint/es256_sign", |b| b.iter(|| es256.fresh_token(black_box(org), &audience).unwrap()));

    let rs256 = minter(SigningAlgorithm::RS256);
    c.bench_function("mint/rs256_sign", |b| b.iter(|| rs256.fresh_token(black_box(org), &audience).unwrap()));
}

criterion_group!(benches, mint);
criterion_main!(benches);

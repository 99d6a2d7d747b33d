//! What a fleet of Wisp replicas is tested with: a round-robin balancer in front of them (the
//! issuer's one public address), relying parties that cache the JWKS (PyJWT, OpenBao's JWT auth
//! method), and a watcher that reads every replica's JWKS as it changes.
use std::{
    collections::BTreeMap,
    io::{BufRead, BufReader, Write},
    process::{Child, ChildStdin, ChildStdout, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};

use service::testing::{OpenBao, Trust};

/// Seconds since the epoch, as `iat` counts them.
pub fn unix_now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64()
}

/// A TCP balancer on a free loopback port, handing each new connection to the next backend in
/// turn, as a load balancer in front of replicas does.
pub struct Balancer {
    pub base: String,
    task: tokio::task::JoinHandle<()>,
}

impl Balancer {
    pub async fn start(backends: Vec<String>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let mut turn = 0usize;
            while let Ok((mut inbound, _)) = listener.accept().await {
                let backend = backends[turn % backends.len()].clone();
                turn += 1;
                tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(backend).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Self { base, task }
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// tests/interop/cached_verifier.py: PyJWT with the JWKS cached for its max-age and no refetch on
/// an unknown kid.
pub struct CachedVerifier {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

impl CachedVerifier {
    pub fn start(issuer: &str) -> Self {
        let python = std::env::var("WISP_TEST_PYTHON").expect("WISP_TEST_PYTHON: run through scripts/test.sh");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/interop/cached_verifier.py");
        let mut child = Command::new(python)
            .args([script, issuer])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the PyJWT verifier");
        let input = child.stdin.take().unwrap();
        let output = BufReader::new(child.stdout.take().unwrap());
        Self { child, input, output }
    }

    /// `Ok(fetches so far)` or `Err(why)`.
    pub fn verify(&mut self, token: &str, sub: &str, aud: &str) -> Result<u64, String> {
        writeln!(self.input, "{}", json!({ "token": token, "sub": sub, "aud": aud })).unwrap();
        let mut line = String::new();
        self.output.read_line(&mut line).unwrap();
        let answer: Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("the verifier said {line:?}"));
        match answer["ok"].as_bool() {
            Some(true) => Ok(answer["fetches"].as_u64().unwrap()),
            _ => Err(answer["error"].as_str().unwrap_or("no reason").to_owned()),
        }
    }
}

impl Drop for CachedVerifier {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// OpenBao's dev server with its JWT auth method at `auth/jwt` trusting Wisp's JWKS (it keeps the
/// keys and fetches them again when a token names a kid it does not hold), and a role
/// [`BAO_ROLE`] for `audience` and `subject`.
pub async fn openbao_trusting(issuer: &str, audience: &str, subject: &str) -> OpenBao {
    let bao = OpenBao::start().await;
    bao.enable_jwt("jwt", issuer, Trust::Jwks).await;
    bao.role("jwt", BAO_ROLE, audience, &[subject], &["default"]).await;
    bao
}

pub const BAO_ROLE: &str = "wisp";

/// The kids a JWKS answer holds, in order.
pub async fn kids(base: &str) -> Vec<String> {
    let jwks: Value = reqwest::get(format!("{base}/oauth2/jwks")).await.unwrap().json().await.unwrap();
    jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_owned()).collect()
}

/// What the watcher saw of every replica's JWKS.
#[derive(Default)]
pub struct Seen {
    /// When each kid was first served, by any replica (unix seconds).
    pub first: BTreeMap<String, f64>,
    /// When each replica first served each kid.
    pub first_by_replica: BTreeMap<(usize, String), f64>,
    /// When each kid was last served, by any replica.
    pub last: BTreeMap<String, f64>,
    /// Each change of a replica's JWKS: (unix seconds, replica, kids).
    pub changes: Vec<(f64, usize, Vec<String>)>,
    pub most_keys: usize,
    /// The kids served when watching began: nothing had cached anything before.
    pub initial: Vec<String>,
}

/// Reads every replica's JWKS every 100 ms until dropped.
pub struct Watcher {
    pub seen: Arc<Mutex<Seen>>,
    task: tokio::task::JoinHandle<()>,
}

impl Watcher {
    pub async fn start(replicas: Vec<String>) -> Self {
        let seen = Arc::new(Mutex::new(Seen { initial: kids(&replicas[0]).await, ..Seen::default() }));
        let shared = seen.clone();
        let task = tokio::spawn(async move {
            let mut previous: Vec<Vec<String>> = vec![Vec::new(); replicas.len()];
            loop {
                for (replica, base) in replicas.iter().enumerate() {
                    let Ok(response) = reqwest::get(format!("{base}/oauth2/jwks")).await else { continue };
                    let Ok(jwks) = response.json::<Value>().await else { continue };
                    let now = unix_now();
                    let kids: Vec<String> = jwks["keys"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|k| k["kid"].as_str().unwrap().to_owned())
                        .collect();
                    let mut seen = shared.lock().unwrap();
                    seen.most_keys = seen.most_keys.max(kids.len());
                    for kid in &kids {
                        seen.first.entry(kid.clone()).or_insert(now);
                        seen.first_by_replica.entry((replica, kid.clone())).or_insert(now);
                        seen.last.insert(kid.clone(), now);
                    }
                    if kids != previous[replica] {
                        seen.changes.push((now, replica, kids.clone()));
                        previous[replica] = kids;
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        Self { seen, task }
    }

    /// Waits until no replica serves `kid`; returns how long that took.
    pub async fn until_gone(&self, replicas: &[String], kid: &str, limit: Duration) -> Duration {
        let start = Instant::now();
        loop {
            let mut served = false;
            for base in replicas {
                served |= kids(base).await.iter().any(|k| k == kid);
            }
            if !served {
                return start.elapsed();
            }
            assert!(start.elapsed() < limit, "{kid} still served after {limit:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

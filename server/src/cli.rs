//! The `wisp` command line. Every setting is also an environment variable, listed by `--help`.
use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};
use vocabulary::{access::Role, ids::OrgId};

#[derive(Debug, Parser)]
#[command(
    name = "wisp",
    version,
    about = "Wisp: workload identity and secret providers for automation platforms.",
    long_about = "Wisp is an OpenID Connect issuer and admin app: workers trade its short-lived tokens at AWS STS \
                  for temporary credentials and read AWS Secrets Manager at every kickoff, with no long-lived cloud key stored.",
    after_help = "Also read from the environment:\n  \
                  AWS_ENDPOINT_URL  AWS SDK endpoint override (a local AWS emulator in tests and the demo)\n  \
                  RUST_LOG          log filter, e.g. info or wisp=debug"
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct Settings {
    /// Database: SQLite file or PostgreSQL server.
    #[arg(long, global = true, env = "DATABASE_URL", value_name = "DATABASE_URL", default_value = service::db::DEFAULT_DATABASE_URL, hide_env_values = true)]
    pub database_url: String,

    /// Public issuer URL, https://host[/path] with no trailing slash.
    #[arg(long, global = true, env = "OIDC_ISSUER", value_name = "OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,

    /// Pins the PEM private key that signs tokens: RSA of 2048 bits or more (RS256) or EC P-256
    /// (ES256). Unset, Wisp generates, stores and rotates its signing keys in the database.
    #[arg(
        long,
        global = true,
        env = "OIDC_PRIVATE_KEY",
        value_name = "OIDC_PRIVATE_KEY",
        hide_env_values = true,
        conflicts_with = "oidc_private_key_file"
    )]
    pub oidc_private_key: Option<String>,

    /// File holding the PEM signing key, instead of OIDC_PRIVATE_KEY.
    #[arg(long, global = true, env = "OIDC_PRIVATE_KEY_FILE", value_name = "OIDC_PRIVATE_KEY_FILE")]
    pub oidc_private_key_file: Option<PathBuf>,

    /// More PEM keys (public or private) published in the JWKS and never used to sign: the next
    /// key before it signs, retired keys until their last token has expired.
    #[arg(
        long,
        global = true,
        env = "OIDC_PUBLISHED_KEYS",
        value_name = "OIDC_PUBLISHED_KEYS",
        hide_env_values = true,
        conflicts_with = "oidc_published_keys_file"
    )]
    pub oidc_published_keys: Option<String>,

    /// File holding the published keys, instead of OIDC_PUBLISHED_KEYS.
    #[arg(long, global = true, env = "OIDC_PUBLISHED_KEYS_FILE", value_name = "OIDC_PUBLISHED_KEYS_FILE")]
    pub oidc_published_keys_file: Option<PathBuf>,

    /// Lifetime of minted tokens, 900 to 3600 seconds.
    #[arg(
        long,
        global = true,
        env = "OIDC_TOKEN_LIFETIME_SECONDS",
        value_name = "OIDC_TOKEN_LIFETIME_SECONDS",
        default_value_t = 3600
    )]
    pub oidc_token_lifetime_seconds: u32,

    /// How often managed signing keys are replaced: 7d, 12h, 30m, 90s (at least 1m), or off for
    /// manual rotation only (`wisp keys rotate`). Ignored when OIDC_PRIVATE_KEY pins a key.
    #[arg(
        long,
        global = true,
        env = "WISP_SIGNING_KEY_ROTATION",
        value_name = "WISP_SIGNING_KEY_ROTATION",
        default_value = "7d"
    )]
    pub signing_key_rotation: service::issuer::rotation::Rotation,

    /// Algorithm of the signing keys Wisp generates.
    #[arg(long, global = true, env = "WISP_SIGNING_KEY_ALG", value_name = "WISP_SIGNING_KEY_ALG", value_enum, default_value_t = KeyAlgorithm::Es256)]
    pub signing_key_alg: KeyAlgorithm,

    /// Cache-Control max-age of the discovery document and JWKS, in seconds: how long relying
    /// parties may keep them. A next key is published this long before it signs.
    #[arg(
        long,
        global = true,
        env = "WISP_JWKS_MAX_AGE_SECONDS",
        value_name = "WISP_JWKS_MAX_AGE_SECONDS",
        default_value_t = 300,
        value_parser = clap::value_parser!(u32).range(1..=86_400)
    )]
    pub jwks_max_age_seconds: u32,

    /// Tests only, and only in debug builds: every token's lifetime in seconds, below what
    /// production allows, so keys can be watched rotating in minutes.
    #[cfg(debug_assertions)]
    #[arg(long, global = true, env = "WISP_TEST_TOKEN_LIFETIME_SECONDS", hide = true)]
    pub test_token_lifetime_seconds: Option<u32>,

    /// Master keys, base64 (32 bytes each), separated by commas: values sealed under any of them
    /// open; new ones are sealed under the key the database names as current (on a new database,
    /// the first). `serve --demo` generates one into the data folder.
    #[arg(long, global = true, env = "WISP_MASTER_KEY", value_name = "WISP_MASTER_KEY", hide_env_values = true)]
    pub master_key: Option<String>,

    /// Address to listen on.
    #[arg(long, global = true, env = "WISP_LISTEN", value_name = "WISP_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,

    /// The request header in which a trusted reverse proxy puts the client's address (such as
    /// X-Forwarded-For), for sign-in throttling. Unset: the connection's address.
    #[arg(long, global = true, env = "WISP_CLIENT_IP_HEADER", value_name = "WISP_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<String>,

    /// Days a kickoff stays in an automation's history (its outcome and fingerprints; never values).
    #[arg(
        long,
        global = true,
        env = "WISP_KICKOFF_RETENTION_DAYS",
        value_name = "WISP_KICKOFF_RETENTION_DAYS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u32).range(1..=3650)
    )]
    pub kickoff_retention_days: u32,

    /// Prometheus metrics at /metrics: on (default) or off.
    #[arg(long, global = true, env = "WISP_METRICS", value_name = "WISP_METRICS", value_enum, default_value_t = Switch::On)]
    pub metrics: Switch,

    /// Serve /metrics on this address instead of WISP_LISTEN's (such as 127.0.0.1:9300, for a
    /// scraper on a private network).
    #[arg(long, global = true, env = "WISP_METRICS_LISTEN", value_name = "WISP_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,

    /// Folder for the demo's generated files (master key, demo sign-in).
    #[arg(long, global = true, env = "WISP_DATA_DIR", value_name = "WISP_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Folder holding the built site (pkg/ with the WebAssembly bundle, CSS, favicon).
    #[arg(
        long,
        global = true,
        env = "LEPTOS_SITE_ROOT",
        value_name = "LEPTOS_SITE_ROOT",
        default_value = "target/site"
    )]
    pub site_root: String,

    /// Log format.
    #[arg(long, global = true, env = "WISP_LOG_FORMAT", value_name = "WISP_LOG_FORMAT", value_enum, default_value_t = LogFormat::Plain)]
    pub log_format: LogFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Plain,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app and APIs (the default).
    Serve {
        /// Prepare a working demo on first start: a generated master key and a demo organization and admin.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit (serve applies them too).
    Migrate,
    /// Copy a SQLite database into FILE, consistently, while Wisp serves (sessions left out:
    /// everyone signs in again after a restore). For PostgreSQL, it says how to use pg_dump.
    #[command(
        after_help = "Restore: stop Wisp, put the copy where DATABASE_URL points (or point it at the copy), start Wisp with the same WISP_MASTER_KEY."
    )]
    Backup {
        /// The new file (it must not exist).
        #[arg(value_name = "FILE")]
        file: std::path::PathBuf,
    },
    /// Bootstrap organizations and their owners.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Manage an organization's members.
    #[command(subcommand)]
    Member(MemberCommand),
    /// Mint tokens by hand, to debug a trust policy.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// The master key that seals stored secrets.
    #[command(subcommand, name = "master-key")]
    MasterKey(MasterKeyCommand),
    /// On a worker: kick off the deployment, then run CMD with its environment added, plus
    /// WISP_ID_TOKEN_REQUEST_URL and WISP_ID_TOKEN_REQUEST_TOKEN, and, when the automation has an
    /// AWS role for runs, AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE (a private file kept fresh for as
    /// long as CMD runs), AWS_ROLE_SESSION_NAME, AWS_REGION and AWS_DEFAULT_REGION. wisp stays
    /// CMD's parent, passes on every signal and exits with CMD's status; when the kickoff fails,
    /// each failing variable is printed and nothing runs (exit 125).
    #[command(
        after_help = "Example: wisp run --server https://wisp.example.com --token-file /run/secrets/wisp -- ./backup.sh"
    )]
    Run {
        #[command(flatten)]
        connection: crate::worker_cli::Connection,
        /// The command and its arguments, after --.
        #[arg(last = true, required = true, value_name = "CMD")]
        command: Vec<String>,
    },
    /// On a worker: kick off the deployment and print its environment, for other runners.
    Kickoff {
        #[command(flatten)]
        connection: crate::worker_cli::Connection,
        #[arg(long, value_enum, default_value_t = crate::worker_cli::Format::Json)]
        format: crate::worker_cli::Format,
    },
    /// Inside a run started by `wisp run`: print an ID token of the running automation for
    /// AUDIENCE (sub = organization:<org>:automation:<automation>, 15 minutes).
    #[command(
        name = "id-token",
        after_help = "Example: vault write auth/jwt/login role=backup jwt=\"$(wisp id-token --audience vault)\""
    )]
    IdToken {
        #[command(flatten)]
        tokens: crate::worker_cli::RunTokens,
        /// Who will verify the token: its `aud`.
        #[arg(long, value_name = "AUDIENCE")]
        audience: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Switch {
    On,
    Off,
}

#[derive(Debug, Subcommand)]
pub enum MasterKeyCommand {
    /// Make the key read from standard input (base64, 32 bytes) the current master key and re-seal
    /// every stored secret under it, online, in batches, while Wisp serves. Every running Wisp
    /// must hold it in WISP_MASTER_KEY first; afterwards the old key can be dropped from it.
    Rotate,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print a freshly signed workload-identity token for an organization.
    Mint {
        /// The organization's UUID.
        #[arg(long = "org")]
        org_id: OrgId,
        #[arg(long, default_value = vocabulary::token::STS_AUDIENCE)]
        audience: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Print a new private key (PKCS#8 PEM) for OIDC_PRIVATE_KEY.
    Generate {
        #[arg(long, value_enum, default_value_t = KeyAlgorithm::Es256)]
        alg: KeyAlgorithm,
    },
    /// List the signing keys in the database: kid, algorithm, state and dates, one line each.
    List,
    /// Rotate now: the next key takes over at once if it has been published for the JWKS cache
    /// lifetime, else as soon as it has (a next key is published first when there is none).
    /// Serving replicas follow within seconds.
    Rotate,
    /// Emergency: unpublish a key at once on every replica; it never signs again and its tokens
    /// stop verifying. When it was the active key, the next key takes over.
    Revoke {
        /// The key's id, as `wisp keys list` shows it.
        kid: String,
    },
    /// Move a PEM private key (a pinned OIDC_PRIVATE_KEY) from standard input into the database.
    /// With no active key it signs at once; otherwise it becomes the next key.
    Import,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KeyAlgorithm {
    Es256,
    Rs256,
}

impl From<KeyAlgorithm> for service::issuer::keys::SigningAlgorithm {
    fn from(alg: KeyAlgorithm) -> Self {
        match alg {
            KeyAlgorithm::Es256 => Self::ES256,
            KeyAlgorithm::Rs256 => Self::RS256,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an organization and its owner. The password is read from standard input when it is
    /// piped; otherwise one is generated and printed once.
    Create {
        #[arg(long = "org")]
        org_name: String,
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Add a user to an organization, creating the user (password as for `admin create`) if needed.
    Add {
        /// The organization's UUID.
        #[arg(long = "org")]
        org_id: OrgId,
        #[arg(long)]
        email: String,
        /// owner, admin, developer or viewer.
        #[arg(long)]
        role: Role,
    },
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    /// The README lists every configuration variable; `wisp --help` must show each.
    #[test]
    fn help_lists_every_environment_variable() {
        let help = Cli::command().render_long_help().to_string();
        for var in [
            "DATABASE_URL",
            "OIDC_ISSUER",
            "OIDC_PRIVATE_KEY",
            "OIDC_PRIVATE_KEY_FILE",
            "OIDC_PUBLISHED_KEYS",
            "OIDC_PUBLISHED_KEYS_FILE",
            "WISP_MASTER_KEY",
            "WISP_LISTEN",
            "AWS_ENDPOINT_URL",
            "WISP_LOG_FORMAT",
            "WISP_CLIENT_IP_HEADER",
            "WISP_KICKOFF_RETENTION_DAYS",
            "WISP_SIGNING_KEY_ROTATION",
            "WISP_SIGNING_KEY_ALG",
            "WISP_JWKS_MAX_AGE_SECONDS",
        ] {
            assert!(help.contains(var), "--help does not mention {var}");
        }
    }
}

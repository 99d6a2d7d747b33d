//! Operator commands: bootstrap organizations and members from the shell.
use std::io::{IsTerminal, Read};

use service::{
    accounts::{self, Enrolled},
    audit::Actor,
    db::DatabaseConnection,
    email::Email,
    issuer::{IssuerState, rotation, store},
    master_key::{self, MasterKey},
    password::Password,
};
use vocabulary::{
    access::Role,
    ids::OrgId,
    token::{Audience, KeyMode},
};

use crate::error::CliError;

/// The password piped on standard input, if any; `None` means "generate one".
fn password_from_stdin() -> Result<Option<Password>, CliError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok(None);
    }
    let mut text = String::new();
    stdin
        .lock()
        .read_to_string(&mut text)
        .map_err(|e| CliError::Usage(format!("cannot read the password from standard input: {e}")))?;
    let text = text.trim_end_matches(['\r', '\n']);
    if text.is_empty() { Ok(None) } else { Ok(Some(Password::new(text)?)) }
}

fn report_user(email: &Email, role: Role, enrolled: &Enrolled) {
    println!("User: {email} ({role}{})", if enrolled.user_created { ", new" } else { ", existing" });
    if let Some(password) = &enrolled.generated_password {
        // Printed once to the operator who asked; only its hash is stored.
        println!("Password (shown once): {}", password.reveal());
    }
}

pub async fn admin_create(db: &DatabaseConnection, org_name: &str, email: &str) -> Result<(), CliError> {
    let email: Email = email.parse()?;
    let created = accounts::create_organization(db, org_name, &email, password_from_stdin()?).await?;
    println!("Organization: {}", created.organization.name);
    println!("Organization UUID: {}", created.organization.id);
    report_user(&email, Role::Owner, &created.owner);
    Ok(())
}

pub async fn member_add(db: &DatabaseConnection, org_id: OrgId, email: &str, role: Role) -> Result<(), CliError> {
    let email: Email = email.parse()?;
    let enrolled = accounts::add_member(db, Actor::Cli, org_id, &email, role, password_from_stdin()?).await?;
    report_user(&email, role, &enrolled);
    Ok(())
}

/// All of standard input, or what to pipe there when it is empty.
fn stdin_text(what: &str, example: &str) -> Result<String, CliError> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| CliError::Usage(format!("cannot read {what} from standard input: {e}")))?;
    if text.trim().is_empty() {
        return Err(CliError::Usage(format!("Pipe {what} on standard input, e.g. `{example}`.")));
    }
    Ok(text)
}

/// Makes the key piped on standard input the current master key and re-seals every stored secret
/// under it while replicas serve.
pub async fn rotate_master_key(db: &DatabaseConnection, ring: &MasterKey) -> Result<(), CliError> {
    let text = stdin_text("the new master key", "openssl rand -base64 32 | tee new.key | wisp master-key rotate")?;
    let next = MasterKey::from_base64(&text)?;
    let current = master_key::keyring(db, ring).await?.master_key_id;
    if next.id() == current {
        println!("Master key {current} is already current; re-sealing what is still under other keys.");
    }
    let ring = ring.with(&next);
    println!(
        "Master key {} seals new secrets from now on; every running Wisp follows within {} seconds (each must hold it in WISP_MASTER_KEY). Re-sealing the stored secrets…",
        next.id(),
        rotation::PROPAGATION.as_secs()
    );
    let resealed =
        master_key::rotate(db, &ring, &next.id(), rotation::PROPAGATION + std::time::Duration::from_secs(1)).await?;
    println!("Re-sealed {resealed} secret(s) under master key {}.", next.id());
    println!(
        "Every stored secret is now under {}: remove the old key from WISP_MASTER_KEY (rolling restart).",
        next.id()
    );
    Ok(())
}

/// Prints a token signed now, for the operator who asked; nothing else sees it.
pub async fn token_mint(
    db: &DatabaseConnection,
    issuer: &IssuerState,
    master_key: Option<&str>,
    org_id: OrgId,
    audience: &str,
) -> Result<(), CliError> {
    let audience: Audience = audience.parse().map_err(|e: vocabulary::FieldError| CliError::Usage(e.message))?;
    if issuer.mode == KeyMode::Managed {
        let ring = MasterKey::from_base64(master_key.ok_or_else(|| {
            CliError::Usage("WISP_MASTER_KEY is not set: managed signing keys are sealed under it.".to_owned())
        })?)?;
        let keyring = master_key::adopt(db, &ring).await?;
        issuer.refresh(db, &ring, &keyring).await?;
    }
    let issuer = issuer.ready().map_err(|reason| CliError::Usage(reason.to_owned()))?;
    accounts::find_organization(db, org_id).await?;
    println!("{}", issuer.minter.fresh_token(org_id, &audience)?.token);
    Ok(())
}

fn or_dash(time: &Option<String>) -> &str {
    time.as_deref().unwrap_or("-")
}

/// `wisp keys list`: every key the database has had, newest first.
pub async fn keys_list(db: &DatabaseConnection, issuer: &IssuerState) -> Result<(), CliError> {
    let rows = store::list(db).await?;
    if rows.is_empty() {
        println!("No signing keys in the database: `wisp serve` without OIDC_PRIVATE_KEY generates them.");
        return Ok(());
    }
    println!(
        "{:<43}  {:<5}  {:<7}  {:<20}  {:<20}  {:<20}  REMOVED AFTER",
        "KID", "ALG", "STATE", "PUBLISHED AT", "ACTIVE FROM", "RETIRES AT"
    );
    for view in issuer.views(&rows) {
        println!(
            "{:<43}  {:<5}  {:<7}  {:<20}  {:<20}  {:<20}  {}",
            view.kid,
            view.alg.as_str(),
            view.state.as_str(),
            or_dash(&view.published_at),
            or_dash(&view.active_from),
            or_dash(&view.retired_at),
            or_dash(&view.removed_after)
        );
    }
    match (issuer.mode, issuer.policy.rotation.period()) {
        (KeyMode::Pinned, _) => println!("OIDC_PRIVATE_KEY is set: this configuration signs with its pinned key."),
        (KeyMode::Managed, None) => println!("Rotation is off: `wisp keys rotate` replaces the active key."),
        (KeyMode::Managed, Some(_)) => println!("Keys rotate every {}.", issuer.policy.rotation),
    }
    Ok(())
}

fn report(issuer: &IssuerState, changes: &[store::Change]) {
    for change in changes {
        let said = change.to_string();
        println!("{}{}", said[..1].to_uppercase(), &said[1..]);
    }
    println!("Serving replicas follow within {} seconds, with no restart.", rotation::PROPAGATION.as_secs());
    if issuer.mode == KeyMode::Pinned {
        println!("OIDC_PRIVATE_KEY is set here: replicas configured so keep signing with their pinned key.");
    }
}

pub async fn keys_rotate(db: &DatabaseConnection, ring: &MasterKey, issuer: &IssuerState) -> Result<(), CliError> {
    master_key::adopt(db, ring).await?;
    match store::rotate(db, ring, &issuer.policy, chrono::Utc::now()).await? {
        store::Rotated::Now(changes) => report(issuer, &changes),
        store::Rotated::Later(changes) => {
            report(issuer, &changes);
            println!(
                "A next key signs only once it has been published for the JWKS cache lifetime ({} s) and {} s more, so every relying party has it; the swap happens then.",
                issuer.max_age_seconds,
                (rotation::PROPAGATION + rotation::CLOCK_SKEW).as_secs()
            );
        }
    }
    Ok(())
}

pub async fn keys_revoke(
    db: &DatabaseConnection,
    ring: &MasterKey,
    issuer: &IssuerState,
    kid: &str,
) -> Result<(), CliError> {
    master_key::adopt(db, ring).await?;
    let now = chrono::Utc::now();
    let changes = store::revoke(db, ring, &issuer.policy, kid, now).await?;
    report(issuer, &changes);
    // The emergency cannot wait for caches: say when the key that took over is younger than them.
    let took_over = changes.iter().find(|c| c.what == store::ChangeKind::Activated);
    let rows = store::published(db).await?;
    if let Some(active) = took_over.and_then(|c| rows.iter().find(|r| r.kid == c.kid)) {
        let published_for = (now - active.published_at).num_seconds();
        let lead = i64::try_from(issuer.policy.lead().as_secs()).unwrap_or(i64::MAX);
        if published_for < lead {
            println!(
                "Key {} had been published for {published_for} s only: a relying party that cached the JWKS before may refuse its tokens for up to {} s more, until its cache expires.",
                active.kid,
                lead - published_for
            );
        }
    }
    Ok(())
}

pub async fn keys_import(db: &DatabaseConnection, ring: &MasterKey, issuer: &IssuerState) -> Result<(), CliError> {
    let pem = stdin_text("the PEM private key", "wisp keys import < signing.pem")?;
    master_key::adopt(db, ring).await?;
    let changes = store::import(db, ring, &issuer.policy, &pem, chrono::Utc::now()).await?;
    report(issuer, &changes);
    if issuer.mode == KeyMode::Pinned {
        println!(
            "Once every Wisp runs without OIDC_PRIVATE_KEY (rolling restart), they sign with the database's keys and rotate them."
        );
    }
    Ok(())
}

//! Operator commands: bootstrap organizations and members from the shell.
use std::io::{IsTerminal, Read};

use service::{
    accounts::{self, Enrolled},
    audit::Actor,
    db::DatabaseConnection,
    email::Email,
    issuer::{IssuerState, mint::Audience},
    master_key::{self, MasterKey},
    password::Password,
};
use vocabulary::{access::Role, ids::OrgId};

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

/// Re-seals every stored secret under the key piped on standard input.
pub async fn rotate_master_key(db: &DatabaseConnection, current: &MasterKey) -> Result<(), CliError> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| CliError::Usage(format!("cannot read the new master key from standard input: {e}")))?;
    if text.trim().is_empty() {
        return Err(CliError::Usage(
            "Pipe the new master key on standard input, e.g. `openssl rand -base64 32 | tee new.key | wisp master-key rotate`."
                .to_owned(),
        ));
    }
    let next = MasterKey::from_base64(&text)?;
    if next.id() == current.id() {
        return Err(CliError::Usage("The new key is the current key: generate another.".to_owned()));
    }
    let resealed = master_key::rotate(db, current, &next).await?;
    println!("Re-sealed {resealed} secret(s) under master key {}.", next.id());
    println!("Now set WISP_MASTER_KEY to the new key and restart every Wisp process.");
    Ok(())
}

/// Prints a token signed now, for the operator who asked; nothing else sees it.
pub async fn token_mint(
    db: &DatabaseConnection,
    issuer: &IssuerState,
    org_id: OrgId,
    audience: &str,
) -> Result<(), CliError> {
    let audience = Audience::parse(audience)?;
    let issuer = issuer.ready().map_err(|reason| CliError::Usage(reason.to_owned()))?;
    accounts::find_organization(db, org_id).await?;
    println!("{}", issuer.minter.fresh_token(org_id, &audience)?.token);
    Ok(())
}

//! `wisp serve --demo`: a working Wisp from a fresh clone, with nothing to configure.
use std::path::Path;

use service::{accounts, db::DatabaseConnection, email::Email, files::write_private, master_key::MasterKey};

use crate::error::CliError;

const DEMO_ORG: &str = "Demo";
const DEMO_EMAIL: &str = "admin@example.com";
const SIGN_IN_FILE: &str = "demo-sign-in.txt";

/// The master key of a development run: generated into the data folder on first start.
pub fn master_key(data_dir: &Path) -> Result<MasterKey, CliError> {
    let (key, created) = MasterKey::load_or_create(&data_dir.join("master.key"))?;
    if created {
        tracing::warn!(
            "generated a development master key in {}; production must set WISP_MASTER_KEY",
            data_dir.join("master.key").display()
        );
    }
    Ok(key)
}

/// Creates the demo organization and its admin once, and tells the operator how to sign in.
pub async fn prepare(db: &DatabaseConnection, data_dir: &Path, url: &str) -> Result<(), CliError> {
    let file = data_dir.join(SIGN_IN_FILE);
    if !file.exists() {
        let email: Email = DEMO_EMAIL.parse()?;
        let created = accounts::create_organization(db, DEMO_ORG, &email, None).await?;
        let password = created.owner.generated_password.ok_or_else(|| {
            CliError::Usage(format!(
                "{DEMO_EMAIL} already exists in this database; remove {} to start over",
                data_dir.display()
            ))
        })?;
        let text =
            format!("email={DEMO_EMAIL}\npassword={}\norganization={}\n", password.reveal(), created.organization.id);
        write_private(&file, text.as_bytes())
            .map_err(|e| CliError::Usage(format!("cannot write {}: {e}", file.display())))?;
    }
    let text =
        std::fs::read_to_string(&file).map_err(|e| CliError::Usage(format!("cannot read {}: {e}", file.display())))?;
    let field = |name: &str| {
        text.lines().find_map(|line| line.strip_prefix(name)?.strip_prefix('=')).unwrap_or_default().to_owned()
    };
    // To the terminal of the operator who started the demo, never to the log.
    println!(
        "\n  Wisp demo: open {url} and sign in as {} with password {}\n  Demo organization UUID: {}\n  (kept in {})\n",
        field("email"),
        field("password"),
        field("organization"),
        file.display()
    );
    Ok(())
}

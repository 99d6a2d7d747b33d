//! `wisp`: the server and the operator's command line.
#![recursion_limit = "256"]
mod cli;
mod commands;
mod demo;
mod error;
mod http;
mod issuer_config;
mod logging;
mod serve;
mod worker_cli;

use std::process::ExitCode;

use clap::Parser;
use service::{
    db::{self, DatabaseConnection},
    issuer::IssuerState,
    master_key::MasterKey,
};

use crate::{
    cli::{
        AdminCommand, Cli, Command, KeyAlgorithm, KeysCommand, MasterKeyCommand, MemberCommand, Settings, TokenCommand,
    },
    error::CliError,
};

fn main() -> ExitCode {
    forget_empty_settings();
    let cli = Cli::parse();
    logging::init(cli.settings.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let command = cli.command.unwrap_or(Command::Serve { demo: false });
    // A worker's commands have exit statuses of their own (the command's, or 125).
    match &command {
        Command::Run { connection, command } => return runtime.block_on(worker_cli::run(connection, command)),
        Command::Kickoff { connection, format } => return runtime.block_on(worker_cli::print(connection, *format)),
        Command::IdToken { tokens, audience } => return runtime.block_on(worker_cli::id_token(tokens, audience)),
        _ => {}
    }
    match runtime.block_on(run(&cli.settings, command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// A setting's variable that is set but empty (`OIDC_ISSUER=`) means unset, as operators expect
/// from shells and container specs; clap would read it as an empty value.
fn forget_empty_settings() {
    use clap::CommandFactory;

    let command = Cli::command();
    for variable in command.get_arguments().filter_map(|arg| arg.get_env()) {
        if std::env::var_os(variable).is_some_and(|value| value.is_empty()) {
            // SAFETY: called first in `main`, before the runtime or anything else starts a thread.
            unsafe { std::env::remove_var(variable) };
        }
    }
}

/// Connected and migrated: every command but key generation starts here.
async fn database(settings: &Settings) -> Result<DatabaseConnection, CliError> {
    let db = db::connect(&settings.database_url).await?;
    db::migrate(&db).await?;
    Ok(db)
}

fn print_new_key(alg: KeyAlgorithm) {
    print!("{}", service::issuer::keys::generate(alg.into()));
}

/// The master key ring every command that opens or seals secrets needs.
fn master_key(settings: &Settings) -> Result<MasterKey, CliError> {
    let text = settings.master_key.as_deref().ok_or_else(|| {
        CliError::Usage(
            "WISP_MASTER_KEY is not set: set it as for `wisp serve` (the current master key, or the ring of keys)."
                .to_owned(),
        )
    })?;
    Ok(MasterKey::from_base64(text)?)
}

async fn run(settings: &Settings, command: Command) -> Result<(), CliError> {
    match command {
        Command::Serve { demo } => {
            let master_key = match (&settings.master_key, demo) {
                (Some(text), _) => MasterKey::from_base64(text)?,
                (None, true) => demo::master_key(&settings.data_dir)?,
                (None, false) => {
                    return Err(CliError::Usage(
                        "WISP_MASTER_KEY is not set. Generate one with `openssl rand -base64 32` and set it, or run `wisp serve --demo` for a local demo.".to_owned(),
                    ));
                }
            };
            let db = database(settings).await?;
            let mut issuer = issuer_config::load(settings)?;
            if demo {
                issuer = issuer_config::with_demo_defaults(issuer, settings);
                demo::prepare(&db, &settings.data_dir, &format!("http://{}", settings.listen)).await?;
            }
            let issuer = IssuerState::load(&issuer)?;
            serve::run(settings, db, issuer, master_key).await
        }
        Command::Migrate => {
            database(settings).await?;
            println!("The database is up to date.");
            Ok(())
        }
        Command::Backup { file } => {
            let bytes = db::backup(&database(settings).await?, &file).await?;
            println!("Copied the database to {} ({bytes} bytes, without sessions).", file.display());
            Ok(())
        }
        Command::Admin(AdminCommand::Create { org_name, email }) => {
            commands::admin_create(&database(settings).await?, &org_name, &email).await
        }
        Command::Member(MemberCommand::Add { org_id, email, role }) => {
            commands::member_add(&database(settings).await?, org_id, &email, role).await
        }
        Command::Token(TokenCommand::Mint { org_id, audience }) => {
            let issuer = IssuerState::load(&issuer_config::load(settings)?)?;
            let db = database(settings).await?;
            commands::token_mint(&db, &issuer, settings.master_key.as_deref(), org_id, &audience).await
        }
        Command::MasterKey(MasterKeyCommand::Rotate) => {
            commands::rotate_master_key(&database(settings).await?, &master_key(settings)?).await
        }
        Command::Keys(KeysCommand::List) => {
            let issuer = IssuerState::load(&issuer_config::load(settings)?)?;
            commands::keys_list(&database(settings).await?, &issuer).await
        }
        Command::Keys(KeysCommand::Rotate) => {
            let issuer = IssuerState::load(&issuer_config::load(settings)?)?;
            commands::keys_rotate(&database(settings).await?, &master_key(settings)?, &issuer).await
        }
        Command::Keys(KeysCommand::Revoke { kid }) => {
            let issuer = IssuerState::load(&issuer_config::load(settings)?)?;
            commands::keys_revoke(&database(settings).await?, &master_key(settings)?, &issuer, &kid).await
        }
        Command::Keys(KeysCommand::Import) => {
            let issuer = IssuerState::load(&issuer_config::load(settings)?)?;
            commands::keys_import(&database(settings).await?, &master_key(settings)?, &issuer).await
        }
        Command::Run { .. } | Command::Kickoff { .. } | Command::IdToken { .. } => unreachable!("handled in main"),
        // Needs no database.
        Command::Keys(KeysCommand::Generate { alg }) => {
            print_new_key(alg);
            Ok(())
        }
    }
}

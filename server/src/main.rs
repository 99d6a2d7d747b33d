//! `wisp`: the server and the operator's command line.
#![recursion_limit = "256"]
mod cli;
mod commands;
mod demo;
mod error;
mod http;
mod logging;
mod serve;

use std::process::ExitCode;

use clap::Parser;
use service::{db, master_key::MasterKey};

use crate::{
    cli::{AdminCommand, Cli, Command, MemberCommand},
    error::CliError,
};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init(cli.settings.log_format);
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let settings = &cli.settings;
    let db = db::connect(&settings.database_url).await?;
    db::migrate(&db).await?;
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => {
            let _master_key = match (&settings.master_key, demo) {
                (Some(text), _) => MasterKey::from_base64(text)?,
                (None, true) => demo::master_key(&settings.data_dir)?,
                (None, false) => {
                    return Err(CliError::Usage(
                        "WISP_MASTER_KEY is not set. Generate one with `openssl rand -base64 32` and set it, or run `wisp serve --demo` for a local demo.".to_owned(),
                    ));
                }
            };
            if demo {
                demo::prepare(&db, &settings.data_dir, &format!("http://{}", settings.listen)).await?;
            }
            serve::run(settings, db).await
        }
        Command::Migrate => {
            println!("The database is up to date.");
            Ok(())
        }
        Command::Admin(AdminCommand::Create { org_name, email }) => {
            commands::admin_create(&db, &org_name, &email).await
        }
        Command::Member(MemberCommand::Add { org_id, email, role }) => {
            commands::member_add(&db, &org_id, &email, &role).await
        }
    }
}

use std::{sync::Arc, time::Duration};

use axum::http::HeaderName;
use leptos::prelude::LeptosOptions;
use service::{
    access::AccessControl,
    accounts::SignInGuard,
    aws::sdk::AwsSdk,
    issuer::{IssuerState, keeper, store},
    master_key::MasterKey,
    session_store::DbSessionStore,
};
use tokio::net::TcpListener;
use vocabulary::token::KeyMode;

use app::state::AppState;

use crate::{
    cli::{Settings, Switch},
    error::CliError,
    http::{
        assets::Bundle,
        metrics::{self, Exposure},
        router,
    },
};

pub async fn run(
    settings: &Settings,
    db: service::db::DatabaseConnection,
    issuer: IssuerState,
    master_key: MasterKey,
) -> Result<(), CliError> {
    // A process without the key the database seals under would write what others cannot read.
    service::master_key::adopt(&db, &master_key).await?;
    if issuer.mode == KeyMode::Managed {
        // A new database gets its first keys before the first request.
        store::step(&db, &master_key, &issuer.policy, chrono::Utc::now()).await?;
    }
    let keyring = service::master_key::keyring(&db, &master_key).await?;
    issuer.refresh(&db, &master_key, &keyring).await?;
    match issuer.ready() {
        Ok(ready) => tracing::info!(
            issuer = %ready.url,
            kid = ready.minter.kid(),
            mode = %issuer.mode,
            "the OIDC issuer is ready"
        ),
        Err(reason) => tracing::warn!("{reason}"),
    }
    // What AWS would refuse, said to the operator now rather than at the first Test Connection.
    for warning in issuer.url.iter().flat_map(|url| url.warnings()) {
        tracing::warn!("OIDC_ISSUER: {}", warning.message());
    }
    let issuer = Arc::new(issuer);
    tokio::spawn(keeper::keep(db.clone(), issuer.clone(), master_key.clone()));
    let state = AppState {
        db: db.clone(),
        access: AccessControl::new().await?,
        issuer,
        aws: AwsSdk::from_env().await,
        vault: Arc::default(),
        master_key: Arc::new(master_key),
        sign_in: Arc::new(SignInGuard::sized_to_machine()),
        secret_names: Arc::default(),
        id_tokens: Arc::default(),
        client_ip_header: settings
            .client_ip_header
            .as_deref()
            .map(|name| {
                HeaderName::try_from(name).map_err(|_| {
                    CliError::Usage(format!("WISP_CLIENT_IP_HEADER: '{name}' is not an HTTP header name."))
                })
            })
            .transpose()?,
    };
    let bundle = Bundle::read(&settings.site_root);
    if bundle.is_none() {
        tracing::warn!(
            site_root = %settings.site_root,
            "the browser bundle is missing: pages render but stay static. Build it with scripts/build.sh"
        );
    }
    let options = LeptosOptions::builder()
        .output_name("wisp")
        .site_root(settings.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(settings.listen)
        .hash_files(bundle.is_some())
        .hash_file(bundle.as_ref().map_or_else(|| "hash.txt".into(), |b| b.hash_file.to_string_lossy().into()))
        .build();
    let sessions = DbSessionStore::new(db.clone());
    spawn_hourly_sweep("expired sessions", move || {
        let sessions = sessions.clone();
        async move { sessions.delete_expired().await }
    });
    let days = settings.kickoff_retention_days;
    spawn_hourly_sweep("kickoffs past their retention", move || {
        let db = db.clone();
        async move { service::deployments::kickoffs::sweep(&db, days).await }
    });

    let exposure = match (settings.metrics, settings.metrics_listen) {
        (Switch::Off, _) => Exposure::Off,
        (Switch::On, None) => Exposure::Here(metrics::install().map_err(CliError::Usage)?),
        (Switch::On, Some(address)) => {
            let handle = metrics::install().map_err(CliError::Usage)?;
            let listener = TcpListener::bind(address).await.map_err(|e| {
                CliError::Usage(format!("cannot listen on {address}: {e}. Set WISP_METRICS_LISTEN to a free address."))
            })?;
            tracing::info!("metrics on http://{address}/metrics");
            let routes = metrics::routes(state.clone(), handle);
            tokio::spawn(async move {
                if let Err(error) = axum::serve(listener, routes).await {
                    tracing::error!("the metrics listener stopped: {error}");
                }
            });
            Exposure::Apart
        }
    };
    let listener = TcpListener::bind(settings.listen).await.map_err(|e| {
        CliError::Usage(format!("cannot listen on {}: {e}. Set WISP_LISTEN to a free address.", settings.listen))
    })?;
    let address = listener.local_addr().map_err(|e| CliError::Usage(e.to_string()))?;
    tracing::info!("Wisp is serving on http://{address}");
    let app = router::build(state, options, bundle.map(|b| b.assets).unwrap_or_default(), exposure);
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| CliError::Usage(format!("the server stopped: {e}")))
}

/// Runs `sweep` at start and every hour; `what` names what it deletes ("expired sessions").
fn spawn_hourly_sweep<F, E>(what: &'static str, sweep: impl Fn() -> F + Send + 'static)
where
    F: Future<Output = Result<u64, E>> + Send,
    E: std::fmt::Display,
{
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every.tick().await;
            match sweep().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, "deleted {what}"),
                Err(e) => tracing::warn!(error = %e, "could not delete {what}"),
            }
        }
    });
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

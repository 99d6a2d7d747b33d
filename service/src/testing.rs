//! Fresh, migrated databases for tests: PostgreSQL when `WISP_TEST_POSTGRES_URL` names a server
//! (one new database per test), otherwise a SQLite file in a temporary folder.
use std::path::PathBuf;

use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::db;

pub struct TestDatabase {
    pub url: String,
    pub db: DatabaseConnection,
    folder: Option<PathBuf>,
}

impl TestDatabase {
    pub async fn new() -> Self {
        let (url, folder) = match std::env::var("WISP_TEST_POSTGRES_URL") {
            Ok(server) if !server.is_empty() => (create_postgres_database(&server).await, None),
            _ => {
                let folder = std::env::temp_dir().join(format!("wisp-test-{}", uuid::Uuid::new_v4().simple()));
                std::fs::create_dir_all(&folder).expect("create a temporary folder");
                (format!("sqlite://{}?mode=rwc", folder.join("wisp.db").display()), Some(folder))
            }
        };
        let db = db::connect(&url).await.expect("connect to the test database");
        db::migrate(&db).await.expect("migrate the test database");
        Self { url, db, folder }
    }

    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres")
    }

    /// Makes the database disappear under a running server (PostgreSQL only), for outage tests.
    pub async fn drop_database(&self) {
        let (server, name) = self.url.rsplit_once('/').expect("a PostgreSQL URL ends with /<database>");
        let admin = db::connect(&format!("{server}/postgres")).await.expect("connect to the PostgreSQL test server");
        admin.execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)")).await.expect("drop the test database");
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(folder) = &self.folder {
            let _ = std::fs::remove_dir_all(folder);
        }
    }
}

async fn create_postgres_database(server: &str) -> String {
    let name = format!("wisp_test_{}", uuid::Uuid::new_v4().simple());
    let admin = db::connect(server).await.expect("connect to the PostgreSQL test server");
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create a test database");
    let (base, _) = server.rsplit_once('/').expect("WISP_TEST_POSTGRES_URL ends with /<database>");
    format!("{base}/{name}")
}

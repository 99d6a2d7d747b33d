//! Unique indexes by name, shared by the migrations that create them and by the code that
//! recognises their violations (a name taken, a default slot lost to a concurrent request).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UniqueIndex {
    pub name: &'static str,
    pub table: &'static str,
    pub columns: &'static [&'static str],
}

impl UniqueIndex {
    /// Whether a database's error message reports a violation of this index: PostgreSQL names
    /// the index (`… violates unique constraint "name"`), SQLite lists its columns
    /// (`UNIQUE constraint failed: table.a, table.b`).
    pub fn is_violated_by(&self, message: &str) -> bool {
        let columns: Vec<String> = self.columns.iter().map(|c| format!("{}.{c}", self.table)).collect();
        message.contains(&format!("\"{}\"", self.name))
            || message.trim_end().ends_with(&format!(": {}", columns.join(", ")))
    }
}

/// `string_uniq` in the accounts migration; PostgreSQL names such a constraint `<table>_<column>_key`.
pub const ORGANIZATION_NAME: UniqueIndex =
    UniqueIndex { name: "organizations_name_key", table: "organizations", columns: &["name"] };

/// Names that read alike (`vocabulary::name::Name::key`) are one name.
pub const ORGANIZATION_NAME_KEY: UniqueIndex =
    UniqueIndex { name: "uq_organizations_name_key", table: "organizations", columns: &["name_key"] };

pub const USER_EMAIL: UniqueIndex = UniqueIndex { name: "users_email_key", table: "users", columns: &["email"] };

/// Names that read alike (`vocabulary::name::Name::key`) are one name within an organization.
pub const WORKLOAD_IDENTITY_CONFIG_NAME: UniqueIndex = UniqueIndex {
    name: "uq_workload_identity_configs_name_key",
    table: "workload_identity_configs",
    columns: &["org_id", "name_key"],
};

/// Partial: only rows `WHERE is_default`, so each (organization, provider) has one default at most.
pub const WORKLOAD_IDENTITY_CONFIG_DEFAULT: UniqueIndex = UniqueIndex {
    name: "uq_workload_identity_configs_default",
    table: "workload_identity_configs",
    columns: &["org_id", "provider"],
};

/// Names that read alike are one name within an organization.
pub const CREDENTIAL_NAME: UniqueIndex = UniqueIndex {
    name: "uq_credentials_name_key",
    table: "secret_provider_credentials",
    columns: &["org_id", "name_key"],
};

/// Partial: only rows `WHERE is_default`, so each (organization, provider) has one default at most.
pub const CREDENTIAL_DEFAULT: UniqueIndex = UniqueIndex {
    name: "uq_credentials_default",
    table: "secret_provider_credentials",
    columns: &["org_id", "provider"],
};

/// Names that read alike are one name within an organization.
pub const AUTOMATION_NAME: UniqueIndex =
    UniqueIndex { name: "uq_automations_name_key", table: "automations", columns: &["org_id", "name_key"] };

/// Keys are case-sensitive, as the environment is.
pub const VARIABLE_KEY: UniqueIndex = UniqueIndex {
    name: "uq_environment_variables_key",
    table: "environment_variables",
    columns: &["automation_id", "key"],
};

/// Deployments are numbered 1, 2, … per automation.
pub const DEPLOYMENT_NUMBER: UniqueIndex =
    UniqueIndex { name: "uq_deployments_number", table: "deployments", columns: &["automation_id", "number"] };

/// Partial: only rows `WHERE state = 'active'`, so one key signs at a time in a database.
pub const SIGNING_KEY_ACTIVE: UniqueIndex =
    UniqueIndex { name: "uq_signing_keys_active", table: "signing_keys", columns: &["state"] };

/// Partial: only rows `WHERE state = 'next'`, so one key waits to sign at a time.
pub const SIGNING_KEY_NEXT: UniqueIndex =
    UniqueIndex { name: "uq_signing_keys_next", table: "signing_keys", columns: &["state"] };

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_both_databases_messages_and_no_other_index() {
        let postgres = "error returned from database: duplicate key value violates unique constraint \"uq_workload_identity_configs_default\"";
        let sqlite = "error returned from database: (code: 2067) UNIQUE constraint failed: workload_identity_configs.org_id, workload_identity_configs.provider";
        for message in [postgres, sqlite] {
            assert!(WORKLOAD_IDENTITY_CONFIG_DEFAULT.is_violated_by(message), "{message}");
            assert!(!WORKLOAD_IDENTITY_CONFIG_NAME.is_violated_by(message), "{message}");
        }
        assert!(ORGANIZATION_NAME.is_violated_by("UNIQUE constraint failed: organizations.name"));
        assert!(!ORGANIZATION_NAME.is_violated_by(
            "UNIQUE constraint failed: workload_identity_configs.org_id, workload_identity_configs.name"
        ));
    }
}

//! An automation's environment variables. A plain value is kept as text, or sealed under the
//! master key when it is sensitive (then it is write-only: an empty field on edit keeps it); a
//! secret variable names a secret and the credential to read it through, and keeps that
//! credential from being deleted. Keys are unique per automation, by the database.
use std::{
    collections::{HashMap, HashSet},
    fmt,
};

use chrono::Utc;
use migration::constraints::VARIABLE_KEY;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;
use vocabulary::{
    FieldError,
    audit::{AuditAction, AuditTarget},
    dto::automations::{ImportReport, LineProblem},
    env::{EnvKey, JsonKey, SecretName, SourceKind},
    ids::{AutomationId, CredentialId, OrgId, VariableId},
    providers::AuthMethod,
};

use super::{Manager, Reader, find_model as find_automation};
use crate::{
    audit::{self, Change},
    db::{begin_write, lock_organization, text::Text, unique::violates},
    entity::{automation, credential, environment_variable as variable},
    error::{FormCheck, ServiceError, ServiceResult},
    master_key::{MasterKey, Sealed},
};

/// Environment values are bounded by the kernel's argument space; 32 KiB is far beyond any
/// real variable and keeps a row small.
const MAX_VALUE_BYTES: usize = 32 * 1024;

/// A plain value as typed; `Debug` never shows it, since it may be sensitive.
#[derive(Clone, PartialEq, Eq)]
pub struct PlainValue(String);

impl PlainValue {
    fn parse(text: &str) -> Result<Self, FieldError> {
        if text.len() > MAX_VALUE_BYTES {
            return Err(FieldError::new(
                "value",
                format!("A value is at most {MAX_VALUE_BYTES} bytes; this one has {}.", text.len()),
            ));
        }
        if text.contains('\0') {
            return Err(FieldError::new(
                "value",
                "A value cannot contain a NUL character: no environment can hold it.",
            ));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PlainValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PlainValue(***)")
    }
}

#[derive(Clone, Debug)]
pub enum SourceInput {
    /// `value: None`: a sensitive value left empty on edit, which keeps the stored one.
    Plain {
        value: Option<PlainValue>,
        sensitive: bool,
    },
    Secret {
        credential: CredentialId,
        secret_name: SecretName,
        json_key: Option<JsonKey>,
    },
}

#[derive(Clone, Debug)]
pub struct VariableInput {
    pub key: EnvKey,
    pub source: SourceInput,
}

/// The form's fields as the page sends them; the source decides which count.
#[derive(Clone, Copy, Debug)]
pub struct VariableForm<'a> {
    pub key: &'a str,
    pub source: SourceKind,
    pub value: &'a str,
    pub sensitive: bool,
    pub credential: Option<CredentialId>,
    pub secret_name: &'a str,
    pub json_key: &'a str,
}

impl VariableInput {
    pub fn parse(form: VariableForm<'_>) -> ServiceResult<Self> {
        let mut check = FormCheck::default();
        let key = check.field(EnvKey::parse(form.key));
        let source = match form.source {
            SourceKind::Plain => {
                // A sensitive value is never shown back, so an empty field means "keep it".
                let value = if form.sensitive && form.value.is_empty() {
                    Some(None)
                } else {
                    check.field(PlainValue::parse(form.value)).map(Some)
                };
                value.map(|value| SourceInput::Plain { value, sensitive: form.sensitive })
            }
            SourceKind::Secret => {
                let credential = form.credential.or_else(|| {
                    check.refuse(FieldError::new(
                        "credential",
                        "Choose the credential to read the secret through (Settings → Secret Provider Credentials adds one).",
                    ));
                    None
                });
                let secret_name = check.field(SecretName::parse(form.secret_name));
                let json_key = check.field(JsonKey::parse(form.json_key));
                match (credential, secret_name, json_key) {
                    (Some(credential), Some(secret_name), Some(json_key)) => {
                        Some(SourceInput::Secret { credential, secret_name, json_key })
                    }
                    _ => None,
                }
            }
        };
        check.finish(|| Some(Self { key: key?, source: source? }))
    }
}

/// A variable as read back: a sensitive value is never read into it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variable {
    pub id: VariableId,
    pub automation_id: AutomationId,
    pub key: EnvKey,
    pub source: Source,
}

#[derive(Clone, PartialEq, Eq)]
pub enum Source {
    /// `value` is `None` when sensitive.
    Plain {
        value: Option<String>,
        sensitive: bool,
    },
    Secret {
        credential: CredentialRef,
        secret_name: SecretName,
        json_key: Option<JsonKey>,
    },
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Plain { sensitive, .. } => {
                f.debug_struct("Plain").field("sensitive", sensitive).finish_non_exhaustive()
            }
            Source::Secret { credential, secret_name, json_key } => f
                .debug_struct("Secret")
                .field("credential", &credential.id)
                .field("secret_name", secret_name)
                .field("json_key", json_key)
                .finish(),
        }
    }
}

/// The credential a secret variable reads through, as its row shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialRef {
    pub id: CredentialId,
    pub name: String,
    pub method: AuthMethod,
}

/// What a sealed value is bound to: its own row, so a copy elsewhere does not open.
pub(crate) fn seal_context(id: VariableId) -> Vec<u8> {
    format!("variable:{id}:value").into_bytes()
}

/// The automation's variables, by key.
pub async fn list(
    db: &impl ConnectionTrait,
    reader: &Reader,
    automation: AutomationId,
) -> ServiceResult<Vec<Variable>> {
    let automation = find_automation(db, reader.org_id(), automation).await?;
    let rows = variable::Entity::find()
        .filter(variable::Column::AutomationId.eq(automation.id))
        .order_by_asc(variable::Column::Key)
        .all(db)
        .await?;
    assemble(db, reader.org_id(), rows).await
}

async fn assemble(db: &impl ConnectionTrait, org: OrgId, rows: Vec<variable::Model>) -> ServiceResult<Vec<Variable>> {
    let ids: Vec<Uuid> = rows.iter().filter_map(|r| r.credential_id).collect();
    let credentials: HashMap<Uuid, CredentialRef> = if ids.is_empty() {
        HashMap::new()
    } else {
        credential::Entity::find()
            .filter(credential::Column::OrgId.eq(org.as_uuid()))
            .filter(credential::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, CredentialRef { id: c.id.into(), name: c.name, method: c.auth_method.0 }))
            .collect()
    };
    rows.into_iter().map(|row| variable(row, &credentials)).collect()
}

fn variable(row: variable::Model, credentials: &HashMap<Uuid, CredentialRef>) -> ServiceResult<Variable> {
    let corrupt = || ServiceError::Internal(format!("variable {} lacks the columns of its source", row.id));
    let source = match row.source.0 {
        SourceKind::Plain if row.sensitive => Source::Plain { value: None, sensitive: true },
        SourceKind::Plain => Source::Plain { value: Some(row.value.clone().ok_or_else(corrupt)?), sensitive: false },
        SourceKind::Secret => {
            let credential = row.credential_id.and_then(|id| credentials.get(&id)).cloned().ok_or_else(corrupt)?;
            let secret_name = row.secret_name.clone().ok_or_else(corrupt)?.0;
            Source::Secret { credential, secret_name, json_key: row.json_key.clone().map(|k| k.0) }
        }
    };
    Ok(Variable { id: row.id.into(), automation_id: row.automation_id.into(), key: row.key.0, source })
}

/// A variable of an automation of `org`, with that automation; any other answers as not found.
async fn find_model(
    db: &impl ConnectionTrait,
    org: OrgId,
    id: VariableId,
) -> ServiceResult<(variable::Model, automation::Model)> {
    let not_found = || ServiceError::NotFound { what: "The environment variable" };
    let row = variable::Entity::find_by_id(id.as_uuid()).one(db).await?.ok_or_else(not_found)?;
    let automation = find_automation(db, org, row.automation_id.into()).await.map_err(|_| not_found())?;
    Ok((row, automation))
}

/// A row just written, as read back: its credential's name and method come along.
async fn read_back(db: &impl ConnectionTrait, org: OrgId, row: variable::Model) -> ServiceResult<Variable> {
    assemble(db, org, vec![row]).await?.pop().ok_or(ServiceError::NotFound { what: "The environment variable" })
}

pub async fn add(
    db: &impl TransactionTrait,
    master_key: &MasterKey,
    actor: &Manager,
    automation: AutomationId,
    input: VariableInput,
) -> ServiceResult<Variable> {
    let (org, id) = (actor.org_id(), VariableId::new());
    let txn = begin_write(db).await?;
    // Under the lock a credential cannot be deleted between the check and the insert.
    lock_organization(&txn, org).await?;
    let automation = find_automation(&txn, org, automation).await?;
    let now = Utc::now();
    let mut model = variable::ActiveModel {
        id: Set(id.as_uuid()),
        automation_id: Set(automation.id),
        created_at: Set(now),
        ..Default::default()
    };
    write(&txn, &mut model, master_key, org, id, &input, None).await?;
    let row = model.insert(&txn).await.map_err(|e| key_taken(e, &input.key, &automation))?;
    record(&txn, actor, AuditAction::VariableCreate, &automation, &row).await?;
    let added = read_back(&txn, org, row).await?;
    txn.commit().await?;
    Ok(added)
}

/// Saves the edited fields; an empty sensitive value keeps the stored one.
pub async fn update(
    db: &impl TransactionTrait,
    master_key: &MasterKey,
    actor: &Manager,
    id: VariableId,
    input: VariableInput,
) -> ServiceResult<Variable> {
    let org = actor.org_id();
    let txn = begin_write(db).await?;
    lock_organization(&txn, org).await?;
    let (existing, automation) = find_model(&txn, org, id).await?;
    let mut model: variable::ActiveModel = existing.clone().into();
    write(&txn, &mut model, master_key, org, id, &input, Some(&existing)).await?;
    let row = model.update(&txn).await.map_err(|e| key_taken(e, &input.key, &automation))?;
    record(&txn, actor, AuditAction::VariableUpdate, &automation, &row).await?;
    let updated = read_back(&txn, org, row).await?;
    txn.commit().await?;
    Ok(updated)
}

pub async fn delete(db: &impl TransactionTrait, actor: &Manager, id: VariableId) -> ServiceResult<()> {
    let txn = begin_write(db).await?;
    let (existing, automation) = find_model(&txn, actor.org_id(), id).await?;
    variable::Entity::delete_by_id(existing.id).exec(&txn).await?;
    record(&txn, actor, AuditAction::VariableDelete, &automation, &existing).await?;
    txn.commit().await?;
    Ok(())
}

async fn write(
    db: &impl ConnectionTrait,
    model: &mut variable::ActiveModel,
    master_key: &MasterKey,
    org: OrgId,
    id: VariableId,
    input: &VariableInput,
    existing: Option<&variable::Model>,
) -> ServiceResult<()> {
    model.key = Set(Text(input.key.clone()));
    model.updated_at = Set(Utc::now());
    match &input.source {
        SourceInput::Plain { value, sensitive: false } => {
            let was_sensitive = existing.is_some_and(|row| row.sensitive);
            match value {
                // An empty field is how a sensitive value is kept, never how it is erased.
                Some(value) if !(value.expose().is_empty() && was_sensitive) => {
                    set_plain(model, Some(value.expose().to_owned()), None);
                }
                _ => {
                    return Err(FieldError::new(
                        "value",
                        "Enter the value: a sensitive value is never shown, so making it plain needs it typed again.",
                    )
                    .into());
                }
            }
        }
        SourceInput::Plain { value, sensitive: true } => {
            let sealed = match (value, existing) {
                (Some(value), _) => master_key.seal(value.expose().as_bytes(), &seal_context(id))?,
                (None, Some(row)) if row.sensitive => Sealed {
                    key_id: row.master_key_id.clone().unwrap_or_default(),
                    bytes: row.sealed_value.clone().unwrap_or_default(),
                },
                // Ticking Sensitive on a plain value keeps that value, sealed from now on.
                (None, Some(row)) if row.source.0 == SourceKind::Plain => {
                    master_key.seal(row.value.clone().unwrap_or_default().as_bytes(), &seal_context(id))?
                }
                (None, _) => return Err(FieldError::new("value", "Enter the value to keep secret.").into()),
            };
            set_plain(model, None, Some(sealed));
        }
        SourceInput::Secret { credential, secret_name, json_key } => {
            let found =
                crate::secret_providers::find_in_org(db, org, *credential).await.map_err(|error| match error {
                    ServiceError::NotFound { .. } => {
                        FieldError::new("credential", "Choose one of this organization's credentials.").into()
                    }
                    other => other,
                })?;
            secret_name.fits(found.provider())?;
            model.source = Set(Text(SourceKind::Secret));
            model.value = Set(None);
            model.sensitive = Set(false);
            model.sealed_value = Set(None);
            model.master_key_id = Set(None);
            model.credential_id = Set(Some(credential.as_uuid()));
            model.secret_name = Set(Some(Text(secret_name.clone())));
            model.json_key = Set(json_key.clone().map(Text));
        }
    }
    Ok(())
}

fn set_plain(model: &mut variable::ActiveModel, value: Option<String>, sealed: Option<Sealed>) {
    model.source = Set(Text(SourceKind::Plain));
    model.sensitive = Set(sealed.is_some());
    model.value = Set(value);
    model.master_key_id = Set(sealed.as_ref().map(|s| s.key_id.clone()));
    model.sealed_value = Set(sealed.map(|s| s.bytes));
    model.credential_id = Set(None);
    model.secret_name = Set(None);
    model.json_key = Set(None);
}

/// Adds every plain variable of a pasted `.env` block, in one transaction. A line that cannot be
/// read, or whose key is invalid or already in the automation, is reported by its number and
/// skipped; the others are added. `$VAR` is kept as typed: nothing is expanded from Wisp's own
/// environment.
pub async fn import(
    db: &impl TransactionTrait,
    actor: &Manager,
    automation: AutomationId,
    text: &str,
) -> ServiceResult<ImportReport> {
    let (entries, mut problems) = parse_dotenv(text);
    let org = actor.org_id();
    let txn = begin_write(db).await?;
    lock_organization(&txn, org).await?;
    let automation = find_automation(&txn, org, automation).await?;
    let mut taken: HashSet<String> = variable::Entity::find()
        .filter(variable::Column::AutomationId.eq(automation.id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|v| v.key.0.to_string())
        .collect();
    let mut added = Vec::new();
    for (line, key, value) in entries {
        let parsed = EnvKey::parse(&key).and_then(|key| PlainValue::parse(&value).map(|value| (key, value)));
        let (key, value) = match parsed {
            Ok(pair) => pair,
            Err(error) => {
                problems.push(LineProblem { line, message: error.message });
                continue;
            }
        };
        if !taken.insert(key.to_string()) {
            problems.push(LineProblem {
                line,
                message: format!("{key} is already a variable of this automation: edit it there instead."),
            });
            continue;
        }
        let id = VariableId::new();
        let now = Utc::now();
        let mut model = variable::ActiveModel {
            id: Set(id.as_uuid()),
            automation_id: Set(automation.id),
            key: Set(Text(key.clone())),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        set_plain(&mut model, Some(value.expose().to_owned()), None);
        let row = model.insert(&txn).await?;
        record(&txn, actor, AuditAction::VariableCreate, &automation, &row).await?;
        added.push(key);
    }
    txn.commit().await?;
    problems.sort_by_key(|p| p.line);
    Ok(ImportReport { added, problems })
}

/// `(line, key, value)` for every entry of a `.env` block, and a problem for every line that is
/// not one. The parser stops at the first bad line, so parsing resumes after it.
fn parse_dotenv(text: &str) -> (Vec<(usize, String, String)>, Vec<LineProblem>) {
    let lines: Vec<&str> = text.lines().collect();
    let (mut entries, mut problems, mut start) = (Vec::new(), Vec::new(), 0usize);
    while start < lines.len() {
        match dotenvor::parse_str(&lines[start..].join("\n")) {
            Ok(parsed) => {
                entries.extend(parsed.into_iter().map(|e| (start + e.line as usize, e.key, e.value)));
                break;
            }
            Err(dotenvor::Error::Parse(error)) => {
                let bad = start + (error.line.max(1) as usize);
                // The lines before the bad one parse on their own.
                if let Ok(parsed) = dotenvor::parse_str(&lines[start..bad - 1].join("\n")) {
                    entries.extend(parsed.into_iter().map(|e| (start + e.line as usize, e.key, e.value)));
                }
                problems.push(LineProblem { line: bad, message: line_message(&error.kind) });
                start = bad;
            }
            Err(other) => {
                problems.push(LineProblem { line: start + 1, message: format!("This block cannot be read: {other}.") });
                break;
            }
        }
    }
    (entries, problems)
}

fn line_message(kind: &dotenvor::ParseErrorKind) -> String {
    use dotenvor::ParseErrorKind::*;
    match kind {
        MissingKey => "This line has no key before '=': write KEY=value.",
        InvalidKey => "This line's key is not a valid name: a key has only letters, digits and _.",
        UnterminatedQuote => "This line opens a quote that never closes: close it, or remove it.",
        InvalidSyntax => "This line is not KEY=value: write one variable per line, such as LOG_LEVEL=debug.",
    }
    .to_owned()
}

async fn record(
    db: &impl ConnectionTrait,
    actor: &Manager,
    action: AuditAction,
    automation: &automation::Model,
    row: &variable::Model,
) -> ServiceResult<()> {
    // Never a value, plain or sealed: the key and where the value comes from.
    let details = json!({
        "automation": automation.name,
        "automation_id": automation.id,
        "key": row.key.0.as_str(),
        "source": row.source.0,
        "sensitive": row.sensitive,
        "credential": row.credential_id,
        "secret_name": row.secret_name.as_ref().map(|n| n.0.as_str()),
        "json_key": row.json_key.as_ref().map(|k| k.0.as_str()),
    });
    let change = Change {
        org_id: Some(actor.org_id()),
        actor: actor.actor(),
        action,
        target: AuditTarget::Variable(row.id.into()),
        details,
    };
    audit::record(db, change).await
}

fn key_taken(error: DbErr, key: &EnvKey, automation: &automation::Model) -> ServiceError {
    if violates(&error, &VARIABLE_KEY) {
        FieldError::new(
            "key",
            format!("{} already has a variable {key}: edit that one, or choose another key.", automation.name),
        )
        .into()
    } else {
        error.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dotenv_block_gives_every_entry_and_every_bad_line_by_number() {
        let text = "# settings\nLOG_LEVEL=debug\nexport GREETING=\"hello world\"\nnot a line\nPATH_PART='$HOME/bin'\nEXPANDED=$HOME\n=x\nLAST=1";
        let (entries, problems) = parse_dotenv(text);
        let got: Vec<(usize, &str, &str)> = entries.iter().map(|(l, k, v)| (*l, k.as_str(), v.as_str())).collect();
        assert!(got.contains(&(2, "LOG_LEVEL", "debug")), "{got:?}");
        assert!(got.contains(&(3, "GREETING", "hello world")), "{got:?}");
        assert!(got.contains(&(5, "PATH_PART", "$HOME/bin")), "{got:?}");
        // Nothing of the server's environment leaks into a value.
        assert!(got.contains(&(6, "EXPANDED", "$HOME")), "{got:?}");
        assert!(got.contains(&(8, "LAST", "1")), "{got:?}");
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [4, 7], "{problems:?}");
    }

    #[test]
    fn a_sensitive_value_left_empty_means_keep() {
        let form = VariableForm {
            key: "TOKEN",
            source: SourceKind::Plain,
            value: "",
            sensitive: true,
            credential: None,
            secret_name: "",
            json_key: "",
        };
        let input = VariableInput::parse(form).unwrap();
        assert!(matches!(input.source, SourceInput::Plain { value: None, sensitive: true }));
        let secret = VariableForm { source: SourceKind::Secret, ..form };
        let fields: Vec<_> = match VariableInput::parse(secret).unwrap_err() {
            ServiceError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("{other:?}"),
        };
        assert_eq!(fields, ["credential", "secret_name"]);
    }
}

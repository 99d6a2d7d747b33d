//! The Audit Log page reads an organization's entries newest first (by id), optionally for one
//! actor or one action, and lists the organization's distinct actors. Each of those reads gets an
//! index that serves its filter and its order, so a page costs the same in a log of millions.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum AuditLog {
    Table,
    Id,
    OrgId,
    Actor,
    Action,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let indexes: [(&str, &[AuditLog]); 3] = [
            ("idx_audit_log_org_id", &[AuditLog::OrgId, AuditLog::Id]),
            ("idx_audit_log_org_actor", &[AuditLog::OrgId, AuditLog::Actor, AuditLog::Id]),
            ("idx_audit_log_org_action", &[AuditLog::OrgId, AuditLog::Action, AuditLog::Id]),
        ];
        for (name, columns) in indexes {
            let mut index = Index::create();
            index.name(name).table(AuditLog::Table);
            for column in columns {
                index.col(*column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        // Every read above goes by id: the (organization, time) index served none of them.
        manager.drop_index(Index::drop().name("idx_audit_log_org_created").table(AuditLog::Table).to_owned()).await?;
        Ok(())
    }
}

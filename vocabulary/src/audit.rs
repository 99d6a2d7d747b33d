//! The audit log's words: who acted, what they did, and to which object.
use std::{fmt, str::FromStr};

use crate::{
    error::FieldError,
    ids::{AutomationId, CredentialId, DeploymentId, OrgId, UserId, VariableId, WorkloadIdentityConfigId},
};

text_enum! {
    pub enum AuditAction ("action", "an audited action") {
        OrganizationCreate = "organization.create",
        UserCreate = "user.create",
        MemberAdd = "member.add",
        MemberRoleChange = "member.role_change",
        MemberRemove = "member.remove",
        SignInLocked = "user.sign_in_locked",
        WorkloadIdentityCreate = "workload_identity.create",
        WorkloadIdentityUpdate = "workload_identity.update",
        WorkloadIdentityMakeDefault = "workload_identity.make_default",
        WorkloadIdentityDelete = "workload_identity.delete",
        WorkloadIdentityAwsSetup = "workload_identity.aws_setup",
        CredentialCreate = "credential.create",
        CredentialUpdate = "credential.update",
        CredentialMakeDefault = "credential.make_default",
        CredentialDelete = "credential.delete",
        AutomationCreate = "automation.create",
        AutomationRename = "automation.rename",
        AutomationDelete = "automation.delete",
        AutomationRunRole = "automation.run_role",
        VariableCreate = "variable.create",
        VariableUpdate = "variable.update",
        VariableDelete = "variable.delete",
        DeploymentCreate = "deployment.create",
        DeploymentRevokeToken = "deployment.revoke_token",
    }
}

impl AuditAction {
    /// What happened, for people: the Audit Log's words and its Action filter's options.
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::OrganizationCreate => "Organization created",
            AuditAction::UserCreate => "User created",
            AuditAction::MemberAdd => "Member added",
            AuditAction::MemberRoleChange => "Member's role changed",
            AuditAction::MemberRemove => "Member removed",
            AuditAction::SignInLocked => "Sign-in paused after failures",
            AuditAction::WorkloadIdentityCreate => "Workload Identity config created",
            AuditAction::WorkloadIdentityUpdate => "Workload Identity config edited",
            AuditAction::WorkloadIdentityMakeDefault => "Workload Identity config made default",
            AuditAction::WorkloadIdentityDelete => "Workload Identity config deleted",
            AuditAction::WorkloadIdentityAwsSetup => "Set up in AWS",
            AuditAction::CredentialCreate => "Credential created",
            AuditAction::CredentialUpdate => "Credential edited",
            AuditAction::CredentialMakeDefault => "Credential made default",
            AuditAction::CredentialDelete => "Credential deleted",
            AuditAction::AutomationCreate => "Automation created",
            AuditAction::AutomationRename => "Automation renamed",
            AuditAction::AutomationDelete => "Automation deleted",
            AuditAction::AutomationRunRole => "AWS role for runs changed",
            AuditAction::VariableCreate => "Variable added",
            AuditAction::VariableUpdate => "Variable edited",
            AuditAction::VariableDelete => "Variable deleted",
            AuditAction::DeploymentCreate => "Automation deployed",
            AuditAction::DeploymentRevokeToken => "Deployment token revoked",
        }
    }
}

/// Who made a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Actor {
    User(UserId),
    /// An operator at the `wisp` command line.
    Cli,
    /// Wisp itself, acting on a rule (locking sign-in after repeated failures).
    Wisp,
}

/// What a change was made to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuditTarget {
    Organization(OrgId),
    User(UserId),
    WorkloadIdentityConfig(WorkloadIdentityConfigId),
    Credential(CredentialId),
    Automation(AutomationId),
    Variable(VariableId),
    Deployment(DeploymentId),
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::User(id) => write!(f, "user:{id}"),
            Actor::Cli => f.write_str("cli"),
            Actor::Wisp => f.write_str("wisp"),
        }
    }
}

impl FromStr for Actor {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once(':') {
            None if s == "cli" => Ok(Actor::Cli),
            None if s == "wisp" => Ok(Actor::Wisp),
            Some(("user", id)) => Ok(Actor::User(id.parse()?)),
            _ => Err(FieldError::new("actor", format!("'{s}' is not an actor: use cli, wisp or user:<uuid>."))),
        }
    }
}

impl fmt::Display for AuditTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditTarget::Organization(id) => write!(f, "organization:{id}"),
            AuditTarget::User(id) => write!(f, "user:{id}"),
            AuditTarget::WorkloadIdentityConfig(id) => write!(f, "workload_identity_config:{id}"),
            AuditTarget::Credential(id) => write!(f, "credential:{id}"),
            AuditTarget::Automation(id) => write!(f, "automation:{id}"),
            AuditTarget::Variable(id) => write!(f, "variable:{id}"),
            AuditTarget::Deployment(id) => write!(f, "deployment:{id}"),
        }
    }
}

impl FromStr for AuditTarget {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once(':') {
            Some(("organization", id)) => Ok(AuditTarget::Organization(id.parse()?)),
            Some(("user", id)) => Ok(AuditTarget::User(id.parse()?)),
            Some(("workload_identity_config", id)) => Ok(AuditTarget::WorkloadIdentityConfig(id.parse()?)),
            Some(("credential", id)) => Ok(AuditTarget::Credential(id.parse()?)),
            Some(("automation", id)) => Ok(AuditTarget::Automation(id.parse()?)),
            Some(("variable", id)) => Ok(AuditTarget::Variable(id.parse()?)),
            Some(("deployment", id)) => Ok(AuditTarget::Deployment(id.parse()?)),
            _ => Err(FieldError::new("target", format!("'{s}' is not an audited object."))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_targets_and_actions_round_trip_through_text() {
        let user: UserId = "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f".parse().unwrap();
        for actor in [Actor::Cli, Actor::Wisp, Actor::User(user)] {
            assert_eq!(actor.to_string().parse::<Actor>().unwrap(), actor);
        }
        let target = AuditTarget::WorkloadIdentityConfig(user.as_uuid().into());
        assert_eq!(target.to_string().parse::<AuditTarget>().unwrap(), target);
        for action in AuditAction::ALL {
            assert_eq!(action.as_str().parse::<AuditAction>().unwrap(), *action);
        }
        assert!("user:nope".parse::<Actor>().is_err());
        assert!("member.promote".parse::<AuditAction>().is_err());
    }
}

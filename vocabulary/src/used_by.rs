//! Who uses an object, by kind: said beside the object on its page and in the refusal to delete
//! it, in the same words.
use std::fmt;

use serde::{Deserialize, Serialize};

text_enum! {
    /// The kinds of object that can hold on to another one.
    pub enum UserKind ("user_kind", "a kind of user") {
        /// Credentials that sign in through a workload identity config.
        Credentials = "credentials",
        /// Automations whose variables read secrets through a credential, or whose runs assume a
        /// workload identity config's role.
        Automations = "automations",
        /// Deployments whose token still works and whose frozen variables read through a credential,
        /// or which froze a workload identity config as their AWS role for runs.
        ActiveDeployments = "active deployments",
    }
}

/// The users of one kind, by name, sorted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Users {
    pub kind: UserKind,
    pub names: Vec<String>,
}

/// Every user of an object; no group is empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsedBy(Vec<Users>);

impl UsedBy {
    /// Adds a group of `kind`; an empty one is left out.
    pub fn with(mut self, kind: UserKind, names: Vec<String>) -> Self {
        if !names.is_empty() {
            self.0.push(Users { kind, names });
        }
        self
    }

    /// Adds one user after the others; users of one kind given one after another form one group.
    pub fn push(&mut self, kind: UserKind, name: String) {
        match self.0.last_mut() {
            Some(group) if group.kind == kind => group.names.push(name),
            _ => self.0.push(Users { kind, names: vec![name] }),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn kinds(&self) -> impl Iterator<Item = UserKind> + '_ {
        self.0.iter().map(|group| group.kind)
    }

    pub fn groups(&self) -> &[Users] {
        &self.0
    }
}

/// "automations alerts, billing and active deployments billing #1".
impl fmt::Display for UsedBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, group) in self.0.iter().enumerate() {
            if n > 0 {
                f.write_str(" and ")?;
            }
            write!(f, "{} {}", group.kind, group.names.join(", "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_as_part_of_a_sentence_and_leaves_empty_groups_out() {
        let used = UsedBy::default()
            .with(UserKind::Automations, vec!["alerts".into(), "billing".into()])
            .with(UserKind::ActiveDeployments, vec![])
            .with(UserKind::ActiveDeployments, vec!["billing #1".into()]);
        assert_eq!(used.to_string(), "automations alerts, billing and active deployments billing #1");
        assert_eq!(used.kinds().collect::<Vec<_>>(), [UserKind::Automations, UserKind::ActiveDeployments]);
        assert!(UsedBy::default().with(UserKind::Credentials, vec![]).is_empty());
        let mut pushed = UsedBy::default();
        for (kind, name) in [(UserKind::Automations, "alerts"), (UserKind::Automations, "billing")] {
            pushed.push(kind, name.to_owned());
        }
        pushed.push(UserKind::ActiveDeployments, "billing #1".to_owned());
        assert_eq!(pushed, used);
    }
}

//! Secret Name suggestions from Vault: KV version 2 lists one folder at a time and has no prefix
//! filter, so the typed text is split at its last `/` into the folder to list and the start of the
//! names in it. Folders come back with their trailing `/`, so picking one goes on down the tree.
use vocabulary::vault::KvMount;

use super::client::{Vault, VaultFailure, VaultToken};

/// What the typed text asks Vault for: the folder to list, and how the names in it must start.
#[derive(Debug, PartialEq, Eq)]
pub struct Lookup<'a> {
    pub folder: &'a str,
    pub start: &'a str,
}

impl<'a> Lookup<'a> {
    pub fn of(typed: &'a str) -> Self {
        let typed = typed.trim_start_matches('/');
        match typed.rfind('/') {
            Some(end) => Self { folder: &typed[..=end], start: &typed[end + 1..] },
            None => Self { folder: "", start: typed },
        }
    }

    /// The names of `listed` (a listing of the folder) this lookup suggests, as full paths, at most
    /// `max`, in Vault's order (sorted).
    pub fn suggest(&self, listed: &[String], max: usize) -> Suggested {
        let matching: Vec<&String> = listed.iter().filter(|name| name.starts_with(self.start)).collect();
        Suggested {
            complete: matching.len() <= max,
            paths: matching.into_iter().take(max).map(|name| format!("{}{name}", self.folder)).collect(),
        }
    }
}

/// Paths that start as typed, and whether they are all there are.
#[derive(Debug, PartialEq, Eq)]
pub struct Suggested {
    pub paths: Vec<String>,
    pub complete: bool,
}

/// The paths under `kv` that start with `typed`, at most `max`.
pub async fn suggest(
    vault: Vault<'_>,
    token: &VaultToken,
    kv: &KvMount,
    typed: &str,
    max: usize,
) -> Result<Suggested, VaultFailure> {
    let lookup = Lookup::of(typed);
    let listed = vault.list(token, kv, lookup.folder).await?;
    Ok(lookup.suggest(&listed, max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_typed_text_splits_into_a_folder_and_a_start() {
        assert_eq!(Lookup::of(""), Lookup { folder: "", start: "" });
        assert_eq!(Lookup::of("pa"), Lookup { folder: "", start: "pa" });
        assert_eq!(Lookup::of("teams/pay"), Lookup { folder: "teams/", start: "pay" });
        assert_eq!(Lookup::of("/teams/payments/"), Lookup { folder: "teams/payments/", start: "" });
    }

    #[test]
    fn suggestions_are_full_paths_that_start_as_typed() {
        let listed = ["db".to_owned(), "deploy/".to_owned(), "api".to_owned()];
        let paths = |lookup: &str, max| Lookup::of(lookup).suggest(&listed, max).paths;
        assert_eq!(paths("app/d", 20), ["app/db", "app/deploy/"]);
        assert_eq!(paths("app/", 2), ["app/db", "app/deploy/"]);
        assert!(!Lookup::of("app/").suggest(&listed, 2).complete);
        assert!(Lookup::of("app/d").suggest(&listed, 2).complete);
        assert!(paths("app/x", 20).is_empty());
    }
}

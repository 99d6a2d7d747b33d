//! The web identity token file of a run: in a folder of its own that only this user can enter
//! (0700), the file itself 0600, replaced whole (written beside it, then renamed over it) so an
//! AWS SDK reading it at any moment reads one token or the next, never half of one. The folder
//! goes when the value is dropped, that is when the command has ended.
use std::{
    io::Write,
    path::{Path, PathBuf},
};

pub struct TokenFile {
    folder: tempfile::TempDir,
    path: PathBuf,
}

impl TokenFile {
    pub fn create(token: &str) -> std::io::Result<Self> {
        // Under $TMPDIR, with a name no other process can take, and only this user may enter it.
        let mut builder = tempfile::Builder::new();
        builder.prefix("wisp-run-");
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
        let folder = builder.tempdir()?;
        let path = folder.path().join("web-identity-token");
        let file = Self { folder, path };
        file.replace(token)?;
        Ok(file)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Puts `token` in place of the current one at once.
    pub fn replace(&self, token: &str) -> std::io::Result<()> {
        let staged = self.folder.path().join(".web-identity-token.next");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&staged)?;
        file.write_all(token.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&staged, &self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_private_replaced_whole_and_gone_with_its_folder() {
        let file = TokenFile::create("first").unwrap();
        let path = file.path().to_owned();
        let folder = path.parent().unwrap().to_owned();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "first");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            assert_eq!(std::fs::metadata(&folder).unwrap().permissions().mode() & 0o777, 0o700);
        }
        // A reader holding the old file keeps reading the old token; the path gives the new one.
        let mut held = std::fs::File::open(&path).unwrap();
        file.replace("second").unwrap();
        let mut old = String::new();
        std::io::Read::read_to_string(&mut held, &mut old).unwrap();
        assert_eq!((old.as_str(), std::fs::read_to_string(&path).unwrap().as_str()), ("first", "second"));
        assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 1, "nothing staged is left beside it");
        drop(file);
        assert!(!folder.exists());
    }
}

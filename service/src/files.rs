//! Files and folders only their owner may read: Wisp's data folder, its SQLite database, keys.
use std::{io, path::Path};

/// Creates `path` (and missing parents) readable by its owner only.
pub fn create_private_dir(path: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path)
}

/// Writes a new file only its owner can read.
pub fn write_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents)
}

/// Makes `path` exist and readable by its owner only, keeping what it holds.
pub fn make_private(path: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?;
    #[cfg(unix)]
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn folders_and_files_are_the_owners_alone() {
        let root = std::env::temp_dir().join(format!("wisp-files-{}", std::process::id()));
        let folder = root.join("data");
        create_private_dir(&folder).unwrap();
        assert_eq!(mode(&folder), 0o700);
        let key = folder.join("key");
        write_private(&key, b"k").unwrap();
        assert_eq!(mode(&key), 0o600);
        let db = folder.join("wisp.db");
        std::fs::write(&db, b"kept").unwrap();
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        make_private(&db).unwrap();
        assert_eq!((mode(&db), std::fs::read(&db).unwrap()), (0o600, b"kept".to_vec()));
        std::fs::remove_dir_all(root).unwrap();
    }
}

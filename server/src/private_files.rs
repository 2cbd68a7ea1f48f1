//! Files only the owner may read: authd's data directory, its SQLite database (which holds
//! password hashes and private signing keys) and the generated JWT secret.
//!
//! Every file authd creates is mode 0600 and every directory 0700, whatever the umask, and files
//! found with wider modes are narrowed at start-up. A data directory that others can enter is
//! kept as it is (it may be shared on purpose) but logged as a warning.

use std::fs::{self, OpenOptions};
use std::io;
use std::path::Path;

/// Creates `dir` (and parents) if missing, mode 0700; warns when it exists and is accessible to
/// group or others.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)?;
    warn_if_open_to_others(dir);
    Ok(())
}

/// Creates the new file `path` (error if it exists), mode 0600.
pub fn create_private_file(path: &Path) -> io::Result<fs::File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    // The umask can only narrow the mode; this makes 0600 exact.
    restrict_to_owner(path)?;
    Ok(file)
}

/// Creates `path` empty with mode 0600 unless it exists; an existing file accessible to group or
/// others is narrowed to 0600 (logged). Missing files stay missing when `create` is false.
pub fn ensure_private_file(path: &Path, create: bool) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(_) => narrow(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if !create {
                return Ok(());
            }
            match create_private_file(path) {
                Ok(_) => Ok(()),
                // Created a moment ago by another instance: narrow theirs.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => narrow(path),
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

#[cfg(unix)]
fn narrow(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)?.permissions().mode();
    if mode & 0o077 != 0 {
        tracing::warn!(
            path = %path.display(),
            mode = format_args!("{:o}", mode & 0o777),
            "file was accessible to group or others; narrowed to 0600"
        );
        restrict_to_owner(path)?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn narrow(_path: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn restrict_to_owner(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict_to_owner(_path: &Path) -> io::Result<()> {
    Ok(())
}

/// Logs a warning when `dir` can be entered or listed by group or others.
pub fn warn_if_open_to_others(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = fs::metadata(dir)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(
                path = %dir.display(),
                mode = format_args!("{:o}", meta.permissions().mode() & 0o777),
                "the data directory is accessible to group or others; chmod 700 it \
                 (authd's files in it are 0600)"
            );
        }
    }
}

/// Whether `path` is accessible to group or others (always `false` off unix).
pub fn open_to_others(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn created_files_are_0600_and_wide_existing_ones_are_narrowed() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new");
        ensure_private_file(&new, true).unwrap();
        assert_eq!(mode(&new), 0o600);
        let old = dir.path().join("old");
        fs::write(&old, b"x").unwrap();
        fs::set_permissions(&old, fs::Permissions::from_mode(0o644)).unwrap();
        ensure_private_file(&old, false).unwrap();
        assert_eq!(mode(&old), 0o600);
        let absent = dir.path().join("absent");
        ensure_private_file(&absent, false).unwrap();
        assert!(!absent.exists());
    }

    #[test]
    fn new_directories_are_0700() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("a/b");
        create_private_dir(&data).unwrap();
        assert_eq!(mode(&data), 0o700);
        assert!(!open_to_others(&data));
    }
}

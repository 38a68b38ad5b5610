//! Reading the user's `--data-file` paths for the loaders, with limits: every read is bounded (a pipe or
//! `/dev/zero` stops one byte past the limit), folders skip hidden and system files and never
//! follow a link out of the folder (or round in a loop), and the number of files and their total
//! size are capped. Every error names the file.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::common::CliError;
use crate::data::loaders::{LoadedSet, MAX_FILE_BYTES, MAX_FILES, MAX_TOTAL_BYTES, load_files};

/// Names of files and folders that are never data: hidden ones, and the litter of file
/// managers and archivers.
fn skipped(name: &str) -> bool {
    name.starts_with('.')
        || matches!(
            name.to_ascii_lowercase().as_str(),
            "thumbs.db" | "desktop.ini" | "__macosx" | "$recycle.bin" | "icon\r"
        )
}

struct Walk {
    files: Vec<(String, Vec<u8>)>,
    total: usize,
    /// Folders already walked (canonical), against link loops.
    seen: HashSet<PathBuf>,
}

fn too_many(path: &Path, what: String) -> CliError {
    CliError::Usage(format!("{}: {what}", path.display()))
}

impl Walk {
    /// Reads one file, at most one byte past the per-file limit.
    fn read(&mut self, path: &Path, name: String) -> Result<(), CliError> {
        if self.files.len() >= MAX_FILES {
            return Err(too_many(path, format!("more than {MAX_FILES} files")));
        }
        let file = std::fs::File::open(path).map_err(CliError::file(path))?;
        let mut bytes = Vec::new();
        file.take(MAX_FILE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(CliError::file(path))?;
        if bytes.len() > MAX_FILE_BYTES {
            return Err(too_many(
                path,
                format!("over the {} MB limit per file", MAX_FILE_BYTES >> 20),
            ));
        }
        self.total += bytes.len();
        if self.total > MAX_TOTAL_BYTES {
            return Err(too_many(
                path,
                format!("the files pass {} MB in all", MAX_TOTAL_BYTES >> 20),
            ));
        }
        self.files.push((name, bytes));
        Ok(())
    }

    /// Walks `dir` (inside `root`, both canonical), names relative to `base`.
    fn folder(&mut self, root: &Path, dir: &Path, base: &Path) -> Result<(), CliError> {
        if !self.seen.insert(dir.to_path_buf()) {
            return Ok(());
        }
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(CliError::file(dir))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            let name = entry.file_name().map(|n| n.to_string_lossy().into_owned());
            if name.as_deref().is_none_or(skipped) {
                continue;
            }
            // Links are followed only while they stay inside the folder.
            let Ok(target) = entry.canonicalize() else {
                eprintln!("skipped {}: a broken link", entry.display());
                continue;
            };
            if !target.starts_with(root) {
                eprintln!(
                    "skipped {}: a link out of {}",
                    entry.display(),
                    root.display()
                );
                continue;
            }
            let meta = std::fs::metadata(&target).map_err(CliError::file(&entry))?;
            if meta.is_dir() {
                self.folder(root, &target, base)?;
            } else if meta.is_file() {
                // Names relative to the given folder keep class folders ("cats/001.png").
                let name = entry
                    .strip_prefix(base)
                    .unwrap_or(&entry)
                    .to_string_lossy()
                    .into_owned();
                self.read(&entry, name)?;
            }
        }
        Ok(())
    }
}

/// Every file of `paths` (files as given, folders walked), with its name for the loaders.
pub fn read_all(paths: &[PathBuf]) -> Result<Vec<(String, Vec<u8>)>, CliError> {
    let mut walk = Walk {
        files: Vec::new(),
        total: 0,
        seen: HashSet::new(),
    };
    for path in paths {
        let meta = std::fs::metadata(path).map_err(CliError::file(path))?;
        if meta.is_dir() {
            let root = path.canonicalize().map_err(CliError::file(path))?;
            walk.folder(&root, &root, &root)?;
        } else {
            // A file named on the command line is read as asked (a pipe too, within the limit).
            let name = path
                .file_name()
                .map_or_else(|| path.to_string_lossy(), |n| n.to_string_lossy())
                .into_owned();
            walk.read(path, name)?;
        }
    }
    Ok(walk.files)
}

/// Reads `--data-file` paths (files, or folders walked with the limits above) as the loaders'
/// input.
pub fn read_data_files(
    paths: &[PathBuf],
    image_size: usize,
) -> Result<Option<LoadedSet>, CliError> {
    if paths.is_empty() {
        return Ok(None);
    }
    let files = read_all(paths)?;
    Ok(Some(load_files(&files, image_size)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("cpg-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn folders_skip_litter_and_links_out_and_survive_loops() {
        let d = dir("walk");
        std::fs::create_dir_all(d.join("cats")).unwrap();
        std::fs::write(d.join("cats/a.png"), b"a").unwrap();
        std::fs::write(d.join("cats/.DS_Store"), b"x").unwrap();
        std::fs::write(d.join("Thumbs.db"), b"x").unwrap();
        let outside = dir("outside");
        std::fs::write(outside.join("secret.png"), b"s").unwrap();
        std::os::unix::fs::symlink(&outside, d.join("cats/out")).unwrap();
        std::os::unix::fs::symlink(&d, d.join("cats/loop")).unwrap();
        let files = read_all(std::slice::from_ref(&d)).unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(names, ["cats/a.png"]);
    }

    #[test]
    fn reads_are_bounded_even_without_a_size() {
        let e = read_all(&[PathBuf::from("/dev/zero")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("/dev/zero") && e.contains("limit"), "{e}");
        let e = read_all(&[PathBuf::from("/no/such/file")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("/no/such/file"), "{e}");
    }
}

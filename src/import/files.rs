//! Finding the files of an import: the walk, the size limit and the site of each page.

use std::path::{Path, PathBuf};

use super::{ImportError, Skipped};
use crate::clean::{self, Mode};
use crate::decode::{Format, SkipReason};
use crate::extract::ExtractedPage;

/// A file found under an imported path.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Where it is.
    pub abs: PathBuf,
    /// Its identity: the path relative to the folder it was imported from, `/`-separated.
    pub rel: String,
    /// That folder, absolute.
    pub root: String,
    /// Text or HTML.
    pub format: Format,
}

/// Walk `paths` (files or folders, recursively). Files hitta does not import and
/// entries it cannot walk (loops, unreadable folders) come back as [`Skipped`].
pub fn collect_files(
    paths: &[PathBuf],
    mode: Mode,
) -> Result<(Vec<Candidate>, Vec<Skipped>), ImportError> {
    let mut found = Vec::new();
    let mut skipped = Vec::new();
    for path in paths {
        if !path.exists() {
            return Err(ImportError::NoSuchPath(path.clone()));
        }
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.clone());
        let (root, walk_from) = if abs.is_dir() {
            (abs.clone(), abs.clone())
        } else {
            (
                abs.parent().map(Path::to_path_buf).unwrap_or_default(),
                abs.clone(),
            )
        };
        let root_str = root.to_string_lossy().into_owned();
        let rel_of = |p: &Path| {
            let r = p.strip_prefix(&root).unwrap_or(p);
            r.components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/")
        };
        for entry in walkdir::WalkDir::new(&walk_from)
            .follow_links(true)
            .sort_by_file_name()
        {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let p = e.path().map(rel_of).unwrap_or_else(|| rel_of(&walk_from));
                    let reason = if e.loop_ancestor().is_some() {
                        "symbolic link loop: not followed".to_string()
                    } else {
                        format!(
                            "cannot read: {}",
                            e.io_error()
                                .map(|x| x.to_string())
                                .unwrap_or_else(|| e.to_string())
                        )
                    };
                    skipped.push(Skipped { path: p, reason });
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = rel_of(entry.path());
            let format = Format::of(entry.path()).map(|f| match mode {
                Mode::Html => Format::Html,
                Mode::Text => Format::Text,
                Mode::Auto | Mode::Off => f,
            });
            match format {
                Some(format) => found.push(Candidate {
                    abs: entry.path().to_path_buf(),
                    rel,
                    root: root_str.clone(),
                    format,
                }),
                None => skipped.push(Skipped {
                    path: rel,
                    reason: SkipReason::Unsupported.to_string(),
                }),
            }
        }
    }
    Ok((found, skipped))
}

/// Read a file as bytes, respecting the size limit.
pub(crate) fn read_limited(c: &Candidate, max_mb: u64) -> Result<Vec<u8>, SkipReason> {
    let unreadable = |e: std::io::Error| SkipReason::Unreadable(e.to_string());
    let len = std::fs::metadata(&c.abs).map_err(unreadable)?.len();
    if len > max_mb * 1_000_000 {
        return Err(SkipReason::TooLarge {
            size_mb: len as f64 / 1e6,
            limit_mb: max_mb,
        });
    }
    std::fs::read(&c.abs).map_err(unreadable)
}

/// The site of a page: the host of its URL when the markup names one, else the first
/// folder of its relative path (`karlskoga.se/nyheter/x.txt`), else the name of the
/// imported folder.
pub fn site_of(page: &ExtractedPage, c: &Candidate) -> String {
    if let Some(host) = clean::url_site(page) {
        return host;
    }
    if let Some((first, _)) = c.rel.split_once('/') {
        return first.to_lowercase();
    }
    Path::new(&c.root)
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

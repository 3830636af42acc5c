//! Finding the files of an import: the walk, the size limit and the site of each page.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{ImportError, Skipped};
use crate::clean::{self, Mode};
use crate::decode::{Format, SkipReason};
use crate::extract::ExtractedPage;

/// A file found under an imported path. An import holds one per file for the whole run,
/// so it is kept small (a million files must fit in well under 1 GB): the folder is shared,
/// and the absolute path is only stored when `root/rel` does not spell it (a name that is
/// not UTF-8).
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Its identity: the path relative to the folder it was imported from, `/`-separated.
    pub rel: Box<str>,
    /// That folder, absolute.
    pub root: Arc<str>,
    /// Text or HTML.
    pub format: Format,
    /// Where it is, when that is not `root/rel`.
    abs: Option<Box<Path>>,
}

impl Candidate {
    /// Where the file is.
    pub fn path(&self) -> Cow<'_, Path> {
        match &self.abs {
            Some(p) => Cow::Borrowed(p),
            None => Cow::Owned(Path::new(&*self.root).join(&*self.rel)),
        }
    }
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
        let root_str: Arc<str> = root.to_string_lossy().into();
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
                Some(format) => {
                    let spelt = Path::new(&*root_str).join(&rel) == entry.path();
                    found.push(Candidate {
                        abs: (!spelt).then(|| entry.path().into()),
                        rel: rel.into(),
                        root: root_str.clone(),
                        format,
                    })
                }
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
    let path = c.path();
    let len = std::fs::metadata(&path).map_err(unreadable)?.len();
    if len > max_mb * 1_000_000 {
        return Err(SkipReason::TooLarge {
            size_mb: len as f64 / 1e6,
            limit_mb: max_mb,
        });
    }
    std::fs::read(&path).map_err(unreadable)
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
    Path::new(&*c.root)
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

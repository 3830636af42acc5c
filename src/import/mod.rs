//! The import driver: files → decode → extract → clean → index.
//!
//! Per-file problems are data, not errors (ripgrep's way): a file that cannot be read,
//! decoded or cleaned is named in the [`ImportReport`] with its reason and the import
//! goes on. Only what stops the whole import (no such folder, index not writable or held
//! by another import) is an [`ImportError`].
//!
//! Pages are cleaned against line statistics of the whole import, so every file is
//! decoded and extracted once to learn them, even when only one file changed.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde::Serialize;

use crate::clean::{self, CleanConfig, CleanPage, Mode, Prepared, SiteStats};
use crate::config::Config;
use crate::decode::{self, Format, RawPage, SkipReason};
use crate::extract::{self, ExtractedPage};
use crate::index::{HittaIndex, ImportLock, IndexError};

/// What stops a whole import.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}: no such file or folder")]
    NoSuchPath(PathBuf),
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Files or folders; empty means the configured import folder.
    pub paths: Vec<PathBuf>,
    /// Remove documents whose file is gone from the imported folders.
    pub prune: bool,
    /// Start from an empty index.
    pub rebuild: bool,
    /// Draw a progress bar (only ever on a terminal).
    pub progress: bool,
}

/// A file hitta did not index, and why.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Skipped {
    /// Path relative to the folder it was found in.
    pub path: String,
    /// What is wrong with it, in words a user can act on.
    pub reason: String,
}

/// The summary of one import (`--json` prints it as one object).
#[derive(Debug, Clone, Serialize, Default)]
pub struct ImportReport {
    /// New documents.
    pub imported: usize,
    /// Documents replaced because their file changed.
    pub updated: usize,
    /// Files whose content hash matched the index.
    pub unchanged: usize,
    /// Documents deleted (`--prune`, or a file that no longer yields a page).
    pub removed: usize,
    /// Files not indexed, each with its reason.
    pub skipped: Vec<Skipped>,
    /// Documents in the index afterwards.
    pub documents: u64,
    /// Wall time of the import.
    pub elapsed_ms: u64,
    /// Wall time of each stage (they run one after the other, each on all cores).
    pub stages_ms: Stages,
}

/// Wall time per import stage, milliseconds.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Stages {
    /// Reading and hashing files.
    pub read: u64,
    /// Decoding and extracting lines (HTML parsing).
    pub decode: u64,
    /// Learning site statistics and cleaning.
    pub clean: u64,
    /// Analysis and indexing (tantivy's writer threads).
    pub index: u64,
    /// Commits, including the final one and waiting for merges.
    pub commit: u64,
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "imported {}, updated {}, unchanged {}, removed {}, skipped {} in {:.1} s ({} documents in the index)",
            self.imported,
            self.updated,
            self.unchanged,
            self.removed,
            self.skipped.len(),
            self.elapsed_ms as f64 / 1000.0,
            self.documents
        )?;
        let st = &self.stages_ms;
        let total = (st.read + st.decode + st.clean + st.index + st.commit).max(1);
        if st.decode + st.clean + st.index > 0 {
            let sec = |v: u64| v as f64 / 1000.0;
            writeln!(
                f,
                "stages: read {:.1} s, decode+extract {:.1} s, clean {:.1} s ({:.0}%), index {:.1} s, commit {:.1} s",
                sec(st.read),
                sec(st.decode),
                sec(st.clean),
                100.0 * st.clean as f64 / total as f64,
                sec(st.index),
                sec(st.commit)
            )?;
        }
        for s in &self.skipped {
            writeln!(f, "  skipped {}: {}", s.path, s.reason)?;
        }
        Ok(())
    }
}

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
fn read_limited(c: &Candidate, max_mb: u64) -> Result<Vec<u8>, SkipReason> {
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
    if let Some(url) = &page.url {
        let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = host.rsplit_once('@').map(|(_, h)| h).unwrap_or(host);
        let host = host
            .split(':')
            .next()
            .unwrap_or("")
            .trim_start_matches("www.");
        if !host.is_empty() {
            return host.to_lowercase();
        }
    }
    if let Some((first, _)) = c.rel.split_once('/') {
        return first.to_lowercase();
    }
    Path::new(&c.root)
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

fn load(c: &Candidate, bytes: &[u8]) -> Result<ExtractedPage, SkipReason> {
    let raw = decode::decode(c.rel.clone(), c.format, bytes)?;
    extract::extract(raw)
}

/// Decode and extract, keeping the decoded text for the index (see [`crate::index::Fields::raw`]).
fn load_keeping_raw(c: &Candidate, bytes: &[u8]) -> Result<(String, ExtractedPage), SkipReason> {
    let raw = decode::decode(c.rel.clone(), c.format, bytes)?;
    let text = raw.text.clone();
    Ok((text, extract::extract(raw)?))
}

/// Pages already in the index (outside this import) as extracted pages, so that site
/// statistics cover every known page of a site, not only the ones read now.
fn stored_pages(
    index: &HittaIndex,
    skip: &HashSet<&str>,
) -> Result<Vec<ExtractedPage>, ImportError> {
    let stored = index.raw_pages(&|p| skip.contains(p))?;
    Ok(stored
        .into_par_iter()
        .filter_map(|s| {
            let raw = RawPage {
                path: s.path,
                format: s.format,
                text: s.raw,
                encoding: "UTF-8",
            };
            extract::extract(raw).ok()
        })
        .collect())
}

/// Decode, extract and clean `files` the way an import does (statistics learnt over all
/// of them), without touching any index: what `hitta clean` and `hitta eval clean` show.
pub fn clean_files(
    files: &[Candidate],
    cfg: &Config,
) -> Vec<(Candidate, Result<CleanPage, SkipReason>)> {
    let pages: Vec<Result<ExtractedPage, SkipReason>> = files
        .par_iter()
        .map(|c| read_limited(c, cfg.import.max_file_mb).and_then(|b| load(c, &b)))
        .collect();
    let stats = learn(pages.iter().filter_map(|p| p.as_ref().ok()), &cfg.clean);
    files
        .par_iter()
        .zip(pages.into_par_iter())
        .map(|(c, p)| {
            (
                c.clone(),
                p.and_then(|p| clean::clean(&p, &stats, &cfg.clean)),
            )
        })
        .collect()
}

fn learn<'a>(pages: impl Iterator<Item = &'a ExtractedPage>, cfg: &CleanConfig) -> SiteStats {
    let mut stats = SiteStats::default();
    for p in pages {
        stats.add(p, cfg);
    }
    stats
}

fn progress_bar(enabled: bool, len: usize, msg: &'static str) -> ProgressBar {
    if !enabled || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{msg:>9} [{bar:40}] {pos}/{len} files ({per_sec}, {eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(msg);
    bar
}

/// A cleaned new or changed page with what the index stores beside it.
struct Ready {
    page: CleanPage,
    site: String,
    raw: String,
}

fn ms(since: Instant) -> u64 {
    since.elapsed().as_millis() as u64
}

/// Import `opts.paths` (or the configured folder) into the configured index.
pub fn run(cfg: &Config, opts: &ImportOptions) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    let paths = if opts.paths.is_empty() {
        vec![cfg.import.dir.clone()]
    } else {
        opts.paths.clone()
    };
    let (files, mut skipped) = collect_files(&paths, cfg.clean.mode)?;
    let _lock = ImportLock::acquire(&cfg.index.dir)?;
    let index = match HittaIndex::open_or_create(&cfg.index.dir, opts.rebuild) {
        Err(IndexError::Version { .. }) if !opts.rebuild => {
            HittaIndex::open_or_create(&cfg.index.dir, true)?
        }
        other => other?,
    };
    let existing = index.existing()?;
    let mut report = ImportReport::default();

    // Read and hash every file, so unchanged ones cost nothing more.
    let t = Instant::now();
    let bar = progress_bar(opts.progress, files.len(), "reading");
    let read: Vec<Result<(Vec<u8>, String), SkipReason>> = files
        .par_iter()
        .map(|c| {
            let r = read_limited(c, cfg.import.max_file_mb).map(|b| {
                let h = blake3::hash(&b).to_hex().to_string();
                (b, h)
            });
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();
    report.stages_ms.read = ms(t);

    let changed: Vec<bool> = files
        .iter()
        .zip(&read)
        .map(|(c, r)| match (r, existing.get(&c.rel)) {
            (Ok((_, h)), Some((old, root))) => !(old == h && *root == c.root),
            _ => true,
        })
        .collect();
    let seen: HashSet<&str> = files.iter().map(|c| c.rel.as_str()).collect();
    if !changed.iter().any(|&c| c) && !opts.prune {
        report.unchanged = read.iter().filter(|r| r.is_ok()).count();
        report.skipped = skipped;
        report.documents = existing.len() as u64;
        report.elapsed_ms = ms(started);
        return Ok(report);
    }

    // Decode and extract every readable file: the statistics need all pages of the import.
    let t = Instant::now();
    let bar = progress_bar(opts.progress, files.len(), "cleaning");
    let pages: Vec<Result<(String, ExtractedPage), SkipReason>> = files
        .par_iter()
        .zip(read.par_iter())
        .map(|(c, r)| {
            let p = r
                .as_ref()
                .map_err(Clone::clone)
                .and_then(|(bytes, _)| load_keeping_raw(c, bytes));
            bar.inc(1);
            p
        })
        .collect();
    let hashes: Vec<Option<String>> = read.into_iter().map(|r| r.ok().map(|(_, h)| h)).collect();
    report.stages_ms.decode = ms(t);

    // Learn line statistics over these pages and the indexed ones not read now, then
    // clean the new and changed pages. Line signals are computed once per page.
    let t = Instant::now();
    let prepared: Vec<Result<(String, Prepared), SkipReason>> = pages
        .into_par_iter()
        .map(|p| p.map(|(raw, page)| (raw, clean::prepare(page, &cfg.clean))))
        .collect();
    let mut stats = SiteStats::default();
    for (_, p) in prepared.iter().flatten() {
        stats.add_prepared(p);
    }
    if existing.keys().any(|p| !seen.contains(p.as_str())) {
        for page in stored_pages(&index, &seen)? {
            stats.add(&page, &cfg.clean);
        }
    }
    let cleaned: Vec<Option<Result<Ready, SkipReason>>> = prepared
        .into_par_iter()
        .zip(files.par_iter().zip(changed.par_iter()))
        .map(|(p, (c, &ch))| {
            ch.then(|| {
                let (raw, p) = p?;
                let site = site_of(&p.page, c);
                clean::clean_prepared(&p, &stats, &cfg.clean).map(|page| Ready { page, site, raw })
            })
        })
        .collect();
    bar.finish_and_clear();
    report.stages_ms.clean = ms(t);

    // Index, committing every `commit_every` pages so an interruption keeps the work.
    let t = Instant::now();
    let mut writer = index.writer(cfg.index.writer_memory_mb)?;
    let mut since_commit = 0;
    let mut commit_ms = 0;
    for ((c, result), hash) in files.iter().zip(cleaned).zip(hashes) {
        let Some(result) = result else {
            report.unchanged += 1;
            continue;
        };
        let previous = existing.get(&c.rel);
        match result {
            Ok(r) => {
                writer.upsert(
                    &r.page,
                    hash.as_deref().unwrap_or_default(),
                    &c.root,
                    &r.site,
                    &r.raw,
                )?;
                if previous.is_some() {
                    report.updated += 1;
                } else {
                    report.imported += 1;
                }
                since_commit += 1;
                if since_commit >= cfg.import.commit_every {
                    let tc = Instant::now();
                    writer.commit()?;
                    commit_ms += ms(tc);
                    since_commit = 0;
                }
            }
            Err(reason) => {
                if previous.is_some() {
                    writer.delete(&c.rel);
                    report.removed += 1;
                }
                skipped.push(Skipped {
                    path: c.rel.clone(),
                    reason: reason.to_string(),
                });
            }
        }
    }
    if opts.prune {
        let roots: HashSet<&str> = files
            .iter()
            .map(|c| c.root.as_str())
            .chain(paths.iter().filter_map(|p| p.to_str()))
            .collect();
        for (path, (_, root)) in &existing {
            if roots.contains(root.as_str()) && !seen.contains(path.as_str()) {
                writer.delete(path);
                report.removed += 1;
            }
        }
    }
    let tc = Instant::now();
    writer.finish()?;
    commit_ms += ms(tc);
    report.stages_ms.index = ms(t) - commit_ms;
    report.stages_ms.commit = commit_ms;

    report.skipped = skipped;
    report.documents = index
        .index
        .reader()
        .map(|r| r.searcher().num_docs())
        .unwrap_or(0);
    report.elapsed_ms = ms(started);
    Ok(report)
}

/// `hitta reclean`: clean every indexed page again from its stored raw text, with the
/// current rules and statistics over all of them, without reading any file.
pub fn reclean(cfg: &Config) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    let _lock = ImportLock::acquire(&cfg.index.dir)?;
    let index = HittaIndex::open(&cfg.index.dir)?;
    let stored = index.raw_pages(&|_| false)?;
    let pages: Vec<Result<ExtractedPage, SkipReason>> = stored
        .par_iter()
        .map(|s| {
            let raw = RawPage {
                path: s.path.clone(),
                format: s.format,
                text: s.raw.clone(),
                encoding: "UTF-8",
            };
            extract::extract(raw)
        })
        .collect();
    let stats = learn(pages.iter().filter_map(|p| p.as_ref().ok()), &cfg.clean);
    let cleaned: Vec<Result<CleanPage, SkipReason>> = pages
        .into_par_iter()
        .map(|p| p.and_then(|p| clean::clean(&p, &stats, &cfg.clean)))
        .collect();
    let mut writer = index.writer(cfg.index.writer_memory_mb)?;
    let mut report = ImportReport::default();
    for (s, result) in stored.iter().zip(cleaned) {
        match result {
            Ok(page) => {
                writer.upsert(&page, &s.hash, &s.root, &s.site, &s.raw)?;
                report.updated += 1;
            }
            Err(reason) => {
                writer.delete(&s.path);
                report.removed += 1;
                report.skipped.push(Skipped {
                    path: s.path.clone(),
                    reason: reason.to_string(),
                });
            }
        }
    }
    writer.finish()?;
    report.documents = index
        .index
        .reader()
        .map(|r| r.searcher().num_docs())
        .unwrap_or(0);
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

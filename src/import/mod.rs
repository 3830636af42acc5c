//! The import driver: files → decode → extract → clean → index.
//!
//! Per-file problems are data, not errors (ripgrep's way): a file that cannot be read,
//! decoded or cleaned is named in the [`ImportReport`] with its reason and the import
//! goes on. Only what stops the whole import (no such folder, index not writable or held
//! by another import) is an [`ImportError`].
//!
//! The import streams: files are hashed first (nothing else is kept of them), then the
//! new and changed ones go through decode → extract → clean in batches on all cores
//! while a writer thread indexes the batch before (a rendezvous channel: at most two
//! batches in memory). Site statistics grow as batches arrive and start from a sample
//! of the pages already indexed, so a new page of a known site is cleaned like its
//! neighbours.

mod cpu;
mod files;
mod pipeline;

pub use files::{collect_files, site_of, Candidate};

use std::path::PathBuf;

use serde::Serialize;

use crate::clean::CleanPage;
use crate::index::IndexError;

pub use pipeline::{clean_files, reclean, run};

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
    /// CPU time of each stage, summed over threads: the stages overlap (a batch is
    /// cleaned while the one before is indexed), so wall time cannot be split.
    pub cpu_ms: Stages,
}

/// CPU milliseconds per import stage.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Stages {
    /// Reading and hashing files.
    pub read: u64,
    /// Decoding and extracting lines (HTML parsing).
    pub decode: u64,
    /// Learning site statistics and cleaning.
    pub clean: u64,
    /// Everything else: analysis and indexing in tantivy's threads, commits, merges.
    pub index: u64,
}

impl Stages {
    /// Cleaning's part of the whole import's CPU time.
    pub fn clean_share(&self) -> f64 {
        self.clean as f64 / (self.read + self.decode + self.clean + self.index).max(1) as f64
    }
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
        let st = &self.cpu_ms;
        if st.decode + st.clean + st.index > 0 {
            let sec = |v: u64| v as f64 / 1000.0;
            writeln!(
                f,
                "CPU: read {:.1} s, decode+extract {:.1} s, clean {:.1} s ({:.0}%), index {:.1} s",
                sec(st.read),
                sec(st.decode),
                sec(st.clean),
                100.0 * st.clean_share(),
                sec(st.index),
            )?;
        }
        for s in &self.skipped {
            writeln!(f, "  skipped {}: {}", s.path, s.reason)?;
        }
        Ok(())
    }
}

/// A cleaned new or changed page with what the index stores beside it.
struct Ready {
    page: CleanPage,
    hash: String,
    root: String,
    site: String,
    raw: crate::index::PackedRaw,
    /// The index may hold an older version of the page, to delete first.
    replaces: bool,
}

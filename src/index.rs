//! Stage 5, **index**: cleaned pages into a tantivy index on disk, and back out.
//!
//! The index folder holds the tantivy files plus `hitta.json`, which records the
//! analyzer version: terms made by another analysis would silently not match, so a
//! mismatch asks for a rebuild instead of mixing. Writers take an exclusive lock file
//! with their pid, so a second import fails fast and says who holds the index.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::schema::{
    DateOptions, Field, IndexRecordOption, JsonObjectOptions, OwnedValue, Schema,
    TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::{DateTime, DocAddress, Index, IndexWriter, TantivyDocument, Term};

mod merge;
mod raw;
mod stored;

pub use raw::{PackedRaw, RawRef, RawSnapshot, RawStored};
pub use stored::{HitDoc, Metadata, StoredPage};

use crate::analyze::{self, ANALYZER_VERSION, SWEDISH, SWEDISH_FOLDED, SWEDISH_PARTS};
use crate::clean::CleanPage;

/// Bump when the schema changes.
pub const SCHEMA_VERSION: u32 = 6;
const META_FILE: &str = "hitta.json";
/// Block size of the document store. A hit decompresses the whole block its page is in;
/// with the raw page stored, tantivy's 16 KB blocks hold a few pages, so every hit paid for
/// its neighbours. At 1 KB a block is about one page: keyword queries 0.82 -> 0.65 ms p50,
/// the index 17% larger (BENCHMARKS.md, "Stored documents").
const STORE_BLOCK_BYTES: usize = 1024;
/// The store's blocks are compressed on the indexing thread, not on a thread of their own.
/// With ~1 KB blocks about every page closes a block, and tantivy's compressor thread was
/// woken and put to sleep for each: ~75,000 voluntary context switches in a 45k import and
/// 1.8 s of system CPU. Without it, 600-5,000 switches, 1.1-1.25 s, import wall 0.90-0.95x,
/// CPU 0.88-0.93x (BENCHMARKS.md, session 15). Applied to every index opened, old ones too.
const STORE_COMPRESS_DEDICATED_THREAD: bool = false;
const LOCK_FILE: &str = ".hitta-import.lock";

/// How the stored pages (fields shown with a hit, the body, the [`PackedRaw`] page) are
/// compressed. A hit's block holds its whole stored page, so every hit decompresses it: with
/// the raw page packed on its own, uncompressed made keyword and question queries 7% faster,
/// the index 14% larger (123 → 140 MB at 45,000 pages) and an import of a million pages
/// peak at 930 instead of 870 MB (BENCHMARKS.md, session 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreCompression {
    /// LZ4, tantivy's default.
    #[default]
    Lz4,
    /// None.
    None,
}

/// Why the index cannot be opened or written. Messages say what to do.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("no index in {0}: run `hitta import` first")]
    Missing(PathBuf),
    #[error("index folder {dir} is not writable: {source}")]
    NotWritable {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("index is being written by another import (pid {pid}); wait for it or stop it")]
    Locked { pid: String },
    #[error(
        "index in {dir} was built by another version of hitta (schema {found_schema}, analyzer {found_analyzer}; \
         this hitta needs schema {SCHEMA_VERSION}, analyzer {ANALYZER_VERSION}): run `hitta import --rebuild`"
    )]
    Version {
        dir: PathBuf,
        found_schema: u32,
        found_analyzer: u32,
    },
    #[error("index error in {dir}: {message}")]
    Tantivy { dir: PathBuf, message: String },
}

/// The fields of the schema, resolved once.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Relative path: the document's identity (raw term, fast, stored).
    pub path: Field,
    /// Absolute folder the page was imported from, so `--prune` touches only its own pages.
    pub root: Field,
    /// Content hash of the file (blake3 hex), to skip unchanged files.
    pub hash: Field,
    /// Page heading, Swedish analysis.
    pub title: Field,
    /// Cleaned text, Swedish analysis with positions (phrases, snippets).
    pub body: Field,
    /// The text again with compound parts added (*frånvaro* finds *skolfrånvaro*).
    pub body_parts: Field,
    /// The text again with stems folded to ASCII (*harnosand* finds *Härnösand*).
    pub body_folded: Field,
    /// Metadata values, Swedish analysis, so a search for a project owner finds the page.
    pub meta_text: Field,
    /// Metadata as a JSON object, keys and values lower-cased, for exact filters
    /// (`region:"norra mellansverige"`).
    pub meta: Field,
    /// The lower-cased metadata keys of the page, so a query can tell a filter
    /// (`region:…`) from a word that happens to hold a colon.
    pub meta_keys: Field,
    /// The site: host of the page URL, else the first folder of its path, else the
    /// name of the imported folder (`site:karlskoga.se`).
    pub site: Field,
    /// Metadata pairs in page order as stored JSON.
    pub metadata_json: Field,
    /// ISO 639-1 language code.
    pub language: Field,
    /// Publication date (fast: filters and sorting).
    pub published: Field,
    /// Last-update date.
    pub updated: Field,
    /// Year of publication (fast), for the year facet.
    pub year: Field,
    /// `text` or `html`.
    pub format: Field,
    /// The decoded page before cleaning (stored only, as [`PackedRaw`]), so pages can be
    /// cleaned again when the rules change, and so new pages of a site learn from the ones
    /// indexed.
    pub raw: Field,
}

pub(crate) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let analyzed = |tokenizer: &str, positions: bool| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(if positions {
                    IndexRecordOption::WithFreqsAndPositions
                } else {
                    IndexRecordOption::WithFreqs
                }),
        )
    };
    let sv = |stored: bool| {
        let o = analyzed(SWEDISH, true);
        if stored {
            o.set_stored()
        } else {
            o
        }
    };
    let date = DateOptions::default().set_indexed().set_fast().set_stored();
    let meta = JsonObjectOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyze::RAW_LOWER)
            .set_index_option(IndexRecordOption::Basic),
    );
    let fields = Fields {
        path: b.add_text_field("path", STRING | STORED | FAST),
        root: b.add_text_field("root", STRING | FAST | STORED),
        hash: b.add_text_field("hash", STRING | FAST | STORED),
        title: b.add_text_field("title", sv(true)),
        body: b.add_text_field("body", sv(true)),
        body_parts: b.add_text_field("body_parts", analyzed(SWEDISH_PARTS, false)),
        body_folded: b.add_text_field("body_folded", analyzed(SWEDISH_FOLDED, false)),
        meta_text: b.add_text_field("meta_text", sv(false)),
        meta: b.add_json_field("meta", meta),
        meta_keys: b.add_text_field("meta_keys", STRING),
        site: b.add_text_field("site", STRING | STORED | FAST),
        metadata_json: b.add_text_field("metadata_json", STORED),
        language: b.add_text_field("language", STRING | STORED | FAST),
        published: b.add_date_field("published", date.clone()),
        updated: b.add_date_field("updated", date),
        year: b.add_u64_field("year", INDEXED | FAST),
        format: b.add_text_field("format", STRING | STORED),
        raw: b.add_bytes_field("raw", STORED),
    };
    (b.build(), fields)
}

/// What `hitta.json` records about the index.
#[derive(Debug, Serialize, Deserialize)]
struct IndexMeta {
    schema_version: u32,
    analyzer_version: u32,
}

/// An open index with its analyzers registered.
#[derive(Clone)]
pub struct HittaIndex {
    /// The tantivy index.
    pub index: Index,
    /// Its fields.
    pub fields: Fields,
    /// Its folder.
    pub dir: PathBuf,
}

impl HittaIndex {
    fn tantivy_err(dir: &Path) -> impl Fn(tantivy::TantivyError) -> IndexError + '_ {
        move |e| IndexError::Tantivy {
            dir: dir.to_path_buf(),
            message: e.to_string(),
        }
    }

    /// Open an existing index for reading.
    pub fn open(dir: &Path) -> Result<HittaIndex, IndexError> {
        if !dir.join("meta.json").is_file() {
            return Err(IndexError::Missing(dir.to_path_buf()));
        }
        check_version(dir)?;
        let mut index = Index::open_in_dir(dir).map_err(Self::tantivy_err(dir))?;
        // Indexes made before session 15 recorded tantivy's default; the setting changes
        // where the work runs, not the files ([`STORE_COMPRESS_DEDICATED_THREAD`]).
        index.settings_mut().docstore_compress_dedicated_thread = STORE_COMPRESS_DEDICATED_THREAD;
        let (_, fields) = schema();
        analyze::register(index.tokenizers());
        Ok(HittaIndex {
            index,
            fields,
            dir: dir.to_path_buf(),
        })
    }

    /// Open the index in `dir` for writing, creating it if needed. With `rebuild`, or
    /// when the folder holds no hitta index yet, it starts empty, its stored pages
    /// compressed with `compression` (an existing index keeps the compression it has).
    pub fn open_or_create(
        dir: &Path,
        rebuild: bool,
        compression: StoreCompression,
    ) -> Result<HittaIndex, IndexError> {
        let not_writable = |source| IndexError::NotWritable {
            dir: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(not_writable)?;
        let exists = dir.join("meta.json").is_file();
        if exists && !rebuild {
            return Self::open(dir);
        }
        if exists {
            for entry in std::fs::read_dir(dir).map_err(not_writable)?.flatten() {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if name != LOCK_FILE && !name.starts_with(".git") && entry.path().is_file() {
                    std::fs::remove_file(entry.path()).map_err(not_writable)?;
                }
            }
        }
        let (schema, fields) = schema();
        let settings = tantivy::IndexSettings {
            docstore_blocksize: STORE_BLOCK_BYTES,
            docstore_compress_dedicated_thread: STORE_COMPRESS_DEDICATED_THREAD,
            docstore_compression: match compression {
                StoreCompression::Lz4 => tantivy::store::Compressor::Lz4,
                StoreCompression::None => tantivy::store::Compressor::None,
            },
            ..Default::default()
        };
        let index = Index::builder()
            .schema(schema)
            .settings(settings)
            .create_in_dir(dir)
            .map_err(Self::tantivy_err(dir))?;
        let meta = IndexMeta {
            schema_version: SCHEMA_VERSION,
            analyzer_version: ANALYZER_VERSION,
        };
        std::fs::write(
            dir.join(META_FILE),
            serde_json::to_vec_pretty(&meta).unwrap_or_default(),
        )
        .map_err(not_writable)?;
        analyze::register(index.tokenizers());
        Ok(HittaIndex {
            index,
            fields,
            dir: dir.to_path_buf(),
        })
    }

    /// Every indexed page as `path → (hash, root)`, read from fast fields.
    pub fn existing(&self) -> Result<HashMap<String, (String, String)>, IndexError> {
        let err = Self::tantivy_err(&self.dir);
        let reader = self.index.reader().map_err(&err)?;
        let searcher = reader.searcher();
        let mut out = HashMap::new();
        for seg in searcher.segment_readers() {
            let ff = seg.fast_fields();
            let (Some(path), Some(hash), Some(root)) = (
                ff.str("path").map_err(&err)?,
                ff.str("hash").map_err(&err)?,
                ff.str("root").map_err(&err)?,
            ) else {
                continue;
            };
            let alive = seg.alive_bitset();
            let mut buf = String::new();
            let mut read = |col: &tantivy::columnar::StrColumn, doc| -> String {
                buf.clear();
                if let Some(ord) = col.term_ords(doc).next() {
                    let _ = col.ord_to_str(ord, &mut buf);
                }
                buf.clone()
            };
            for doc in 0..seg.max_doc() {
                if alive.is_some_and(|a| !a.is_alive(doc)) {
                    continue;
                }
                let p = read(&path, doc);
                let h = read(&hash, doc);
                let r = read(&root, doc);
                out.insert(p, (h, r));
            }
        }
        Ok(out)
    }

    /// The indexed pages as of now, to read back before cleaning in batches: what
    /// `hitta reclean` cleans again and what an import learns site statistics from.
    pub fn raw_snapshot(&self) -> Result<RawSnapshot, IndexError> {
        let err = Self::tantivy_err(&self.dir);
        let searcher = self.index.reader().map_err(&err)?.searcher();
        let mut pages = Vec::new();
        let mut buf = String::new();
        for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            let ff = seg.fast_fields();
            let (Some(path), Some(site)) =
                (ff.str("path").map_err(&err)?, ff.str("site").map_err(&err)?)
            else {
                continue;
            };
            let mut read = |col: &tantivy::columnar::StrColumn, doc| -> String {
                buf.clear();
                if let Some(o) = col.term_ords(doc).next() {
                    let _ = col.ord_to_str(o, &mut buf);
                }
                buf.clone()
            };
            for doc in seg.doc_ids_alive() {
                pages.push(RawRef {
                    addr: DocAddress::new(ord as u32, doc),
                    path: read(&path, doc),
                    site: read(&site, doc),
                });
            }
        }
        Ok(RawSnapshot {
            searcher,
            fields: self.fields,
            dir: self.dir.clone(),
            pages,
        })
    }

    /// A writer with `memory_mb` of buffer that merges segments up to `merge_max_docs`
    /// documents. Callers hold an [`ImportLock`] first.
    pub fn writer(
        &self,
        memory_mb: usize,
        merge_max_docs: usize,
    ) -> Result<PageWriter, IndexError> {
        // Half the cores index: the import cleans pages on all of them at the same time,
        // and cleaning and indexing cost about the same CPU. On 2 cores one indexing thread
        // took 0.94-1.00x the wall time and 0.90-0.97x the CPU of two (three alternated
        // `benches/ab-import.sh` runs; one non-alternated run disagreed, BENCHMARKS.md
        // session 12): one segment, so no merge at the end. One merge at a time: on a
        // laptop's few cores more merge threads add no speed, only memory.
        let budget = memory_mb.max(15) * 1_000_000;
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let threads = (cores / 2).clamp(1, 8).min(budget / 15_000_000).max(1);
        let options = tantivy::indexer::IndexWriterOptions::builder()
            .memory_budget_per_thread(budget / threads)
            .num_worker_threads(threads)
            .num_merge_threads(1)
            .build();
        let writer: IndexWriter = self
            .index
            .writer_with_options(options)
            .map_err(Self::tantivy_err(&self.dir))?;
        writer.set_merge_policy(Box::new(merge::CappedMergePolicy::new(merge_max_docs)));
        Ok(PageWriter {
            writer,
            fields: self.fields,
            dir: self.dir.clone(),
            merge_max_docs,
        })
    }
}

fn check_version(dir: &Path) -> Result<(), IndexError> {
    let meta: Option<IndexMeta> = std::fs::read(dir.join(META_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    match meta {
        Some(m) if m.schema_version == SCHEMA_VERSION && m.analyzer_version == ANALYZER_VERSION => {
            Ok(())
        }
        Some(m) => Err(IndexError::Version {
            dir: dir.to_path_buf(),
            found_schema: m.schema_version,
            found_analyzer: m.analyzer_version,
        }),
        None => Err(IndexError::Version {
            dir: dir.to_path_buf(),
            found_schema: 0,
            found_analyzer: 0,
        }),
    }
}

/// Writes pages; nothing is visible until [`PageWriter::commit`].
pub struct PageWriter {
    writer: IndexWriter,
    fields: Fields,
    dir: PathBuf,
    merge_max_docs: usize,
}

impl PageWriter {
    /// Add `page`; `replaces` when a document with its path may be in the index.
    pub fn upsert(
        &mut self,
        page: &CleanPage,
        hash: &str,
        root: &str,
        site: &str,
        raw: &PackedRaw,
        replaces: bool,
    ) -> Result<(), IndexError> {
        // A delete per new page would cost every commit a lookup per page in every
        // segment: only pages that are in the index already are deleted first.
        if replaces {
            self.delete(&page.path);
        }
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.path, &page.path);
        doc.add_text(f.root, root);
        doc.add_text(f.hash, hash);
        doc.add_text(f.site, site.to_lowercase());
        doc.add_text(f.title, &page.title);
        let mut obj = BTreeMap::new();
        for (k, v) in &page.metadata {
            doc.add_text(f.meta_text, v);
            let key = k.to_lowercase();
            doc.add_text(f.meta_keys, &key);
            obj.entry(key).or_insert_with(|| OwnedValue::Str(v.clone()));
        }
        doc.add_object(f.meta, obj);
        doc.add_text(
            f.metadata_json,
            serde_json::to_string(&page.metadata).unwrap_or_default(),
        );
        if let Some(lang) = &page.language {
            doc.add_text(f.language, lang);
        }
        if let Some(d) = page.published.as_deref().and_then(iso_to_datetime) {
            doc.add_date(f.published, d);
        }
        if let Some(y) = page
            .published
            .as_deref()
            .and_then(|p| p.get(..4)?.parse::<u64>().ok())
        {
            doc.add_u64(f.year, y);
        }
        if let Some(d) = page.updated.as_deref().and_then(iso_to_datetime) {
            doc.add_date(f.updated, d);
        }
        // The stored fields in this order, so a hit reads its fields and stops before the
        // body and the raw page (see [`HitDoc`]).
        doc.add_text(f.format, format!("{:?}", page.format).to_lowercase());
        doc.add_text(f.body, &page.text);
        doc.add_text(f.body_parts, &page.text);
        doc.add_text(f.body_folded, &page.text);
        doc.add_bytes(f.raw, &raw.0);
        self.writer
            .add_document(doc)
            .map_err(|e| IndexError::Tantivy {
                dir: self.dir.clone(),
                message: e.to_string(),
            })?;
        Ok(())
    }

    /// Remove the document of `path`, if any.
    pub fn delete(&mut self, path: &str) {
        self.writer
            .delete_term(Term::from_field_text(self.fields.path, path));
    }

    /// Make everything written so far durable and visible to readers.
    pub fn commit(&mut self) -> Result<(), IndexError> {
        self.writer
            .commit()
            .map(|_| ())
            .map_err(|e| IndexError::Tantivy {
                dir: self.dir.clone(),
                message: e.to_string(),
            })
    }

    /// Commit, wait for background merges, then, if `compact`, merge what the import left
    /// in small segments (`merge::compaction`), so the process can exit cleanly and queries
    /// visit few segments. Every merge is atomic: an interrupted one leaves the segments as
    /// they were.
    pub fn finish(mut self, compact: bool) -> Result<(), IndexError> {
        self.commit()?;
        let index = self.writer.index().clone();
        let err = |e: tantivy::TantivyError| IndexError::Tantivy {
            dir: self.dir.clone(),
            message: e.to_string(),
        };
        self.writer.wait_merging_threads().map_err(err)?;
        if !compact {
            return Ok(());
        }
        let segments: Vec<(tantivy::index::SegmentId, usize)> = index
            .searchable_segment_metas()
            .map_err(err)?
            .iter()
            .map(|m| (m.id(), m.num_docs() as usize))
            .collect();
        let runs = merge::compaction(&segments, self.merge_max_docs);
        if runs.is_empty() {
            return Ok(());
        }
        // The smallest writer tantivy allows: a merge does not use the indexing buffer.
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).map_err(err)?;
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        for run in runs {
            writer.merge(&run).wait().map_err(err)?;
        }
        writer.wait_merging_threads().map_err(err)
    }
}

/// `YYYY-MM-DD` to a tantivy date at midnight UTC.
pub fn iso_to_datetime(iso: &str) -> Option<DateTime> {
    let d = time::Date::parse(
        iso.get(..10)?,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()?;
    Some(DateTime::from_timestamp_secs(
        d.midnight().assume_utc().unix_timestamp(),
    ))
}

/// A tantivy date to `YYYY-MM-DD`.
pub fn datetime_to_iso(d: DateTime) -> String {
    time::OffsetDateTime::from_unix_timestamp(d.into_timestamp_secs())
        .map(|t| t.date().to_string())
        .unwrap_or_default()
}

/// The exclusive right to write an index, held for as long as the value lives.
pub struct ImportLock {
    _file: File,
}

impl ImportLock {
    /// Take the lock of the index in `dir`, or say which process holds it.
    pub fn acquire(dir: &Path) -> Result<ImportLock, IndexError> {
        let not_writable = |source| IndexError::NotWritable {
            dir: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(not_writable)?;
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(dir.join(LOCK_FILE))
            .map_err(not_writable)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut pid = String::new();
                let _ = file.read_to_string(&mut pid);
                let pid = pid.trim();
                return Err(IndexError::Locked {
                    pid: if pid.is_empty() {
                        "unknown".into()
                    } else {
                        pid.into()
                    },
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(not_writable(e)),
        }
        file.set_len(0).map_err(not_writable)?;
        file.rewind().map_err(not_writable)?;
        write!(file, "{}", std::process::id()).map_err(not_writable)?;
        file.flush().map_err(not_writable)?;
        Ok(ImportLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_compression_runs_on_the_indexing_thread_for_new_and_opened_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let created = HittaIndex::open_or_create(dir.path(), false, StoreCompression::Lz4).unwrap();
        assert!(!created.index.settings().docstore_compress_dedicated_thread);
        drop(created);
        // An index whose meta.json says otherwise (tantivy's default) is opened with it off.
        let meta = dir.path().join("meta.json");
        let text = std::fs::read_to_string(&meta).unwrap();
        let old = text.replace(
            "\"docstore_compress_dedicated_thread\": false",
            "\"docstore_compress_dedicated_thread\": true",
        );
        assert_ne!(old, text, "{text}");
        std::fs::write(&meta, old).unwrap();
        let opened = HittaIndex::open(dir.path()).unwrap();
        assert!(!opened.index.settings().docstore_compress_dedicated_thread);
    }

    #[test]
    fn dates_round_trip() {
        let d = iso_to_datetime("2022-02-24").unwrap();
        assert_eq!(datetime_to_iso(d), "2022-02-24");
        assert!(iso_to_datetime("2022-13-40").is_none());
        assert!(iso_to_datetime("").is_none());
    }

    #[test]
    fn second_lock_names_the_first_holder() {
        let dir = tempfile::tempdir().unwrap();
        let _held = ImportLock::acquire(dir.path()).unwrap();
        let err = ImportLock::acquire(dir.path())
            .err()
            .expect("second lock must fail")
            .to_string();
        assert!(err.contains(&std::process::id().to_string()), "{err}");
        assert!(err.contains("another import"), "{err}");
    }
}

//! Configuration: one serde struct whose defaults mirror `config.toml`.
//!
//! Precedence, highest first: command-line flags (applied by the caller), environment
//! variables `HITTA_<SECTION>_<KEY>` (e.g. `HITTA_SERVER_BIND`), the config file,
//! then the defaults below.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::clean::CleanConfig;
use crate::index::StoreCompression;

/// Why the configuration cannot be used. Each message names the file or variable to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path} is invalid: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("environment variable {name}={value:?} is invalid: {message}")]
    Env {
        name: String,
        value: String,
        message: String,
    },
}

/// Every setting of hitta.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the index lives.
    pub index: IndexConfig,
    /// What and how to import.
    pub import: ImportConfig,
    /// The HTTP server.
    pub server: ServerConfig,
    /// Ranking and snippets.
    pub search: SearchConfig,
    /// Boilerplate removal, metadata and dates.
    pub clean: CleanConfig,
}

/// `[index]`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct IndexConfig {
    /// Folder of the tantivy index.
    pub dir: PathBuf,
    /// Memory budget of the index writer, in MB (tantivy's minimum is 15 MB per thread).
    pub writer_memory_mb: usize,
    /// Segments are merged until they hold this many documents, and no further: merging
    /// a whole large index at once would need the memory and disk of it all. An import ends
    /// by merging its last commits' small segments within this cap.
    pub merge_max_docs: usize,
    /// Whether an import ends with that merge ([`crate::index::PageWriter::finish`]): queries
    /// pay per segment, the merge costs the import time once.
    pub compact_after_import: bool,
    /// Compression of the stored pages of a new index (`lz4` or `none`).
    pub store_compression: StoreCompression,
}

impl Default for IndexConfig {
    fn default() -> Self {
        IndexConfig {
            dir: PathBuf::from("index"),
            writer_memory_mb: 256,
            merge_max_docs: 100_000,
            compact_after_import: true,
            store_compression: StoreCompression::Lz4,
        }
    }
}

/// `[import]`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ImportConfig {
    /// Folder imported when `hitta import` or `hitta serve` get no paths.
    pub dir: PathBuf,
    /// Files larger than this (MB) are skipped with a reason instead of read.
    pub max_file_mb: u64,
    /// Commit after this many new or changed documents, so an interrupted import keeps
    /// what it had done and a re-run only does the rest. Every commit writes the segments
    /// in memory, which merges then rewrite: rare commits make a bulk import faster.
    pub commit_every: usize,
    /// Pages decoded and cleaned together while the previous batch is indexed: what
    /// bounds the import's memory, whatever the number of files.
    pub batch_pages: usize,
}

impl Default for ImportConfig {
    fn default() -> Self {
        ImportConfig {
            dir: PathBuf::from("import"),
            max_file_mb: 100,
            commit_every: 100_000,
            batch_pages: 5_000,
        }
    }
}

/// `[server]`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on. Loopback by default: the server has no authentication.
    pub bind: String,
    /// Largest accepted query, in bytes.
    pub max_query_bytes: usize,
    /// Largest `limit` a request may ask for.
    pub max_limit: usize,
    /// Largest request body (POST /search), in bytes; larger gets 413.
    pub max_body_bytes: usize,
    /// Searches run at once; more wait their turn (within the timeout), so a burst or a
    /// few runaway queries cannot take every thread. 0 = twice the number of cores.
    pub max_concurrent_searches: usize,
    /// A request not answered within this many milliseconds gets 503 `timeout`.
    pub request_timeout_ms: u64,
    /// Answers kept for repeated searches (0 = none): an editor searching as its user
    /// types, or a results page paged back and forth, asks the same again. Dropped as
    /// soon as the index changes.
    pub cache_entries: usize,
    /// Decompressed blocks of stored pages kept per index segment, for fetching hits
    /// (tantivy's default is 100). A block is about one page (1 KB blocks; a larger page
    /// is a block of its own), several in indexes written with 16 KB blocks.
    pub doc_cache_blocks: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: "127.0.0.1:7700".into(),
            max_query_bytes: 1000,
            max_limit: 100,
            max_body_bytes: 65_536,
            max_concurrent_searches: 0,
            request_timeout_ms: 5_000,
            cache_entries: 1_024,
            doc_cache_blocks: 100,
        }
    }
}

/// `[search]`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SearchConfig {
    /// Hits per page when a request does not say.
    pub default_limit: usize,
    /// Matches counted exactly; past it `total` is a lower bound (`total_relation: gte`),
    /// like Elasticsearch's `track_total_hits`. 0: always count them all.
    pub exact_total_up_to: usize,
    /// Weight of a match in the title relative to one in the body. Kept small: the title
    /// is also part of the body, and a boosted short field rewards any common word.
    pub title_boost: f32,
    /// Weight of a match in metadata values (Projektägare, Region…).
    pub metadata_boost: f32,
    /// Weight of a match on a compound part (*frånvaro* in *skolfrånvaro*).
    pub parts_boost: f32,
    /// Weight of a match on a part of a compound query word (*intyg* for
    /// *vaccinationsintyg*).
    pub query_parts_boost: f32,
    /// Weight of a match with å/ä/ö folded (*harnosand* for *Härnösand*).
    pub folded_boost: f32,
    /// Weight of a match on a typo correction.
    pub typo_boost: f32,
    /// A word found in fewer pages than this is also searched for by edit distance
    /// (1 for words of 5–8 letters, 2 from 9). 0 turns typo expansion off.
    pub typo_max_doc_freq: u64,
    /// Most corrections added for one word.
    pub typo_max_expansions: usize,
    /// Leading letters a correction must share with the word (Lucene's `prefixLength`):
    /// people rarely mistype the first letter, and it narrows the dictionary walk.
    pub typo_prefix_chars: usize,
    /// Weight of two neighbouring query words found near each other in a page.
    pub proximity_boost: f32,
    /// How far apart (in words) neighbouring query words may stand to count as near.
    pub proximity_slop: u32,
    /// Pairs of query words at most this many words apart in the query count for
    /// proximity (1: neighbours only). Second phase only.
    pub proximity_window: usize,
    /// Candidates of the first phase (a flat union of term clauses, pruned with
    /// MaxScore or block-max WAND) that the second phase rescores with proximity,
    /// phrases of split words and coverage of the query. 0: one phase, proximity as
    /// phrase clauses.
    pub rerank_depth: usize,
    /// The first phase of a flat union of term clauses by MaxScore (`search::maxscore`)
    /// rather than tantivy's block-max WAND: the same candidates, found faster.
    pub maxscore: bool,
    /// The weak clauses of a word (title, metadata, parts, folded) scored by the second
    /// phase only, so the first phase's union has fewer posting lists.
    pub secondary_in_second_phase: bool,
    /// Exponent of the coverage factor: a candidate's score is multiplied by the share
    /// (weighted by idf) of the query words it contains, raised to this. 0 turns it off.
    pub coverage_exp: f32,
    /// Coverage counts the query words within one passage of this many words (0: the
    /// whole page).
    pub coverage_window: u32,
    /// BM25 `k1` of body matches in the second phase (tantivy's first phase uses 1.2).
    pub bm25_k1: f32,
    /// BM25 `b` of body matches in the second phase (tantivy's first phase uses 0.75).
    pub bm25_b: f32,
    /// Share of a query word's idf in the second phase's BM25 of body matches taken from
    /// how rare the word is among the candidates instead of in the whole index (0: index
    /// only): a word that all candidates hold (the topic of a group of similar pages,
    /// retrieved together) cannot tell them apart, however rare it is in the index.
    pub local_idf_body: f32,
    /// Weight of a match on an inflectional relative of a query word: an index term
    /// that its stem extends or that extends it by a few letters (*omhändertagn* ↔
    /// *omhändertag*), scored by the second phase. 0 turns them off.
    pub morph_boost: f32,
    /// Shortest stem (in characters) that relatives are looked for, or found as (both
    /// kinds: inflectional and derivational).
    pub morph_min_chars: usize,
    /// Most characters a relative may add to the stem or take from it.
    pub morph_extra_chars: usize,
    /// Weight of a match on a derivational relative of a query word in the Latin-derived
    /// *-era* verb family (*vaccinering* → *vaccin*, *vacciner*, *vaccination*), scored by
    /// the second phase. 0: not scored (0.1–0.5 lowered SweFAQ).
    pub derived_boost: f32,
    /// Derivational relatives count as finding the query word in the second phase's
    /// coverage (a page about *vaccination* covers a question about *vaccinering*).
    pub derived_coverage: bool,
    /// Longest snippet, in characters.
    pub snippet_chars: usize,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            default_limit: 10,
            exact_total_up_to: 1_000,
            title_boost: 0.1,
            metadata_boost: 0.3,
            parts_boost: 0.2,
            query_parts_boost: 0.6,
            folded_boost: 0.1,
            typo_boost: 0.2,
            typo_max_doc_freq: 1,
            typo_max_expansions: 3,
            typo_prefix_chars: 1,
            proximity_boost: 0.5,
            proximity_slop: 3,
            proximity_window: 1,
            rerank_depth: 200,
            maxscore: true,
            secondary_in_second_phase: true,
            coverage_exp: 1.0,
            coverage_window: 20,
            bm25_k1: 1.2,
            bm25_b: 0.75,
            local_idf_body: 0.5,
            morph_boost: 0.3,
            morph_min_chars: 6,
            morph_extra_chars: 2,
            derived_boost: 0.0,
            derived_coverage: true,
            snippet_chars: 200,
        }
    }
}

impl Config {
    /// The config file used when none is named: `config.toml` in the working folder, if it exists.
    pub const DEFAULT_FILE: &'static str = "config.toml";

    /// Load defaults, then `file` (required if `Some`, else `config.toml` if present),
    /// then `HITTA_*` variables from `env`.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut value = toml::Value::try_from(Config::default()).expect("defaults serialise");
        let path = match file {
            Some(p) => Some(p.to_path_buf()),
            None => Some(PathBuf::from(Self::DEFAULT_FILE)).filter(|p| p.is_file()),
        };
        if let Some(path) = &path {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.clone(),
                source,
            })?;
            let file_value: toml::Value =
                toml::from_str(&text).map_err(|e| ConfigError::Invalid {
                    path: path.clone(),
                    message: e.to_string(),
                })?;
            merge(&mut value, file_value);
        }
        apply_env(&mut value, env)?;
        Config::deserialize(value).map_err(|e| ConfigError::Invalid {
            path: path.unwrap_or_else(|| PathBuf::from("(environment)")),
            message: e.to_string(),
        })
    }
}

/// Deep-merge `over` into `base`: tables merge key by key, anything else replaces.
fn merge(base: &mut toml::Value, over: toml::Value) {
    match (base, over) {
        (toml::Value::Table(b), toml::Value::Table(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

/// Override `[section] key` from `HITTA_SECTION_KEY`. Values are read as TOML
/// (`128`, `true`, `["a"]`) and, failing that, as a plain string.
fn apply_env(
    value: &mut toml::Value,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<(), ConfigError> {
    let env: Vec<(String, String)> = env
        .into_iter()
        .filter(|(k, _)| k.starts_with("HITTA_"))
        .collect();
    if env.is_empty() {
        return Ok(());
    }
    let toml::Value::Table(sections) = value else {
        return Ok(());
    };
    for (section, table) in sections.iter_mut() {
        let toml::Value::Table(table) = table else {
            continue;
        };
        for (key, slot) in table.iter_mut() {
            let name = format!("HITTA_{}_{}", section, key).to_uppercase();
            let Some((_, raw)) = env.iter().find(|(k, _)| *k == name) else {
                continue;
            };
            let parsed = toml::from_str::<toml::Table>(&format!("v = {raw}"))
                .ok()
                .and_then(|mut t| t.remove("v"));
            *slot = match (parsed, &*slot) {
                (Some(toml::Value::Integer(i)), toml::Value::Float(_)) => {
                    toml::Value::Float(i as f64)
                }
                (Some(v), old) if std::mem::discriminant(&v) == std::mem::discriminant(old) => v,
                (_, toml::Value::String(_)) => toml::Value::String(raw.clone()),
                (_, old) => {
                    return Err(ConfigError::Env {
                        name,
                        value: raw.clone(),
                        message: format!("expected a {}", old.type_str()),
                    })
                }
            };
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn shipped_config_toml_equals_the_defaults() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml");
        let loaded = Config::load(Some(&path), env(&[])).unwrap();
        assert_eq!(
            loaded,
            Config::default(),
            "config.toml must mirror Config::default()"
        );
    }

    #[test]
    fn environment_beats_file_and_keeps_types() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "[server]\nbind = \"127.0.0.1:1\"\nmax_limit = 5\n").unwrap();
        let c = Config::load(
            Some(&file),
            env(&[
                ("HITTA_SERVER_BIND", "127.0.0.1:9"),
                ("HITTA_INDEX_DIR", "/tmp/x"),
            ]),
        )
        .unwrap();
        assert_eq!(c.server.bind, "127.0.0.1:9");
        assert_eq!(c.server.max_limit, 5);
        assert_eq!(c.index.dir, PathBuf::from("/tmp/x"));
        let c = Config::load(None::<&Path>, env(&[("HITTA_SEARCH_TITLE_BOOST", "0")])).unwrap();
        assert_eq!(c.search.title_boost, 0.0, "an integer is read as a float");
    }

    #[test]
    fn bad_values_are_named() {
        let err = Config::load(None::<&Path>, env(&[("HITTA_SERVER_MAX_LIMIT", "many")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("HITTA_SERVER_MAX_LIMIT"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "[server]\nbindd = 1\n").unwrap();
        let err = Config::load(Some(&file), env(&[])).unwrap_err().to_string();
        assert!(err.contains("bindd"), "{err}");
    }
}

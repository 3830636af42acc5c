//! Stage 6, **search**: a [`SearchRequest`] to a ranked [`SearchResponse`].
//!
//! The same request and response types serve HTTP, the CLI and the editor plugin, so
//! they all rank and highlight alike. Free text is ranked OR-style with BM25: a
//! Swedish question must find pages that lack some of its words. Quotes make a phrase,
//! a leading `-` excludes; anything else that looks like syntax is read as words, so
//! no query fails to parse.

use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::agg_result::AggregationResults;
use tantivy::aggregation::AggregationCollector;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{IndexReader, ReloadPolicy, Term};
use utoipa::{IntoParams, ToSchema};

use crate::analyze::{self, AnalyzedToken};
use deadline::{Deadline, DeadlineQuery};

mod count;
mod deadline;
mod maxscore;
mod morph;
mod parse;
mod query;
mod rerank;
mod snippet;
mod stats;
mod typo;

use crate::config::Config;
use crate::index::{HitDoc, HittaIndex, IndexError, Metadata, StoredPage};
pub use parse::{parse, Clause, Part};
use stats::TermStats;

/// A query, as HTTP (`GET /search?q=…`, `POST /search`), the CLI and the plugin send it.
///
/// One type for the query string and the JSON body, so both are documented (OpenAPI) and
/// validated alike; the limits in the document come from the server's config
/// (`crate::http::openapi`), as [`Searcher::validate`] applies them.
#[derive(
    Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, Hash, ToSchema, IntoParams,
)]
#[into_params(parameter_in = Query)]
pub struct SearchRequest {
    /// The query text: words, `"a phrase"`, `-excluded` words and filters such as
    /// `site:karlskoga.se`; not blank, at most `server.max_query_bytes` bytes of UTF-8.
    #[schema(example = "skolfrånvaro Karlskoga")]
    #[param(example = "skolfrånvaro Karlskoga")]
    pub q: String,
    /// Hits per page (default from config, at most `server.max_limit`).
    #[serde(default, deserialize_with = "count")]
    pub limit: Option<usize>,
    /// Hits to skip, for paging.
    #[serde(default, deserialize_with = "count")]
    pub offset: Option<usize>,
    /// Also count the matching pages by site, language and year (`facets` in the
    /// answer). Off unless asked, as in Meilisearch and Elasticsearch: counting visits
    /// every matching page, which costs more than finding the best ten.
    #[serde(default)]
    pub facets: Option<bool>,
}

/// A count (`limit`, `offset`) from a JSON number: a whole number written `38` or `38.0`,
/// both integers to JSON Schema, so the server takes what its OpenAPI document allows.
fn count<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    let Some(n) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(None);
    };
    match n.as_u64() {
        Some(u) => Ok(Some(usize::try_from(u).unwrap_or(usize::MAX))),
        None => n.as_f64().and_then(whole).map(Some).ok_or_else(|| {
            serde::de::Error::custom(format!("expected a whole number of at least 0, got {n}"))
        }),
    }
}

/// A count from text (a query-string value): `38`, `+38`, `38.0` or `3.8e1`, as
/// [`SearchRequest`]'s JSON numbers are read; `None` unless it is a whole number ≥ 0.
pub fn parse_count(s: &str) -> Option<usize> {
    s.parse::<usize>()
        .ok()
        .or_else(|| s.parse::<f64>().ok().and_then(whole))
}

/// `f` as a count if it is a finite whole number ≥ 0; beyond `usize` it saturates, so
/// the limit check rejects it with its own message.
fn whole(f: f64) -> Option<usize> {
    (f.is_finite() && f >= 0.0 && f.fract() == 0.0).then_some(f as usize)
}

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct SearchResponse {
    /// The query as received.
    pub query: String,
    /// How many pages match in all; with `total_relation` `gte`, at least this many
    /// (counting stops at `search.exact_total_up_to`, as Elasticsearch's
    /// `track_total_hits` and Lucene's total-hits threshold do).
    pub total: usize,
    /// `eq` when `total` is exact, `gte` when it is a lower bound.
    #[serde(default)]
    pub total_relation: TotalRelation,
    /// Time spent in the search, milliseconds.
    pub took_ms: f64,
    /// This page of hits, best first.
    pub hits: Vec<Hit>,
    /// How the matching pages (all of them, not only this page) divide by site,
    /// language and year of publication, most frequent first.
    pub facets: Facets,
}

/// Whether [`SearchResponse::total`] is the exact count or a lower bound.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TotalRelation {
    /// Exactly `total` pages match.
    #[default]
    Eq,
    /// At least `total` pages match.
    Gte,
}

/// Counts of matching pages per value of a field.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct Facets {
    /// Per site.
    pub site: Vec<FacetCount>,
    /// Per language.
    pub language: Vec<FacetCount>,
    /// Per year of publication.
    pub year: Vec<FacetCount>,
}

/// One value of a facet and how many matching pages have it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct FacetCount {
    /// The value, as a query filter takes it (`site:VALUE`, `lang:VALUE`, `published:VALUE`).
    pub value: String,
    /// Matching pages with it.
    pub count: u64,
}

/// Most values listed per facet.
const FACET_SIZE: u32 = 20;

fn facet_request() -> Aggregations {
    let terms = |field: &str| serde_json::json!({"terms": {"field": field, "size": FACET_SIZE}});
    serde_json::from_value(serde_json::json!({
        "site": terms("site"),
        "language": terms("language"),
        "year": terms("year"),
    }))
    .expect("a valid aggregation request")
}

fn facets_from(results: &AggregationResults) -> Facets {
    let v = serde_json::to_value(results).unwrap_or_default();
    let counts = |name: &str| -> Vec<FacetCount> {
        let mut out: Vec<FacetCount> = v[name]["buckets"]
            .as_array()
            .map(|b| {
                b.iter()
                    .map(|e| FacetCount {
                        value: match &e["key"] {
                            serde_json::Value::String(s) => s.clone(),
                            serde_json::Value::Number(n) => n
                                .as_f64()
                                .map(|f| (f as i64).to_string())
                                .unwrap_or_default(),
                            other => other.to_string(),
                        },
                        count: e["doc_count"].as_u64().unwrap_or(0),
                    })
                    .filter(|c| !c.value.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        out
    };
    Facets {
        site: counts("site"),
        language: counts("language"),
        year: counts("year"),
    }
}

/// One matching page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct Hit {
    /// Document id (its relative path), for `GET /documents/{id}`.
    pub id: String,
    /// Relative path of the imported file.
    pub path: String,
    /// The site the page belongs to.
    pub site: String,
    /// Page heading.
    pub title: String,
    /// BM25 score.
    pub score: f32,
    /// The best passage, with the matched words marked.
    pub snippet: Snippet,
    /// Key/value metadata of the page.
    pub metadata: Metadata,
    /// ISO 639-1 language code.
    pub language: Option<String>,
    /// Publication date, `YYYY-MM-DD`.
    pub published: Option<String>,
    /// Last-update date, `YYYY-MM-DD`.
    pub updated: Option<String>,
}

/// A passage of a page with the byte ranges of the words that matched the query.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default, ToSchema)]
pub struct Snippet {
    /// The passage.
    pub text: String,
    /// Byte offset of the passage in the page's text, so a client can jump to it.
    pub offset: usize,
    /// `[start, end)` byte ranges into `text`, on UTF-8 boundaries.
    pub highlights: Vec<[usize; 2]>,
}

/// A request that cannot be answered. `code` is stable for clients, the message is for people.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SearchError {
    #[error("q is empty: give some words to search for")]
    EmptyQuery,
    #[error("q is {len} bytes long; the limit is {max}")]
    QueryTooLong { len: usize, max: usize },
    #[error("limit must be between 1 and {max}, got {got}")]
    BadLimit { got: usize, max: usize },
    #[error("offset must be at most {max}, got {got}")]
    BadOffset { got: usize, max: usize },
    #[error("the search ran out of time (server.request_timeout_ms) and was stopped")]
    Timeout,
    #[error("search failed: {0}")]
    Internal(String),
}

impl SearchError {
    /// Stable machine-readable code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            SearchError::EmptyQuery => "empty_query",
            SearchError::QueryTooLong { .. } => "query_too_long",
            SearchError::BadLimit { .. } => "bad_limit",
            SearchError::BadOffset { .. } => "bad_offset",
            SearchError::Timeout => "timeout",
            SearchError::Internal(_) => "internal",
        }
    }
}

/// Largest `offset` accepted: deep paging costs memory proportional to offset + limit.
pub const MAX_OFFSET: usize = 10_000;

/// Index statistics for `GET /stats`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct Stats {
    /// Documents searchable now.
    pub documents: u64,
    /// Bytes of the index folder.
    pub index_bytes: u64,
    /// When the newest commit was written (RFC 3339), if any.
    pub last_commit: Option<String>,
}

/// Answers queries against one index; cheap to share between threads.
pub struct Searcher {
    index: HittaIndex,
    reader: IndexReader,
    cfg: Config,
}

impl Searcher {
    /// Open a searcher that picks up new commits by itself (tantivy watches `meta.json`).
    pub fn open(dir: &Path, cfg: &Config) -> Result<Searcher, IndexError> {
        let index = HittaIndex::open(dir)?;
        let reader = index
            .index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .doc_store_cache_num_blocks(cfg.server.doc_cache_blocks)
            .try_into()
            .map_err(|e: tantivy::TantivyError| IndexError::Tantivy {
                dir: dir.to_path_buf(),
                message: e.to_string(),
            })?;
        Ok(Searcher {
            index,
            reader,
            cfg: cfg.clone(),
        })
    }

    /// Check a request against the limits, returning `(limit, offset)`.
    pub fn validate(&self, req: &SearchRequest) -> Result<(usize, usize), SearchError> {
        let max_q = self.cfg.server.max_query_bytes;
        if req.q.len() > max_q {
            return Err(SearchError::QueryTooLong {
                len: req.q.len(),
                max: max_q,
            });
        }
        if req.q.trim().is_empty() {
            return Err(SearchError::EmptyQuery);
        }
        let max = self.cfg.server.max_limit;
        let limit = req.limit.unwrap_or(self.cfg.search.default_limit);
        if limit == 0 || limit > max {
            return Err(SearchError::BadLimit { got: limit, max });
        }
        let offset = req.offset.unwrap_or(0);
        if offset > MAX_OFFSET {
            return Err(SearchError::BadOffset {
                got: offset,
                max: MAX_OFFSET,
            });
        }
        Ok((limit, offset))
    }

    /// Run a search.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResponse, SearchError> {
        self.search_with(req, true)
    }

    /// Run a search; without `snippets` the hits carry empty snippets and no facets
    /// (what ranking evaluation needs: the same ranking, without the cost of
    /// highlighting 100 pages and counting facets).
    pub fn search_with(
        &self,
        req: &SearchRequest,
        snippets: bool,
    ) -> Result<SearchResponse, SearchError> {
        self.run(req, snippets, None)
    }

    /// [`Searcher::search`] stopped with [`SearchError::Timeout`] once `deadline` has
    /// passed (checked between index segments and between hits), so a runaway query
    /// frees its thread instead of running on after its client was told it timed out.
    pub fn search_until(
        &self,
        req: &SearchRequest,
        deadline: Instant,
    ) -> Result<SearchResponse, SearchError> {
        self.run(req, true, Some(deadline))
    }

    fn run(
        &self,
        req: &SearchRequest,
        snippets: bool,
        deadline: Option<Instant>,
    ) -> Result<SearchResponse, SearchError> {
        let started = Instant::now();
        let (limit, offset) = self.validate(req)?;
        let internal = |e: tantivy::TantivyError| {
            if deadline::passed(deadline) {
                SearchError::Timeout
            } else {
                SearchError::Internal(e.to_string())
            }
        };
        let searcher = self.reader.searcher();
        let stats = TermStats::new(&searcher);
        let Some(built) = query::build(&req.q, &self.index.fields, &self.cfg.search, &stats) else {
            return Ok(SearchResponse {
                query: req.q.clone(),
                total: 0,
                total_relation: TotalRelation::Eq,
                took_ms: 0.0,
                hits: vec![],
                facets: Facets::default(),
            });
        };
        // With a second phase, the first collects its candidates and the page of hits is
        // cut from the rescored list.
        let depth = match &built.plan {
            Some(_) => (offset + limit).max(self.cfg.search.rerank_depth),
            None => offset + limit,
        };
        let top_docs = TopDocs::with_limit(depth).order_by_score();
        // With a deadline, the walk through each segment stops too when time is up.
        let query: Box<dyn Query> = match deadline {
            Some(at) => Box::new(DeadlineQuery::new(built.query, at)),
            None => built.query,
        };
        let query = query.as_ref();
        let (top, (total, total_relation), facets) = if snippets && req.facets.unwrap_or(false) {
            let aggs = AggregationCollector::from_aggs(facet_request(), Default::default());
            let (top, total, aggs) = searcher
                .search_with_statistics_provider(
                    query,
                    &Deadline::new((top_docs, Count, aggs), deadline),
                    &stats,
                )
                .map_err(internal)?;
            (top, (total, TotalRelation::Eq), facets_from(&aggs))
        } else {
            // Alone, the top-k search can prune (MaxScore or block-max WAND); counting
            // the matches walks their doc ids without scoring them, up to a bound.
            let top = match &built.union {
                Some(union) if self.cfg.search.maxscore => {
                    maxscore::top_k(&stats, union, depth, deadline).map_err(internal)?
                }
                _ => searcher
                    .search_with_statistics_provider(
                        query,
                        &Deadline::new(top_docs, deadline),
                        &stats,
                    )
                    .map_err(internal)?,
            };
            let limit = self.cfg.search.exact_total_up_to;
            let total = match &built.union {
                Some(union)
                    if limit > 0
                        && count::union_at_least(&stats, union).map_err(internal)? >= limit =>
                {
                    (limit, TotalRelation::Gte)
                }
                _ => count::up_to(query, &searcher, limit).map_err(internal)?,
            };
            (top, total, Facets::default())
        };
        // A walk stopped by the deadline leaves a partial list: never an answer.
        if deadline::passed(deadline) {
            return Err(SearchError::Timeout);
        }
        let top = match &built.plan {
            Some(plan) => {
                let wanted = if snippets {
                    offset..offset + limit
                } else {
                    0..0
                };
                let body = self.index.fields.body;
                rerank::rerank(&stats, body, plan, &self.cfg.search, top, wanted)
                    .map_err(internal)?
            }
            None => top
                .into_iter()
                .map(|(score, addr)| rerank::Ranked {
                    score,
                    addr,
                    passage: None,
                })
                .collect(),
        };
        let top: Vec<_> = top.into_iter().skip(offset).take(limit).collect();
        let mut highlighter =
            snippet::Highlighter::new(built.highlight, self.cfg.search.snippet_chars);
        let mut hits = Vec::with_capacity(top.len());
        for rerank::Ranked {
            score,
            addr,
            passage,
        } in top
        {
            if deadline::passed(deadline) {
                return Err(SearchError::Timeout);
            }
            let page = if snippets {
                searcher.doc::<HitDoc<true>>(addr).map_err(internal)?.page
            } else {
                searcher.doc::<HitDoc<false>>(addr).map_err(internal)?.page
            };
            let snippet = if snippets {
                highlighter.snippet(&page.text, passage)
            } else {
                Snippet::default()
            };
            hits.push(Hit {
                id: page.id,
                path: page.path,
                site: page.site,
                title: page.title,
                score,
                snippet,
                metadata: page.metadata,
                language: page.language,
                published: page.published,
                updated: page.updated,
            });
        }
        Ok(SearchResponse {
            query: req.q.clone(),
            total,
            total_relation,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            hits,
            facets,
        })
    }

    /// Which commit the searches see: changes whenever the reader picks up a new one, so
    /// anything derived from an answer (a cache) knows when it is stale.
    pub fn generation(&self) -> u64 {
        self.reader.searcher().generation().generation_id()
    }

    /// The stored page with id `id`, if any.
    pub fn document(&self, id: &str) -> Result<Option<StoredPage>, SearchError> {
        let internal = |e: tantivy::TantivyError| SearchError::Internal(e.to_string());
        let searcher = self.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(self.index.fields.path, id),
            IndexRecordOption::Basic,
        );
        let top = searcher
            .search(&q, &TopDocs::with_limit(1).order_by_score())
            .map_err(internal)?;
        match top.first() {
            Some((_, addr)) => {
                let page = searcher.doc::<HitDoc<true>>(*addr).map_err(internal)?.page;
                Ok(Some(page))
            }
            None => Ok(None),
        }
    }

    /// Byte ranges of `text` holding words that `q` matches, the way snippets mark them
    /// (stems, compound parts, folded forms and typo corrections included). Lets a
    /// client mark the matches in a whole page, e.g. the editor plugin's page view.
    pub fn highlights(&self, text: &str, q: &str) -> Vec<[usize; 2]> {
        let searcher = self.reader.searcher();
        let stats = TermStats::new(&searcher);
        let Some(built) = query::build(q, &self.index.fields, &self.cfg.search, &stats) else {
            return vec![];
        };
        snippet::Highlighter::new(built.highlight, self.cfg.search.snippet_chars).marks(text)
    }

    /// Document count, size on disk and time of the last commit.
    pub fn stats(&self) -> Stats {
        let searcher = self.reader.searcher();
        let mut bytes = 0;
        let mut newest = None;
        if let Ok(entries) = std::fs::read_dir(&self.index.dir) {
            for e in entries.flatten() {
                if let Ok(m) = e.metadata() {
                    bytes += m.len();
                    if e.file_name() == "meta.json" {
                        newest = m.modified().ok();
                    }
                }
            }
        }
        Stats {
            documents: searcher.num_docs(),
            index_bytes: bytes,
            last_commit: newest.map(|t| {
                time::OffsetDateTime::from(t)
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default()
            }),
        }
    }

    /// The tokens each analyzed field makes of `text` (what `/analyze` shows): why a
    /// page matches, or does not.
    pub fn analyze(&self, text: &str) -> Vec<(&'static str, Vec<AnalyzedToken>)> {
        vec![
            ("body", analyze::tokens(&mut analyze::swedish(), text)),
            (
                "body_parts",
                analyze::tokens(&mut analyze::swedish_parts(), text),
            ),
            (
                "body_folded",
                analyze::tokens(&mut analyze::swedish_folded_index(), text),
            ),
        ]
    }

    /// Longest accepted query, in bytes.
    pub fn max_query_bytes(&self) -> usize {
        self.cfg.server.max_query_bytes
    }

    /// The configuration it searches with.
    pub fn config(&self) -> &Config {
        &self.cfg
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{self, ImportOptions};

    /// The second phase reads positions only where two query words can meet; a page that
    /// holds one word in its body still gets that word's first position as its passage
    /// (where its snippet is cut) when it is among the hits that get snippets, and only
    /// then.
    #[test]
    fn one_word_hits_get_the_words_first_position_as_passage() {
        let tmp = tempfile::tempdir().unwrap();
        let mut cfg = Config::default();
        cfg.index.dir = tmp.path().join("index");
        let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("import");
        let options = ImportOptions {
            paths: vec![seeds],
            ..Default::default()
        };
        import::run(&cfg, &options).unwrap();
        let s = Searcher::open(&cfg.index.dir, &cfg).unwrap();
        let searcher = s.reader.searcher();
        let stats = TermStats::new(&searcher);
        let body = s.index.fields.body;
        let mut checked = 0;
        for q in ["projekt", "kommunen", "ansökan", "skola"] {
            let built = query::build(q, &s.index.fields, &cfg.search, &stats).unwrap();
            let plan = built.plan.as_ref().unwrap();
            assert_eq!(plan.words.len(), 1, "{q}");
            let top = maxscore::top_k(&stats, built.union.as_ref().unwrap(), 200, None).unwrap();
            let ranked = rerank::rerank(&stats, body, plan, &cfg.search, top, 1..3).unwrap();
            let stems: Vec<String> = plan.words[0]
                .variants
                .iter()
                .filter(|t| t.field() == body)
                .filter_map(|t| t.value().as_str().map(str::to_string))
                .collect();
            for (i, r) in ranked.iter().enumerate() {
                let page = searcher.doc::<HitDoc<true>>(r.addr).unwrap().page;
                let first = analyze::tokens(&mut analyze::swedish(), &page.text)
                    .into_iter()
                    .find(|t| stems.contains(&t.term))
                    .map(|t| t.position as u32);
                if (1..3).contains(&i) {
                    assert_eq!(r.passage, first, "{q}: hit {i}");
                    checked += usize::from(first.is_some());
                } else {
                    assert_eq!(r.passage, None, "{q}: hit {i}");
                }
            }
        }
        assert!(checked >= 4, "{checked}");
    }
}

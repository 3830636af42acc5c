//! Stage 7, **http**: the search API over axum, and its OpenAPI document.
//!
//! [`router`] builds the routes over a shared [`App`] and is tested without a socket;
//! [`serve`] runs it on a listener. Searches run on tokio's blocking pool so a slow
//! query never stalls the async workers, at most `max_concurrent_searches` at once and
//! each within `request_timeout_ms`. Every error is JSON `{"error": {"code", "message"}}`
//! with a 4xx status (503 when busy or out of time); user input never causes a 500.
//!
//! Every route is registered in `documented_routes` together with its OpenAPI operation
//! (utoipa-axum's `routes!`), so the document served at `GET /openapi.json` ([`openapi`])
//! is generated from the same handlers and types the router runs; a test walks both
//! ways between the router and the document so neither can drift from the other.

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::{Json, Router};
use lru::LruCache;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

mod error;
mod openapi;

pub use error::{ApiError, ErrorBody, ErrorDetail};
pub use openapi::openapi;

use crate::index::StoredPage;
use crate::search::{SearchError, SearchRequest, SearchResponse, Searcher, Stats};

/// What the handlers share: the searcher and the limits it is used under.
pub struct App {
    searcher: Searcher,
    permits: Arc<Semaphore>,
    timeout: Duration,
    max_body_bytes: usize,
    /// `GET /openapi.json`, made once on first request (it depends only on the config).
    openapi: OnceLock<Bytes>,
    /// Answers to repeated searches, as JSON, with the index generation they were made on.
    cache: Option<Mutex<LruCache<SearchRequest, (u64, Bytes)>>>,
}

impl App {
    /// The searcher with the limits of its `[server]` config.
    pub fn new(searcher: Searcher) -> App {
        let server = &searcher.config().server;
        App {
            permits: Arc::new(Semaphore::new(match server.max_concurrent_searches {
                0 => 2 * std::thread::available_parallelism().map_or(1, |n| n.get()),
                n => n,
            })),
            timeout: Duration::from_millis(server.request_timeout_ms.max(1)),
            max_body_bytes: server.max_body_bytes,
            openapi: OnceLock::new(),
            cache: NonZeroUsize::new(server.cache_entries).map(|n| Mutex::new(LruCache::new(n))),
            searcher,
        }
    }

    /// The searcher, for what is served without the HTTP layer (the startup message).
    pub fn searcher(&self) -> &Searcher {
        &self.searcher
    }
}

/// The shared [`App`].
pub type AppState = Arc<App>;

/// Run `work` on the blocking pool once a search permit is free, within the request
/// timeout. A search that runs out of time keeps its permit until it ends, so runaway
/// queries cannot pile up beyond the concurrency limit while the server answers others.
async fn blocking<T: Send + 'static>(
    app: &AppState,
    work: impl FnOnce(&Searcher, std::time::Instant) -> Result<T, SearchError> + Send + 'static,
) -> Result<T, ApiError> {
    let deadline = tokio::time::Instant::now() + app.timeout;
    let stop_at = deadline.into_std();
    let permit = tokio::time::timeout_at(deadline, app.permits.clone().acquire_owned())
        .await
        .map_err(|_| ApiError::unavailable("busy", "too many searches at once; try again"))?
        .map_err(|_| ApiError::unavailable("busy", "the server is shutting down"))?;
    let app = app.clone();
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work(&app.searcher, stop_at)
    });
    match tokio::time::timeout_at(deadline, task).await {
        Err(_) => Err(ApiError::unavailable(
            "timeout",
            "the search took longer than the server's request_timeout_ms",
        )),
        Ok(Err(e)) => Err(SearchError::Internal(e.to_string()).into()),
        Ok(Ok(r)) => r.map_err(ApiError::from),
    }
}

/// `GET /health`: whether the server answers and how many pages it searches, for
/// monitors and for clients that check the server before they use it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct Health {
    /// Always `ok` when the server answers.
    pub status: String,
    /// The hitta version serving.
    pub version: String,
    /// Documents searchable now.
    pub documents: u64,
}

/// `GET /documents/{id}`: the stored page, and where the query matches in it when the
/// request gives `q` (the editor plugin's page view marks those words).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct Document {
    /// The page.
    #[serde(flatten)]
    pub page: StoredPage,
    /// `[start, end)` byte ranges into `text` of the words `q` matches; only with `q`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highlights: Option<Vec<[usize; 2]>>,
}

/// `GET /analyze`: the tokens each analyzed field makes of `text`, to see why a page
/// matches a query, or does not.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct Analysis {
    /// The text as received.
    pub text: String,
    /// Per analyzed field (`body`, `body_parts`, `body_folded`), its tokens in order.
    pub fields: BTreeMap<String, Vec<AnalyzedWord>>,
}

/// One token of [`Analysis`]: the word of the text and the term it is indexed as.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct AnalyzedWord {
    /// The word as written in `text`.
    pub word: String,
    /// The index term it becomes (stemmed, split or folded).
    pub term: String,
    /// Position in the token stream (stop words leave gaps).
    pub position: usize,
    /// Byte offset of the word in `text`.
    pub start: usize,
    /// End byte offset (exclusive).
    pub end: usize,
}

/// The query parameters of `GET /documents/{id}`, for the document (the handler reads
/// them leniently by name, like every handler here).
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentParams {
    /// A query whose matches to mark in the page's text (`highlights`); at most
    /// `server.max_query_bytes` bytes.
    #[param(example = "skolfrånvaro")]
    pub q: Option<String>,
}

/// The query parameters of `GET /analyze`, for the document.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnalyzeParams {
    /// The text to analyze, as a query or a page would be; at most
    /// `server.max_query_bytes` bytes.
    #[param(example = "Skolfrånvaron i Härnösand")]
    pub text: String,
}

/// The document's root: title, version and licence come from Cargo.toml.
#[derive(OpenApi)]
#[openapi(
    info(description = "Search Swedish web pages: ranked hits with snippets and facets, stored pages, and how text is analyzed."),
    tags(
        (name = "search", description = "Ranked search over the index."),
        (name = "documents", description = "Stored pages by id."),
        (name = "meta", description = "Health, statistics, analysis, this document and the search page.")
    )
)]
struct ApiDoc;

/// Every route, each registered with its OpenAPI operation: the one list of routes.
/// A route added to the router any other way has no documentation, and the drift test
/// (`openapi_document_and_router_agree`) fails on it.
fn documented_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(home))
        .routes(routes!(search_get, search_post))
        .routes(routes!(document))
        .routes(routes!(health))
        .routes(routes!(stats))
        .routes(routes!(analyze))
        .routes(routes!(openapi_json))
}

/// All routes over `state`.
pub fn router(state: AppState) -> Router {
    let body_limit = state.max_body_bytes;
    let (routes, _) = documented_routes().split_for_parts();
    routes
        // A known path with another method: JSON like every error (axum adds `Allow`).
        .method_not_allowed_fallback(|| async {
            ApiError {
                status: StatusCode::METHOD_NOT_ALLOWED,
                code: "method_not_allowed",
                message: "this endpoint does not answer that method; see /openapi.json".into(),
            }
        })
        .fallback(|| async {
            ApiError {
                status: StatusCode::NOT_FOUND,
                code: "not_found",
                message: "no such endpoint; see /openapi.json".into(),
            }
        })
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state)
}

/// Serve `state` on `listener` until the process is stopped (Ctrl-C ends it cleanly).
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}

/// The search page.
#[utoipa::path(
    get,
    path = "/",
    tag = "meta",
    responses((status = 200, description = "The search page for people (HTML).", content_type = "text/html", body = String))
)]
async fn home() -> Html<&'static str> {
    Html(include_str!("http/index.html"))
}

fn parse_number(
    params: &HashMap<String, String>,
    name: &'static str,
) -> Result<Option<usize>, ApiError> {
    match params.get(name) {
        None => Ok(None),
        Some(v) => crate::search::parse_count(v.trim())
            .map(Some)
            .ok_or_else(|| {
                ApiError::bad_request(
                    "bad_parameter",
                    format!("{name} must be a whole number, got {v:?}"),
                )
            }),
    }
}

/// `?facets=true`: a boolean as JSON Schema spells it (also `1`/`0`).
fn parse_bool(
    params: &HashMap<String, String>,
    name: &'static str,
) -> Result<Option<bool>, ApiError> {
    match params.get(name).map(|v| v.trim()) {
        None => Ok(None),
        Some("true" | "1") => Ok(Some(true)),
        Some("false" | "0") => Ok(Some(false)),
        Some(v) => Err(ApiError::bad_request(
            "bad_parameter",
            format!("{name} must be true or false, got {v:?}"),
        )),
    }
}

async fn run_search(state: AppState, req: SearchRequest) -> Result<Response, ApiError> {
    state.searcher.validate(&req)?;
    // A cache hit costs no search permit and no thread: the answer of the same request on
    // the same index generation, as it was sent.
    let generation = state.searcher.generation();
    let cached = state.cache.as_ref().and_then(|cache| {
        let mut c = cache.lock().ok()?;
        match c.get(&req) {
            Some((g, body)) if *g == generation => Some(body.clone()),
            _ => None,
        }
    });
    let body = match cached {
        Some(body) => body,
        None => {
            let key = state.cache.is_some().then(|| req.clone());
            let answer = blocking(&state, move |s, stop_at| s.search_until(&req, stop_at)).await?;
            let body = Bytes::from(
                serde_json::to_vec(&answer).map_err(|e| SearchError::Internal(e.to_string()))?,
            );
            if let (Some(key), Some(Ok(mut c))) = (key, state.cache.as_ref().map(Mutex::lock)) {
                c.put(key, (generation, body.clone()));
            }
            body
        }
    };
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// Search with the query in the query string.
#[utoipa::path(
    get,
    path = "/search",
    tag = "search",
    params(SearchRequest),
    responses(
        (status = 200, description = "Hits, best first (with facets when asked).", body = SearchResponse),
        (status = 400, description = "No or a blank `q`, a `q` too long, a `limit`/`offset` out of range or not a whole number, or a `facets` that is not true/false.", body = ErrorBody),
        (status = 500, description = "The index could not be read.", body = ErrorBody),
        (status = 503, description = "Too many searches at once (`busy`) or out of time (`timeout`); try again.", body = ErrorBody)
    )
)]
async fn search_get(
    State(state): State<AppState>,
    params: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(params) = params?;
    let q = params
        .get("q")
        .cloned()
        .ok_or_else(|| ApiError::bad_request("missing_query", "give the query as ?q=…"))?;
    let req = SearchRequest {
        q,
        limit: parse_number(&params, "limit")?,
        offset: parse_number(&params, "offset")?,
        facets: parse_bool(&params, "facets")?,
    };
    run_search(state, req).await
}

/// Search with the query as a JSON body.
#[utoipa::path(
    post,
    path = "/search",
    tag = "search",
    request_body = SearchRequest,
    responses(
        (status = 200, description = "Hits, best first (with facets when asked).", body = SearchResponse),
        (status = 400, description = "A body that is not such JSON, a blank or too long `q`, or a `limit`/`offset` out of range.", body = ErrorBody),
        (status = 413, description = "A body larger than `server.max_body_bytes`.", body = ErrorBody),
        (status = 500, description = "The index could not be read.", body = ErrorBody),
        (status = 503, description = "Too many searches at once (`busy`) or out of time (`timeout`); try again.", body = ErrorBody)
    )
)]
async fn search_post(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(|e| ApiError {
        status: e.status(),
        code: if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            "body_too_large"
        } else {
            "bad_body"
        },
        message: format!(
            "{} (the limit is max_body_bytes = {} bytes)",
            e.body_text(),
            state.max_body_bytes
        ),
    })?;
    let req: SearchRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(
            "bad_json",
            format!("the body must be JSON like {{\"q\": \"skola\", \"limit\": 10}}: {e}"),
        )
    })?;
    run_search(state, req).await
}

/// A stored page by id.
#[utoipa::path(
    get,
    path = "/documents/{*id}",
    tag = "documents",
    params(
        ("id" = String, Path, description = "The document id (its relative path, slashes included), as hits give it."),
        DocumentParams
    ),
    responses(
        (status = 200, description = "The page; with `q`, where the query matches in its text.", body = Document),
        (status = 400, description = "A `q` too long.", body = ErrorBody),
        (status = 404, description = "No document with that id (`document_not_found`).", body = ErrorBody),
        (status = 500, description = "The index could not be read.", body = ErrorBody),
        (status = 503, description = "Too many searches at once (`busy`) or out of time (`timeout`); try again.", body = ErrorBody)
    )
)]
async fn document(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    params: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Path(id) = id?;
    let Query(params) = params?;
    if let Some(q) = params.get("q") {
        let max = state.searcher.max_query_bytes();
        if q.len() > max {
            return Err(SearchError::QueryTooLong { len: q.len(), max }.into());
        }
    }
    let id2 = id.clone();
    let answer = blocking(&state, move |s, _| {
        let page = s.document(&id2)?;
        Ok(page.map(|p| {
            let highlights = params.get("q").map(|q| s.highlights(&p.text, q));
            Document {
                page: p,
                highlights,
            }
        }))
    })
    .await?;
    match answer {
        Some(doc) => Ok(Json(doc).into_response()),
        None => Err(ApiError {
            status: StatusCode::NOT_FOUND,
            code: "document_not_found",
            message: format!("no document with id {id:?}"),
        }),
    }
}

/// Whether the server answers.
#[utoipa::path(
    get,
    path = "/health",
    tag = "meta",
    responses((status = 200, description = "The server answers.", body = Health))
)]
async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        documents: state.searcher.stats().documents,
    })
}

/// Index statistics.
#[utoipa::path(
    get,
    path = "/stats",
    tag = "meta",
    responses((status = 200, description = "Document count, index size and last commit.", body = Stats))
)]
async fn stats(State(state): State<AppState>) -> Json<Stats> {
    Json(state.searcher.stats())
}

/// How the analyzers split, stem and fold a text.
#[utoipa::path(
    get,
    path = "/analyze",
    tag = "meta",
    params(AnalyzeParams),
    responses(
        (status = 200, description = "The tokens per analyzed field.", body = Analysis),
        (status = 400, description = "No `text` (`missing_text`) or one too long (`query_too_long`).", body = ErrorBody)
    )
)]
async fn analyze(
    State(state): State<AppState>,
    params: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Json<Analysis>, ApiError> {
    let Query(params) = params?;
    let text = params
        .get("text")
        .ok_or_else(|| ApiError::bad_request("missing_text", "give the text as ?text=…"))?;
    let max = state.searcher.max_query_bytes();
    if text.len() > max {
        return Err(SearchError::QueryTooLong {
            len: text.len(),
            max,
        }
        .into());
    }
    let fields = state
        .searcher
        .analyze(text)
        .into_iter()
        .map(|(field, tokens)| {
            let words = tokens
                .into_iter()
                .map(|t| AnalyzedWord {
                    word: text[t.start..t.end].to_string(),
                    term: t.term,
                    position: t.position,
                    start: t.start,
                    end: t.end,
                })
                .collect();
            (field.to_string(), words)
        })
        .collect();
    Ok(Json(Analysis {
        text: text.clone(),
        fields,
    }))
}

/// This document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI document of this server, with its limits.", content_type = "application/json", body = Object))
)]
async fn openapi_json(State(state): State<AppState>) -> Response {
    let body = state
        .openapi
        .get_or_init(|| Bytes::from(openapi(state.searcher.config()).to_string()))
        .clone();
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

#[cfg(test)]
mod tests;

//! Stage 7, **http**: the search API over axum, and its OpenAPI document.
//!
//! [`router`] builds the routes over a shared [`App`] and is tested without a socket;
//! [`serve`] runs it on a listener. Searches run on tokio's blocking pool so a slow
//! query never stalls the async workers, at most `max_concurrent_searches` at once and
//! each within `request_timeout_ms`. Every error is JSON `{"error": {"code", "message"}}`
//! with a 4xx status (503 when busy or out of time); user input never causes a 500.
//!
//! Every route is registered in [`documented_routes`] together with its OpenAPI operation
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
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::config::Config;
use crate::index::StoredPage;
use crate::search::{SearchError, SearchRequest, SearchResponse, Searcher, Stats, MAX_OFFSET};

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

/// An HTTP error: status, stable code and a message for people.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
        }
    }

    fn unavailable(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code,
            message: message.into(),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(e: QueryRejection) -> ApiError {
        ApiError::bad_request(
            "bad_parameters",
            format!("cannot read the query string: {}", e.body_text()),
        )
    }
}

impl From<PathRejection> for ApiError {
    fn from(e: PathRejection) -> ApiError {
        ApiError::bad_request(
            "bad_path",
            format!("cannot read the path: {}", e.body_text()),
        )
    }
}

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> ApiError {
        let status = match e {
            SearchError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            SearchError::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        };
        let message = match &e {
            SearchError::Internal(_) => {
                "the search failed inside the server; see its log".to_string()
            }
            other => other.to_string(),
        };
        if let SearchError::Internal(detail) = &e {
            eprintln!("search error: {detail}");
        }
        ApiError {
            status,
            code: e.code(),
            message,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

/// The body of every error answer (any 4xx or 5xx), so a client reads one shape and
/// branches on `error.code` alone.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// A stable code for programs and a message for people.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct ErrorDetail {
    /// Stable and machine-readable, e.g. `missing_query`, `empty_query`, `query_too_long`,
    /// `bad_limit`, `bad_offset`, `bad_parameter`, `bad_json`, `body_too_large`,
    /// `document_not_found`, `not_found`, `method_not_allowed`, `busy`, `timeout`.
    pub code: String,
    /// For people: what was wrong and what to send instead.
    pub message: String,
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

/// The OpenAPI document of [`router`] as JSON, with the limits of `cfg` filled in, so
/// that clients and fuzzers (schemathesis) know what this server accepts.
pub fn openapi(cfg: &Config) -> Value {
    let (_, doc) = documented_routes().split_for_parts();
    let mut doc = serde_json::to_value(&doc).expect("the OpenAPI document is JSON");
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        let all = std::mem::take(paths);
        for (path, mut item) in all {
            for (method, op) in item.as_object_mut().into_iter().flatten() {
                let search = path == "/search" && method == "get";
                for param in op
                    .get_mut("parameters")
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    if param["in"] == "query" {
                        let name = param["name"].as_str().unwrap_or_default().to_string();
                        let schema = &mut param["schema"];
                        not_null(schema);
                        constrain(schema, &name, search, cfg);
                    }
                }
            }
            paths.insert(openapi_path(&path), item);
        }
    }
    // From a hit to its page. utoipa 5 writes a Link's fields in snake_case
    // (`operation_id`), which OpenAPI does not read, so the links are written here.
    for (method, q) in [("get", "$request.query.q"), ("post", "$request.body#/q")] {
        if let Some(ok) = doc.pointer_mut(&format!("/paths/~1search/{method}/responses/200")) {
            ok["links"] = json!({"document": {
                "operationId": "document",
                "parameters": {"id": "$response.body#/hits/0/id", "q": q},
                "description": "The page of the first hit, with the query's matches marked.",
            }});
        }
    }
    if let Some(props) = doc
        .pointer_mut("/components/schemas/SearchRequest/properties")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in props {
            constrain(schema, name, true, cfg);
        }
    }
    doc
}

/// axum's catch-all segment `{*id}` is a plain `{id}` in an OpenAPI path.
fn openapi_path(axum_path: &str) -> String {
    axum_path.replace("{*", "{")
}

/// A query-string value is never JSON `null`: an absent parameter is how to leave one out.
fn not_null(schema: &mut Value) {
    if let Some(types) = schema.get_mut("type").and_then(Value::as_array_mut) {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types[0].clone();
            schema["type"] = only;
        }
    }
}

/// The limits [`Searcher::validate`] and the handlers apply to a query parameter or
/// [`SearchRequest`] property, written into its schema: `search` for the query of a
/// search (not blank), otherwise a text that may be empty (`/analyze`, `/documents`).
fn constrain(schema: &mut Value, name: &str, search: bool, cfg: &Config) {
    let server = &cfg.server;
    let limits = match name {
        "q" if search => json!({
            "minLength": 1,
            "maxLength": server.max_query_bytes,
            "pattern": not_blank_pattern(),
        }),
        "q" | "text" => json!({"maxLength": server.max_query_bytes}),
        "limit" => json!({
            "minimum": 1,
            "maximum": server.max_limit,
            "default": cfg.search.default_limit,
        }),
        "offset" => json!({"minimum": 0, "maximum": MAX_OFFSET, "default": 0}),
        _ => return,
    };
    if let (Some(schema), Value::Object(limits)) = (schema.as_object_mut(), limits) {
        schema.extend(limits);
    }
}

/// A regular expression matching text with a character that is not whitespace by Rust's
/// `char::is_whitespace` (what `str::trim` removes), so the document's "not blank" is
/// exactly the server's. The whitespace characters stand in the class as themselves.
fn not_blank_pattern() -> String {
    let mut class = String::new();
    let mut chars = ('\0'..=char::MAX).filter(|c| c.is_whitespace()).peekable();
    while let Some(first) = chars.next() {
        let mut last = first;
        while let Some(&next) = chars.peek() {
            if next as u32 != last as u32 + 1 {
                break;
            }
            last = next;
            chars.next();
        }
        class.push(first);
        if last != first {
            class.push('-');
            class.push(last);
        }
    }
    format!("[^{class}]")
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
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::import::{self, ImportOptions};
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use std::collections::BTreeSet;
    use std::time::Duration;
    use tower::ServiceExt;

    fn app() -> (tempfile::TempDir, Router) {
        let (tmp, state) = state(|_| {});
        (tmp, router(state))
    }

    fn state(tune: impl FnOnce(&mut Config)) -> (tempfile::TempDir, AppState) {
        let tmp = tempfile::tempdir().unwrap();
        let mut cfg = Config::default();
        cfg.index.dir = tmp.path().join("index");
        tune(&mut cfg);
        let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("import");
        import::run(
            &cfg,
            &ImportOptions {
                paths: vec![seeds],
                ..Default::default()
            },
        )
        .unwrap();
        let searcher = Searcher::open(&cfg.index.dir, &cfg).unwrap();
        (tmp, Arc::new(App::new(searcher)))
    }

    async fn send(app: &Router, req: Request<Body>) -> (StatusCode, serde_json::Value) {
        let resp = app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
        )
    }

    async fn get(app: &Router, uri: &str) -> (StatusCode, serde_json::Value) {
        send(app, Request::get(uri).body(Body::empty()).unwrap()).await
    }

    #[tokio::test]
    async fn routes_answer_json_and_errors_are_json() {
        let (_tmp, app) = app();
        let (status, body) = get(&app, "/search?q=Karlskoga&limit=1").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["hits"].as_array().unwrap().len(), 1);
        assert_eq!(body["query"], "Karlskoga");

        let (status, body) = get(&app, "/search?q=skola&limit=0").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["code"], "bad_limit");

        let (status, body) = get(&app, "/nowhere").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["error"]["code"], "not_found");

        let (status, body) = get(&app, "/analyze?text=Skolorna%20och%20skolan").await;
        assert_eq!(status, StatusCode::OK);
        let terms: Vec<&str> = body["fields"]["body"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["term"].as_str().unwrap())
            .collect();
        assert_eq!(terms.len(), 2, "{body}");
        assert_eq!(terms[0], terms[1], "{body}");
        assert_eq!(body["fields"]["body"][0]["word"], "Skolorna");
        let (status, body) = get(&app, "/analyze?text=skolfr%C3%A5nvaro").await;
        assert_eq!(status, StatusCode::OK);
        let parts: Vec<&str> = body["fields"]["body_parts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["term"].as_str().unwrap())
            .collect();
        // The parts field holds the parts only: the body field has the whole word.
        assert!(
            parts.contains(&"frånvaro") && !parts.contains(&"skolfrånvaro"),
            "{body}"
        );
        assert_eq!(
            body["fields"]["body_folded"][0]["term"], "skolfranvaro",
            "{body}"
        );

        let (status, body) = get(&app, "/health").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["documents"], 5);
    }

    async fn post(app: &Router, uri: &str, body: Vec<u8>) -> (StatusCode, serde_json::Value) {
        send(app, Request::post(uri).body(Body::from(body)).unwrap()).await
    }

    #[tokio::test]
    async fn oversized_bodies_get_a_json_413_and_odd_bytes_no_500() {
        let (_tmp, state) = state(|c| c.server.max_body_bytes = 100);
        let app = router(state);
        let (status, body) = post(&app, "/search", br#"{"q": "Karlskoga"}"#.to_vec()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let big = format!(r#"{{"q": "{}"}}"#, "skola ".repeat(50)).into_bytes();
        let (status, body) = post(&app, "/search", big).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
        assert_eq!(body["error"]["code"], "body_too_large");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("100 bytes"),
            "{body}"
        );
        // Bytes that are not UTF-8 are read leniently (as U+FFFD), never a 500.
        let (status, body) = get(&app, "/search?q=%FF%FE").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["total"], 0);
    }

    /// The paths the router answers, read from axum's `Debug` of the router (axum has no
    /// public list of routes); in OpenAPI's spelling (`{id}` for `{*id}`).
    fn routed_paths(app: &Router) -> BTreeSet<String> {
        let debug = format!("{app:?}");
        let start = debug
            .find("path_router")
            .expect("axum's Debug of Router names path_router");
        let end = debug
            .find("fallback_router")
            .expect("and fallback_router after it");
        let route = regex::Regex::new(r#"RouteId\(\d+\): "([^"]*)""#).unwrap();
        let paths: BTreeSet<String> = route
            .captures_iter(&debug[start..end])
            .map(|c| openapi_path(&c[1]))
            .collect();
        // If axum changes its Debug output, fail here rather than compare nothing.
        assert!(paths.contains("/search"), "no routes found in {debug}");
        paths
    }

    /// Drift test: every route of the router is in the document and every path and
    /// method of the document is answered by the router (not the 404 fallback, not 405),
    /// with a status the document lists; methods the document lacks get 405.
    #[tokio::test]
    async fn openapi_document_and_router_agree() {
        let (_tmp, app) = app();
        let (status, doc) = get(&app, "/openapi.json").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            doc["openapi"]
                .as_str()
                .unwrap_or_default()
                .starts_with("3.1"),
            "{doc}"
        );
        for name in [
            "SearchRequest",
            "SearchResponse",
            "Hit",
            "Snippet",
            "Facets",
            "FacetCount",
            "Metadata",
            "StoredPage",
            "Document",
            "Stats",
            "Health",
            "Analysis",
            "AnalyzedWord",
            "ErrorBody",
            "ErrorDetail",
        ] {
            assert!(
                doc["components"]["schemas"][name].is_object(),
                "schema {name} missing"
            );
        }
        let documented: BTreeMap<String, BTreeSet<String>> = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(path, item)| {
                (
                    path.clone(),
                    item.as_object().unwrap().keys().cloned().collect(),
                )
            })
            .collect();
        assert_eq!(
            routed_paths(&app),
            documented.keys().cloned().collect::<BTreeSet<_>>(),
            "the router and /openapi.json list different paths: register routes with \
             documented_routes()"
        );
        // Links (from a hit to its page) name operations the document has.
        let operations: BTreeSet<&str> = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .filter_map(|op| op["operationId"].as_str())
            .collect();
        let mut links = 0;
        for op in doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|i| i.as_object().unwrap().values())
        {
            for response in op["responses"].as_object().into_iter().flatten() {
                for link in response.1["links"].as_object().into_iter().flatten() {
                    let target = link.1["operationId"].as_str().unwrap_or_default();
                    assert!(operations.contains(target), "link {} to {target:?}", link.0);
                    links += 1;
                }
            }
        }
        assert!(
            links >= 2,
            "the searches link their hits to GET /documents/{{id}}"
        );
        for (path, methods) in &documented {
            let uri = path.replace("{id}", "no-such-page.txt");
            for method in ["get", "post", "put", "delete", "patch"] {
                let resp = app
                    .clone()
                    .oneshot(
                        Request::builder()
                            .method(method.to_uppercase().as_str())
                            .uri(&uri)
                            .body(Body::empty())
                            .unwrap(),
                    )
                    .await
                    .unwrap();
                let status = resp.status();
                let bytes = resp.into_body().collect().await.unwrap().to_bytes();
                let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
                if methods.contains(method) {
                    let fell_through =
                        status == StatusCode::NOT_FOUND && body["error"]["code"] == "not_found";
                    assert!(
                        status != StatusCode::METHOD_NOT_ALLOWED && !fell_through,
                        "{method} {path} is documented but not routed: {status} {body}"
                    );
                    assert!(
                        doc["paths"][path][method]["responses"][status.as_str()].is_object(),
                        "{method} {uri} answered {status}, which the document does not list"
                    );
                } else {
                    assert_eq!(
                        (status, body["error"]["code"].as_str()),
                        (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed")),
                        "{method} {path} is answered but not documented"
                    );
                }
            }
        }
    }

    #[tokio::test]
    async fn the_document_carries_the_configured_limits() {
        let (_tmp, state) = state(|c| {
            c.server.max_limit = 7;
            c.server.max_query_bytes = 50;
        });
        let app = router(state);
        let (_, doc) = get(&app, "/openapi.json").await;
        let props = &doc["components"]["schemas"]["SearchRequest"]["properties"];
        assert_eq!(props["limit"]["maximum"], 7, "{props}");
        assert_eq!(props["q"]["maxLength"], 50, "{props}");
        assert_eq!(props["offset"]["maximum"], MAX_OFFSET);
        let params = doc["paths"]["/search"]["get"]["parameters"]
            .as_array()
            .unwrap();
        let limit = params.iter().find(|p| p["name"] == "limit").unwrap();
        // A query-string value is never null.
        assert_eq!(limit["schema"]["type"], "integer", "{limit}");
        assert_eq!(limit["schema"]["maximum"], 7, "{limit}");
        let link = &doc["paths"]["/search"]["get"]["responses"]["200"]["links"]["document"];
        assert_eq!(link["operationId"], "document", "{link}");
        let text = &doc["paths"]["/analyze"]["get"]["parameters"][0];
        assert_eq!(
            (&text["name"], &text["schema"]["maxLength"]),
            (&json!("text"), &json!(50))
        );
    }

    #[test]
    fn not_blank_pattern_is_what_trim_keeps() {
        let re = regex::Regex::new(&not_blank_pattern()).unwrap();
        for c in ('\0'..=char::MAX)
            .step_by(7)
            .chain([' ', '\t', '\u{3000}', 'a', '\u{85}'])
        {
            let s = c.to_string();
            assert_eq!(re.is_match(&s), !s.trim().is_empty(), "{:?}", c);
        }
    }

    #[tokio::test]
    async fn counts_are_whole_numbers_however_written() {
        let (_tmp, app) = app();
        let (status, body) =
            post(&app, "/search", br#"{"q": "skola", "limit": 2.0}"#.to_vec()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["hits"].as_array().unwrap().len() <= 2);
        let (status, body) =
            post(&app, "/search", br#"{"q": "skola", "limit": 2.5}"#.to_vec()).await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (StatusCode::BAD_REQUEST, &json!("bad_json"))
        );
        let (status, _) = post(&app, "/search", br#"{"q": "skola", "offset": -1}"#.to_vec()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            get(&app, "/search?q=skola&limit=2.0").await.0,
            StatusCode::OK
        );
        let (status, body) = get(&app, "/search?q=skola&limit=2.5").await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (StatusCode::BAD_REQUEST, &json!("bad_parameter"))
        );
    }

    #[tokio::test]
    async fn searches_wait_for_a_permit_and_give_up_at_the_timeout() {
        let (_tmp, state) = state(|c| {
            c.server.max_concurrent_searches = 1;
            c.server.request_timeout_ms = 100;
        });
        let app = router(state.clone());
        // Every permit taken (as by a runaway query): searches answer 503, health answers.
        let held = state.permits.clone().acquire_owned().await.unwrap();
        let (status, body) = get(&app, "/search?q=skola").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(body["error"]["code"], "busy");
        assert_eq!(get(&app, "/health").await.0, StatusCode::OK);
        drop(held);
        assert_eq!(get(&app, "/search?q=skola").await.0, StatusCode::OK);

        // Work that outlives the timeout: 503 `timeout`, and its permit stays taken until
        // it ends, so the next search waits instead of piling up.
        let slow = blocking(&state, |_, _| {
            std::thread::sleep(std::time::Duration::from_millis(300));
            Ok(())
        })
        .await;
        let err = slow.unwrap_err();
        assert_eq!(
            (err.status, err.code),
            (StatusCode::SERVICE_UNAVAILABLE, "timeout")
        );
        assert_eq!(state.permits.available_permits(), 0);
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        assert_eq!(state.permits.available_permits(), 1);
        assert_eq!(get(&app, "/search?q=skola").await.0, StatusCode::OK);
    }

    #[tokio::test]
    async fn repeated_searches_come_from_the_cache_of_this_index_generation() {
        let (_tmp, state) = state(|c| c.server.cache_entries = 8);
        let app = router(state.clone());
        // The same answer, `took_ms` included, unless the reader picked up the fresh
        // index's commit in between (a new generation); it settles within a second.
        let mut same = false;
        for _ in 0..10 {
            let first = get(&app, "/search?q=skolfr%C3%A5nvaro").await;
            assert_eq!(first.0, StatusCode::OK);
            if get(&app, "/search?q=skolfr%C3%A5nvaro").await == first {
                same = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(same, "a repeated search was never answered from the cache");
        assert_eq!(state.cache.as_ref().unwrap().lock().unwrap().len(), 1);
        // An answer made on another generation of the index is never served.
        let req = SearchRequest {
            q: "Karlskoga".into(),
            ..SearchRequest::default()
        };
        let stale = (
            state.searcher.generation() + 1,
            Bytes::from_static(b"{\"stale\":true}"),
        );
        state
            .cache
            .as_ref()
            .unwrap()
            .lock()
            .unwrap()
            .put(req, stale);
        let (status, body) = get(&app, "/search?q=Karlskoga").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            body.get("stale").is_none() && body["total"].as_u64() > Some(0),
            "{body}"
        );
        // cache_entries = 0: no cache at all.
        drop(state);
        let (_tmp2, off) = super::tests::state(|c| c.server.cache_entries = 0);
        assert!(off.cache.is_none());
    }

    #[tokio::test]
    async fn a_search_out_of_time_stops_itself() {
        let (_tmp, state) = state(|_| {});
        let req = SearchRequest {
            q: "skolfrånvaro Karlskoga".into(),
            ..SearchRequest::default()
        };
        let now = std::time::Instant::now();
        let late = state
            .searcher
            .search_until(&req, now - Duration::from_millis(1));
        assert!(matches!(late, Err(SearchError::Timeout)), "{late:?}");
        let err = ApiError::from(late.unwrap_err());
        assert_eq!(
            (err.status, err.code),
            (StatusCode::SERVICE_UNAVAILABLE, "timeout")
        );
        let in_time = state
            .searcher
            .search_until(&req, now + Duration::from_secs(60));
        assert!(!in_time.unwrap().hits.is_empty());
    }
}

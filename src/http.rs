//! Stage 7, **http**: the search API over axum.
//!
//! [`router`] builds the routes over a shared [`App`] and is tested without a socket;
//! [`serve`] runs it on a listener. Searches run on tokio's blocking pool so a slow
//! query never stalls the async workers, at most `max_concurrent_searches` at once and
//! each within `request_timeout_ms`. Every error is JSON `{"error": {"code", "message"}}`
//! with a 4xx status (503 when busy or out of time); user input never causes a 500.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::search::{SearchError, SearchRequest, Searcher};

/// What the handlers share: the searcher and the limits it is used under.
pub struct App {
    searcher: Searcher,
    permits: Arc<Semaphore>,
    timeout: Duration,
    max_body_bytes: usize,
}

impl App {
    /// The searcher with the limits of its `[server]` config.
    pub fn new(searcher: Searcher) -> App {
        let server = &searcher.config().server;
        App {
            permits: Arc::new(Semaphore::new(server.max_concurrent_searches.max(1))),
            timeout: Duration::from_millis(server.request_timeout_ms.max(1)),
            max_body_bytes: server.max_body_bytes,
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
    work: impl FnOnce(&Searcher) -> Result<T, SearchError> + Send + 'static,
) -> Result<T, ApiError> {
    let deadline = tokio::time::Instant::now() + app.timeout;
    let permit = tokio::time::timeout_at(deadline, app.permits.clone().acquire_owned())
        .await
        .map_err(|_| ApiError::unavailable("busy", "too many searches at once; try again"))?
        .map_err(|_| ApiError::unavailable("busy", "the server is shutting down"))?;
    let app = app.clone();
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work(&app.searcher)
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
        ApiError::bad_request("bad_parameters", format!("cannot read the query string: {}", e.body_text()))
    }
}

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> ApiError {
        let status = match e {
            SearchError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
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
        let body = json!({"error": {"code": self.code, "message": self.message}});
        (self.status, Json(body)).into_response()
    }
}

/// All routes over `state`.
pub fn router(state: AppState) -> Router {
    let body_limit = state.max_body_bytes;
    Router::new()
        .route("/", get(home))
        .route("/search", get(search_get).post(search_post))
        // `?q=` adds `highlights`: byte ranges of the words the query matches in `text`.
        .route("/documents/{*id}", get(document))
        .route("/health", get(health))
        .route("/stats", get(stats))
        .route("/analyze", get(analyze))
        .fallback(|| async {
            ApiError {
                status: StatusCode::NOT_FOUND,
                code: "not_found",
                message: "no such endpoint".into(),
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

async fn home() -> Html<&'static str> {
    Html(include_str!("http/index.html"))
}

fn parse_number(
    params: &HashMap<String, String>,
    name: &'static str,
) -> Result<Option<usize>, ApiError> {
    match params.get(name) {
        None => Ok(None),
        Some(v) => v.trim().parse::<usize>().map(Some).map_err(|_| {
            ApiError::bad_request(
                "bad_parameter",
                format!("{name} must be a whole number, got {v:?}"),
            )
        }),
    }
}

async fn run_search(state: AppState, req: SearchRequest) -> Result<Response, ApiError> {
    state.searcher.validate(&req)?;
    let answer = blocking(&state, move |s| s.search(&req)).await?;
    Ok(Json(answer).into_response())
}

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
    };
    run_search(state, req).await
}

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

async fn document(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(params) = params?;
    if let Some(q) = params.get("q") {
        let max = state.searcher.max_query_bytes();
        if q.len() > max {
            return Err(SearchError::QueryTooLong { len: q.len(), max }.into());
        }
    }
    let id2 = id.clone();
    let answer = blocking(&state, move |s| {
        let page = s.document(&id2)?;
        Ok(page.map(|p| {
            let highlights = params.get("q").map(|q| s.highlights(&p.text, q));
            (p, highlights)
        }))
    })
    .await?;
    match answer {
        Some((page, highlights)) => {
            let mut body = serde_json::to_value(&page).unwrap_or_default();
            if let (Some(h), Some(obj)) = (highlights, body.as_object_mut()) {
                obj.insert("highlights".into(), json!(h));
            }
            Ok(Json(body).into_response())
        }
        None => Err(ApiError {
            status: StatusCode::NOT_FOUND,
            code: "document_not_found",
            message: format!("no document with id {id:?}"),
        }),
    }
}

async fn health(State(state): State<AppState>) -> Response {
    let documents = state.searcher.stats().documents;
    Json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION"), "documents": documents}))
        .into_response()
}

async fn stats(State(state): State<AppState>) -> Response {
    Json(state.searcher.stats()).into_response()
}

async fn analyze(
    State(state): State<AppState>,
    params: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, ApiError> {
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
    let fields: serde_json::Map<String, serde_json::Value> = state
        .searcher
        .analyze(text)
        .into_iter()
        .map(|(field, tokens)| {
            let tokens: Vec<_> = tokens
                .iter()
                .map(|t| {
                    json!({"word": &text[t.start..t.end], "term": t.term, "position": t.position,
                           "start": t.start, "end": t.end})
                })
                .collect();
            (field.to_string(), json!(tokens))
        })
        .collect();
    Ok(Json(json!({"text": text, "fields": fields})).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::import::{self, ImportOptions};
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
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

    async fn get(app: &Router, uri: &str) -> (StatusCode, serde_json::Value) {
        let resp = app
            .clone()
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
        )
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
        assert!(
            parts.contains(&"frånvaro") && parts.contains(&"skolfrånvaro"),
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
        let resp = app
            .clone()
            .oneshot(Request::post(uri).body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
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
        assert!(body["error"]["message"].as_str().unwrap().contains("100 bytes"), "{body}");
        // Bytes that are not UTF-8 are read leniently (as U+FFFD), never a 500.
        let (status, body) = get(&app, "/search?q=%FF%FE").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["total"], 0);
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
        let slow = blocking(&state, |_| {
            std::thread::sleep(std::time::Duration::from_millis(300));
            Ok(())
        })
        .await;
        let err = slow.unwrap_err();
        assert_eq!((err.status, err.code), (StatusCode::SERVICE_UNAVAILABLE, "timeout"));
        assert_eq!(state.permits.available_permits(), 0);
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        assert_eq!(state.permits.available_permits(), 1);
        assert_eq!(get(&app, "/search?q=skola").await.0, StatusCode::OK);
    }
}

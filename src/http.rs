//! Stage 7, **http**: the search API over axum.
//!
//! [`router`] builds the routes over a shared [`Searcher`] and is tested without a
//! socket; [`serve`] runs it on a listener. Searches run on tokio's blocking pool so a
//! slow query never stalls the async workers. Every error is JSON
//! `{"error": {"code", "message"}}` with a 4xx status; user input never causes a 500.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tokio::net::TcpListener;

use crate::search::{SearchError, SearchRequest, Searcher};

/// What the handlers share.
pub type AppState = Arc<Searcher>;

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
    state.validate(&req)?;
    let answer = tokio::task::spawn_blocking(move || state.search(&req))
        .await
        .map_err(|e| SearchError::Internal(e.to_string()))??;
    Ok(Json(answer).into_response())
}

async fn search_get(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
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

async fn search_post(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
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
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let id2 = id.clone();
    let answer = tokio::task::spawn_blocking(move || {
        let page = state.document(&id2)?;
        Ok::<_, SearchError>(page.map(|p| {
            let highlights = params.get("q").map(|q| state.highlights(&p.text, q));
            (p, highlights)
        }))
    })
    .await
    .map_err(|e| SearchError::Internal(e.to_string()))??;
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
    let documents = state.stats().documents;
    Json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION"), "documents": documents}))
        .into_response()
}

async fn stats(State(state): State<AppState>) -> Response {
    Json(state.stats()).into_response()
}

async fn analyze(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let text = params
        .get("text")
        .ok_or_else(|| ApiError::bad_request("missing_text", "give the text as ?text=…"))?;
    let max = state.max_query_bytes();
    if text.len() > max {
        return Err(SearchError::QueryTooLong {
            len: text.len(),
            max,
        }
        .into());
    }
    let fields: serde_json::Map<String, serde_json::Value> = state
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
        let tmp = tempfile::tempdir().unwrap();
        let mut cfg = Config::default();
        cfg.index.dir = tmp.path().join("index");
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
        (tmp, router(Arc::new(searcher)))
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
}

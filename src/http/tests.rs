//! Router tests without a socket (axum's `oneshot`), over an index of the seed dumps.

use super::openapi::openapi_path;
use super::*;
use crate::config::Config;
use crate::import::{self, ImportOptions};
use crate::search::MAX_OFFSET;
use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use serde_json::json;
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
    let terms = terms_of(&body, "body");
    assert_eq!(terms.len(), 2, "{body}");
    assert_eq!(terms[0], terms[1], "{body}");
    assert_eq!(body["fields"]["body"][0]["word"], "Skolorna");
    let (status, body) = get(&app, "/analyze?text=skolfr%C3%A5nvaro").await;
    assert_eq!(status, StatusCode::OK);
    let parts = terms_of(&body, "body_parts");
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

/// The terms `/analyze` answered for `field`.
fn terms_of<'a>(body: &'a serde_json::Value, field: &str) -> Vec<&'a str> {
    body["fields"][field]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["term"].as_str().unwrap())
        .collect()
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

#[tokio::test]
async fn counts_are_whole_numbers_however_written() {
    let (_tmp, app) = app();
    let (status, body) = post(&app, "/search", br#"{"q": "skola", "limit": 2.0}"#.to_vec()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["hits"].as_array().unwrap().len() <= 2);
    let (status, body) = post(&app, "/search", br#"{"q": "skola", "limit": 2.5}"#.to_vec()).await;
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

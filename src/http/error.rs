//! The one error type of the HTTP boundary: a status, a stable code and a message.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::search::SearchError;

/// An HTTP error: status, stable code and a message for people.
#[derive(Debug)]
pub struct ApiError {
    pub(super) status: StatusCode,
    pub(super) code: &'static str,
    pub(super) message: String,
}

impl ApiError {
    pub(super) fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
        }
    }

    pub(super) fn unavailable(code: &'static str, message: impl Into<String>) -> ApiError {
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

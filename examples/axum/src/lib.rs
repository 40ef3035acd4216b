//! A REST service for task lists on axum and dynamo-model:
//!
//! | Request | Answer |
//! |---|---|
//! | `POST /lists/{list}/tasks` `{"task_id", "title"}` | 201 with the task and its `ETag`; 409 when it exists; 422 when invalid |
//! | `GET /lists/{list}/tasks/{task}` | 200 with its `ETag`; 404 |
//! | `PUT /lists/{list}/tasks/{task}` `{"title", "done"}` with `If-Match` | 200 with the new `ETag`; 412 when the version moved on; 428 without `If-Match`; 404 |
//! | `DELETE /lists/{list}/tasks/{task}` | 204; 404 |
//! | `GET /lists/{list}/tasks?limit=N&cursor=C` | 200 `{"tasks", "next"}`: a page, and a signed cursor to the next one; 400 for a cursor forged, changed or of another list |
//!
//! A task's version (`#[dynamo(version)]`) is its `ETag`: an update names the version it
//! read, and DynamoDB refuses it if another write came first.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use dynamo_model::cursor::CursorKey;
use dynamo_model::{Dynamo, DynamoModel, Error, ErrorKind};
use serde::{Deserialize, Serialize};

/// A task of a list.
#[derive(Debug, Clone, PartialEq, DynamoModel, Serialize)]
#[dynamo(table = "tasks", hash_key = "list_id", range_key = "task_id")]
pub struct Task {
    /// The list.
    pub list_id: String,
    /// The task, unique in its list.
    pub task_id: String,
    /// What to do: 1 to 200 characters.
    #[dynamo(validate = "title_fits")]
    pub title: String,
    /// Done or not.
    pub done: bool,
    /// Moved on by every write: the `ETag`.
    #[dynamo(version)]
    pub version: u64,
}

fn title_fits(title: &str) -> Result<(), String> {
    match title.chars().count() {
        1..=200 => Ok(()),
        _ => Err("a title has 1 to 200 characters".to_owned()),
    }
}

/// The service's state: the client, and the key cursors are signed with.
#[derive(Debug, Clone)]
pub struct Service {
    db: Dynamo,
    cursors: std::sync::Arc<CursorKey>,
}

/// The service's routes on `db`, signing cursors with `cursors`.
pub fn app(db: Dynamo, cursors: CursorKey) -> Router {
    let service = Service {
        db,
        cursors: std::sync::Arc::new(cursors),
    };
    Router::new()
        .route("/lists/{list}/tasks", get(list).post(create))
        .route(
            "/lists/{list}/tasks/{task}",
            get(read).put(update).delete(remove),
        )
        .with_state(service)
}

/// A failure as an HTTP answer: the status its kind calls for, and the message.
#[derive(Debug)]
pub struct ApiError(StatusCode, String);

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        let status = match error.kind() {
            ErrorKind::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::InvalidRequest { .. } | ErrorKind::InvalidExpression { .. } => {
                StatusCode::BAD_REQUEST
            }
            ErrorKind::ItemNotFound { .. } | ErrorKind::VersionConflict { found: None, .. } => {
                StatusCode::NOT_FOUND
            }
            ErrorKind::VersionConflict { .. } => StatusCode::PRECONDITION_FAILED,
            ErrorKind::ConditionalCheckFailed { .. } => StatusCode::CONFLICT,
            ErrorKind::Throttled { .. } | ErrorKind::Unavailable { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError(status, error.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Json(serde_json::json!({ "error": self.1 }));
        (self.0, body).into_response()
    }
}

fn not_found() -> ApiError {
    ApiError(StatusCode::NOT_FOUND, "no such task".to_owned())
}

/// A task with its version as the `ETag`.
fn with_etag(status: StatusCode, task: Task) -> Response {
    let etag = HeaderValue::from_str(&format!("\"{}\"", task.version));
    let mut response = (status, Json(task)).into_response();
    if let Ok(etag) = etag {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

/// The body of a new task.
#[derive(Debug, Deserialize)]
pub struct NewTask {
    task_id: String,
    title: String,
}

async fn create(
    State(service): State<Service>,
    Path(list): Path<String>,
    Json(new): Json<NewTask>,
) -> Result<Response, ApiError> {
    let task = Task {
        list_id: list,
        task_id: new.task_id,
        title: new.title,
        done: false,
        version: 0,
    };
    let fields = Task::fields();
    match service
        .db
        .put(&task)
        .condition(fields.task_id.not_exists())
        .await
    {
        Ok(()) => {}
        Err(error) if error.is_conditional_check_failed() || error.is_version_conflict() => {
            return Err(ApiError(StatusCode::CONFLICT, "the task exists".to_owned()))
        }
        Err(error) => return Err(error.into()),
    }
    let stored = service
        .db
        .get::<Task>((task.list_id.as_str(), task.task_id.as_str()))
        .await?
        .ok_or_else(not_found)?;
    Ok(with_etag(StatusCode::CREATED, stored))
}

async fn read(
    State(service): State<Service>,
    Path((list, task)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let task = service
        .db
        .get::<Task>((list.as_str(), task.as_str()))
        .await?
        .ok_or_else(not_found)?;
    Ok(with_etag(StatusCode::OK, task))
}

/// The body of an update.
#[derive(Debug, Deserialize)]
pub struct TaskChange {
    title: String,
    done: bool,
}

/// The version an `If-Match` header names (`"3"`, or `W/"3"`).
fn expected_version(headers: &HeaderMap) -> Result<u64, ApiError> {
    let value = headers.get(header::IF_MATCH).ok_or_else(|| {
        ApiError(
            StatusCode::PRECONDITION_REQUIRED,
            "an update needs If-Match with the task's ETag".to_owned(),
        )
    })?;
    value
        .to_str()
        .ok()
        .map(|text| text.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|version| version.parse().ok())
        .ok_or_else(|| {
            ApiError(
                StatusCode::BAD_REQUEST,
                "If-Match is not an ETag of this service".to_owned(),
            )
        })
}

async fn update(
    State(service): State<Service>,
    Path((list, task)): Path<(String, String)>,
    headers: HeaderMap,
    Json(change): Json<TaskChange>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let fields = Task::fields();
    let updated = service
        .db
        .update::<Task>((list.as_str(), task.as_str()))
        .set(&fields.title, change.title)
        .set(&fields.done, change.done)
        .expect_version(version)
        .return_all_new()
        .await?;
    Ok(with_etag(StatusCode::OK, updated))
}

async fn remove(
    State(service): State<Service>,
    Path((list, task)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let old = service
        .db
        .delete_by_key::<Task>((list.as_str(), task.as_str()))
        .return_old()
        .await?;
    match old {
        Some(_) => Ok(StatusCode::NO_CONTENT.into_response()),
        None => Err(not_found()),
    }
}

/// The query of a list request.
#[derive(Debug, Deserialize)]
pub struct PageRequest {
    limit: Option<i32>,
    cursor: Option<String>,
}

/// A page of tasks, and where the next one starts.
#[derive(Debug, Serialize)]
struct TaskPage {
    tasks: Vec<Task>,
    next: Option<String>,
}

async fn list(
    State(service): State<Service>,
    Path(list): Path<String>,
    Query(request): Query<PageRequest>,
) -> Result<Response, ApiError> {
    let mut query = service
        .db
        .query::<Task>(list.as_str())
        .page_size(request.limit.unwrap_or(20).clamp(1, 100));
    if let Some(cursor) = &request.cursor {
        query = query.start_from_signed_cursor(cursor, &service.cursors);
    }
    let page = query.page().await?;
    let next = page.signed_cursor(&service.cursors);
    Ok(Json(TaskPage {
        tasks: page.items,
        next,
    })
    .into_response())
}

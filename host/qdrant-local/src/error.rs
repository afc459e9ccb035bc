//! Errors of the library, and the API error every endpoint turns into Qdrant's error shape.

use std::fmt;

/// Errors from starting, running or stopping a [`crate::QdrantLocal`] server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The storage directory could not be created, read or written.
    #[error("storage {path}: {source}")]
    Storage {
        /// The file or directory involved.
        path: String,
        /// The underlying IO error.
        source: std::io::Error,
    },
    /// The embedded engine refused to open a collection.
    #[error("collection `{collection}`: {message}")]
    Engine {
        /// The collection concerned.
        collection: String,
        /// What the engine said.
        message: String,
    },
    /// A listening socket could not be bound.
    #[error("bind {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// The underlying IO error.
        source: std::io::Error,
    },
    /// A server task failed or panicked.
    #[error("server task: {0}")]
    Server(String),
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The kind of an [`ApiError`], which picks the HTTP status and the gRPC code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiErrorKind {
    /// 400 / `InvalidArgument`.
    BadRequest,
    /// 404 / `NotFound`.
    NotFound,
    /// 409 / `AlreadyExists`.
    Conflict,
    /// 500 / `Internal`.
    Internal,
}

/// An error answered to a client, in Qdrant's wording.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// Which HTTP status / gRPC code.
    pub kind: ApiErrorKind,
    /// Message, as Qdrant words it (`Wrong input: …`, `Not found: …`).
    pub message: String,
}

impl ApiError {
    /// A 400 `Wrong input: …`.
    pub fn bad_request(msg: impl fmt::Display) -> Self {
        Self { kind: ApiErrorKind::BadRequest, message: format!("Wrong input: {msg}") }
    }

    /// A 400 for a body that parsed but breaks a rule, worded as Qdrant's request validator
    /// words it: `Validation error in JSON body: [where: what]`.
    pub fn validation(msg: impl fmt::Display) -> Self {
        Self { kind: ApiErrorKind::BadRequest, message: format!("Validation error in JSON body: [{msg}]") }
    }

    /// A 400 for a body that is not the JSON expected: `Format error in JSON body: …`, as Qdrant.
    pub fn format(msg: impl fmt::Display) -> Self {
        Self { kind: ApiErrorKind::BadRequest, message: format!("Format error in JSON body: {msg}") }
    }

    /// The 400 for a vector name the collection does not have, in the engine's (and Qdrant's)
    /// words.
    pub fn no_vector(name: &str) -> Self {
        Self::bad_request(format!("Not existing vector name error: {name}"))
    }

    /// A 404 `Not found: …`.
    pub fn not_found(msg: impl fmt::Display) -> Self {
        Self { kind: ApiErrorKind::NotFound, message: format!("Not found: {msg}") }
    }

    /// A 409.
    pub fn conflict(msg: impl fmt::Display) -> Self {
        Self { kind: ApiErrorKind::Conflict, message: format!("Wrong input: {msg}") }
    }

    /// A 500 `Service internal error: …`.
    pub fn internal(msg: impl fmt::Display) -> Self {
        Self { kind: ApiErrorKind::Internal, message: format!("Service internal error: {msg}") }
    }

    /// The 404 for a collection (or alias) that does not exist.
    pub fn collection_not_found(name: &str) -> Self {
        Self::not_found(format!("Collection `{name}` doesn't exist!"))
    }

    /// Maps an engine error: client mistakes become 400, a missing point 404, the rest 500.
    pub fn from_engine(err: qdrant_edge::OperationError) -> Self {
        use qdrant_edge::OperationError as E;
        match err {
            E::PointIdError { missed_point_id } => Self::not_found(format!("No point with id {missed_point_id} found")),
            E::ServiceError { .. }
            | E::InconsistentStorage { .. }
            | E::OutOfMemory { .. }
            | E::Cancelled { .. }
            | E::Timeout { .. } => Self::internal(err),
            other => Self::bad_request(other),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

//! The one error type of the crate.

use std::fmt;

/// `Result` with [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in dynamo-model.
///
/// The error is opaque: match on [`Error::kind`] or use the `is_*()` predicates.
pub struct Error {
    kind: Box<ErrorKind>,
}

/// What went wrong; see [`Error::kind`].
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An item read from DynamoDB (or handed to `from_item`) does not fit the model.
    ///
    /// Every problem of the item is listed, each with its attribute path.
    Decode {
        /// The Rust name of the model.
        model: &'static str,
        /// One entry per attribute that could not be decoded.
        problems: Vec<FieldError>,
    },
    /// A model value failed validation (a validator, or a value DynamoDB cannot store).
    ///
    /// Every failure is listed, each with its field path, like Pydantic's `ValidationError`.
    Validation {
        /// The Rust name of the model.
        model: &'static str,
        /// One entry per failed check.
        problems: Vec<FieldError>,
    },
    /// An expression or request that DynamoDB would reject, caught before sending it: an
    /// empty update, overlapping update paths, a NaN value, `IN` with over 100 values...
    InvalidExpression {
        /// The model (Rust type) the expression is for.
        model: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// One problem at one attribute path, such as `address.city: expected S, found N`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The attribute path (`address.city`, `history[3]`); empty for the whole model.
    pub path: String,
    /// What is wrong, in lowercase words.
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl Error {
    /// The kind of failure, for `match`.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Consumes the error and returns its kind.
    pub fn into_kind(self) -> ErrorKind {
        *self.kind
    }

    /// A decode error of `model` listing `problems`.
    pub fn decode(model: &'static str, problems: Vec<FieldError>) -> Self {
        ErrorKind::Decode { model, problems }.into()
    }

    /// A validation error of `model` listing `problems`.
    pub fn validation(model: &'static str, problems: Vec<FieldError>) -> Self {
        ErrorKind::Validation { model, problems }.into()
    }

    /// An invalid-expression error for `model` (a Rust type name; its path is shortened).
    pub fn invalid_expression(model: &'static str, message: String) -> Self {
        let model = model.rsplit("::").next().unwrap_or(model);
        ErrorKind::InvalidExpression { model, message }.into()
    }

    /// True when an expression or request was refused before sending.
    pub fn is_invalid_expression(&self) -> bool {
        matches!(*self.kind, ErrorKind::InvalidExpression { .. })
    }

    /// True when an item did not fit the model.
    pub fn is_decode(&self) -> bool {
        matches!(*self.kind, ErrorKind::Decode { .. })
    }

    /// True when a model value failed validation.
    pub fn is_validation(&self) -> bool {
        matches!(*self.kind, ErrorKind::Validation { .. })
    }

    /// The per-field problems of a decode or validation error (empty for other kinds).
    pub fn field_errors(&self) -> &[FieldError] {
        match &*self.kind {
            ErrorKind::Decode { problems, .. } | ErrorKind::Validation { problems, .. } => problems,
            ErrorKind::InvalidExpression { .. } => &[],
        }
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error {
            kind: Box::new(kind),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.kind, f)
    }
}

fn write_problems(f: &mut fmt::Formatter<'_>, problems: &[FieldError]) -> fmt::Result {
    match problems {
        [one] => write!(f, ": {one}"),
        many => {
            write!(f, ": {} problems", many.len())?;
            for problem in many {
                write!(f, "\n  {problem}")?;
            }
            Ok(())
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.kind {
            ErrorKind::Decode { model, problems } => {
                write!(f, "cannot decode `{model}`")?;
                write_problems(f, problems)
            }
            ErrorKind::Validation { model, problems } => {
                write!(f, "`{model}` failed validation")?;
                write_problems(f, problems)
            }
            ErrorKind::InvalidExpression { model, message } => {
                write!(f, "invalid expression for `{model}`: {message}")
            }
        }
    }
}

impl std::error::Error for Error {}

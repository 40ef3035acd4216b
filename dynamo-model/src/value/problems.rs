//! Collecting every problem of a value, each at its attribute path.

use aws_sdk_dynamodb::types::AttributeValue;

use std::fmt;

/// Problems found while decoding or checking one value, with paths relative to that value.
///
/// Codecs of containers and nested models prefix the paths of their children, so the caller
/// sees `address.city: expected S, found N`. Empty means no problem.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Problems {
    list: Vec<FieldError>,
}

/// One step of an attribute path: a map key (attribute name) or a list index.
#[derive(Debug, Clone, Copy)]
pub enum PathStep<'a> {
    /// An attribute name or map key.
    Name(&'a str),
    /// A list index.
    Index(usize),
}

impl Problems {
    /// No problems yet.
    pub const fn new() -> Self {
        Problems { list: Vec::new() }
    }

    /// One problem at the value itself.
    pub fn single(message: impl Into<String>) -> Self {
        let mut problems = Problems::new();
        problems.push(message);
        problems
    }

    /// A type mismatch: `expected S, found N`.
    pub fn mismatch(expected: &str, found: &AttributeValue) -> Self {
        Problems::single(format!("expected {expected}, found {}", type_name(found)))
    }

    /// Records a problem at the value itself.
    pub fn push(&mut self, message: impl Into<String>) {
        self.list.push(FieldError::new("", message));
    }

    /// One problem of a known kind at the value itself (an encrypted attribute that a wrong
    /// key cannot open, say), so that predicates need not read its message.
    pub fn single_of(reason: ProblemReason, message: impl Into<String>) -> Self {
        let mut error = FieldError::new("", message);
        error.reason = reason;
        Problems { list: vec![error] }
    }

    /// True when nothing went wrong.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// How many problems were recorded (a mark for [`Problems::nest_since`]).
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Moves the problems of a child value into `self`, under the child's path step.
    pub fn absorb(&mut self, step: PathStep<'_>, mut child: Problems) {
        let mark = self.list.len();
        self.list.append(&mut child.list);
        self.nest_since(mark, step);
    }

    /// Moves every problem of `other` into `self`, paths unchanged.
    pub fn absorb_all(&mut self, other: &mut Problems) {
        self.list.append(&mut other.list);
    }

    /// One problem at `path` (relative to the value being checked), for model validators
    /// that blame a field: `Problems::at("email", "must contain @")`.
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problems {
            list: vec![FieldError::new(path, message)],
        }
    }

    /// Prefixes the paths of the problems recorded since `mark` with `step`.
    pub fn nest_since(&mut self, mark: usize, step: PathStep<'_>) {
        for problem in &mut self.list[mark..] {
            problem.path = join(step, &problem.path);
        }
    }

    /// The collected problems.
    pub fn into_vec(self) -> Vec<FieldError> {
        self.list
    }
}

fn join(step: PathStep<'_>, rest: &str) -> String {
    let mut path = match step {
        PathStep::Name(name) => name.to_owned(),
        PathStep::Index(index) => format!("[{index}]"),
    };
    if !rest.is_empty() {
        if !rest.starts_with('[') {
            path.push('.');
        }
        path.push_str(rest);
    }
    path
}

/// The DynamoDB type descriptor of a value (`S`, `N`, `B`, `SS`, `M`, ...), for messages.
pub fn type_name(value: &AttributeValue) -> &'static str {
    match value {
        AttributeValue::S(_) => "S",
        AttributeValue::N(_) => "N",
        AttributeValue::B(_) => "B",
        AttributeValue::Bool(_) => "BOOL",
        AttributeValue::Null(_) => "NULL",
        AttributeValue::Ss(_) => "SS",
        AttributeValue::Ns(_) => "NS",
        AttributeValue::Bs(_) => "BS",
        AttributeValue::L(_) => "L",
        AttributeValue::M(_) => "M",
        _ => "an unknown type",
    }
}

/// One problem at one attribute path, such as `address.city: expected S, found N`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FieldError {
    /// The attribute path (`address.city`, `history[3]`); empty for the whole model.
    pub path: String,
    /// What is wrong, in lowercase words.
    pub message: String,
    /// What kind of problem it is, for the problems callers act on
    /// ([`Error::is_wrong_key`](crate::Error::is_wrong_key), ...).
    pub reason: ProblemReason,
}

impl FieldError {
    /// A problem at `path` (empty: the value itself).
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            path: path.into(),
            message: message.into(),
            reason: ProblemReason::Invalid,
        }
    }
}

/// The kind of a [`FieldError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ProblemReason {
    /// The value does not fit (a type, a validator...).
    #[default]
    Invalid,
    /// A required attribute is absent from the item: often an item written before the
    /// field existed.
    Missing,
    /// An encrypted attribute that the key provider cannot open: not its key.
    WrongKey,
    /// An encrypted attribute whose stored bytes were altered or moved.
    Tampered,
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

//! Projections: which attributes a read returns (`ProjectionExpression`).

use std::fmt;
use std::marker::PhantomData;

use super::render::{Placeholders, Prefix, Rendered};
use crate::error::{Error, Result};
use crate::value::path::{AttrPath, Field};

/// The attributes of model `M` a read returns, top-level or nested.
///
/// ```
/// use dynamo_model::{expr::Projection, DynamoModel};
///
/// #[derive(DynamoModel)]
/// #[dynamo(table = "users", hash_key = "id")]
/// struct User { id: String, name: String, address: Address }
/// #[derive(DynamoModel)]
/// struct Address { city: String }
///
/// let f = User::fields();
/// let projection = Projection::<User>::new().field(&f.name).field(&f.address().city);
/// assert_eq!(projection.render()?.expression, "#p0, #p1.#p2");
/// # Ok::<(), dynamo_model::Error>(())
/// ```
pub struct Projection<M> {
    paths: Vec<AttrPath>,
    _model: PhantomData<fn() -> M>,
}

impl<M> Default for Projection<M> {
    fn default() -> Self {
        Projection::new()
    }
}

impl<M> Projection<M> {
    /// A projection naming nothing yet (rendering it is an error until a field is added).
    pub fn new() -> Self {
        Projection {
            paths: Vec::new(),
            _model: PhantomData,
        }
    }

    /// Adds a field (a top-level attribute, a nested path or a list element).
    pub fn field<T, K>(mut self, field: impl AsRef<Field<M, T, K>>) -> Self {
        self.paths.push(field.as_ref().path().clone());
        self
    }

    /// Adds a top-level attribute by name (a typed projection's attributes).
    pub(crate) fn attribute(mut self, name: &'static str) -> Self {
        self.paths.push(AttrPath::top(name));
        self
    }

    /// True when the projection names the top-level attribute `name`.
    pub(crate) fn names(&self, name: &'static str) -> bool {
        self.paths.contains(&AttrPath::top(name))
    }

    /// The paths projected, in order.
    pub fn paths(&self) -> &[AttrPath] {
        &self.paths
    }

    /// Renders the `ProjectionExpression` (placeholders `#p0`; the same name shares one).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidExpression`](crate::ErrorKind::InvalidExpression) for a
    /// projection naming nothing.
    pub fn render(&self) -> Result<Rendered> {
        if self.paths.is_empty() {
            return Err(Error::invalid_expression(
                std::any::type_name::<M>(),
                "the projection names no attribute".to_owned(),
            ));
        }
        let mut placeholders = Placeholders::new(Prefix::Projection);
        let rendered: Vec<String> = self.paths.iter().map(|p| placeholders.path(p)).collect();
        Ok(placeholders.finish(rendered.join(", ")))
    }
}

impl<M> Clone for Projection<M> {
    fn clone(&self) -> Self {
        Projection {
            paths: self.paths.clone(),
            _model: PhantomData,
        }
    }
}

impl<M> fmt::Debug for Projection<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.paths.iter().map(ToString::to_string))
            .finish()
    }
}

//! Attribute paths and the typed field accessors built on them.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::marker::PhantomData;

use crate::value::{AttributeValue, DynamoAttribute, Problems};

/// One element of an attribute path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathElement {
    /// An attribute name, or a key of a map attribute.
    Name(Cow<'static, str>),
    /// An index into a list attribute.
    Index(u32),
}

/// A path to an attribute, possibly nested: `address.city`, `history[2]`, `prefs.theme`.
///
/// Names are kept whole (a name may contain dots, spaces or `#`): expressions send each one
/// through a placeholder, never spliced into the text.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AttrPath {
    repr: Repr,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    /// A top-level attribute: the common case, free to build and clone (the name is
    /// borrowed), and read as a one-element slice without allocating.
    Top(PathElement),
    /// A nested path (at least two elements).
    Nested(Vec<PathElement>),
}

impl AttrPath {
    /// The path of a top-level attribute.
    pub const fn top(name: &'static str) -> Self {
        AttrPath {
            repr: Repr::Top(PathElement::Name(Cow::Borrowed(name))),
        }
    }

    /// The path of the attribute `name` inside the map at `self`.
    pub fn child(&self, name: impl Into<Cow<'static, str>>) -> Self {
        self.extended(PathElement::Name(name.into()))
    }

    /// The path of element `index` of the list at `self`.
    pub fn index(&self, index: u32) -> Self {
        self.extended(PathElement::Index(index))
    }

    fn extended(&self, element: PathElement) -> Self {
        let mut elements = self.elements().to_vec();
        elements.push(element);
        AttrPath {
            repr: Repr::Nested(elements),
        }
    }

    /// The elements of the path, outermost first.
    pub fn elements(&self) -> &[PathElement] {
        match &self.repr {
            Repr::Top(element) => std::slice::from_ref(element),
            Repr::Nested(elements) => elements,
        }
    }

    /// The top-level attribute the path starts at.
    pub fn attribute(&self) -> &str {
        match self.elements().first() {
            Some(PathElement::Name(name)) => name,
            _ => "",
        }
    }

    /// True for a top-level attribute (no nesting).
    pub fn is_top_level(&self) -> bool {
        matches!(self.repr, Repr::Top(_))
    }
}

/// Written as DynamoDB documents paths: `address.city`, `history[2]`.
impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (position, element) in self.elements().iter().enumerate() {
            match element {
                PathElement::Name(name) if position == 0 => f.write_str(name)?,
                PathElement::Name(name) => write!(f, ".{name}")?,
                PathElement::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

impl fmt::Debug for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AttrPath({self})")
    }
}

/// A typed accessor of the attribute at one path of model `M`, holding values of type `T`.
///
/// `User::fields().age` is a `Field<User, u32>`: conditions and updates built from it can
/// only be used with `User`, and only with `u32` values. `K` marks the fields that are keys
/// ([`KeyField`](crate::expr::KeyField)), so a key condition only takes the chosen index's
/// sort key; it is `()` for every other field.
pub struct Field<M, T, K = ()> {
    path: AttrPath,
    /// The field's validators (`#[dynamo(validate = ..)]`), run on a value a typed update
    /// sets: the problems of the encoded value.
    validator: Option<ValueValidator>,
    _types: TypesOnly<M, T, K>,
}

/// Checks an encoded value of a field against its validators.
pub type ValueValidator = fn(&AttributeValue) -> Problems;

/// The type parameters a [`Field`] carries without holding values of them.
type TypesOnly<M, T, K> = PhantomData<fn() -> (M, T, K)>;

impl<M, T, K> AsRef<Field<M, T, K>> for Field<M, T, K> {
    fn as_ref(&self) -> &Field<M, T, K> {
        self
    }
}

impl<M, T, K> Field<M, T, K> {
    /// The accessor of the attribute at `path`.
    ///
    /// Generated code and codecs call this; a wrong path or type here is not checked.
    pub const fn new(path: AttrPath) -> Self {
        Field {
            path,
            validator: None,
            _types: PhantomData,
        }
    }

    /// The same accessor, checking the values a typed update sets with `validator`
    /// (generated for fields with `#[dynamo(validate = ..)]`).
    #[doc(hidden)]
    pub fn validated_by(mut self, validator: ValueValidator) -> Self {
        self.validator = Some(validator);
        self
    }

    /// The problems the field's validators find in `value` (an encoded value of `T`);
    /// none for a field without validators.
    pub fn check(&self, value: &AttributeValue) -> Problems {
        self.validator
            .map(|validate| validate(value))
            .unwrap_or_default()
    }

    /// The accessor of a top-level attribute.
    pub const fn top(name: &'static str) -> Self {
        Field::new(AttrPath::top(name))
    }

    /// The attribute path.
    pub fn path(&self) -> &AttrPath {
        &self.path
    }

    /// The accessors of the paths inside this attribute (for a nested model, its fields).
    pub fn fields(&self) -> T::Fields<M>
    where
        T: DynamoAttribute,
    {
        T::fields_at(self.path.clone())
    }
}

impl<M, T, K> Field<M, Vec<T>, K> {
    /// The element at `index` of this list attribute.
    pub fn at(&self, index: u32) -> Field<M, T> {
        Field::new(self.path.index(index))
    }
}

impl<M, T, S, K> Field<M, HashMap<String, T, S>, K> {
    /// The entry `key` of this map attribute.
    pub fn key(&self, key: impl Into<Cow<'static, str>>) -> Field<M, T> {
        Field::new(self.path.child(key))
    }
}

impl<M, T, K> Field<M, BTreeMap<String, T>, K> {
    /// The entry `key` of this map attribute.
    pub fn key(&self, key: impl Into<Cow<'static, str>>) -> Field<M, T> {
        Field::new(self.path.child(key))
    }
}

impl<M, T, K> Clone for Field<M, T, K> {
    fn clone(&self) -> Self {
        Field {
            path: self.path.clone(),
            validator: self.validator,
            _types: PhantomData,
        }
    }
}

impl<M, T, K> fmt::Debug for Field<M, T, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Field<{}, {}>({})",
            short_type_name::<M>(),
            short_type_name::<T>(),
            self.path
        )
    }
}

fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    let generic_start = full.find('<').unwrap_or(full.len());
    let path_end = full[..generic_start].rfind("::").map_or(0, |at| at + 2);
    &full[path_end..]
}

/// True when `names` holds `name`; usable in constants (compile-time checks of attribute
/// names).
pub(crate) const fn names_one_of(names: &[&str], name: &str) -> bool {
    let mut index = 0;
    while index < names.len() {
        if same_text(names[index], name) {
            return true;
        }
        index += 1;
    }
    false
}

const fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut index = 0;
    while index < a.len() {
        if a[index] != b[index] {
            return false;
        }
        index += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_display_as_document_paths() {
        let address = AttrPath::top("address");
        assert_eq!(address.to_string(), "address");
        assert_eq!(address.child("city").to_string(), "address.city");
        let history = AttrPath::top("history").index(2).child("at");
        assert_eq!(history.to_string(), "history[2].at");
        assert_eq!(history.attribute(), "history");
        assert!(!history.is_top_level());
    }

    #[test]
    fn nested_fields_keep_their_types() {
        let list: Field<(), Vec<String>> = Field::top("tags");
        let first: Field<(), String> = list.at(0);
        assert_eq!(first.path().to_string(), "tags[0]");
        let map: Field<(), HashMap<String, u8>> = Field::top("prefs");
        assert_eq!(map.key("a.b").path().elements().len(), 2);
    }
}

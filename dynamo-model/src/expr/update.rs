//! Updates: `UpdateExpression` with SET, REMOVE, ADD and DELETE clauses, typed by model.

use std::fmt;
use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;

use super::attribute::{SetTo, Source, Term, TermOf};
use super::operand::{AddValue, DeleteValue, ListValues, Numeric, Operand, Removable, ValueFor};
use super::raw::Unchecked;
use super::render::{Placeholders, Prefix, Rendered};
use crate::error::{Error, Result};
use crate::value::path::{AttrPath, Field};
use crate::value::{value_size, Item, Problems};

/// An update of items of model `M`: many actions, rendered as one `UpdateExpression`.
///
/// Clauses come out in the order SET, REMOVE, ADD, DELETE; placeholders are numbered in the
/// order the actions were added.
///
/// ```
/// use dynamo_model::{expr::Update, DynamoModel};
/// use std::collections::BTreeSet;
///
/// #[derive(DynamoModel)]
/// #[dynamo(table = "users", hash_key = "id")]
/// struct User { id: String, age: u32, tags: BTreeSet<String>, nickname: Option<String>, log: Vec<String> }
///
/// let f = User::fields();
/// let update = Update::<User>::new()
///     .set(f.age, 31)
///     .add(f.tags, ["admin"])
///     .remove(f.nickname)
///     .append(f.log, ["renamed"]);
/// assert_eq!(
///     update.render()?.expression,
///     "SET #u0 = :u0, #u3 = list_append(if_not_exists(#u3, :u2), :u3) REMOVE #u2 ADD #u1 :u1"
/// );
/// # Ok::<(), dynamo_model::Error>(())
/// ```
pub struct Update<M> {
    actions: Vec<Action>,
    /// What the fields' validators found in the values set so far.
    problems: Problems,
    _model: PhantomData<fn() -> M>,
}

#[derive(Debug, Clone)]
enum Action {
    Set(AttrPath, SetValue),
    Remove(AttrPath),
    Add(AttrPath, Operand),
    Delete(AttrPath, Operand),
    Unchecked(Clause, Unchecked),
}

#[derive(Debug, Clone)]
enum SetValue {
    Value(Operand),
    IfNotExists(Operand),
    Plus(Operand),
    Minus(Operand),
    Append(Operand),
    Prepend(Operand),
    /// `if_not_exists(path, start) + by`: a counter that starts when absent.
    Count {
        start: Operand,
        by: Operand,
    },
    /// Another attribute, or a sum or difference.
    From(Source),
    /// `if_not_exists(path, other)`: a copy of another attribute when absent.
    IfNotExistsCopy(AttrPath),
}

/// What an update does to one attribute.
pub(crate) enum Change<'a> {
    /// `SET attribute = value`.
    Set(&'a AttributeValue),
    /// `REMOVE attribute`.
    Removed,
    /// Anything else: arithmetic, appends, sets, nested paths.
    Other,
}

/// The clause an unchecked update action belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clause {
    /// `SET`
    Set,
    /// `REMOVE`
    Remove,
    /// `ADD`
    Add,
    /// `DELETE`
    Delete,
}

impl Clause {
    fn keyword(self) -> &'static str {
        match self {
            Clause::Set => "SET",
            Clause::Remove => "REMOVE",
            Clause::Add => "ADD",
            Clause::Delete => "DELETE",
        }
    }
}

impl<M> Default for Update<M> {
    fn default() -> Self {
        Update::new()
    }
}

impl<M> Update<M> {
    /// An update without actions (rendering it is an error until one is added).
    pub fn new() -> Self {
        Update {
            actions: Vec::new(),
            problems: Problems::new(),
            _model: PhantomData,
        }
    }

    fn push(mut self, action: Action) -> Self {
        self.actions.push(action);
        self
    }

    /// `SET path = value`. The value is checked by the field's validators
    /// (`#[dynamo(validate = ..)]`); what they find fails the write before sending.
    ///
    /// The value may also come from the item: another field of the model (`&f.name`), or a
    /// sum or difference of number fields (`&f.price + &f.tax`, `f.price.plus(5)`).
    pub fn set<T, K, Kind>(
        self,
        field: impl AsRef<Field<M, T, K>>,
        value: impl SetTo<M, T, Kind>,
    ) -> Self {
        let field = field.as_ref();
        match value.into_source() {
            Source::Term(Term::Value(operand)) => self
                .validated(field, &operand)
                .push(Action::Set(field.path().clone(), SetValue::Value(operand))),
            source => self.push(Action::Set(field.path().clone(), SetValue::From(source))),
        }
    }

    /// Records what `field`'s validators find in the value it is set to.
    fn validated<T, K>(mut self, field: &Field<M, T, K>, operand: &Operand) -> Self {
        if let Ok(value) = operand {
            let mut found = field.check(value);
            self.problems.absorb_all(&mut found);
        }
        self
    }

    /// What the fields' validators found in the values this update sets.
    pub(crate) fn problems(&self) -> &Problems {
        &self.problems
    }

    /// `SET path = if_not_exists(path, value)`: writes only when the attribute is absent.
    /// The value may be another field of the model (`&f.name`): the attribute then starts
    /// as a copy of it.
    pub fn set_if_not_exists<T, K, Kind>(
        self,
        field: impl AsRef<Field<M, T, K>>,
        value: impl TermOf<M, T, Kind>,
    ) -> Self {
        let field = field.as_ref();
        match value.into_term() {
            Term::Value(operand) => self.validated(field, &operand).push(Action::Set(
                field.path().clone(),
                SetValue::IfNotExists(operand),
            )),
            Term::Attribute(other) => self.push(Action::Set(
                field.path().clone(),
                SetValue::IfNotExistsCopy(other),
            )),
        }
    }

    /// `SET path = path + value` (numbers; the attribute must exist).
    pub fn increment<T: Numeric, K>(
        self,
        field: impl AsRef<Field<M, T, K>>,
        by: impl ValueFor<T>,
    ) -> Self {
        let path = field.as_ref().path().clone();
        self.push(Action::Set(path, SetValue::Plus(by.into_operand())))
    }

    /// `SET path = path - value` (numbers; the attribute must exist).
    pub fn decrement<T: Numeric, K>(
        self,
        field: impl AsRef<Field<M, T, K>>,
        by: impl ValueFor<T>,
    ) -> Self {
        let path = field.as_ref().path().clone();
        self.push(Action::Set(path, SetValue::Minus(by.into_operand())))
    }

    /// `SET path = list_append(if_not_exists(path, []), elements)`: adds to the end of a list
    /// (created when absent).
    pub fn append<T, K>(
        self,
        field: impl AsRef<Field<M, T, K>>,
        elements: impl ListValues<T>,
    ) -> Self {
        let path = field.as_ref().path().clone();
        self.push(Action::Set(path, SetValue::Append(elements.list_operand())))
    }

    /// `SET path = list_append(elements, if_not_exists(path, []))`: adds to the front of a
    /// list (created when absent).
    pub fn prepend<T, K>(
        self,
        field: impl AsRef<Field<M, T, K>>,
        elements: impl ListValues<T>,
    ) -> Self {
        let path = field.as_ref().path().clone();
        self.push(Action::Set(
            path,
            SetValue::Prepend(elements.list_operand()),
        ))
    }

    /// `REMOVE path`: optional attributes and sets only (a required one does not compile).
    pub fn remove<T: Removable, K>(self, field: impl AsRef<Field<M, T, K>>) -> Self {
        let path = field.as_ref().path().clone();
        self.push(Action::Remove(path))
    }

    /// `REMOVE path[index]`: takes one element out of a list.
    pub fn remove_at<T, K>(self, list: impl AsRef<Field<M, Vec<T>, K>>, index: u32) -> Self {
        let path = list.as_ref().path().index(index);
        self.push(Action::Remove(path))
    }

    /// `ADD path value`: adds to a number, or adds elements to a set (both created when
    /// absent).
    pub fn add<T, K>(self, field: impl AsRef<Field<M, T, K>>, value: impl AddValue<T>) -> Self {
        let path = field.as_ref().path().clone();
        self.push(Action::Add(path, value.add_operand()))
    }

    /// `DELETE path elements`: takes elements out of a set.
    pub fn delete<T, K>(
        self,
        field: impl AsRef<Field<M, T, K>>,
        elements: impl DeleteValue<T>,
    ) -> Self {
        let path = field.as_ref().path().clone();
        self.push(Action::Delete(path, elements.delete_operand()))
    }

    /// An action written by hand, in `clause`, for what the typed builders cannot express.
    ///
    /// **Unchecked**: overlapping paths in it are not detected here. Placeholders are renamed
    /// when rendered, so they never collide with generated ones.
    ///
    /// ```
    /// # use dynamo_model::expr::{Clause, Update};
    /// # struct User;
    /// let update = Update::<User>::new().unchecked(Clause::Set, "#a = #b", |raw| {
    ///     raw.name("#a", "copy").name("#b", "original")
    /// });
    /// assert_eq!(update.render().unwrap().expression, "SET #ur0_a = #ur0_b");
    /// ```
    pub fn unchecked(
        self,
        clause: Clause,
        action: impl Into<String>,
        define: impl FnOnce(UncheckedAction) -> UncheckedAction,
    ) -> Self {
        let defined = define(UncheckedAction(Unchecked::new(action.into())));
        self.push(Action::Unchecked(clause, defined.0))
    }

    /// `SET attribute = value` on a top-level attribute the model maintains.
    pub(crate) fn set_attribute(self, attribute: &'static str, value: AttributeValue) -> Self {
        self.push(Action::Set(
            AttrPath::top(attribute),
            SetValue::Value(Ok(value)),
        ))
    }

    /// `SET attribute = if_not_exists(attribute, value)` on a top-level attribute.
    pub(crate) fn set_attribute_once(self, attribute: &'static str, value: AttributeValue) -> Self {
        self.push(Action::Set(
            AttrPath::top(attribute),
            SetValue::IfNotExists(Ok(value)),
        ))
    }

    /// `SET attribute = if_not_exists(attribute, 0) + 1` on a top-level attribute.
    pub(crate) fn count_up(self, attribute: &'static str) -> Self {
        let number = |n: &str| Ok(AttributeValue::N(n.to_owned()));
        self.push(Action::Set(
            AttrPath::top(attribute),
            SetValue::Count {
                start: number("0"),
                by: number("1"),
            },
        ))
    }

    /// `SET attribute = attribute + 1` on a top-level attribute, which must exist.
    pub(crate) fn add_one(self, attribute: &'static str) -> Self {
        self.push(Action::Set(
            AttrPath::top(attribute),
            SetValue::Plus(Ok(AttributeValue::N("1".to_owned()))),
        ))
    }

    /// True when no action was added.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// True when a typed action changes the top-level attribute `attribute` (or something
    /// inside it).
    pub fn changes_attribute(&self, attribute: &str) -> bool {
        self.actions.iter().any(|action| match action {
            Action::Set(path, _)
            | Action::Remove(path)
            | Action::Add(path, _)
            | Action::Delete(path, _) => path.attribute() == attribute,
            Action::Unchecked(..) => false,
        })
    }

    /// What the typed actions do to the top-level attribute `attribute`, if anything.
    pub(crate) fn change_of(&self, attribute: &str) -> Option<Change<'_>> {
        self.actions.iter().rev().find_map(|action| {
            let (path, change) = match action {
                Action::Set(path, SetValue::Value(Ok(value))) => (path, Change::Set(value)),
                Action::Remove(path) => (path, Change::Removed),
                Action::Set(path, _) | Action::Add(path, _) | Action::Delete(path, _) => {
                    (path, Change::Other)
                }
                Action::Unchecked(..) => return None,
            };
            if path.attribute() != attribute {
                return None;
            }
            Some(if path.is_top_level() {
                change
            } else {
                Change::Other
            })
        })
    }

    /// The top-level attributes this update would store on an item that does not exist yet,
    /// with their values: what a creating update (an upsert) writes. Actions whose result
    /// depends on the stored item (`path + 1` on no item, a nested path) give none.
    pub(crate) fn values_on_new_item(&self) -> Item {
        let mut item = Item::new();
        for action in &self.actions {
            let (path, value) = match action {
                Action::Set(path, SetValue::Value(value))
                | Action::Set(path, SetValue::IfNotExists(value))
                | Action::Set(path, SetValue::Append(value))
                | Action::Set(path, SetValue::Prepend(value))
                | Action::Set(path, SetValue::Count { start: value, .. })
                | Action::Add(path, value) => (path, value),
                Action::Remove(path) => {
                    item.remove(path.attribute());
                    continue;
                }
                _ => continue,
            };
            if let (true, Ok(value)) = (path.is_top_level(), value) {
                item.insert(path.attribute().to_owned(), value.clone());
            }
        }
        item
    }

    /// The values this update writes, in bytes of DynamoDB's item-size accounting (each
    /// attribute's name and value): a lower bound of the size of the item it leaves.
    pub(crate) fn written_size(&self) -> usize {
        self.actions
            .iter()
            .filter_map(|action| match action {
                Action::Set(path, SetValue::Value(Ok(value)))
                | Action::Set(path, SetValue::IfNotExists(Ok(value)))
                | Action::Set(path, SetValue::Append(Ok(value)))
                | Action::Set(path, SetValue::Prepend(Ok(value))) => Some((path, value)),
                // The set holds at least the added members afterwards; a number added may
                // shrink the stored one, so it does not count.
                Action::Add(
                    path,
                    Ok(
                        value @ (AttributeValue::Ss(_)
                        | AttributeValue::Ns(_)
                        | AttributeValue::Bs(_)),
                    ),
                ) => Some((path, value)),
                _ => None,
            })
            .map(|(path, value)| path.attribute().len() + value_size(value))
            .sum()
    }

    /// `SET attribute = value` for an attribute the client maintains (a templated key).
    pub(crate) fn set_managed(self, attribute: &'static str, value: AttributeValue) -> Self {
        self.push(Action::Set(
            AttrPath::top(attribute),
            SetValue::Value(Ok(value)),
        ))
    }

    /// `REMOVE attribute` for an attribute the client maintains (a sparse index's key).
    pub(crate) fn remove_managed(self, attribute: &'static str) -> Self {
        self.push(Action::Remove(AttrPath::top(attribute)))
    }

    /// Renders the `UpdateExpression` (placeholders `#u0`, `:u0`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidExpression`](crate::ErrorKind::InvalidExpression) when there is no
    /// action, when two actions touch the same or overlapping paths (`a` and `a.b`), or for
    /// a value DynamoDB cannot take (NaN, an empty set).
    pub fn render(&self) -> Result<Rendered> {
        let model = std::any::type_name::<M>();
        self.render_inner()
            .map_err(|message| Error::invalid_expression(model, message))
    }

    fn render_inner(&self) -> Result<Rendered, String> {
        if self.actions.is_empty() {
            return Err("the update has no action".to_owned());
        }
        check_overlaps(&self.actions)?;
        let mut placeholders = Placeholders::new(Prefix::Update);
        // One text per clause, each action written into its clause's text in the order the
        // actions were added (so are the placeholders' numbers).
        let mut clauses: [(Clause, String); 4] = [
            (Clause::Set, String::new()),
            (Clause::Remove, String::new()),
            (Clause::Add, String::new()),
            (Clause::Delete, String::new()),
        ];
        for action in &self.actions {
            let clause = action.clause();
            if let Some((_, text)) = clauses.iter_mut().find(|(c, _)| *c == clause) {
                if text.is_empty() {
                    // Room for a few actions at once, instead of growing by each piece.
                    text.reserve(64);
                    text.push_str(clause.keyword());
                } else {
                    text.push(',');
                }
                text.push(' ');
                render_action(action, &mut placeholders, text)?;
            }
        }
        let length = clauses.iter().map(|(_, text)| text.len() + 1).sum();
        let mut expression = String::with_capacity(length);
        for (_, text) in clauses.iter().filter(|(_, text)| !text.is_empty()) {
            if !expression.is_empty() {
                expression.push(' ');
            }
            expression.push_str(text);
        }
        Ok(placeholders.finish(expression))
    }
}

impl Action {
    /// The clause the action is written in.
    fn clause(&self) -> Clause {
        match self {
            Action::Set(..) => Clause::Set,
            Action::Remove(_) => Clause::Remove,
            Action::Add(..) => Clause::Add,
            Action::Delete(..) => Clause::Delete,
            Action::Unchecked(clause, _) => *clause,
        }
    }
}

/// Writes one action (without its clause's keyword) at the end of `text`.
fn render_action(
    action: &Action,
    placeholders: &mut Placeholders,
    text: &mut String,
) -> Result<(), String> {
    match action {
        Action::Set(path, set) => {
            let p = placeholders.path(path);
            text.push_str(&p);
            text.push_str(" = ");
            match set {
                SetValue::Value(v) => text.push_str(&placeholders.operand(v, path)?),
                SetValue::IfNotExists(v) => {
                    let value = placeholders.operand(v, path)?;
                    if_not_exists(text, &p, &value);
                }
                SetValue::From(source) => text.push_str(&source.render(placeholders, path)?),
                SetValue::IfNotExistsCopy(other) => {
                    let other = placeholders.path(other);
                    if_not_exists(text, &p, &other);
                }
                SetValue::Plus(v) | SetValue::Minus(v) => {
                    text.push_str(&p);
                    text.push_str(if matches!(set, SetValue::Plus(_)) {
                        " + "
                    } else {
                        " - "
                    });
                    text.push_str(&placeholders.operand(v, path)?);
                }
                SetValue::Count { start, by } => {
                    let start = placeholders.operand(start, path)?;
                    let by = placeholders.operand(by, path)?;
                    if_not_exists(text, &p, &start);
                    text.push_str(" + ");
                    text.push_str(&by);
                }
                SetValue::Append(v) | SetValue::Prepend(v) => {
                    let empty = placeholders.value(AttributeValue::L(Vec::new()));
                    let elements = placeholders.operand(v, path)?;
                    text.push_str("list_append(");
                    if matches!(set, SetValue::Append(_)) {
                        if_not_exists(text, &p, &empty);
                        text.push_str(", ");
                        text.push_str(&elements);
                    } else {
                        text.push_str(&elements);
                        text.push_str(", ");
                        if_not_exists(text, &p, &empty);
                    }
                    text.push(')');
                }
            }
        }
        Action::Remove(path) => text.push_str(&placeholders.path(path)),
        Action::Add(path, v) | Action::Delete(path, v) => {
            text.push_str(&placeholders.path(path));
            text.push(' ');
            text.push_str(&placeholders.operand(v, path)?);
        }
        Action::Unchecked(_, raw) => raw.render(placeholders, text)?,
    }
    Ok(())
}

/// `if_not_exists(path, otherwise)`.
fn if_not_exists(text: &mut String, path: &str, otherwise: &str) {
    text.push_str("if_not_exists(");
    text.push_str(path);
    text.push_str(", ");
    text.push_str(otherwise);
    text.push(')');
}

/// True when one path is the other or lies inside it (`a` and `a.b`, `l` and `l[0]`).
fn overlaps(a: &AttrPath, b: &AttrPath) -> bool {
    let (a, b) = (a.elements(), b.elements());
    let shorter = a.len().min(b.len());
    a[..shorter] == b[..shorter]
}

fn check_overlaps(actions: &[Action]) -> Result<(), String> {
    let paths: Vec<&AttrPath> = actions
        .iter()
        .filter_map(|action| match action {
            Action::Set(path, _)
            | Action::Remove(path)
            | Action::Add(path, _)
            | Action::Delete(path, _) => Some(path),
            Action::Unchecked(..) => None,
        })
        .collect();
    for (position, path) in paths.iter().enumerate() {
        if let Some(earlier) = paths[..position]
            .iter()
            .find(|earlier| overlaps(earlier, path))
        {
            return Err(if *earlier == *path {
                format!("the update changes `{path}` twice; DynamoDB rejects overlapping paths")
            } else {
                format!("the update changes both `{earlier}` and `{path}`, which overlap; DynamoDB rejects overlapping paths")
            });
        }
    }
    Ok(())
}

impl<M> Clone for Update<M> {
    fn clone(&self) -> Self {
        Update {
            actions: self.actions.clone(),
            problems: self.problems.clone(),
            _model: PhantomData,
        }
    }
}

/// Shows the expression with names filled in; values are redacted.
impl<M> fmt::Debug for Update<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        super::debug_rendered(f, "Update", self.render())
    }
}

/// A hand-written update action being given its names and values; see [`Update::unchecked`].
#[derive(Debug)]
pub struct UncheckedAction(Unchecked);

impl UncheckedAction {
    /// Defines the name placeholder `placeholder` (`#name`) as attribute `name`.
    pub fn name(mut self, placeholder: impl Into<String>, name: impl Into<String>) -> Self {
        self.0.name(placeholder.into(), name.into());
        self
    }

    /// Defines the value placeholder `placeholder` (`:value`).
    pub fn value(
        mut self,
        placeholder: impl Into<String>,
        value: impl crate::ToAttributeValue,
    ) -> Self {
        self.0
            .value(placeholder.into(), super::operand::operand(&value));
        self
    }
}

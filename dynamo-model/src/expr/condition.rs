//! Conditions and filters: `ConditionExpression` and `FilterExpression`, typed by model.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{BitAnd, BitOr, Not};

use aws_sdk_dynamodb::types::AttributeValue;

use super::attribute::Compared;
use super::operand::{operand, ContainsValue, HasSize, Operand, Ordered, Prefixed, ValueFor};
use super::raw::Unchecked;
use super::render::{Placeholders, Prefix, Rendered};
use crate::error::{Error, Result};
use crate::value::path::{AttrPath, Field};

/// A condition on items of model `M`: for conditional writes, filters and transaction checks.
///
/// Built from typed fields (`User::fields().age.gt(18)`), combined with `&`, `|` and `!` (or
/// [`and`](Condition::and), [`or`](Condition::or), [`not`](Condition::not)). A condition of
/// one model cannot be used for another.
pub struct Condition<M> {
    node: Node,
    _model: PhantomData<fn() -> M>,
}

/// A comparison of one field with key-condition operators (`eq`, `lt`, `le`, `gt`, `ge`,
/// `between`, `begins_with`). It is a [`Condition`] wherever one is expected, and, when the
/// field is the sort key of an index (`K`), a key condition's range part.
pub struct Comparison<M, K = ()> {
    pub(crate) path: AttrPath,
    pub(crate) op: ComparisonOp,
    _types: PhantomData<fn() -> (M, K)>,
}

#[derive(Debug, Clone)]
pub(crate) enum ComparisonOp {
    Compare(Comparator, Operand),
    Between(Operand, Operand),
    BeginsWith(Operand),
}

/// A comparison operator.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Comparator {
    fn symbol(self) -> &'static str {
        match self {
            Comparator::Eq => "=",
            Comparator::Ne => "<>",
            Comparator::Lt => "<",
            Comparator::Le => "<=",
            Comparator::Gt => ">",
            Comparator::Ge => ">=",
        }
    }
}

/// The DynamoDB type names `attribute_type` checks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttributeType {
    /// String.
    S,
    /// Number.
    N,
    /// Binary.
    B,
    /// Boolean.
    Bool,
    /// Null.
    Null,
    /// String set.
    Ss,
    /// Number set.
    Ns,
    /// Binary set.
    Bs,
    /// List.
    L,
    /// Map.
    M,
}

impl AttributeType {
    fn as_str(self) -> &'static str {
        match self {
            AttributeType::S => "S",
            AttributeType::N => "N",
            AttributeType::B => "B",
            AttributeType::Bool => "BOOL",
            AttributeType::Null => "NULL",
            AttributeType::Ss => "SS",
            AttributeType::Ns => "NS",
            AttributeType::Bs => "BS",
            AttributeType::L => "L",
            AttributeType::M => "M",
        }
    }
}

/// The left side of a comparison: an attribute, or its size.
#[derive(Debug, Clone)]
enum Subject {
    Path(AttrPath),
    Size(AttrPath),
}

#[derive(Debug, Clone)]
enum Node {
    Compare(Subject, ComparisonOp),
    /// `path <op> other`: two attributes of the item.
    CompareAttributes(AttrPath, Comparator, AttrPath),
    In(AttrPath, Vec<Operand>),
    Contains(AttrPath, Operand),
    Exists(AttrPath),
    NotExists(AttrPath),
    Type(AttrPath, AttributeType),
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Unchecked(Unchecked),
}

/// DynamoDB's operator precedence, lowest first: OR < AND < NOT < the rest.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Precedence {
    Or,
    And,
    Not,
    Atom,
}

/// The most operands DynamoDB takes in one `IN`.
pub const MAX_IN_OPERANDS: usize = 100;

impl<M> Condition<M> {
    fn new(node: Node) -> Self {
        Condition {
            node,
            _model: PhantomData,
        }
    }

    /// Both conditions hold.
    pub fn and(self, other: impl IntoCondition<M>) -> Self {
        let other = other.into_condition().node;
        Condition::new(match self.node {
            Node::And(mut nodes) => {
                nodes.push(other);
                Node::And(nodes)
            }
            node => Node::And(vec![node, other]),
        })
    }

    /// Either condition holds.
    pub fn or(self, other: impl IntoCondition<M>) -> Self {
        let other = other.into_condition().node;
        Condition::new(match self.node {
            Node::Or(mut nodes) => {
                nodes.push(other);
                Node::Or(nodes)
            }
            node => Node::Or(vec![node, other]),
        })
    }

    /// The condition does not hold.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Self {
        Condition::new(Node::Not(Box::new(self.node)))
    }

    /// `attribute = value`, on a top-level attribute the model maintains (its version).
    pub(crate) fn attribute_equals(attribute: &'static str, value: AttributeValue) -> Self {
        Condition::new(Node::Compare(
            Subject::Path(AttrPath::top(attribute)),
            ComparisonOp::Compare(Comparator::Eq, Ok(value)),
        ))
    }

    /// `attribute_not_exists(attribute)` on a top-level attribute.
    pub(crate) fn attribute_absent(attribute: &'static str) -> Self {
        Condition::new(Node::NotExists(AttrPath::top(attribute)))
    }

    /// `path <comparator> other`: two attributes of the same item.
    pub(crate) fn attributes(path: AttrPath, comparator: Comparator, other: AttrPath) -> Self {
        Condition::new(Node::CompareAttributes(path, comparator, other))
    }

    /// `attribute_exists(attribute)` on a top-level attribute.
    pub(crate) fn attribute_present(attribute: &'static str) -> Self {
        Condition::new(Node::Exists(AttrPath::top(attribute)))
    }

    /// Every condition of `conditions` holds; `None` for an empty list.
    pub fn all(conditions: impl IntoIterator<Item = Condition<M>>) -> Option<Self> {
        conditions.into_iter().reduce(Condition::and)
    }

    /// At least one condition of `conditions` holds; `None` for an empty list.
    pub fn any(conditions: impl IntoIterator<Item = Condition<M>>) -> Option<Self> {
        conditions.into_iter().reduce(Condition::or)
    }

    /// A condition written by hand, for what the typed builders cannot express.
    ///
    /// **Unchecked**: names and values are yours to get right. Placeholders (`#name`,
    /// `:value`) are renamed when rendered, so they never collide with generated ones.
    ///
    /// ```
    /// # use dynamo_model::expr::Condition;
    /// # struct User;
    /// let c = Condition::<User>::unchecked("size(#tags) > :n")
    ///     .name("#tags", "tags")
    ///     .value(":n", 2_u32);
    /// let rendered = c.render().unwrap();
    /// assert_eq!(rendered.expression, "size(#cr0_tags) > :cr0_n");
    /// ```
    pub fn unchecked(expression: impl Into<String>) -> UncheckedCondition<M> {
        UncheckedCondition {
            raw: Unchecked::new(expression.into()),
            _model: PhantomData,
        }
    }

    /// Renders the condition as a `ConditionExpression` (placeholders `#c0`, `:c0`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidExpression`](crate::ErrorKind::InvalidExpression) for a value
    /// DynamoDB cannot take (NaN, an empty set), `is_in` with more than 100 values, or an
    /// unchecked expression with an undefined placeholder.
    pub fn render(&self) -> Result<Rendered> {
        self.render_as(Prefix::Condition)
    }

    /// Renders the condition as a `FilterExpression` (placeholders `#f0`, `:f0`).
    ///
    /// # Errors
    ///
    /// As [`Condition::render`].
    pub fn render_filter(&self) -> Result<Rendered> {
        self.render_as(Prefix::Filter)
    }

    pub(crate) fn render_as(&self, prefix: Prefix) -> Result<Rendered> {
        let mut placeholders = Placeholders::new(prefix);
        let mut text = String::new();
        render_node(&self.node, &mut placeholders, &mut text)
            .map_err(|message| Error::invalid_expression(std::any::type_name::<M>(), message))?;
        Ok(placeholders.finish(text))
    }
}

fn precedence(node: &Node) -> Precedence {
    match node {
        Node::Or(_) => Precedence::Or,
        Node::And(_) => Precedence::And,
        Node::Not(_) => Precedence::Not,
        // An unchecked expression may hold any operator: treat it as the loosest.
        Node::Unchecked(_) => Precedence::Or,
        _ => Precedence::Atom,
    }
}

fn render_child(
    node: &Node,
    parent: Precedence,
    placeholders: &mut Placeholders,
    out: &mut String,
) -> Result<(), String> {
    if precedence(node) <= parent && parent != Precedence::Atom {
        out.push('(');
        render_node(node, placeholders, out)?;
        out.push(')');
        Ok(())
    } else {
        render_node(node, placeholders, out)
    }
}

pub(crate) fn render_comparison(
    subject: &str,
    path: &AttrPath,
    op: &ComparisonOp,
    placeholders: &mut Placeholders,
    out: &mut String,
) -> Result<(), String> {
    match op {
        ComparisonOp::Compare(comparator, operand) => {
            let v = placeholders.operand(operand, path)?;
            out.push_str(&format!("{subject} {} {v}", comparator.symbol()));
        }
        ComparisonOp::Between(low, high) => {
            let low = placeholders.operand(low, path)?;
            let high = placeholders.operand(high, path)?;
            out.push_str(&format!("{subject} BETWEEN {low} AND {high}"));
        }
        ComparisonOp::BeginsWith(prefix) => {
            let prefix = placeholders.operand(prefix, path)?;
            out.push_str(&format!("begins_with({subject}, {prefix})"));
        }
    }
    Ok(())
}

fn render_node(
    node: &Node,
    placeholders: &mut Placeholders,
    out: &mut String,
) -> Result<(), String> {
    match node {
        Node::Compare(subject, op) => {
            let (subject, path) = match subject {
                Subject::Path(path) => (placeholders.path(path), path),
                Subject::Size(path) => (format!("size({})", placeholders.path(path)), path),
            };
            render_comparison(&subject, path, op, placeholders, out)?;
        }
        Node::CompareAttributes(path, comparator, other) => {
            let subject = placeholders.path(path);
            let other = placeholders.path(other);
            out.push_str(&format!("{subject} {} {other}", comparator.symbol()));
        }
        Node::In(path, operands) => {
            if operands.is_empty() {
                return Err(format!("`is_in` on `{path}` needs at least one value"));
            }
            if operands.len() > MAX_IN_OPERANDS {
                return Err(format!(
                    "`is_in` on `{path}` has {} values; DynamoDB takes at most {MAX_IN_OPERANDS}",
                    operands.len()
                ));
            }
            let subject = placeholders.path(path);
            let values = operands
                .iter()
                .map(|o| placeholders.operand(o, path))
                .collect::<Result<Vec<_>, _>>()?;
            out.push_str(&format!("{subject} IN ({})", values.join(", ")));
        }
        Node::Contains(path, operand) => {
            let subject = placeholders.path(path);
            let v = placeholders.operand(operand, path)?;
            out.push_str(&format!("contains({subject}, {v})"));
        }
        Node::Exists(path) => {
            out.push_str(&format!("attribute_exists({})", placeholders.path(path)));
        }
        Node::NotExists(path) => {
            out.push_str(&format!(
                "attribute_not_exists({})",
                placeholders.path(path)
            ));
        }
        Node::Type(path, ty) => {
            let subject = placeholders.path(path);
            let v = placeholders.value(AttributeValue::S(ty.as_str().to_owned()));
            out.push_str(&format!("attribute_type({subject}, {v})"));
        }
        Node::And(nodes) | Node::Or(nodes) => {
            let (parent, joiner) = match node {
                Node::And(_) => (Precedence::And, " AND "),
                _ => (Precedence::Or, " OR "),
            };
            for (position, child) in nodes.iter().enumerate() {
                if position > 0 {
                    out.push_str(joiner);
                }
                // `a AND b AND c` is flat; only a looser child needs parentheses.
                if precedence(child) < parent || matches!(child, Node::Unchecked(_)) {
                    out.push('(');
                    render_node(child, placeholders, out)?;
                    out.push(')');
                } else {
                    render_node(child, placeholders, out)?;
                }
            }
        }
        Node::Not(inner) => {
            out.push_str("NOT ");
            render_child(inner, Precedence::Not, placeholders, out)?;
        }
        Node::Unchecked(raw) => raw.render(placeholders, out)?,
    }
    Ok(())
}

impl<M, K> Comparison<M, K> {
    pub(crate) fn new(path: AttrPath, op: ComparisonOp) -> Self {
        Comparison {
            path,
            op,
            _types: PhantomData,
        }
    }

    /// As a plain [`Condition`].
    pub fn into_condition(self) -> Condition<M> {
        Condition::new(Node::Compare(Subject::Path(self.path), self.op))
    }

    /// Renders the comparison as a `ConditionExpression`.
    ///
    /// # Errors
    ///
    /// As [`Condition::render`].
    pub fn render(&self) -> Result<Rendered> {
        Condition::<M>::new(Node::Compare(
            Subject::Path(self.path.clone()),
            self.op.clone(),
        ))
        .render()
    }
}

/// What a write, a query filter or `&` / `|` take as a condition on model `M`: a
/// [`Condition<M>`], a comparison of one of `M`'s fields, or an unchecked condition of `M`.
/// A condition on another model is a compile error that names both models.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a condition on `{M}`",
    label = "expected a condition on `{M}`",
    note = "conditions are typed by model: build this one from `{M}::fields()`, or check which model the operation is for"
)]
pub trait IntoCondition<M> {
    /// The condition.
    fn into_condition(self) -> Condition<M>;
}

impl<M> IntoCondition<M> for Condition<M> {
    fn into_condition(self) -> Condition<M> {
        self
    }
}

impl<M, K> IntoCondition<M> for Comparison<M, K> {
    fn into_condition(self) -> Condition<M> {
        Comparison::into_condition(self)
    }
}

impl<M> IntoCondition<M> for UncheckedCondition<M> {
    fn into_condition(self) -> Condition<M> {
        Condition::new(Node::Unchecked(self.raw))
    }
}

impl<M, K> From<Comparison<M, K>> for Condition<M> {
    fn from(comparison: Comparison<M, K>) -> Self {
        comparison.into_condition()
    }
}

impl<M, R: IntoCondition<M>> BitAnd<R> for Condition<M> {
    type Output = Condition<M>;
    fn bitand(self, rhs: R) -> Condition<M> {
        self.and(rhs)
    }
}

impl<M, R: IntoCondition<M>> BitOr<R> for Condition<M> {
    type Output = Condition<M>;
    fn bitor(self, rhs: R) -> Condition<M> {
        self.or(rhs)
    }
}

impl<M> Not for Condition<M> {
    type Output = Condition<M>;
    fn not(self) -> Condition<M> {
        Condition::not(self)
    }
}

impl<M, K, R: IntoCondition<M>> BitAnd<R> for Comparison<M, K> {
    type Output = Condition<M>;
    fn bitand(self, rhs: R) -> Condition<M> {
        self.into_condition().and(rhs)
    }
}

impl<M, K, R: IntoCondition<M>> BitOr<R> for Comparison<M, K> {
    type Output = Condition<M>;
    fn bitor(self, rhs: R) -> Condition<M> {
        self.into_condition().or(rhs)
    }
}

impl<M, K> Not for Comparison<M, K> {
    type Output = Condition<M>;
    fn not(self) -> Condition<M> {
        self.into_condition().not()
    }
}

impl<M> Clone for Condition<M> {
    fn clone(&self) -> Self {
        Condition::new(self.node.clone())
    }
}

impl<M, K> Clone for Comparison<M, K> {
    fn clone(&self) -> Self {
        Comparison::new(self.path.clone(), self.op.clone())
    }
}

/// Shows the expression with its names filled in; values are redacted.
impl<M> fmt::Debug for Condition<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        super::debug_rendered(f, "Condition", self.render())
    }
}

impl<M, K> fmt::Debug for Comparison<M, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.clone().into_condition(), f)
    }
}

/// A hand-written condition being given its names and values; see [`Condition::unchecked`].
pub struct UncheckedCondition<M> {
    raw: Unchecked,
    _model: PhantomData<fn() -> M>,
}

impl<M> UncheckedCondition<M> {
    /// Defines the name placeholder `placeholder` (`#name`) as attribute `name`.
    pub fn name(mut self, placeholder: impl Into<String>, name: impl Into<String>) -> Self {
        self.raw.name(placeholder.into(), name.into());
        self
    }

    /// Defines the value placeholder `placeholder` (`:value`).
    pub fn value(
        mut self,
        placeholder: impl Into<String>,
        value: impl crate::ToAttributeValue,
    ) -> Self {
        self.raw.value(placeholder.into(), operand(&value));
        self
    }

    /// Renders it as a `ConditionExpression`.
    ///
    /// # Errors
    ///
    /// As [`Condition::render`].
    pub fn render(&self) -> Result<Rendered> {
        Condition::<M>::from(self.clone()).render()
    }
}

impl<M> Clone for UncheckedCondition<M> {
    fn clone(&self) -> Self {
        UncheckedCondition {
            raw: self.raw.clone(),
            _model: PhantomData,
        }
    }
}

impl<M> fmt::Debug for UncheckedCondition<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UncheckedCondition")
            .field(&self.raw)
            .finish()
    }
}

impl<M> From<UncheckedCondition<M>> for Condition<M> {
    fn from(unchecked: UncheckedCondition<M>) -> Self {
        Condition::new(Node::Unchecked(unchecked.raw))
    }
}

/// The size of an attribute (`size(path)`), to compare with a number.
pub struct Size<M> {
    path: AttrPath,
    _model: PhantomData<fn() -> M>,
}

impl<M> fmt::Debug for Size<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Size({})", self.path)
    }
}

macro_rules! size_comparisons {
    ($($(#[$doc:meta])* $name:ident => $comparator:ident),*) => {$(
        $(#[$doc])*
        pub fn $name(self, size: u64) -> Condition<M> {
            Condition::new(Node::Compare(
                Subject::Size(self.path),
                ComparisonOp::Compare(Comparator::$comparator, operand(&size)),
            ))
        }
    )*};
}

impl<M> Size<M> {
    size_comparisons! {
        /// `size(path) = n`
        eq => Eq,
        /// `size(path) <> n`
        ne => Ne,
        /// `size(path) < n`
        lt => Lt,
        /// `size(path) <= n`
        le => Le,
        /// `size(path) > n`
        gt => Gt,
        /// `size(path) >= n`
        ge => Ge
    }

    /// `size(path) BETWEEN low AND high`
    pub fn between(self, low: u64, high: u64) -> Condition<M> {
        Condition::new(Node::Compare(
            Subject::Size(self.path),
            ComparisonOp::Between(operand(&low), operand(&high)),
        ))
    }
}

macro_rules! comparisons {
    ($($(#[$doc:meta])* $name:ident => $comparator:ident $(where $bound:ident)?),*) => {$(
        $(#[$doc])*
        pub fn $name<V: Compared<M, T, K, Kind>, Kind>(&self, value: V) -> V::Output
        $(where T: $bound)?
        {
            value.compare(self.path().clone(), Comparator::$comparator)
        }
    )*};
}

/// Operators every field has.
impl<M, T, K> Field<M, T, K> {
    comparisons! {
        /// `path = value`, or `path = other` with another field of the model (`&f.other`)
        eq => Eq
    }

    /// `path <> value` or `path <> other` (a plain condition: no key condition takes
    /// `<>`).
    pub fn ne<V: Compared<M, T, K, Kind>, Kind>(&self, value: V) -> Condition<M>
    where
        V::Output: Into<Condition<M>>,
    {
        value.compare(self.path().clone(), Comparator::Ne).into()
    }

    /// `path IN (v1, v2, ...)`: up to 100 values (more is an error when rendered).
    pub fn is_in<V: ValueFor<T>>(&self, values: impl IntoIterator<Item = V>) -> Condition<M> {
        let operands = values.into_iter().map(ValueFor::into_operand).collect();
        Condition::new(Node::In(self.path().clone(), operands))
    }

    /// `attribute_exists(path)`
    pub fn exists(&self) -> Condition<M> {
        Condition::new(Node::Exists(self.path().clone()))
    }

    /// `attribute_not_exists(path)`
    pub fn not_exists(&self) -> Condition<M> {
        Condition::new(Node::NotExists(self.path().clone()))
    }

    /// `attribute_type(path, type)`
    pub fn attribute_type(&self, ty: AttributeType) -> Condition<M> {
        Condition::new(Node::Type(self.path().clone(), ty))
    }
}

// The capability bounds sit on each method, not on the impl block, so a missing one is
// reported with the capability's own message ("`begins_with` needs a string or binary
// field") instead of "method exists but its trait bounds were not satisfied".
impl<M, T, K> Field<M, T, K> {
    comparisons! {
        /// `path < value` or `path < other` (strings, numbers, binary)
        lt => Lt where Ordered,
        /// `path <= value` or `path <= other` (strings, numbers, binary)
        le => Le where Ordered,
        /// `path > value` or `path > other` (strings, numbers, binary)
        gt => Gt where Ordered,
        /// `path >= value` or `path >= other` (strings, numbers, binary)
        ge => Ge where Ordered
    }

    /// `path BETWEEN low AND high`, both ends included (strings, numbers, binary).
    pub fn between(&self, low: impl ValueFor<T>, high: impl ValueFor<T>) -> Comparison<M, K>
    where
        T: Ordered,
    {
        Comparison::new(
            self.path().clone(),
            ComparisonOp::Between(low.into_operand(), high.into_operand()),
        )
    }

    /// `begins_with(path, prefix)` (strings and binary)
    pub fn begins_with(&self, prefix: impl ValueFor<T>) -> Comparison<M, K>
    where
        T: Prefixed,
    {
        Comparison::new(
            self.path().clone(),
            ComparisonOp::BeginsWith(prefix.into_operand()),
        )
    }

    /// `size(path)`, to compare: `tags.size().gt(2)` (strings, binary, sets, lists, maps)
    pub fn size(&self) -> Size<M>
    where
        T: HasSize,
    {
        Size {
            path: self.path().clone(),
            _model: PhantomData,
        }
    }

    /// `contains(path, value)`: a substring of a string, an element of a set or list.
    pub fn contains(&self, value: impl ContainsValue<T>) -> Condition<M> {
        Condition::new(Node::Contains(
            self.path().clone(),
            value.contains_operand(),
        ))
    }
}

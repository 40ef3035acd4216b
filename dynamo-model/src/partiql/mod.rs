//! PartiQL statements: raw ones with `?` parameters, and statements built for a model
//! from its typed fields and conditions, so names are quoted and values are parameters
//! (never spliced into the text).
//!
//! Run them with [`Dynamo::execute`](crate::Dynamo::execute) (rows decoded into a model
//! or collection, page by page) and [`Dynamo::batch_execute`](crate::Dynamo::batch_execute).
//!
//! ```
//! # use dynamo_model::{Dynamo, DynamoModel};
//! # use dynamo_model::partiql::Statement;
//! #[derive(Debug, DynamoModel)]
//! #[dynamo(table = "users", hash_key = "id")]
//! struct User { id: String, status: String, visits: u32 }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let db = Dynamo::memory();
//! db.create_table::<User>().await?;
//! let f = User::fields();
//! db.execute::<User>(db.statements::<User>().insert(&User { id: "u1".into(), status: "new".into(), visits: 1 }))
//!     .await?;
//! db.execute::<User>(db.statements::<User>().update("u1").set(&f.visits, 2u32)).await?;
//! let active = db
//!     .execute::<User>(db.statements::<User>().select().filter(f.visits.gt(1u32)))
//!     .await?;
//! assert_eq!(active.items[0].visits, 2);
//! let raw = Statement::new(r#"SELECT * FROM "users" WHERE "id" = ?"#).bind("u1");
//! assert_eq!(db.execute::<User>(raw).await?.items.len(), 1);
//! # Ok::<(), dynamo_model::Error>(())
//! # }).unwrap();
//! ```

mod execute;
mod translate;

use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::client::{prepare_delete, prepare_update, Dynamo, Existing, UpdateOptions};
use crate::error::{Error, Result};
use crate::expr::{Condition, IntoCondition, Rendered, Update, ValueFor};
use crate::key::IntoKey;
use crate::model::{Index, Table};
use crate::value::{Item, ToAttributeValue};

pub use execute::{BatchExecute, Execute, StatementPage, MAX_BATCH_STATEMENTS};
pub(crate) use translate::identifier;
use translate::to_partiql;

/// A PartiQL statement and the values of its `?` parameters, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    text: String,
    parameters: Vec<AttributeValue>,
}

impl Statement {
    /// A statement as written: `SELECT * FROM "users" WHERE "id" = ?`. Bind a value for
    /// each `?`; never format values into the text.
    pub fn new(text: impl Into<String>) -> Self {
        Statement {
            text: text.into(),
            parameters: Vec::new(),
        }
    }

    /// Binds the next `?` to `value` (`NULL` for a value that writes nothing, like `None`).
    pub fn bind(mut self, value: impl ToAttributeValue) -> Self {
        let value = value
            .to_attribute_value()
            .unwrap_or(AttributeValue::Null(true));
        self.parameters.push(value);
        self
    }

    /// The statement text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The parameter values, in order.
    pub fn parameters(&self) -> &[AttributeValue] {
        &self.parameters
    }

    /// The parameters as a request sends them (`None` when there are none).
    pub(crate) fn into_parts(self) -> (String, Option<Vec<AttributeValue>>) {
        let parameters = (!self.parameters.is_empty()).then_some(self.parameters);
        (self.text, parameters)
    }
}

/// Something that becomes a [`Statement`]: a statement, or a typed builder (which may
/// refuse, as an expression PartiQL cannot say).
pub trait IntoStatement {
    /// The statement.
    ///
    /// # Errors
    ///
    /// What the builder refuses: an invalid item or key, a condition or update PartiQL has
    /// no words for (`if_not_exists`, `ADD`, `DELETE`).
    fn into_statement(self) -> Result<Statement>;
}

impl IntoStatement for Statement {
    fn into_statement(self) -> Result<Statement> {
        Ok(self)
    }
}

impl IntoStatement for Result<Statement> {
    fn into_statement(self) -> Result<Statement> {
        self
    }
}

/// Statements for model `M`'s table (with the client's table prefix); see
/// [`Dynamo::statements`].
#[derive(Debug)]
pub struct Statements<M> {
    /// The table's name, with the client's prefix.
    name: String,
    /// The name as a PartiQL identifier.
    table: String,
    /// The client's key providers, which seal an inserted item's encrypted values.
    keys: crate::client::Keys,
    _model: PhantomData<fn() -> M>,
}

impl Dynamo {
    /// Builds PartiQL statements for model `M`'s table.
    pub fn statements<M: Table>(&self) -> Statements<M> {
        let name = self.table_name::<M>();
        Statements {
            table: identifier(&name),
            name,
            keys: self.keys().clone(),
            _model: PhantomData,
        }
    }
}

impl<M: Table> Statements<M> {
    /// `SELECT * FROM "table"`; add a filter, or read an index.
    pub fn select(&self) -> Select<M> {
        Select {
            from: self.table.clone(),
            filter: None,
        }
    }

    /// `INSERT INTO "table" VALUE {...}` of the whole item, prepared as a put is (its
    /// `before_save` hook, validation, lifecycle attributes, templated keys, key and size
    /// checks, encrypted values sealed): fails if an item with its key exists.
    ///
    /// # Errors
    ///
    /// As a put's: the hook, validation, key and size; and a model whose key provider
    /// answers asynchronously (a statement is built without waiting: put it instead).
    pub fn insert(&self, model: &M) -> Result<Statement> {
        let item = crate::client::prepared_item(&self.keys, self.name.clone(), model)?;
        let mut names: Vec<&String> = item.keys().collect();
        names.sort();
        let fields: Vec<String> = names
            .iter()
            .map(|name| format!("'{}': ?", name.replace('\'', "''")))
            .collect();
        Ok(Statement {
            text: format!("INSERT INTO {} VALUE {{{}}}", self.table, fields.join(", ")),
            parameters: names.iter().map(|name| item[*name].clone()).collect(),
        })
    }

    /// `UPDATE "table" SET ... REMOVE ... WHERE <key>`: fails if the item does not exist.
    /// Prepared as an update is, when the statement is built: the `before_update` hook,
    /// the values' validation, no change to a key attribute, templated index keys
    /// recomputed, the size the written values reach, and the lifecycle attributes
    /// (`updated_at` set, the version and counters counted up from their stored values;
    /// PartiQL has no `if_not_exists`, so they must be stored, as every put stores them).
    /// `after_update` does not run: a statement carries no hook to where it is executed.
    pub fn update(&self, key: impl IntoKey<M::Key>) -> UpdateStatement<M> {
        UpdateStatement {
            statements: self.clone(),
            key: crate::client::key_item::<M>(key),
            update: Update::new(),
            condition: None,
            hooks: true,
        }
    }

    /// `DELETE FROM "table" WHERE <key>`: deleting a missing item succeeds. Its
    /// `before_delete_key` hook runs when the statement is built (`after_delete_key` does
    /// not run).
    pub fn delete(&self, key: impl IntoKey<M::Key>) -> DeleteStatement<M> {
        DeleteStatement {
            statements: self.clone(),
            key: crate::client::key_item::<M>(key),
            condition: None,
            hooks: true,
        }
    }
}

impl<M> Clone for Statements<M> {
    fn clone(&self) -> Self {
        Statements {
            name: self.name.clone(),
            table: self.table.clone(),
            keys: self.keys.clone(),
            _model: PhantomData,
        }
    }
}

/// `WHERE <key attributes> [AND (<condition>)]`, the condition as the write pipeline
/// rendered it.
fn key_clause<M>(
    key: &Item,
    condition: Option<&Rendered>,
) -> Result<(String, Vec<AttributeValue>)> {
    let mut names: Vec<&String> = key.keys().collect();
    names.sort();
    let mut clauses: Vec<String> = names
        .iter()
        .map(|name| format!("{} = ?", identifier(name)))
        .collect();
    let mut parameters: Vec<AttributeValue> = names.iter().map(|n| key[*n].clone()).collect();
    if let Some(rendered) = condition {
        let fragment = to_partiql(rendered, false).map_err(|why| untranslatable::<M>(why))?;
        clauses.push(format!("({})", fragment.text));
        parameters.extend(fragment.parameters);
    }
    Ok((clauses.join(" AND "), parameters))
}

fn untranslatable<M>(why: String) -> Error {
    Error::invalid_expression(std::any::type_name::<M>(), why)
}

/// `SELECT * FROM "table"[."index"] [WHERE ...]`.
#[derive(Debug)]
#[must_use = "a statement does nothing until executed"]
pub struct Select<M> {
    from: String,
    filter: Option<Condition<M>>,
}

impl<M: Table> Select<M> {
    /// Reads `index` instead of the table.
    pub fn index<I: Index<Model = M>>(mut self, index: I) -> Self {
        self.from = format!("{}.{}", self.from, identifier(index.meta().name));
        self
    }

    /// `WHERE condition`; a condition on the partition key reads like a query, anything
    /// else scans.
    pub fn filter(mut self, condition: impl IntoCondition<M>) -> Self {
        self.filter = Some(condition.into_condition());
        self
    }
}

impl<M: Table> IntoStatement for Select<M> {
    fn into_statement(self) -> Result<Statement> {
        let mut statement = Statement::new(format!("SELECT * FROM {}", self.from));
        if let Some(filter) = &self.filter {
            let fragment =
                to_partiql(&filter.render()?, false).map_err(|why| untranslatable::<M>(why))?;
            statement
                .text
                .push_str(&format!(" WHERE {}", fragment.text));
            statement.parameters = fragment.parameters;
        }
        Ok(statement)
    }
}

/// `UPDATE "table" SET ... REMOVE ... WHERE <key> [AND (condition)]`.
#[derive(Debug)]
#[must_use = "a statement does nothing until executed"]
pub struct UpdateStatement<M> {
    statements: Statements<M>,
    key: Result<Item>,
    update: Update<M>,
    condition: Option<Condition<M>>,
    hooks: bool,
}

impl<M: Table> UpdateStatement<M> {
    /// `SET path = value`
    pub fn set<T, K>(
        mut self,
        field: impl AsRef<crate::Field<M, T, K>>,
        value: impl ValueFor<T>,
    ) -> Self {
        self.update = self.update.set(field, value);
        self
    }

    /// `REMOVE path` (optional fields and sets)
    pub fn remove<T: crate::expr::Removable, K>(
        mut self,
        field: impl AsRef<crate::Field<M, T, K>>,
    ) -> Self {
        self.update = self.update.remove(field);
        self
    }

    /// Replaces the actions with `update` (of `SET` and `REMOVE` actions; PartiQL has no
    /// `ADD`, `DELETE` or `if_not_exists`).
    pub fn with(mut self, update: Update<M>) -> Self {
        self.update = update;
        self
    }

    /// Updates only if `condition` also holds.
    pub fn condition(mut self, condition: impl IntoCondition<M>) -> Self {
        self.condition = Some(condition.into_condition());
        self
    }

    /// Runs no `before_update` hook when the statement is built.
    pub fn skip_hooks(mut self) -> Self {
        self.hooks = false;
        self
    }
}

impl<M: Table> IntoStatement for UpdateStatement<M> {
    fn into_statement(self) -> Result<Statement> {
        let options = UpdateOptions {
            hooks: self.hooks,
            existing: Existing::Stored,
            ..UpdateOptions::default()
        };
        let prepared = prepare_update(
            self.statements.name,
            self.key?,
            &self.update,
            self.condition.as_ref(),
            options,
        )?;
        if !prepared.is_sealed() {
            return Err(Error::invalid_request(
                M::NAME,
                "it sets values over their threshold, which are uploaded to S3 before the item is written, and a PartiQL statement is built without waiting: use an update instead",
            ));
        }
        let (update, condition) = prepared.rendered();
        let update = update
            .ok_or_else(|| Error::invalid_request(M::NAME, "an update statement has no actions"))?;
        let actions = to_partiql(&update, true).map_err(|why| untranslatable::<M>(why))?;
        let (clause, key_parameters) = key_clause::<M>(&prepared.key, condition.as_ref())?;
        let mut parameters = actions.parameters;
        parameters.extend(key_parameters);
        Ok(Statement {
            text: format!(
                "UPDATE {} {} WHERE {clause}",
                self.statements.table, actions.text
            ),
            parameters,
        })
    }
}

/// `DELETE FROM "table" WHERE <key> [AND (condition)]`.
#[derive(Debug)]
#[must_use = "a statement does nothing until executed"]
pub struct DeleteStatement<M> {
    statements: Statements<M>,
    key: Result<Item>,
    condition: Option<Condition<M>>,
    hooks: bool,
}

impl<M: Table> DeleteStatement<M> {
    /// Deletes only if `condition` also holds (for an item that exists).
    pub fn condition(mut self, condition: impl IntoCondition<M>) -> Self {
        self.condition = Some(condition.into_condition());
        self
    }

    /// Runs no `before_delete_key` hook when the statement is built.
    pub fn skip_hooks(mut self) -> Self {
        self.hooks = false;
        self
    }
}

impl<M: Table> IntoStatement for DeleteStatement<M> {
    fn into_statement(self) -> Result<Statement> {
        let prepared = prepare_delete(
            self.statements.name,
            self.key?,
            self.condition.as_ref(),
            None,
            false,
            self.hooks,
        )?;
        let (_, condition) = prepared.rendered();
        let (clause, parameters) = key_clause::<M>(&prepared.key, condition.as_ref())?;
        Ok(Statement {
            text: format!("DELETE FROM {} WHERE {clause}", self.statements.table),
            parameters,
        })
    }
}

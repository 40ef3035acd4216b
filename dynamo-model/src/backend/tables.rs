//! The table (or tables) each request names, for spans and per-table rate limits.

use aws_sdk_dynamodb::operation::{
    batch_execute_statement, batch_get_item, batch_write_item, execute_statement,
    transact_get_items, transact_write_items,
};

/// The table (or tables, for batches and transactions) a request names.
pub(super) trait Tables {
    fn tables(&self) -> String;
}

macro_rules! single_table {
    ($($input:ty),*) => {$(
        impl Tables for $input {
            fn tables(&self) -> String {
                self.get_table_name().clone().unwrap_or_default()
            }
        }
    )*};
}

/// Single-table classes name their table; the others are written out below.
macro_rules! tables_of {
    (item_read, $input:ty) => {
        single_table!($input);
    };
    (vector_read, $input:ty) => {
        single_table!($input);
    };
    (item_write, $input:ty) => {
        single_table!($input);
    };
    (table, $input:ty) => {
        single_table!($input);
    };
    (resource, $input:ty) => {
        impl Tables for $input {
            fn tables(&self) -> String {
                table_of_arn(self.get_resource_arn().as_deref().unwrap_or_default()).to_owned()
            }
        }
    };
    ($class:ident, $input:ty) => {};
}

/// The table an ARN names: what follows `:table/` (and precedes any `/index/...`).
pub(crate) fn table_of_arn(arn: &str) -> &str {
    let name = arn.split_once(":table/").map_or(arn, |(_, name)| name);
    name.split('/').next().unwrap_or_default()
}

macro_rules! tables_by_class {
    ($($(#[$doc:meta])* $method:ident($name:literal, $class:ident): $input:ty => $output:ty, $error:ty;)*) => {$(tables_of!($class, $input);)*};
}

super::operations!(tables_by_class);

/// Table names, each once, in a stable order.
fn joined<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: std::collections::BTreeSet<&str> = names.collect();
    names.into_iter().collect::<Vec<_>>().join(",")
}

/// The tables of a batch's `RequestItems`.
fn batch_tables<V>(items: &Option<std::collections::HashMap<String, V>>) -> String {
    joined(items.iter().flatten().map(|(table, _)| table.as_str()))
}

/// The table a PartiQL statement names (after `FROM`, `INTO` or `UPDATE`).
fn statement_table(statement: &str) -> &str {
    let mut words = statement.split_whitespace();
    while let Some(word) = words.next() {
        if ["from", "into", "update"]
            .iter()
            .any(|k| word.eq_ignore_ascii_case(k))
        {
            let name = words.next().unwrap_or_default();
            let name = name.split('.').next().unwrap_or_default();
            return name.trim_matches('"');
        }
    }
    ""
}

impl Tables for execute_statement::builders::ExecuteStatementInputBuilder {
    fn tables(&self) -> String {
        statement_table(self.get_statement().as_deref().unwrap_or_default()).to_owned()
    }
}

impl Tables for batch_execute_statement::builders::BatchExecuteStatementInputBuilder {
    fn tables(&self) -> String {
        let statements = self.get_statements().iter().flatten();
        joined(statements.map(|s| statement_table(s.statement())))
    }
}

impl Tables for batch_get_item::builders::BatchGetItemInputBuilder {
    fn tables(&self) -> String {
        batch_tables(self.get_request_items())
    }
}

impl Tables for batch_write_item::builders::BatchWriteItemInputBuilder {
    fn tables(&self) -> String {
        batch_tables(self.get_request_items())
    }
}

impl Tables for transact_get_items::builders::TransactGetItemsInputBuilder {
    fn tables(&self) -> String {
        let items = self.get_transact_items().iter().flatten();
        joined(items.filter_map(|i| i.get()).map(|g| g.table_name()))
    }
}

impl Tables for transact_write_items::builders::TransactWriteItemsInputBuilder {
    fn tables(&self) -> String {
        let items = self.get_transact_items().iter().flatten();
        joined(items.filter_map(|i| {
            i.put()
                .map(|p| p.table_name())
                .or_else(|| i.update().map(|u| u.table_name()))
                .or_else(|| i.delete().map(|d| d.table_name()))
                .or_else(|| i.condition_check().map(|c| c.table_name()))
        }))
    }
}

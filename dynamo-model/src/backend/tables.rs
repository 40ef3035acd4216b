//! The table (or tables) each request names, for spans and per-table rate limits.

use aws_sdk_dynamodb::operation::{
    batch_execute_statement, batch_get_item, batch_write_item, create_table, delete_item,
    delete_table, describe_table, execute_statement, get_item, put_item, query, scan,
    transact_get_items, transact_write_items, update_item, update_table, update_time_to_live,
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

single_table!(
    put_item::builders::PutItemInputBuilder,
    get_item::builders::GetItemInputBuilder,
    delete_item::builders::DeleteItemInputBuilder,
    update_item::builders::UpdateItemInputBuilder,
    query::builders::QueryInputBuilder,
    scan::builders::ScanInputBuilder,
    create_table::builders::CreateTableInputBuilder,
    delete_table::builders::DeleteTableInputBuilder,
    describe_table::builders::DescribeTableInputBuilder,
    update_table::builders::UpdateTableInputBuilder,
    update_time_to_live::builders::UpdateTimeToLiveInputBuilder
);

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

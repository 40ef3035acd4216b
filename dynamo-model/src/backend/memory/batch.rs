//! Batches and transactions in memory: DynamoDB's limits and duplicate checks, and
//! transactions that apply all or nothing, with a reason per item.

use std::collections::{HashMap, HashSet};

use aws_sdk_dynamodb::operation::{
    batch_get_item, batch_write_item, transact_get_items, transact_write_items,
};
use aws_sdk_dynamodb::types::{
    ItemResponse, KeysAndAttributes, ReturnValuesOnConditionCheckFailure,
};

use super::table::PrimaryKey;
use super::{
    checked_item, eval, maps, normalize_item, updated, validation, Expressions, MemoryBackend,
    Store,
};
use crate::error::{CancellationReason, ErrorKind, Result};
use crate::value::Item;

impl MemoryBackend {
    pub(super) fn batch_get_item(
        &self,
        input: batch_get_item::BatchGetItemInput,
    ) -> Result<batch_get_item::BatchGetItemOutput> {
        const OP: &str = "BatchGetItem";
        let requests = input.request_items.unwrap_or_default();
        let total: usize = requests.values().map(|r| r.keys.len()).sum();
        if total > 100 {
            return Err(validation(
                OP,
                "Too many items requested for the BatchGetItem call",
            ));
        }
        let store = self.lock();
        let mut responses: HashMap<String, Vec<Item>> = HashMap::new();
        for (name, request) in requests {
            let table = store.table(OP, &Some(name.clone()))?;
            let KeysAndAttributes {
                keys,
                projection_expression,
                expression_attribute_names,
                ..
            } = request;
            let (names, values) = maps(&expression_attribute_names, &None);
            let mut expressions = Expressions::new(names, values);
            let projection = expressions
                .projection(projection_expression.as_deref())
                .map_err(|m| validation(OP, m))?;
            expressions.finish().map_err(|m| validation(OP, m))?;
            let mut seen = HashSet::new();
            let found = responses.entry(name).or_default();
            for key in keys {
                let key = table.key_param(&key).map_err(|m| validation(OP, m))?;
                if !seen.insert(format!("{key:?}")) {
                    return Err(validation(
                        OP,
                        "Provided list of item keys contains duplicates",
                    ));
                }
                if let Some(item) = table.get(&key) {
                    found.push(match &projection {
                        Some(paths) => eval::project(item, paths),
                        None => item.clone(),
                    });
                }
            }
        }
        Ok(batch_get_item::BatchGetItemOutput::builder()
            .set_responses(Some(responses))
            .set_unprocessed_keys(Some(HashMap::new()))
            .build())
    }

    pub(super) fn batch_write_item(
        &self,
        input: batch_write_item::BatchWriteItemInput,
    ) -> Result<batch_write_item::BatchWriteItemOutput> {
        const OP: &str = "BatchWriteItem";
        let requests = input.request_items.unwrap_or_default();
        let total: usize = requests.values().map(Vec::len).sum();
        if total == 0 || total > 25 {
            return Err(validation(OP, "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"));
        }
        let asked = input.return_consumed_capacity.clone();
        let mut store = self.lock();
        // Check everything before writing anything: a bad request writes nothing.
        let mut planned: Vec<(String, PrimaryKey, Option<Item>)> = Vec::new();
        let mut seen = HashSet::new();
        for (name, writes) in &requests {
            let table = store.table(OP, &Some(name.clone()))?;
            for write in writes {
                let (key, item) = match (write.put_request(), write.delete_request()) {
                    (Some(put), _) => {
                        let item = normalize_item(put.item().clone());
                        (checked_item(OP, table, &item)?, Some(item))
                    }
                    (None, Some(delete)) => (
                        table
                            .key_param(delete.key())
                            .map_err(|m| validation(OP, m))?,
                        None,
                    ),
                    (None, None) => {
                        return Err(validation(
                            OP,
                            "A write request has neither a put nor a delete",
                        ))
                    }
                };
                if !seen.insert(format!("{name}|{key:?}")) {
                    return Err(validation(
                        OP,
                        "Provided list of item keys contains duplicates",
                    ));
                }
                planned.push((name.clone(), key, item));
            }
        }
        let mut bytes: HashMap<String, usize> = HashMap::new();
        for (name, _, item) in &planned {
            *bytes.entry(name.clone()).or_default() +=
                item.as_ref().map_or(1, crate::value::item_size);
        }
        let consumed: Vec<_> = bytes
            .into_iter()
            .filter_map(|(name, size)| super::capacity(&Some(name), &asked, size, true, true))
            .collect();
        for (name, key, item) in planned {
            let table = store.table_mut(OP, &Some(name))?;
            match item {
                Some(item) => table.put(key, item),
                None => {
                    table.remove(&key);
                }
            }
        }
        Ok(batch_write_item::BatchWriteItemOutput::builder()
            .set_unprocessed_items(Some(HashMap::new()))
            .set_consumed_capacity((!consumed.is_empty()).then_some(consumed))
            .build())
    }

    pub(super) fn transact_get_items(
        &self,
        input: transact_get_items::TransactGetItemsInput,
    ) -> Result<transact_get_items::TransactGetItemsOutput> {
        const OP: &str = "TransactGetItems";
        let gets = input.transact_items.unwrap_or_default();
        if gets.is_empty() || gets.len() > 100 {
            return Err(validation(
                OP,
                "Member must have length less than or equal to 100",
            ));
        }
        let store = self.lock();
        let mut responses = Vec::new();
        for get in gets {
            let get = get
                .get
                .ok_or_else(|| validation(OP, "A transaction item has no Get"))?;
            let table = store.table(OP, &Some(get.table_name.clone()))?;
            let (names, values) = maps(&get.expression_attribute_names, &None);
            let mut expressions = Expressions::new(names, values);
            let projection = expressions
                .projection(get.projection_expression.as_deref())
                .map_err(|m| validation(OP, m))?;
            expressions.finish().map_err(|m| validation(OP, m))?;
            let key = table.key_param(&get.key).map_err(|m| validation(OP, m))?;
            let item = table.get(&key).map(|item| match &projection {
                Some(paths) => eval::project(item, paths),
                None => item.clone(),
            });
            responses.push(ItemResponse::builder().set_item(item).build());
        }
        Ok(transact_get_items::TransactGetItemsOutput::builder()
            .set_responses(Some(responses))
            .build())
    }

    pub(super) fn transact_write_items(
        &self,
        input: transact_write_items::TransactWriteItemsInput,
    ) -> Result<transact_write_items::TransactWriteItemsOutput> {
        const OP: &str = "TransactWriteItems";
        let items = input.transact_items.unwrap_or_default();
        if items.is_empty() || items.len() > 100 {
            return Err(validation(
                OP,
                "Member must have length less than or equal to 100",
            ));
        }
        let mut store = self.lock();
        if let Some(token) = &input.client_request_token {
            if token.is_empty() || token.chars().count() > 36 {
                return Err(validation(
                    OP,
                    "1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36",
                ));
            }
            match store.tokens.get(token) {
                // Idempotent: the same transaction with this token was applied already.
                Some(applied) if *applied == items => {
                    return Ok(transact_write_items::TransactWriteItemsOutput::builder().build());
                }
                Some(_) => {
                    return Err(ErrorKind::Service {
                        operation: OP,
                        code: Some("IdempotentParameterMismatchException".to_owned()),
                        message: "The request uses the same client token as a previous, but non-identical request.".to_owned(),
                        source: "IdempotentParameterMismatchException".to_owned().into(),
                    }
                    .into());
                }
                None => {}
            }
        }
        let mut plans = Vec::new();
        let mut seen = HashSet::new();
        for item in &items {
            let plan = plan(&store, item)?;
            if !seen.insert(format!("{}|{:?}", plan.table, plan.key)) {
                return Err(validation(
                    OP,
                    "Transaction request cannot include multiple operations on one item",
                ));
            }
            plans.push(plan);
        }
        let reasons: Vec<CancellationReason> = plans
            .iter()
            .map(|plan| {
                let old = store.tables.get(&plan.table).and_then(|t| t.get(&plan.key));
                let holds = plan
                    .condition
                    .as_ref()
                    .is_none_or(|c| eval::holds(old.unwrap_or(&Item::new()), c));
                if holds {
                    CancellationReason {
                        code: "None".into(),
                        message: None,
                        item: None,
                    }
                } else {
                    CancellationReason {
                        code: "ConditionalCheckFailed".into(),
                        message: Some("The conditional request failed".into()),
                        item: plan.return_old.then(|| old.cloned()).flatten(),
                    }
                }
            })
            .collect();
        if reasons.iter().any(|r| !r.is_none()) {
            return Err(ErrorKind::TransactionCanceled { reasons }.into());
        }
        // Compute every new item before writing any: an invalid update cancels it all.
        let mut writes = Vec::new();
        for plan in plans {
            let table = store.table(OP, &Some(plan.table.clone()))?;
            let old = table.get(&plan.key).cloned();
            let new = match plan.write {
                Write::Put(item) => Some(item),
                Write::Delete => None,
                Write::Check => continue,
                Write::Update(actions, key_item) => {
                    Some(updated(OP, table, old.unwrap_or(key_item), &actions)?)
                }
            };
            writes.push((plan.table, plan.key, new));
        }
        for (name, key, new) in writes {
            let table = store.table_mut(OP, &Some(name))?;
            match new {
                Some(item) => table.put(key, item),
                None => {
                    table.remove(&key);
                }
            }
        }
        if let Some(token) = input.client_request_token {
            store.tokens.insert(token, items);
        }
        Ok(transact_write_items::TransactWriteItemsOutput::builder().build())
    }
}

enum Write {
    Put(Item),
    Update(Vec<super::parse::UpdateAction>, Item),
    Delete,
    Check,
}

struct Plan {
    table: String,
    key: PrimaryKey,
    condition: Option<super::parse::Condition>,
    return_old: bool,
    write: Write,
}

/// Parses and checks one transaction item.
fn plan(store: &Store, item: &aws_sdk_dynamodb::types::TransactWriteItem) -> Result<Plan> {
    const OP: &str = "TransactWriteItems";
    let failure = |mode: Option<&ReturnValuesOnConditionCheckFailure>| {
        mode == Some(&ReturnValuesOnConditionCheckFailure::AllOld)
    };
    let parsed = |names,
                  values,
                  condition: Option<&str>,
                  update: Option<&str>|
     -> Result<(
        Option<super::parse::Condition>,
        Option<Vec<super::parse::UpdateAction>>,
    )> {
        let (names, values) = maps(names, values);
        let mut expressions = Expressions::new(names, values);
        let update = expressions.update(update).map_err(|m| validation(OP, m))?;
        let condition = expressions
            .condition(condition)
            .map_err(|m| validation(OP, m))?;
        expressions.finish().map_err(|m| validation(OP, m))?;
        Ok((condition, update))
    };
    if let Some(put) = item.put() {
        let table = store.table(OP, &Some(put.table_name().to_owned()))?;
        let new = normalize_item(put.item().clone());
        let key = checked_item(OP, table, &new)?;
        let (condition, _) = parsed(
            &put.expression_attribute_names,
            &put.expression_attribute_values,
            put.condition_expression(),
            None,
        )?;
        return Ok(Plan {
            table: put.table_name().to_owned(),
            key,
            condition,
            return_old: failure(put.return_values_on_condition_check_failure()),
            write: Write::Put(new),
        });
    }
    if let Some(update) = item.update() {
        let table = store.table(OP, &Some(update.table_name().to_owned()))?;
        let key = table
            .key_param(update.key())
            .map_err(|m| validation(OP, m))?;
        let (condition, actions) = parsed(
            &update.expression_attribute_names,
            &update.expression_attribute_values,
            update.condition_expression(),
            Some(update.update_expression()),
        )?;
        return Ok(Plan {
            table: update.table_name().to_owned(),
            key,
            condition,
            return_old: failure(update.return_values_on_condition_check_failure()),
            write: Write::Update(actions.unwrap_or_default(), update.key().clone()),
        });
    }
    if let Some(delete) = item.delete() {
        let table = store.table(OP, &Some(delete.table_name().to_owned()))?;
        let key = table
            .key_param(delete.key())
            .map_err(|m| validation(OP, m))?;
        let (condition, _) = parsed(
            &delete.expression_attribute_names,
            &delete.expression_attribute_values,
            delete.condition_expression(),
            None,
        )?;
        return Ok(Plan {
            table: delete.table_name().to_owned(),
            key,
            condition,
            return_old: failure(delete.return_values_on_condition_check_failure()),
            write: Write::Delete,
        });
    }
    if let Some(check) = item.condition_check() {
        let table = store.table(OP, &Some(check.table_name().to_owned()))?;
        let key = table
            .key_param(check.key())
            .map_err(|m| validation(OP, m))?;
        let (condition, _) = parsed(
            &check.expression_attribute_names,
            &check.expression_attribute_values,
            Some(check.condition_expression()),
            None,
        )?;
        return Ok(Plan {
            table: check.table_name().to_owned(),
            key,
            condition,
            return_old: failure(check.return_values_on_condition_check_failure()),
            write: Write::Check,
        });
    }
    Err(validation(OP, "A transaction item has no action"))
}

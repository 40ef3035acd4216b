//! Table administration in memory: create (with the description DynamoDB would give),
//! describe, delete, time to live, update.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::operation::{
    create_table, delete_table, describe_table, describe_time_to_live, list_tags_of_resource,
    tag_resource, untag_resource, update_table, update_time_to_live,
};
use aws_sdk_dynamodb::types::{
    BillingModeSummary, GlobalSecondaryIndexDescription, IndexStatus, KeyType,
    LocalSecondaryIndexDescription, ProjectionType, ScalarAttributeType, TableDescription,
    TableStatus, TimeToLiveDescription, TimeToLiveStatus, VectorIndexDescription,
};

use super::table::{IndexDef, KeyDef, Table};
use super::vector::VectorDef;
use super::{not_found, validation, MemoryBackend};
use crate::error::{ErrorKind, Result};

/// The partition (`HASH`) and sort (`RANGE`) attributes of a key schema, in order, typed by
/// the attribute definitions.
fn key_defs(
    schema: &[aws_sdk_dynamodb::types::KeySchemaElement],
    types: &BTreeMap<String, ScalarAttributeType>,
) -> std::result::Result<(Vec<KeyDef>, Vec<KeyDef>), String> {
    let defs = |kind: KeyType| -> std::result::Result<Vec<KeyDef>, String> {
        schema
            .iter()
            .filter(|k| k.key_type() == &kind)
            .map(|k| {
                let name = k.attribute_name().to_owned();
                let ty = types.get(&name).cloned().ok_or_else(|| {
                    format!("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [{name}]")
                })?;
                Ok(KeyDef { name, ty })
            })
            .collect()
    };
    let hash = defs(KeyType::Hash)?;
    if hash.is_empty() {
        return Err("One or more parameter values were invalid: Missing the hash key".to_owned());
    }
    Ok((hash, defs(KeyType::Range)?))
}

/// The table's own key: one partition attribute, at most one sort attribute.
fn table_key(
    schema: &[aws_sdk_dynamodb::types::KeySchemaElement],
    types: &BTreeMap<String, ScalarAttributeType>,
) -> std::result::Result<(KeyDef, Option<KeyDef>), String> {
    let (mut hash, mut range) = key_defs(schema, types)?;
    if hash.len() > 1 || range.len() > 1 {
        return Err("1 validation error detected: Value at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2".to_owned());
    }
    Ok((hash.remove(0), range.pop()))
}

/// An index of a `CreateTable` request: its keys (typed by the attribute definitions) and
/// projection.
fn index_def(
    name: &str,
    schema: &[aws_sdk_dynamodb::types::KeySchemaElement],
    projection: Option<&aws_sdk_dynamodb::types::Projection>,
    types: &BTreeMap<String, ScalarAttributeType>,
    global: bool,
) -> std::result::Result<IndexDef, String> {
    let (mut hash, mut range) = key_defs(schema, types)?;
    let limit = if global { 4 } else { 1 };
    if hash.len() > limit || range.len() > limit {
        return Err(format!(
            "One or more parameter values were invalid: index {name} has more key attributes than allowed: at most {limit} HASH and {limit} RANGE"
        ));
    }
    let more_hash = hash.split_off(1);
    let more_range = if range.is_empty() {
        Vec::new()
    } else {
        range.split_off(1)
    };
    Ok(IndexDef {
        name: name.to_owned(),
        hash: hash.remove(0),
        range: range.pop(),
        more_hash,
        more_range,
        projection: projection
            .and_then(|p| p.projection_type().cloned())
            .unwrap_or(ProjectionType::All),
        non_key_attributes: projection
            .map(|p| p.non_key_attributes().to_vec())
            .unwrap_or_default(),
        global,
    })
}

impl MemoryBackend {
    pub(super) fn create_table(
        &self,
        input: create_table::CreateTableInput,
    ) -> Result<create_table::CreateTableOutput> {
        const OP: &str = "CreateTable";
        let name = input.table_name.clone().unwrap_or_default();
        let invalid_name = !(3..=255).contains(&name.len())
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if invalid_name {
            return Err(validation(OP, "Invalid table/index name.  Table/index names must be between 3 and 255 characters long, and may contain only the characters a-z, A-Z, 0-9, '_', '-', and '.'"));
        }
        let types: BTreeMap<String, ScalarAttributeType> = input
            .attribute_definitions
            .iter()
            .flatten()
            .map(|d| (d.attribute_name().to_owned(), d.attribute_type().clone()))
            .collect();
        let (hash, range) = table_key(input.key_schema.as_deref().unwrap_or_default(), &types)
            .map_err(|m| validation(OP, m))?;
        let mut indexes = Vec::new();
        let mut gsi_descriptions = Vec::new();
        let mut lsi_descriptions = Vec::new();
        for gsi in input.global_secondary_indexes.iter().flatten() {
            let projection = gsi.projection().cloned();
            indexes.push(
                index_def(
                    gsi.index_name(),
                    gsi.key_schema(),
                    projection.as_ref(),
                    &types,
                    true,
                )
                .map_err(|m| validation(OP, m))?,
            );
            gsi_descriptions.push(
                GlobalSecondaryIndexDescription::builder()
                    .index_name(gsi.index_name())
                    .set_key_schema(Some(gsi.key_schema().to_vec()))
                    .set_projection(projection)
                    .index_status(IndexStatus::Active)
                    .item_count(0)
                    .index_size_bytes(0)
                    .build(),
            );
        }
        for lsi in input.local_secondary_indexes.iter().flatten() {
            let projection = lsi.projection().cloned();
            indexes.push(
                index_def(
                    lsi.index_name(),
                    lsi.key_schema(),
                    projection.as_ref(),
                    &types,
                    false,
                )
                .map_err(|m| validation(OP, m))?,
            );
            lsi_descriptions.push(
                LocalSecondaryIndexDescription::builder()
                    .index_name(lsi.index_name())
                    .set_key_schema(Some(lsi.key_schema().to_vec()))
                    .set_projection(projection)
                    .item_count(0)
                    .index_size_bytes(0)
                    .build(),
            );
        }
        let mut vector_indexes = Vec::new();
        for index in input.vector_indexes.iter().flatten() {
            let declared = VectorDef::declared(
                &index.index_name,
                index.vector_attribute.clone(),
                index.search_schema.clone(),
                index.projection.clone(),
                (index.dimensions, index.distance_function.clone()),
            );
            vector_indexes.push(declared.map_err(|m| validation(OP, m))?);
        }
        let description = TableDescription::builder()
            .set_vector_indexes((!vector_indexes.is_empty()).then(|| {
                vector_indexes
                    .iter()
                    .map(|v| v.description.clone())
                    .collect()
            }))
            .table_name(&name)
            .table_status(TableStatus::Active)
            .set_key_schema(input.key_schema.clone())
            .set_attribute_definitions(input.attribute_definitions.clone())
            .set_global_secondary_indexes(
                (!gsi_descriptions.is_empty()).then_some(gsi_descriptions),
            )
            .set_local_secondary_indexes((!lsi_descriptions.is_empty()).then_some(lsi_descriptions))
            .set_billing_mode_summary(
                input
                    .billing_mode
                    .clone()
                    .map(|m| BillingModeSummary::builder().billing_mode(m).build()),
            )
            .table_arn(format!("arn:aws:dynamodb:memory:000000000000:table/{name}"))
            .item_count(0)
            .table_size_bytes(0)
            .build();
        let mut description = description;
        if let Some(stream) = input
            .stream_specification
            .as_ref()
            .filter(|s| s.stream_enabled)
        {
            set_stream(&mut description, stream).map_err(|m| validation(OP, m))?;
        }
        let mut store = self.lock();
        if store.tables.contains_key(&name) {
            return Err(ErrorKind::Service {
                operation: OP,
                code: Some("ResourceInUseException".to_owned()),
                message: format!("Table already exists: {name}"),
                source: format!("Table already exists: {name}").into(),
            }
            .into());
        }
        store.tables.insert(
            name,
            Table {
                hash,
                range,
                indexes,
                description: description.clone(),
                ttl: None,
                tags: input
                    .tags
                    .iter()
                    .flatten()
                    .map(|tag| (tag.key().to_owned(), tag.value().to_owned()))
                    .collect(),
                items: BTreeMap::new(),
                feed: {
                    let mut feed = super::feed::Feed::default();
                    feed.follow(&description);
                    feed
                },
                vector_indexes,
            },
        );
        Ok(create_table::CreateTableOutput::builder()
            .table_description(description)
            .build())
    }

    pub(super) fn delete_table(
        &self,
        input: delete_table::DeleteTableInput,
    ) -> Result<delete_table::DeleteTableOutput> {
        let mut store = self.lock();
        let table = input
            .table_name
            .as_ref()
            .and_then(|name| store.tables.remove(name))
            .ok_or_else(|| not_found("DeleteTable", &input.table_name))?;
        Ok(delete_table::DeleteTableOutput::builder()
            .table_description(table.description)
            .build())
    }

    pub(super) fn describe_table(
        &self,
        input: describe_table::DescribeTableInput,
    ) -> Result<describe_table::DescribeTableOutput> {
        let store = self.lock();
        let table = store.table("DescribeTable", &input.table_name)?;
        let count = i64::try_from(table.all_items().count()).unwrap_or(i64::MAX);
        let mut description = table.description.clone();
        description.item_count = Some(count);
        Ok(describe_table::DescribeTableOutput::builder()
            .table(description)
            .build())
    }

    pub(super) fn update_time_to_live(
        &self,
        input: update_time_to_live::UpdateTimeToLiveInput,
    ) -> Result<update_time_to_live::UpdateTimeToLiveOutput> {
        let mut store = self.lock();
        let table = store.table_mut("UpdateTimeToLive", &input.table_name)?;
        table.ttl.clone_from(&input.time_to_live_specification);
        Ok(update_time_to_live::UpdateTimeToLiveOutput::builder()
            .set_time_to_live_specification(input.time_to_live_specification)
            .build())
    }

    pub(super) fn describe_time_to_live(
        &self,
        input: describe_time_to_live::DescribeTimeToLiveInput,
    ) -> Result<describe_time_to_live::DescribeTimeToLiveOutput> {
        let store = self.lock();
        let table = store.table("DescribeTimeToLive", &input.table_name)?;
        let description = match &table.ttl {
            Some(spec) => TimeToLiveDescription::builder()
                .attribute_name(spec.attribute_name())
                .time_to_live_status(if spec.enabled() {
                    TimeToLiveStatus::Enabled
                } else {
                    TimeToLiveStatus::Disabled
                })
                .build(),
            None => TimeToLiveDescription::builder()
                .time_to_live_status(TimeToLiveStatus::Disabled)
                .build(),
        };
        Ok(describe_time_to_live::DescribeTimeToLiveOutput::builder()
            .time_to_live_description(description)
            .build())
    }

    pub(super) fn update_table(
        &self,
        input: update_table::UpdateTableInput,
    ) -> Result<update_table::UpdateTableOutput> {
        const OP: &str = "UpdateTable";
        let mut store = self.lock();
        let table = store.table_mut(OP, &input.table_name)?;
        if input.replica_updates.is_some() {
            return Err(validation(
                OP,
                "The embedded backend has no other regions to replicate to",
            ));
        }
        for update in input.vector_index_updates.iter().flatten() {
            update_vector_index(table, update).map_err(|m| validation(OP, m))?;
        }
        let updates = input.global_secondary_index_updates.unwrap_or_default();
        if updates.len() > 1 {
            return Err(validation(
                OP,
                "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table",
            ));
        }
        let mut description = table.description.clone();
        if let Some(update) = updates.into_iter().next() {
            let mut definitions = description
                .attribute_definitions
                .clone()
                .unwrap_or_default();
            for definition in input.attribute_definitions.iter().flatten() {
                if !definitions
                    .iter()
                    .any(|known| known.attribute_name() == definition.attribute_name())
                {
                    definitions.push(definition.clone());
                }
            }
            let mut globals = description
                .global_secondary_indexes
                .clone()
                .unwrap_or_default();
            if let Some(create) = update.create() {
                let name = create.index_name();
                if table.indexes.iter().any(|index| index.name == name) {
                    return Err(validation(
                        OP,
                        format!("One or more parameter values were invalid: Index already exists: {name}"),
                    ));
                }
                let types: BTreeMap<String, ScalarAttributeType> = definitions
                    .iter()
                    .map(|d| (d.attribute_name().to_owned(), d.attribute_type().clone()))
                    .collect();
                let def = index_def(name, create.key_schema(), create.projection(), &types, true)
                    .map_err(|m| validation(OP, m))?;
                table.indexes.push(def);
                globals.push(
                    GlobalSecondaryIndexDescription::builder()
                        .index_name(name)
                        .set_key_schema(Some(create.key_schema().to_vec()))
                        .set_projection(create.projection().cloned())
                        .index_status(IndexStatus::Active)
                        .item_count(0)
                        .index_size_bytes(0)
                        .build(),
                );
            }
            if let Some(delete) = update.delete() {
                let name = delete.index_name();
                let global = |index: &IndexDef| index.global && index.name == name;
                if !table.indexes.iter().any(global) {
                    return Err(ErrorKind::ResourceNotFound {
                        operation: OP,
                        table: input.table_name.clone().unwrap_or_default(),
                        message: format!("Requested resource not found: Index: {name} not found"),
                    }
                    .into());
                }
                table.indexes.retain(|index| !global(index));
                globals.retain(|index| index.index_name() != Some(name));
            }
            description.attribute_definitions = Some(definitions);
            description.global_secondary_indexes = (!globals.is_empty()).then_some(globals);
        }
        if let Some(mode) = input.billing_mode {
            description.billing_mode_summary =
                Some(BillingModeSummary::builder().billing_mode(mode).build());
        }
        if let Some(throughput) = input.provisioned_throughput {
            description.provisioned_throughput = Some(
                aws_sdk_dynamodb::types::ProvisionedThroughputDescription::builder()
                    .read_capacity_units(throughput.read_capacity_units())
                    .write_capacity_units(throughput.write_capacity_units())
                    .build(),
            );
        }
        if let Some(class) = input.table_class {
            description.table_class_summary = Some(
                aws_sdk_dynamodb::types::TableClassSummary::builder()
                    .table_class(class)
                    .build(),
            );
        }
        if let Some(protection) = input.deletion_protection_enabled {
            description.deletion_protection_enabled = Some(protection);
        }
        if let Some(stream) = &input.stream_specification {
            set_stream(&mut description, stream).map_err(|m| validation(OP, m))?;
        }
        table.feed.follow(&description);
        table.description = description.clone();
        Ok(update_table::UpdateTableOutput::builder()
            .table_description(description)
            .build())
    }

    /// The table an ARN names, as `ResourceNotFound` when there is none.
    fn tagged<'s>(
        store: &'s mut super::Store,
        operation: &'static str,
        arn: &Option<String>,
    ) -> Result<&'s mut Table> {
        let name = arn
            .as_deref()
            .map(|arn| crate::backend::table_of_arn(arn).to_owned());
        store.table_mut(operation, &name)
    }

    pub(super) fn tag_resource(
        &self,
        input: tag_resource::TagResourceInput,
    ) -> Result<tag_resource::TagResourceOutput> {
        let mut store = self.lock();
        let table = Self::tagged(&mut store, "TagResource", &input.resource_arn)?;
        for tag in input.tags.iter().flatten() {
            table
                .tags
                .insert(tag.key().to_owned(), tag.value().to_owned());
        }
        Ok(tag_resource::TagResourceOutput::builder().build())
    }

    pub(super) fn untag_resource(
        &self,
        input: untag_resource::UntagResourceInput,
    ) -> Result<untag_resource::UntagResourceOutput> {
        let mut store = self.lock();
        let table = Self::tagged(&mut store, "UntagResource", &input.resource_arn)?;
        for key in input.tag_keys.iter().flatten() {
            table.tags.remove(key);
        }
        Ok(untag_resource::UntagResourceOutput::builder().build())
    }

    pub(super) fn list_tags_of_resource(
        &self,
        input: list_tags_of_resource::ListTagsOfResourceInput,
    ) -> Result<list_tags_of_resource::ListTagsOfResourceOutput> {
        let mut store = self.lock();
        let table = Self::tagged(&mut store, "ListTagsOfResource", &input.resource_arn)?;
        let tags = table
            .tags
            .iter()
            .map(|(key, value)| {
                aws_sdk_dynamodb::types::Tag::builder()
                    .key(key)
                    .value(value)
                    .build()
                    .map_err(|e| validation("ListTagsOfResource", e.to_string()))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(list_tags_of_resource::ListTagsOfResourceOutput::builder()
            .set_tags(Some(tags))
            .build())
    }
}

/// Creates or deletes a vector index (`VectorIndexUpdates`), filling a new one with the
/// vectors of the items already written.
fn update_vector_index(
    table: &mut Table,
    update: &aws_sdk_dynamodb::types::VectorIndexUpdate,
) -> std::result::Result<(), String> {
    if let Some(create) = &update.create {
        if table
            .vector_indexes
            .iter()
            .any(|v| v.name() == create.index_name)
        {
            return Err(format!(
                "One or more parameter values were invalid: Index already exists: {}",
                create.index_name
            ));
        }
        let mut index = VectorDef::declared(
            &create.index_name,
            create.vector_attribute.clone(),
            create.search_schema.clone(),
            create.projection.clone(),
            (create.dimensions, create.distance_function.clone()),
        )?;
        let keyed: Vec<_> = table
            .all_items()
            .filter_map(|item| Some((table.key_of(item).ok()?, item.clone())))
            .collect();
        for (key, item) in &keyed {
            index.follow(key, Some(item));
        }
        table.vector_indexes.push(index);
    }
    if let Some(delete) = &update.delete {
        let before = table.vector_indexes.len();
        table
            .vector_indexes
            .retain(|v| v.name() != delete.index_name);
        if table.vector_indexes.len() == before {
            return Err(format!(
                "One or more parameter values were invalid: Index does not exist: {}",
                delete.index_name
            ));
        }
    }
    let descriptions: Vec<VectorIndexDescription> = table
        .vector_indexes
        .iter()
        .map(|v| v.description.clone())
        .collect();
    table.description.vector_indexes = (!descriptions.is_empty()).then_some(descriptions);
    Ok(())
}

/// Turns the table's stream on (with its view type, and a new stream ARN and label) or off,
/// refusing what DynamoDB refuses: enabling a stream that is on, disabling one that is off,
/// and a view type without enabling.
fn set_stream(
    description: &mut aws_sdk_dynamodb::types::TableDescription,
    stream: &aws_sdk_dynamodb::types::StreamSpecification,
) -> std::result::Result<(), String> {
    let enabled = description
        .stream_specification
        .as_ref()
        .is_some_and(|s| s.stream_enabled);
    let table = description.table_name.clone().unwrap_or_default();
    match (stream.stream_enabled, enabled) {
        (true, true) => Err(format!("Table already has an enabled stream: TableName: {table}")),
        (true, false) => {
            if stream.stream_view_type.is_none() {
                return Err("One or more parameter values were invalid: StreamViewType must be specified when StreamEnabled is true".to_owned());
            }
            // A stream's label is when it was created; milliseconds keep two apart.
            let label = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |since| since.as_millis())
                .to_string();
            description.stream_specification = Some(stream.clone());
            description.latest_stream_label = Some(label.clone());
            description.latest_stream_arn = description
                .table_arn
                .as_ref()
                .map(|arn| format!("{arn}/stream/{label}"));
            Ok(())
        }
        (false, _) if stream.stream_view_type.is_some() => Err(
            "One or more parameter values were invalid: StreamViewType cannot be specified when StreamEnabled is false".to_owned(),
        ),
        (false, false) => Err(format!("Table already has no stream to disable: TableName: {table}")),
        (false, true) => {
            description.stream_specification = None;
            Ok(())
        }
    }
}

//! Vector indexes of the memory backend: `SearchVectors` answered exactly, by brute force
//! over every vector of the index, scored by the index's distance function as DynamoDB
//! documents it. Each index keeps its vectors parsed, updated on every write.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::operation::search_vectors;
use aws_sdk_dynamodb::types::{SearchResultItem, SearchSchemaElementType, VectorIndexDescription};

use super::table::{PrimaryKey, Table};
use super::{eval, maps, parse, validation, Expressions, MemoryBackend};
use crate::error::Result;
use crate::meta::Distance;
use crate::value::vector::parse_vector;
use crate::value::Item;

/// A vector index: what it reads and how it scores, and the vectors of the items in it.
#[derive(Debug, Clone)]
pub(crate) struct VectorDef {
    pub(crate) description: VectorIndexDescription,
    name: String,
    attribute: String,
    dimensions: usize,
    distance: Distance,
    partition: Option<String>,
    vectors: Vectors,
}

/// The vectors of an index, side by side in one buffer (a search reads them in order), with
/// the key of each and the slot of each key.
#[derive(Debug, Clone, Default)]
struct Vectors {
    values: Vec<f32>,
    keys: Vec<PrimaryKey>,
    slots: BTreeMap<PrimaryKey, usize>,
}

impl Vectors {
    fn set(&mut self, key: &PrimaryKey, vector: &[f32]) {
        let dimensions = vector.len();
        match self.slots.get(key) {
            Some(&slot) => {
                self.values[slot * dimensions..(slot + 1) * dimensions].copy_from_slice(vector);
            }
            None => {
                self.slots.insert(key.clone(), self.keys.len());
                self.keys.push(key.clone());
                self.values.extend_from_slice(vector);
            }
        }
    }

    /// Removes the vector of `key`: the last one moves into its slot.
    fn remove(&mut self, key: &PrimaryKey, dimensions: usize) {
        let Some(slot) = self.slots.remove(key) else {
            return;
        };
        let last = self.keys.len() - 1;
        if slot != last {
            self.values.copy_within(
                last * dimensions..(last + 1) * dimensions,
                slot * dimensions,
            );
            self.keys.swap(slot, last);
            self.slots.insert(self.keys[slot].clone(), slot);
        }
        self.keys.pop();
        self.values.truncate(last * dimensions);
    }

    /// Each key with its vector.
    fn iter(&self, dimensions: usize) -> impl Iterator<Item = (&PrimaryKey, &[f32])> {
        self.keys.iter().zip(self.values.chunks_exact(dimensions))
    }
}

impl VectorDef {
    /// The index a `CreateTable` or `UpdateTable` request declares, from its parts.
    pub(crate) fn declared(
        name: &str,
        attribute: Option<aws_sdk_dynamodb::types::VectorAttributeDefinition>,
        schema: Option<Vec<aws_sdk_dynamodb::types::SearchSchemaElement>>,
        projection: Option<aws_sdk_dynamodb::types::Projection>,
        (dimensions, distance): (i64, aws_sdk_dynamodb::types::VectorDistanceFunction),
    ) -> std::result::Result<Self, String> {
        VectorDef::new(
            VectorIndexDescription::builder()
                .index_name(name)
                .set_vector_attribute(attribute)
                .set_search_schema(schema)
                .set_projection(projection)
                .dimensions(dimensions)
                .distance_function(distance)
                .index_status(aws_sdk_dynamodb::types::IndexStatus::Active)
                .build(),
        )
    }

    /// The index a description describes.
    fn new(description: VectorIndexDescription) -> std::result::Result<Self, String> {
        let name = description.index_name.clone().unwrap_or_default();
        let attribute = description
            .vector_attribute
            .as_ref()
            .map(|a| a.attribute_name.clone())
            .ok_or_else(|| format!("One or more parameter values were invalid: vector index {name} has no VectorAttribute"))?;
        let dimensions = description
            .dimensions
            .and_then(|d| usize::try_from(d).ok())
            .filter(|d| *d > 0)
            .ok_or_else(|| format!("One or more parameter values were invalid: vector index {name} needs Dimensions of at least 1"))?;
        let distance = description
            .distance_function
            .as_ref()
            .and_then(|d| Distance::from_name(d.as_str()))
            .ok_or_else(|| format!("One or more parameter values were invalid: vector index {name} has no known DistanceFunction"))?;
        let partition = description
            .search_schema
            .iter()
            .flatten()
            .find(|e| e.search_schema_element_type == SearchSchemaElementType::Hash)
            .map(|e| e.attribute_name.clone());
        Ok(VectorDef {
            description,
            name,
            attribute,
            dimensions,
            distance,
            partition,
            vectors: Vectors::default(),
        })
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Keeps the vector of the item at `key` (written, or `None`: removed).
    pub(crate) fn follow(&mut self, key: &PrimaryKey, item: Option<&Item>) {
        let vector = item
            .and_then(|item| item.get(&self.attribute))
            .and_then(parse_vector)
            .filter(|v| v.len() == self.dimensions);
        match vector {
            Some(vector) => self.vectors.set(key, &vector),
            None => self.vectors.remove(key, self.dimensions),
        }
    }
}

/// True when `condition` holds `name = value` at its top level (an `AND` of terms).
fn names_equality(condition: &parse::Condition, name: &str) -> bool {
    use parse::{Comparator, Condition, Operand, Step};
    match condition {
        Condition::Compare(Operand::Path(path), Comparator::Eq, Operand::Value(_))
        | Condition::Compare(Operand::Value(_), Comparator::Eq, Operand::Path(path)) => {
            path.as_slice() == [Step::Name(name.to_owned())]
        }
        Condition::And(a, b) => names_equality(a, name) || names_equality(b, name),
        _ => false,
    }
}

impl MemoryBackend {
    pub(super) fn search_vectors(
        &self,
        input: search_vectors::SearchVectorsInput,
    ) -> Result<search_vectors::SearchVectorsOutput> {
        const OP: &str = "SearchVectors";
        let (names, values) = maps(
            &input.expression_attribute_names,
            &input.expression_attribute_values,
        );
        let mut expressions = Expressions::new(names, values);
        let condition = expressions
            .condition_of(
                "SearchConditionExpression",
                input.search_condition_expression.as_deref(),
            )
            .map_err(|m| validation(OP, m))?;
        let projection = expressions
            .projection(input.projection_expression.as_deref())
            .map_err(|m| validation(OP, m))?;
        expressions.finish().map_err(|m| validation(OP, m))?;
        let top_k = input
            .top_k
            .and_then(|k| usize::try_from(k).ok())
            .filter(|k| *k > 0)
            .ok_or_else(|| validation(OP, "TopK must be at least 1"))?;
        let store = self.lock();
        let table: &Table = store.table(OP, &input.table_name)?;
        let index_name = input.index_name.as_deref().unwrap_or_default();
        let index = table
            .vector_indexes
            .iter()
            .find(|v| v.name == index_name)
            .ok_or_else(|| {
                validation(
                    OP,
                    format!("The table does not have the specified vector index: {index_name}"),
                )
            })?;
        let query = parse_vector(&aws_sdk_dynamodb::types::AttributeValue::L(
            input.search_vector.clone().unwrap_or_default(),
        ))
        .ok_or_else(|| validation(OP, "SearchVector must be a list of numbers"))?;
        if query.len() != index.dimensions {
            return Err(validation(
                OP,
                format!(
                    "SearchVector has {} dimensions; vector index {index_name} has {}",
                    query.len(),
                    index.dimensions
                ),
            ));
        }
        if let Some(partition) = &index.partition {
            if !condition
                .as_ref()
                .is_some_and(|c| names_equality(c, partition))
            {
                return Err(validation(
                    OP,
                    format!("SearchConditionExpression must give the partition attribute {partition} with ="),
                ));
            }
        }
        let mut scored: Vec<(f64, &PrimaryKey)> = index
            .vectors
            .iter(index.dimensions)
            .filter(|(key, _)| match &condition {
                None => true,
                Some(condition) => table
                    .get(key)
                    .is_some_and(|item| eval::holds(item, condition)),
            })
            .map(|(key, vector)| (index.distance.score(&query, vector), key))
            .collect();
        let distance = index.distance;
        let order = |a: &(f64, &PrimaryKey), b: &(f64, &PrimaryKey)| {
            if distance.better(a.0, b.0) {
                std::cmp::Ordering::Less
            } else if distance.better(b.0, a.0) {
                std::cmp::Ordering::Greater
            } else {
                a.1.cmp(b.1)
            }
        };
        if scored.len() > top_k {
            scored.select_nth_unstable_by(top_k - 1, order);
            scored.truncate(top_k);
        }
        scored.sort_by(order);
        let results = scored
            .into_iter()
            .filter_map(|(score, key)| {
                let item = table.get(key)?;
                let item = match &projection {
                    Some(paths) => eval::project(item, paths),
                    None => item.clone(),
                };
                Some(
                    SearchResultItem::builder()
                        .set_item(Some(item))
                        .score(score)
                        .build(),
                )
            })
            .collect();
        Ok(search_vectors::SearchVectorsOutput::builder()
            .set_search_results(Some(results))
            .build())
    }
}

use dynamo_model::DynamoModel;

// A table model's metadata is one static per table.
#[derive(DynamoModel)]
#[dynamo(table = "boxes", hash_key = "id")]
pub struct Boxed<T> {
    pub id: String,
    pub value: T,
}

// A stored value owns its data.
#[derive(DynamoModel)]
pub struct Borrowed<'a> {
    pub name: &'a str,
}

// `bound` needs a type parameter, and must parse as a where-clause.
#[derive(DynamoModel)]
#[dynamo(bound = "T: Clone")]
pub struct Plain {
    pub name: String,
}

#[derive(DynamoModel)]
#[dynamo(bound = "T: +")]
pub struct Page<T> {
    pub items: Vec<T>,
}

fn main() {}

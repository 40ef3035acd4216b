use dynamo_model::DynamoModel;

// One table holds every instance: its key cannot depend on `T`.
#[derive(DynamoModel)]
#[dynamo(table = "boxes", hash_key = "id")]
pub struct Boxed<T> {
    pub id: T,
    pub value: String,
}

// Index handles are not generic yet.
#[derive(DynamoModel)]
#[dynamo(table = "crates", hash_key = "id", gsi(name = "by_label", hash_key = "label"))]
pub struct Crate<T> {
    pub id: String,
    pub label: String,
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

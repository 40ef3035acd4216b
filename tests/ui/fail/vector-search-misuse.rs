//! Each misuse of a vector index: an array of other dimensions than the index's, a query
//! array of other dimensions, a field that is not a vector, and filters outside the
//! search schema (the partition through `filter`, another field, a nested path).

use dynamo_model::{Dynamo, DynamoModel};

#[derive(Debug, DynamoModel)]
#[dynamo(
    table = "docs",
    hash_key = "id",
    vector_index(
        name = "by_embedding",
        attribute = "embedding",
        dimensions = 4,
        distance = "cosine",
        partition = "tenant",
        filters = ["year"]
    )
)]
pub struct Doc {
    pub id: String,
    pub tenant: String,
    pub year: u32,
    pub title: String,
    pub embedding: [f32; 3],
}

#[derive(Debug, DynamoModel)]
#[dynamo(
    table = "notes",
    hash_key = "id",
    vector_index(name = "by_text", attribute = "text", dimensions = 4, distance = "dot_product")
)]
pub struct Note {
    pub id: String,
    pub text: String,
}

#[derive(Debug, DynamoModel)]
#[dynamo(
    table = "pages",
    hash_key = "id",
    vector_index(name = "by_embedding", attribute = "embedding", dimensions = 2, distance = "euclidean", partition = "site", filters = ["rank"])
)]
pub struct Page {
    pub id: String,
    pub site: String,
    pub rank: u32,
    pub title: String,
    pub embedding: Vec<f32>,
}

async fn misuse(db: &Dynamo) {
    let f = Page::fields();
    // The index has 2 dimensions.
    let _ = db.search(Page::BY_EMBEDDING, &[0.1f32, 0.2, 0.3]);
    // The partition is given with `partition`, not as a filter.
    let _ = db.search(Page::BY_EMBEDDING, &[0.1f32, 0.2]).filter(f.site.eq("s1"));
    // `title` is not in the search schema.
    let _ = db.search(Page::BY_EMBEDDING, &[0.1f32, 0.2]).filter(f.title.eq("x"));
    // `rank` is an inline filter, not the partition.
    let _ = db.search(Page::BY_EMBEDDING, &[0.1f32, 0.2]).partition(&f.rank, 3u32);
}

fn main() {
    let _ = misuse;
}

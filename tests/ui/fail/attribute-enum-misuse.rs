use dynamo_model::DynamoAttribute;

// Internally tagged: a tuple variant has nowhere to go, and a field may not take the tag's name.
#[derive(DynamoAttribute)]
#[dynamo(tag = "kind")]
enum Shape {
    Segment(i32, i32),
    Square { kind: String, side: u32 },
}

// Untagged: a stored value would not say its variant.
#[derive(serde::Serialize, DynamoAttribute)]
#[serde(untagged)]
enum Either {
    Number(i64),
    Text(String),
}

// `content` without `tag`.
#[derive(DynamoAttribute)]
#[dynamo(content = "value")]
enum Setting {
    Size(u8),
}

// A unit enum is stored as its variant's name: it has no tag.
#[derive(DynamoAttribute)]
#[dynamo(tag = "kind")]
enum Colour {
    Red,
    Green,
}

fn main() {}

use dynamo_model::DynamoAttribute;

#[derive(DynamoAttribute)]
struct Point {
    x: i32,
    y: i32,
}

fn main() {}

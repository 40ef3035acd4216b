use dynamo_model::DynamoAttribute;

#[derive(DynamoAttribute)]
enum Shape {
    Circle(f64),
    Square { side: f64 },
    Empty,
}

fn main() {}

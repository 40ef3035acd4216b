use dynamo_model::{DynamoCollection, DynamoModel};

#[derive(DynamoModel)]
#[dynamo(
    table = "shop",
    pk = "USER#{user_id}",
    sk = "PROFILE",
    pk_attribute = "PK",
    sk_attribute = "SK",
    entity_attribute = "kind",
    gsi(name = "gsi1", pk = "EMAIL#{email}", sk = "{user_id}", pk_attribute = "GSI1PK", sk_attribute = "GSI1SK")
)]
struct User {
    user_id: String,
    email: Option<String>,
}

#[derive(DynamoModel)]
#[dynamo(
    table = "shop",
    pk = "USER#{user_id}",
    sk = "ORDER#{year:4}{order_id}",
    pk_attribute = "PK",
    sk_attribute = "SK",
    entity_attribute = "kind",
    lsi(name = "by_total", range_key = "total")
)]
struct Order {
    user_id: String,
    year: u16,
    order_id: String,
    total: u32,
}

#[derive(DynamoCollection)]
enum Account {
    User(User),
    Order(Order),
}

fn main() {
    let _ = User::query_by_user_id("u1");
    let _ = User::query_gsi1("a@example.com").sk_begins_with(());
    let _ = Order::query_by_user_id("u1").sk_between((2024u16,), (2025u16, "o9"));
    let _ = Order::query_by_total("u1");
    let _: Result<(String, u16, String), _> = Order::parse_key("USER#u1", "ORDER#2026o1");
    let _ = std::marker::PhantomData::<Account>;
}

//! Single-table design on both backends: key templates, entity types, a collection over a
//! shared partition, typed access patterns, index keys kept right by partial updates,
//! sparse indexes and signed cursors.

use dynamo_model::cursor::CursorKey;
use dynamo_model::{AttributeValue, Dynamo, DynamoCollection, DynamoModel, ErrorKind};
use dynamo_model_tests::conformance;

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "shop",
    pk = "USER#{user_id}",
    sk = "PROFILE",
    entity = "user",
    gsi(name = "by_email", pk = "EMAIL#{email}", sk = "USER")
)]
struct User {
    user_id: String,
    email: String,
    name: String,
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "shop",
    pk = "USER#{user_id}",
    sk = "ORDER#{created_at:10}#{order_id}",
    entity = "order",
    gsi(
        name = "by_status",
        pk = "STATUS#{status}",
        sk = "{created_at:10}#{order_id}"
    ),
    gsi(name = "by_coupon", pk = "COUPON#{coupon}", sk = "{order_id}")
)]
struct Order {
    user_id: String,
    order_id: String,
    created_at: u64,
    status: String,
    total: u32,
    coupon: Option<String>,
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "shop",
    pk = "USER#{user_id}",
    sk = "ITEM#{order_id}#{line:3}",
    entity = "order_item"
)]
struct OrderItem {
    user_id: String,
    order_id: String,
    line: u32,
    sku: String,
}

#[derive(Debug, Clone, PartialEq, DynamoCollection)]
enum Account {
    User(User),
    Order(Order),
    Item(OrderItem),
}

fn user(id: &str) -> User {
    User {
        user_id: id.into(),
        email: format!("{id}@example.com"),
        name: format!("name of {id}"),
    }
}

fn order(user: &str, id: &str, created_at: u64, status: &str) -> Order {
    Order {
        user_id: user.into(),
        order_id: id.into(),
        created_at,
        status: status.into(),
        total: 10,
        coupon: None,
    }
}

fn item(user: &str, order: &str, line: u32) -> OrderItem {
    OrderItem {
        user_id: user.into(),
        order_id: order.into(),
        line,
        sku: format!("sku-{line}"),
    }
}

async fn create_shop(db: &Dynamo) {
    db.create_table::<Order>()
        .with_indexes_of::<User>()
        .await
        .expect("create the shop table");
}

/// A user with two orders and three order lines, plus another user's order.
async fn fill_shop(db: &Dynamo) {
    create_shop(db).await;
    db.put(&user("u1")).await.unwrap();
    db.put(&user("u2")).await.unwrap();
    db.put(&order("u1", "o1", 5, "new")).await.unwrap();
    db.put(&order("u1", "o2", 1_700_000_000, "shipped"))
        .await
        .unwrap();
    db.put(&order("u2", "o3", 7, "new")).await.unwrap();
    for (order_id, line) in [("o1", 1), ("o1", 2), ("o2", 1)] {
        db.put(&item("u1", order_id, line)).await.unwrap();
    }
}

fn text(value: Option<&AttributeValue>) -> &str {
    match value {
        Some(AttributeValue::S(text)) => text,
        other => panic!("expected a string, found {other:?}"),
    }
}

#[test]
fn templates_render_pad_and_parse_back() {
    let item = order("u1", "o-9", 42, "new").to_item();
    assert_eq!(text(item.get("pk")), "USER#u1");
    assert_eq!(text(item.get("sk")), "ORDER#0000000042#o-9");
    assert_eq!(text(item.get("_type")), "order");
    assert_eq!(text(item.get("by_status_pk")), "STATUS#new");
    assert_eq!(text(item.get("by_status_sk")), "0000000042#o-9");
    assert!(
        !item.contains_key("by_coupon_pk"),
        "sparse: no coupon, no key"
    );

    assert_eq!(
        Order::parse_key("USER#u1", "ORDER#0000000042#o-9").unwrap(),
        ("u1".to_owned(), 42, "o-9".to_owned())
    );
    assert_eq!(
        OrderItem::parse_key("USER#u1", "ITEM#o-9#007").unwrap(),
        ("u1".to_owned(), "o-9".to_owned(), 7)
    );
    let error = Order::parse_key("USER#u1", "ITEM#o-9#007").unwrap_err();
    assert!(error.to_string().contains("does not fit"), "{error}");

    // Decoding ignores the attributes the client writes and checks the entity type.
    assert_eq!(
        Order::from_item(item.clone()).unwrap(),
        order("u1", "o-9", 42, "new")
    );
    let error = User::from_item(item).unwrap_err();
    assert!(
        error.to_string().contains("is a `order`, not a `user`"),
        "{error}"
    );
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "elsewhere", pk = "USER#{user_id}", sk = "PROFILE")]
struct Stranger {
    user_id: String,
}

#[test]
fn collections_and_shared_tables_refuse_what_does_not_belong() {
    use dynamo_model::Collection;

    let mut item = order("u1", "o1", 1, "new").to_item();
    assert!(matches!(
        Account::from_item(item.clone()),
        Ok(Account::Order(_))
    ));
    item.insert("_type".into(), AttributeValue::S("invoice".into()));
    let error = Account::from_item(item.clone()).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("`invoice` is none of user, order, order_item"),
        "{error}"
    );
    item.remove("_type");
    let error = Account::from_item(item).unwrap_err();
    assert!(error.to_string().contains("no entity type"), "{error}");

    let db = Dynamo::memory();
    let shared = db
        .create_table::<Order>()
        .with_indexes_of::<User>()
        .to_request()
        .unwrap();
    let indexes: Vec<String> = shared
        .get_global_secondary_indexes()
        .iter()
        .flatten()
        .map(|index| index.index_name().to_owned())
        .collect();
    assert_eq!(indexes, ["by_status", "by_coupon", "by_email"]);
    let error = db
        .create_table::<Order>()
        .with_indexes_of::<Stranger>()
        .to_request()
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("`Stranger` is not stored in table `shop`"),
        "{error}"
    );
}

conformance! {
    async fn three_entity_types_in_one_partition_decode_as_one_collection(db: Dynamo) {
        fill_shop(&db).await;

        let everything: Vec<Account> = db
            .query(User::query_by_user_id("u1"))
            .collection::<Account>()
            .all()
            .await
            .unwrap();
        // Sort-key order: ITEM#, ORDER#, PROFILE.
        assert_eq!(
            everything,
            vec![
                Account::Item(item("u1", "o1", 1)),
                Account::Item(item("u1", "o1", 2)),
                Account::Item(item("u1", "o2", 1)),
                Account::Order(order("u1", "o1", 5, "new")),
                Account::Order(order("u1", "o2", 1_700_000_000, "shipped")),
                Account::User(user("u1")),
            ]
        );

        // One entity's access pattern keeps to its own items (its sort key's `ORDER#`).
        let orders = db.query(Order::query_by_user_id("u1")).all().await.unwrap();
        assert_eq!(orders.len(), 2);
        let first_order_items = db
            .query(OrderItem::query_by_user_id("u1").sk_begins_with(("o1",)))
            .all()
            .await
            .unwrap();
        assert_eq!(first_order_items, vec![item("u1", "o1", 1), item("u1", "o1", 2)]);
        let at_five = db
            .query(Order::query_by_user_id("u1").sk_begins_with((5u64,)))
            .all()
            .await
            .unwrap();
        assert_eq!(at_five, vec![order("u1", "o1", 5, "new")]);
        let in_range = db
            .query(Order::query_by_user_id("u1").sk_between((1u64,), (1_700_000_000u64,)))
            .scan_forward(false)
            .all()
            .await
            .unwrap();
        assert_eq!(in_range.len(), 2);
        assert_eq!(in_range[0].order_id, "o2", "descending by padded time");

        // The key is the templates' fields, in order.
        let got = db.get::<Order>(("u1", 5u64, "o1")).await.unwrap();
        assert_eq!(got, Some(order("u1", "o1", 5, "new")));
        let by_email = db
            .query(User::query_by_email("u2@example.com"))
            .all()
            .await
            .unwrap();
        assert_eq!(by_email, vec![user("u2")]);
        db.delete_by_key::<OrderItem>(("u1", "o2", 1u32)).await.unwrap();
        assert_eq!(db.get::<OrderItem>(("u1", "o2", 1u32)).await.unwrap(), None);
    }

    async fn a_partial_update_keeps_the_index_key_consistent(db: Dynamo) {
        fill_shop(&db).await;
        let shipped = |db: &Dynamo, status: &'static str| {
            let db = db.clone();
            async move {
                db.query(Order::query_by_status(status))
                    .all()
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|o| o.order_id)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(shipped(&db, "new").await, vec!["o1", "o3"]);

        let updated: Order = db
            .update::<Order>(("u1", 5u64, "o1"))
            .set(Order::fields().status, "shipped".to_owned())
            .return_all_new()
            .await
            .unwrap();
        assert_eq!(updated.status, "shipped");
        assert_eq!(shipped(&db, "new").await, vec!["o3"]);
        assert_eq!(shipped(&db, "shipped").await, vec!["o1", "o2"]);

        // Parts of the primary key never change; the update is refused before sending.
        let error = db
            .update::<Order>(("u1", 5u64, "o1"))
            .set(Order::fields().created_at, 6u64)
            .await
            .unwrap_err();
        assert!(matches!(error.kind(), ErrorKind::InvalidRequest { .. }), "{error}");
        assert!(error.to_string().contains("part of the primary key `sk`"), "{error}");
        let error = db
            .update::<Order>(("u1", 5u64, "o1"))
            .set(Order::fields().status, String::new())
            .await
            .unwrap_err();
        assert!(error.to_string().contains("empty"), "{error}");
    }

    async fn a_sparse_index_holds_only_the_items_with_the_field(db: Dynamo) {
        fill_shop(&db).await;
        let mut with_coupon = order("u1", "o4", 9, "new");
        with_coupon.coupon = Some("SPRING".into());
        db.put(&with_coupon).await.unwrap();

        let indexed = db.scan::<Order>().index(Order::BY_COUPON).all().await.unwrap();
        assert_eq!(indexed, vec![with_coupon.clone()]);
        let spring = db.query(Order::query_by_coupon("SPRING")).all().await.unwrap();
        assert_eq!(spring, vec![with_coupon]);

        // Removing the field takes the item out of the index; setting it puts it back.
        db.update::<Order>(("u1", 9u64, "o4"))
            .remove(Order::fields().coupon)
            .await
            .unwrap();
        assert_eq!(db.scan::<Order>().index(Order::BY_COUPON).count().await.unwrap(), 0);
        db.update::<Order>(("u1", 5u64, "o1"))
            .set(Order::fields().coupon, "AUTUMN".to_owned())
            .await
            .unwrap();
        let autumn = db.query(Order::query_by_coupon("AUTUMN")).all().await.unwrap();
        assert_eq!(autumn.len(), 1);
        assert_eq!(autumn[0].order_id, "o1");
    }

    async fn signed_cursors_page_through_and_forged_ones_are_refused(db: Dynamo) {
        create_shop(&db).await;
        for n in 0..7u64 {
            db.put(&order("u1", &format!("o{n}"), n, "new")).await.unwrap();
        }
        let key = CursorKey::new(&[7u8; 32]).unwrap();
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut query = db.query(Order::query_by_user_id("u1")).page_size(3);
            if let Some(cursor) = &cursor {
                query = query.start_from_signed_cursor(cursor, &key);
            }
            let page = query.page().await.unwrap();
            seen.extend(page.items.iter().map(|o| o.created_at));
            cursor = page.signed_cursor(&key);
            assert!(cursor.as_deref().is_none_or(|c| c
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch))));
            if cursor.is_none() {
                break;
            }
        }
        assert_eq!(seen, (0..7).collect::<Vec<_>>());

        // An unsigned cursor naming another user's partition, a changed one, and one signed
        // with another secret: each fails before anything is sent.
        let page = db.query(Order::query_by_user_id("u1")).page_size(3).page().await.unwrap();
        let signed = page.signed_cursor(&key).unwrap();
        let mut other_start = page.last_evaluated_key.clone().unwrap();
        other_start.insert("pk".into(), AttributeValue::S("USER#u2".into()));
        let forged = [
            dynamo_model::cursor::encode(&other_start),
            signed.replacen('A', "B", 1).replacen('a', "b", 1),
            CursorKey::new(&[8u8; 32]).unwrap().sign(&other_start),
        ];
        for cursor in forged {
            let error = db
                .query(Order::query_by_user_id("u1"))
                .start_from_signed_cursor(&cursor, &key)
                .page()
                .await
                .unwrap_err();
            assert!(matches!(error.kind(), ErrorKind::InvalidRequest { .. }), "{error}");
        }

        // A genuine signed cursor resumes only the read that made it: not another
        // partition, not the same partition in another table (another prefix), not an index.
        db.put(&order("u2", "o9", 9, "new")).await.unwrap();
        let other_partition = db
            .query(Order::query_by_user_id("u2"))
            .start_from_signed_cursor(&signed, &key)
            .page()
            .await
            .unwrap_err();
        assert!(other_partition.to_string().contains("made by another query"), "{other_partition}");
        let other_table = db.with_table_prefix("elsewhere_");
        let moved = other_table
            .query(Order::query_by_user_id("u1"))
            .start_from_signed_cursor(&signed, &key)
            .page()
            .await
            .unwrap_err();
        assert!(moved.to_string().contains("made by another query"), "{moved}");
        let scanned = db.scan::<Order>().start_from_signed_cursor(&signed, &key).page().await.unwrap_err();
        assert!(scanned.to_string().contains("made by another query"), "{scanned}");

        // Rotation: a key holding the old secret as previous still resumes its cursors;
        // an expired cursor is refused.
        let rotated = CursorKey::new(&[9u8; 32]).unwrap().with_previous(&[7u8; 32]).unwrap();
        db.query(Order::query_by_user_id("u1"))
            .page_size(3)
            .start_from_signed_cursor(&signed, &rotated)
            .page()
            .await
            .unwrap();
        let short = CursorKey::new(&[7u8; 32]).unwrap().expire_after(std::time::Duration::ZERO);
        let soon = page.signed_cursor(&short).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let expired = db
            .query(Order::query_by_user_id("u1"))
            .start_from_signed_cursor(&soon, &short)
            .page()
            .await
            .unwrap_err();
        assert!(expired.to_string().contains("expired"), "{expired}");
    }

    async fn template_values_that_would_not_parse_back_are_refused(db: Dynamo) {
        create_shop(&db).await;
        let cases = [
            (item("u1", "o#1", 1), "contains `#`"),
            (item("u1", "", 1), "empty"),
            (item("u1", "o1", 1000), "more than 3 digits"),
        ];
        for (bad, message) in cases {
            let error = db.put(&bad).await.unwrap_err();
            assert!(error.to_string().contains(message), "{error}");
        }
        let error = db.get::<OrderItem>(("u1", "o1", 1000u32)).await.unwrap_err();
        assert!(error.to_string().contains("more than 3 digits"), "{error}");
        assert_eq!(db.scan::<OrderItem>().count().await.unwrap(), 0);
    }
}

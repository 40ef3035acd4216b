//! The read side, on both backends: what `limit` and `page_size` mean, reads of items a
//! projection leaves empty, read transactions of many items, and decode errors that name
//! the item's key.

use dynamo_model::expr::Projection;
use dynamo_model::meta::IndexKind;
use dynamo_model::{AttributeValue, TtlState};
use dynamo_model_tests::conformance;
use futures_util::TryStreamExt;

use super::{order, orders_table, user, Order, User};

conformance! {
    async fn limit_caps_what_is_returned_and_page_size_sizes_requests(db: Dynamo) {
        let orders = orders_table(&db, "c1", 20).await;
        let f = Order::fields();
        // Awaiting returns at most `limit` items, in order; more than there are returns all.
        let first5: Vec<Order> = db.query::<Order>("c1").limit(5).await.unwrap();
        assert_eq!(first5, orders[..5]);
        let every: Vec<Order> = db.query::<Order>("c1").limit(25).await.unwrap();
        assert_eq!(every, orders);
        // With a filter: the first `limit` matching items, however many pages that takes.
        let open: Vec<Order> = db
            .query::<Order>("c1")
            .filter(f.status.eq("open"))
            .page_size(3)
            .limit(4)
            .await
            .unwrap();
        let expected: Vec<Order> = orders.iter().filter(|o| o.status == "open").take(4).cloned().collect();
        assert_eq!(open, expected);
        // page_size alone returns everything, in pages of that size.
        let paged: Vec<Order> = db.query::<Order>("c1").page_size(3).await.unwrap();
        assert_eq!(paged, orders);
        let streamed: Vec<Order> = db.query::<Order>("c1").limit(7).stream().try_collect().await.unwrap();
        assert_eq!(streamed, orders[..7]);
        assert_eq!(db.query::<Order>("c1").limit(6).count().await.unwrap(), 6);
        assert_eq!(db.scan::<Order>().limit(9).await.unwrap().len(), 9);
        assert_eq!(db.scan::<Order>().segments(3).limit(9).await.unwrap().len(), 9);
        // A page cut at the limit resumes after its last item: nothing skipped or repeated.
        let mut seen = Vec::new();
        let mut start = None;
        loop {
            let page = db.query::<Order>("c1").page_size(10).limit(4).start_from(start).page().await.unwrap();
            assert!(page.items.len() <= 4);
            seen.extend(page.items);
            start = page.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        assert_eq!(seen, orders);
    }

    async fn a_projection_that_finds_nothing_still_finds_the_item(db: Dynamo) {
        db.create_table::<User>().await.unwrap();
        db.put(&user("ada", 36)).await.unwrap();
        let f = User::fields();
        // `nickname` is absent on this item: the item exists, with no projected attribute.
        let projection = || Projection::new().field(&f.nickname);
        let raw = db.get::<User>("ada").projection(projection()).item().await.unwrap();
        assert_eq!(raw, Some(Default::default()));
        // Typed, it is an item that does not decode (its required fields were not read),
        // never a missing one.
        let error = db.get::<User>("ada").projection(projection()).await.unwrap_err();
        assert!(error.is_decode(), "{error}");
        assert_eq!(db.get::<User>("nobody").projection(projection()).item().await.unwrap(), None);
    }

    async fn a_read_transaction_takes_up_to_100_items_of_one_model(db: Dynamo) {
        let orders = orders_table(&db, "c1", 100).await;
        let keys: Vec<(String, String)> = orders.iter().map(|o| (o.customer_id.clone(), o.order_id.clone())).collect();
        let got = db.transact_get_many::<Order>(keys.clone()).await.unwrap();
        assert_eq!(got, orders.iter().cloned().map(Some).collect::<Vec<_>>());
        let with_missing = db
            .transact_get_many::<Order>([("c1", "o000"), ("c9", "none")])
            .await
            .unwrap();
        assert_eq!(with_missing, [Some(order("c1", 0)), None]);
        let mut too_many = keys;
        too_many.push(("c2".into(), "o000".into()));
        let error = db.transact_get_many::<Order>(too_many).await.unwrap_err();
        assert!(error.to_string().contains("1 to 100 items, not 101"), "{error}");
    }

    async fn a_read_transaction_of_several_models_takes_more_than_11_gets(db: Dynamo) {
        let orders = orders_table(&db, "c1", 60).await;
        db.create_table::<User>().await.unwrap();
        db.put(&user("ada", 36)).await.unwrap();
        // Eleven gets resolve to a tuple; the twelfth makes the list form, read by position.
        let k = |n: u32| ("c1".to_owned(), format!("o{n:03}"));
        let eleven = db.transact_get().get::<User>("ada").get::<Order>(k(0)).get::<Order>(k(1))
            .get::<Order>(k(2)).get::<Order>(k(3)).get::<Order>(k(4)).get::<Order>(k(5))
            .get::<Order>(k(6)).get::<Order>(k(7)).get::<Order>(k(8)).get::<Order>(k(9));
        let (ada, ..) = eleven.await.unwrap();
        assert_eq!(ada, Some(user("ada", 36)));
        let twelve = db.transact_get().get::<User>("ada").get::<Order>(k(0)).get::<Order>(k(1))
            .get::<Order>(k(2)).get::<Order>(k(3)).get::<Order>(k(4)).get::<Order>(k(5))
            .get::<Order>(k(6)).get::<Order>(k(7)).get::<Order>(k(8)).get::<Order>(k(9))
            .get::<Order>(k(10));
        let mut items = twelve.await.unwrap();
        assert_eq!(items.len(), 12);
        assert_eq!(items.take::<User>(0).unwrap(), Some(user("ada", 36)));
        assert_eq!(items.take::<Order>(11).unwrap(), Some(orders[10].clone()));

        // Built in a loop, up to 100 gets of any models.
        let mut read = db.transact_get_items().get::<User>("ada").get::<User>("nobody");
        for order in &orders {
            read = read.get::<Order>((order.customer_id.clone(), order.order_id.clone()));
        }
        let mut items = read.await.unwrap();
        assert_eq!(items.len(), 62);
        assert_eq!(items.take::<User>(1).unwrap(), None, "no such user");
        for (position, order) in orders.iter().enumerate() {
            assert_eq!(items.take::<Order>(position + 2).unwrap().as_ref(), Some(order));
        }
        // Taking as another model, past the end, or twice: a clear error.
        let wrong = items.take::<Order>(0).unwrap_err();
        assert!(wrong.to_string().contains("get 0 read a `User`, not a `Order`"), "{wrong}");
        let past = items.take::<User>(62).unwrap_err();
        assert!(past.to_string().contains("62 gets (0 to 61)"), "{past}");
        let twice = items.take::<Order>(2).unwrap_err();
        assert!(twice.to_string().contains("already taken"), "{twice}");

        let mut too_many = db.transact_get_items();
        for n in 0..101 {
            too_many = too_many.get::<User>(format!("u{n}"));
        }
        let error = too_many.await.unwrap_err();
        assert!(error.to_string().contains("1 to 100 items, not 101"), "{error}");
    }

    async fn a_decode_error_names_the_key_of_the_item_read(db: Dynamo) {
        db.create_table::<User>().await.unwrap();
        let item = [
            ("user_id".to_owned(), AttributeValue::S("broken".into())),
            ("email".to_owned(), AttributeValue::S("b@example.com".into())),
            ("fullName".to_owned(), AttributeValue::N("1".into())),
        ];
        db.backend()
            .put_item(
                aws_sdk_dynamodb::operation::put_item::PutItemInput::builder()
                    .table_name(db.table_name::<User>())
                    .set_item(Some(item.into())),
            )
            .await
            .unwrap();
        let error = db.get::<User>("broken").await.unwrap_err();
        assert!(error.is_decode(), "{error}");
        assert!(error.to_string().contains("the item read with key user_id"), "{error}");
        let key = error.item_key().expect("the key of the item read");
        assert_eq!(key.get("user_id"), Some(&AttributeValue::S("broken".into())));
        assert!(!format!("{error:?}").contains("broken"), "Debug output keeps values out");
    }

    async fn describe_gives_status_counts_indexes_and_ttl(db: Dynamo) {
        orders_table(&db, "c1", 3).await;
        let info = db.describe::<Order>().await.unwrap();
        assert_eq!(info.name, db.table_name::<Order>());
        assert_eq!(info.status, dynamo_model::TableStatus::Active);
        assert!(info.item_count == 3 || info.item_count == 0, "DynamoDB refreshes it lazily: {}", info.item_count);
        let mut indexes: Vec<(String, IndexKind)> = info.indexes.iter().map(|i| (i.name.clone(), i.kind)).collect();
        indexes.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(indexes, [("by_created".to_owned(), IndexKind::Local), ("by_status".to_owned(), IndexKind::Global)]);
        assert_eq!(info.ttl, TtlState::Disabled);
        db.enable_ttl::<Order>("expires").await.unwrap();
        let ttl = db.describe::<Order>().await.unwrap().ttl;
        assert!(
            matches!(&ttl, TtlState::Enabled { attribute } | TtlState::Enabling { attribute } if attribute == "expires"),
            "{ttl:?}"
        );
    }

    async fn one_query_entry_point_takes_a_hash_an_index_or_a_key_condition(db: Dynamo) {
        let orders = orders_table(&db, "c1", 6).await;
        let f = Order::fields();
        let owned = String::from("c1");
        // The table's partition key: by value, by reference, or a &str.
        let by_value: Vec<Order> = db.query::<Order>(owned.clone()).await.unwrap();
        let by_reference: Vec<Order> = db.query::<Order>(&owned).await.unwrap();
        let by_str: Vec<Order> = db.query::<Order>("c1").await.unwrap();
        assert_eq!(by_value, orders);
        assert_eq!(by_reference, orders);
        assert_eq!(by_str, orders);
        // An index with its partition key: the index comes from the argument's type.
        // (`by_status` holds keys only, so count rather than decode.)
        assert_eq!(db.query((Order::BY_STATUS, "open")).count().await.unwrap(), 3);
        // A key condition built beforehand, sort-key condition included.
        let key = dynamo_model::expr::KeyCondition::new(Order::BY_STATUS, "open").range(f.total.gt(2.0));
        let request = db.query(key).to_request().unwrap();
        assert_eq!(request.get_index_name().as_deref(), Some("by_status"));
    }
}

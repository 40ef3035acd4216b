//! The client against a real DynamoDB (DynamoDB Local): every operation and option.
//! Each body is written once in `conformance!`, to run on every backend.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_dynamodb::types::{AttributeValue, KeyType, ProjectionType, ScalarAttributeType};
use dynamo_model::expr::{Condition, Projection};
use dynamo_model::{Dynamo, DynamoModel};
use dynamo_model_tests::conformance;
use futures_util::TryStreamExt;

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "users",
    hash_key = "user_id",
    gsi(name = "by_email", hash_key = "email")
)]
struct User {
    user_id: String,
    email: String,
    #[dynamo(rename = "fullName")]
    name: String,
    #[dynamo(default)]
    age: u32,
    #[dynamo(default)]
    tags: BTreeSet<String>,
    nickname: Option<String>,
    #[dynamo(default)]
    visits: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "orders",
    hash_key = "customer_id",
    range_key = "order_id",
    lsi(name = "by_created", range_key = "created_at"),
    gsi(
        name = "by_status",
        hash_key = "status",
        range_key = "total",
        projection = "keys_only"
    )
)]
struct Order {
    customer_id: String,
    order_id: String,
    created_at: String,
    total: f64,
    status: String,
}

/// A model with hooks: names are stored trimmed and read back upper-cased; a note marked
/// `locked` can be neither saved nor deleted.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "notes",
    hash_key = "id",
    hooks,
    consistent_read,
    gsi(name = "by_title", hash_key = "title")
)]
struct Note {
    id: String,
    title: String,
    locked: bool,
}

impl dynamo_model::Hooks for Note {
    fn before_save(&self) -> dynamo_model::Result<()> {
        if self.locked {
            return Err(dynamo_model::Error::invalid_request(
                "Note",
                "locked notes are read-only",
            ));
        }
        Ok(())
    }

    fn before_delete(&self) -> dynamo_model::Result<()> {
        self.before_save()
    }

    fn after_load(&mut self) -> dynamo_model::Result<()> {
        self.title = self.title.to_uppercase();
        Ok(())
    }
}

fn note(id: &str, locked: bool) -> Note {
    Note {
        id: id.into(),
        title: format!("note {id}"),
        locked,
    }
}

fn user(id: &str, age: u32) -> User {
    User {
        user_id: id.into(),
        email: format!("{id}@example.com"),
        name: format!("User {id}"),
        age,
        tags: BTreeSet::new(),
        nickname: None,
        visits: vec![],
    }
}

fn order(customer: &str, n: u32) -> Order {
    Order {
        customer_id: customer.into(),
        order_id: format!("o{n:03}"),
        created_at: format!("2026-{:02}-{:02}", 1 + n % 12, 1 + n % 28),
        total: f64::from(n) * 1.5,
        status: if n.is_multiple_of(2) {
            "open".into()
        } else {
            "shipped".into()
        },
    }
}

async fn orders_table(db: &Dynamo, customer: &str, count: u32) -> Vec<Order> {
    db.create_table::<Order>().await.unwrap();
    let orders: Vec<Order> = (0..count).map(|n| order(customer, n)).collect();
    db.batch_write().put_all(&orders).await.unwrap();
    orders
}

conformance! {
    async fn put_then_get_round_trips(db: Dynamo) {
        db.create_table::<User>().await.unwrap();
        let mut ada = user("ada", 36);
        ada.tags = BTreeSet::from(["admin".to_string()]);
        ada.nickname = Some("Countess".into());
        db.put(&ada).await.unwrap();
        assert_eq!(db.get::<User>("ada").await.unwrap(), Some(ada.clone()));
        assert_eq!(db.get::<User>("ada").consistent_read(true).await.unwrap(), Some(ada.clone()));
        assert_eq!(db.get::<User>("nobody").await.unwrap(), None);
        let older = User { age: 37, ..ada.clone() };
        assert_eq!(db.put(&older).return_old().await.unwrap(), Some(ada));
    }

    async fn a_failed_conditional_put_leaves_the_item_unchanged(db: Dynamo) {
        db.create_table::<User>().await.unwrap();
        let ada = user("ada", 36);
        db.put(&ada).condition(User::fields().user_id.not_exists()).await.unwrap();
        let imposter = User { name: "Imposter".into(), ..ada.clone() };
        let error = db
            .put(&imposter)
            .condition(User::fields().user_id.not_exists())
            .return_item_on_condition_failure()
            .await
            .unwrap_err();
        assert!(error.is_conditional_check_failed(), "{error}");
        let current = error.current_item().expect("the current item is in the error");
        assert_eq!(User::from_item(current.clone()).unwrap(), ada);
        assert_eq!(db.get::<User>("ada").await.unwrap(), Some(ada));
    }

    async fn updates_by_key_with_every_return_mode(db: Dynamo) {
        db.create_table::<User>().await.unwrap();
        db.put(&user("bo", 20)).await.unwrap();
        let f = User::fields();
        let updated: User = db
            .update::<User>("bo")
            .set(&f.name, "Bo")
            .add(&f.tags, ["admin", "ops"])
            .increment(&f.age, 1)
            .append(&f.visits, ["home"])
            .condition(f.age.lt(100))
            .return_all_new()
            .await
            .unwrap();
        assert_eq!(updated.name, "Bo");
        assert_eq!(updated.age, 21);
        assert_eq!(updated.tags.len(), 2);
        assert_eq!(updated.visits, ["home"]);

        let before: Option<User> = db.update::<User>("bo").set(&f.nickname, "B").return_all_old().await.unwrap();
        assert_eq!(before.map(|u| u.nickname), Some(None));
        let changed = db.update::<User>("bo").delete(&f.tags, ["ops"]).return_updated_new().await.unwrap();
        assert_eq!(changed["tags"], AttributeValue::Ss(vec!["admin".into()]));
        db.update::<User>("bo").remove(&f.nickname).await.unwrap();
        assert_eq!(db.get::<User>("bo").await.unwrap().unwrap().nickname, None);

        let error = db.update::<User>("bo").set(&f.age, 5).condition(f.age.gt(100)).await.unwrap_err();
        assert!(error.is_conditional_check_failed(), "{error}");
        assert_eq!(db.get::<User>("bo").await.unwrap().unwrap().age, 21);
    }

    async fn deletes_by_item_and_by_key(db: Dynamo) {
        db.create_table::<User>().await.unwrap();
        let ada = user("ada", 36);
        db.put(&ada).await.unwrap();
        db.put(&user("bo", 12)).await.unwrap();
        assert_eq!(db.delete(&ada).return_old().await.unwrap(), Some(ada));
        assert_eq!(db.get::<User>("ada").await.unwrap(), None);
        let error = db.delete_by_key::<User>("bo").condition(User::fields().age.gt(18)).await.unwrap_err();
        assert!(error.is_conditional_check_failed());
        assert!(db.get::<User>("bo").await.unwrap().is_some());
        db.delete_by_key::<User>("bo").condition(User::fields().age.le(18)).await.unwrap();
        assert_eq!(db.get::<User>("bo").await.unwrap(), None);
    }

    async fn paginated_queries_return_every_item_once_in_order(db: Dynamo) {
        let mut orders = orders_table(&db, "c1", 20).await;
        orders_table_extra(&db).await;
        let mut seen = Vec::new();
        let mut start = None;
        let mut pages = 0;
        loop {
            let page = db.query::<Order>("c1").page_size(7).start_from(start).page().await.unwrap();
            pages += 1;
            seen.extend(page.items);
            start = page.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        assert_eq!(pages, 3, "7 + 7 + 6 items");
        assert_eq!(seen, orders, "ascending sort-key order, each item once");

        let reversed: Vec<Order> = db.query::<Order>("c1").page_size(7).scan_forward(false).all().await.unwrap();
        orders.reverse();
        assert_eq!(reversed, orders);
        let streamed: Vec<Order> = db.query::<Order>("c1").page_size(3).stream().try_collect().await.unwrap();
        assert_eq!(streamed.len(), 20);
        assert_eq!(db.query::<Order>("c1").page_size(6).count().await.unwrap(), 20);
    }

    async fn cursors_resume_queries_and_forged_ones_are_refused(db: Dynamo) {
        let orders = orders_table(&db, "c1", 20).await;
        let f = Order::fields();
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let query = db.query::<Order>("c1").index(Order::BY_CREATED).range(f.created_at.ge("2026")).page_size(6);
            let query = match &cursor {
                Some(cursor) => query.start_from_cursor(cursor),
                None => query,
            };
            let page = query.page().await.unwrap();
            seen.extend(page.items.iter().map(|o| o.order_id.clone()));
            cursor = page.cursor();
            let Some(text) = &cursor else { break };
            assert!(text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{text}");
        }
        let mut expected: Vec<String> = orders.iter().map(|o| o.order_id.clone()).collect();
        seen.sort();
        expected.sort();
        assert_eq!(seen, expected, "every item once across cursors");

        // A table cursor lacks the index key: refused before sending, as is garbage.
        let page = db.query::<Order>("c1").page_size(3).page().await.unwrap();
        let table_cursor = page.cursor().unwrap();
        let on_index = db.query::<Order>("c1").index(Order::BY_CREATED).start_from_cursor(&table_cursor).page().await;
        assert!(on_index.unwrap_err().to_string().contains("the start key has no `created_at`"));
        for forged in ["", "AQ", "not a cursor!", "AQEGY3VzdG9tZXJfaWRTAAJjMQ", &"A".repeat(20_000)] {
            let error = db.query::<Order>("c1").start_from_cursor(forged).page().await.unwrap_err();
            assert!(error.is_invalid_request(), "{forged}: {error}");
        }
        let wrong_type = dynamo_model::value::Item::from([
            ("customer_id".to_owned(), dynamo_model::value::AttributeValue::N("1".into())),
            ("order_id".to_owned(), dynamo_model::value::AttributeValue::S("o001".into())),
        ]);
        let error = db.scan::<Order>().start_from(Some(wrong_type)).page().await.unwrap_err();
        assert!(error.to_string().contains("`customer_id` is N where the key schema has a non-empty S"), "{error}");
    }

    async fn queries_take_range_conditions_filters_and_indexes(db: Dynamo) {
        orders_table(&db, "c1", 20).await;
        let f = Order::fields();
        let prefixed = db.query::<Order>("c1").range(f.order_id.begins_with("o01")).await.unwrap();
        assert_eq!(prefixed.len(), 10);
        let between = db.query::<Order>("c1").range(f.order_id.between("o005", "o007")).await.unwrap();
        assert_eq!(between.iter().map(|o| o.order_id.as_str()).collect::<Vec<_>>(), ["o005", "o006", "o007"]);
        let filtered = db.query::<Order>("c1").filter(f.total.between(10.0, 20.0)).await.unwrap();
        assert!(filtered.iter().all(|o| (10.0..=20.0).contains(&o.total)));
        assert_eq!(filtered.len(), 7);

        let by_created = db.query::<Order>("c1").index(Order::BY_CREATED).range(f.created_at.ge("2026-06")).all().await.unwrap();
        assert!(by_created.windows(2).all(|w| w[0].created_at <= w[1].created_at));
        assert!(by_created.iter().all(|o| o.created_at.as_str() >= "2026-06"));

        // A keys-only GSI: its items hold the table and index keys only.
        let open = db.query((Order::BY_STATUS, "open")).range(f.total.gt(10.0)).count().await.unwrap();
        assert_eq!(open, 6);
        let page = db.scan::<Order>().index(Order::BY_STATUS).count().await.unwrap();
        assert_eq!(page, 20);
    }

    async fn gsi_queries_find_items_by_another_key(db: Dynamo) {
        db.create_table::<User>().await.unwrap();
        for id in ["a", "b", "c"] {
            db.put(&user(id, 30)).await.unwrap();
        }
        let found = db.query((User::BY_EMAIL, "b@example.com")).all().await.unwrap();
        assert_eq!(found, [user("b", 30)]);
    }

    async fn scans_run_in_parallel_segments(db: Dynamo) {
        let orders = orders_table(&db, "c1", 20).await;
        let mut all = db.scan::<Order>().segments(4).all().await.unwrap();
        all.sort_by(|a, b| a.order_id.cmp(&b.order_id));
        assert_eq!(all, orders);
        // More segments than are read at once: every segment is still read.
        let segments = u16::try_from(dynamo_model::MAX_SEGMENTS_IN_FLIGHT * 2 + 1).unwrap();
        assert_eq!(db.scan::<Order>().segments(segments).all().await.unwrap().len(), orders.len());
        assert_eq!(db.scan::<Order>().segments(segments).count().await.unwrap(), 20);
        // No segment at all is refused, not read as one.
        assert!(db.scan::<Order>().segments(0).all().await.unwrap_err().is_invalid_request());
        assert!(db.scan::<Order>().segments(0).count().await.unwrap_err().is_invalid_request());
        assert_eq!(db.scan::<Order>().filter(Order::fields().status.eq("open")).count().await.unwrap(), 10);
        let limited = db.scan::<Order>().limit(5).page().await.unwrap();
        assert_eq!(limited.items.len(), 5);
        assert!(limited.last_evaluated_key.is_some());
    }

    async fn projections_read_only_named_attributes(db: Dynamo) {
        db.create_table::<User>().await.unwrap();
        db.put(&user("ada", 36)).await.unwrap();
        let f = User::fields();
        let item = db.get::<User>("ada").projection(Projection::new().field(&f.name).field(&f.age)).item().await.unwrap().unwrap();
        let mut names: Vec<_> = item.keys().cloned().collect();
        names.sort();
        assert_eq!(names, ["age", "fullName"]);
    }

    async fn a_transaction_cancelled_by_one_condition_reports_reasons_in_order(db: Dynamo) {
        db.create_table::<User>().await.unwrap();
        orders_table(&db, "c1", 2).await;
        db.put(&user("u1", 30)).await.unwrap();
        db.put(&user("u3", 12)).await.unwrap();
        let f = User::fields();
        let error = db
            .transact_write()
            .put(&user("u2", 40))
            .update::<User>("u1", |u| u.set(&f.age, 31))
            .delete::<Order>(("c1", "o001"))
            .condition_check::<User>("u3", f.age.ge(18))
            .await
            .unwrap_err();
        assert!(error.is_transaction_canceled(), "{error}");
        let codes: Vec<&str> = error.reasons().iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, ["None", "None", "None", "ConditionalCheckFailed"]);
        assert_eq!(db.get::<User>("u2").await.unwrap(), None, "nothing was written");
        assert_eq!(db.get::<User>("u1").await.unwrap().unwrap().age, 30);

        db.transact_write()
            .put(&user("u2", 40))
            .update::<User>("u1", |u| u.set(&f.age, 31))
            .delete::<Order>(("c1", "o001"))
            .condition_check::<User>("u3", f.age.lt(18))
            .await
            .unwrap();
        let (u1, o1, missing) = db
            .transact_get()
            .get::<User>("u1")
            .get::<Order>(("c1", "o000"))
            .get::<Order>(("c1", "o001"))
            .await
            .unwrap();
        assert_eq!(u1.unwrap().age, 31);
        assert_eq!(o1, Some(order("c1", 0)));
        assert_eq!(missing, None);
    }

    async fn batches_of_any_size_write_and_read_every_item(db: Dynamo) {
        db.create_table::<User>().await.unwrap();
        let users: Vec<User> = (0..1000).map(|n| user(&format!("u{n:04}"), n % 90)).collect();
        db.batch_write().put_all(&users).await.unwrap();
        assert_eq!(db.scan::<User>().count().await.unwrap(), 1000);
        let keys: Vec<String> = (0..250).map(|n| format!("u{:04}", n * 4)).collect();
        let mut got = db.batch_get::<User>(&keys).await.unwrap();
        got.sort_by(|a, b| a.user_id.cmp(&b.user_id));
        let expected: Vec<User> = users.iter().step_by(4).cloned().collect();
        assert_eq!(got, expected);
        let deletes = keys.iter().fold(db.batch_write(), |batch, key| batch.delete::<User>(key));
        assert_eq!(deletes.len(), 250);
        deletes.await.unwrap();
        assert_eq!(db.scan::<User>().count().await.unwrap(), 750);

        // One batch, two models, two tables.
        db.create_table::<Order>().await.unwrap();
        db.batch_write().put(&user("mixed", 1)).put(&order("c9", 1)).delete::<User>("u0001").await.unwrap();
        assert!(db.get::<User>("mixed").await.unwrap().is_some());
        assert_eq!(db.get::<Order>(("c9", "o001")).await.unwrap(), Some(order("c9", 1)));
        assert_eq!(db.get::<User>("u0001").await.unwrap(), None);
    }

    async fn transactions_carry_an_idempotency_token(db: Dynamo) {
        let a = user("a", 1);
        let write = db.transact_write().put(&a);
        let token = write.to_request().unwrap().get_client_request_token().clone().expect("a token");
        assert!((1..=36).contains(&token.len()), "{token}");
        let other = db.transact_write().put(&user("a", 1)).to_request().unwrap();
        assert_ne!(other.get_client_request_token().as_deref(), Some(token.as_str()), "a fresh token per transaction");
        let fixed = db.transact_write().put(&user("a", 1)).client_request_token("retry-1").to_request().unwrap();
        assert_eq!(fixed.get_client_request_token().as_deref(), Some("retry-1"));
    }

    async fn leftovers_of_a_batch_are_sent_again_as_they_were(db: Dynamo) {
        db.create_table::<User>().await.unwrap();
        let users = [user("left-1", 1), user("left-2", 2)];
        // What a batch reports as unprocessed: its requests' writes, as prepared.
        let requests = db.batch_write().put_all(&users).to_request().unwrap();
        let leftovers: Vec<dynamo_model::UnprocessedWrite> = requests
            .iter()
            .flat_map(|r| r.get_request_items().clone().unwrap_or_default())
            .flat_map(|(table, writes)| writes.into_iter().map(move |request| dynamo_model::UnprocessedWrite { table: table.clone(), request }))
            .collect();
        assert_eq!(leftovers.len(), 2);
        let outcome = db.batch_write().resubmit(leftovers).outcome().await.unwrap();
        assert!(outcome.unprocessed.is_empty());
        assert_eq!(db.get::<User>("left-1").await.unwrap(), Some(user("left-1", 1)));
        assert_eq!(db.get::<User>("left-2").await.unwrap(), Some(user("left-2", 2)));
    }

    async fn a_token_used_again_for_another_transaction_is_refused(db: Dynamo) {
        db.create_table::<User>().await.unwrap();
        let token = format!("t-{}", fastrand::u64(..));
        let (a, b) = (user("tok-a", 1), user("tok-b", 2));
        db.transact_write().put(&a).client_request_token(&token).await.unwrap();
        // The same transaction again: applied once, answered with success.
        db.transact_write().put(&a).client_request_token(&token).await.unwrap();
        let other = db.transact_write().put(&b).client_request_token(&token).await.unwrap_err();
        assert!(
            matches!(other.kind(), dynamo_model::ErrorKind::Service { code: Some(code), .. } if code == "IdempotentParameterMismatchException"),
            "{other:?}"
        );
        assert_eq!(db.get::<User>("tok-b").await.unwrap(), None, "nothing of it applied");
        // DynamoDB takes tokens of 1 to 36 characters: refused before sending.
        let long = db.transact_write().put(&b).client_request_token("x".repeat(37)).await.unwrap_err();
        assert!(long.is_invalid_request(), "{long:?}");
        assert!(long.to_string().contains("36"), "{long}");
    }

    async fn create_table_declares_exactly_the_models_schema(db: Dynamo) {
        db.create_table::<Order>().await.unwrap();
        let table = db.describe_table::<Order>().await.unwrap();
        assert_eq!(table.table_name(), Some(db.table_name::<Order>().as_str()));
        let keys: Vec<(&str, KeyType)> = table.key_schema().iter().map(|k| (k.attribute_name(), k.key_type().clone())).collect();
        assert_eq!(keys, [("customer_id", KeyType::Hash), ("order_id", KeyType::Range)]);
        let mut definitions: Vec<(&str, ScalarAttributeType)> = table
            .attribute_definitions()
            .iter()
            .map(|d| (d.attribute_name(), d.attribute_type().clone()))
            .collect();
        definitions.sort_by_key(|d| d.0);
        assert_eq!(definitions, [
            ("created_at", ScalarAttributeType::S),
            ("customer_id", ScalarAttributeType::S),
            ("order_id", ScalarAttributeType::S),
            ("status", ScalarAttributeType::S),
            ("total", ScalarAttributeType::N),
        ]);
        let gsi = &table.global_secondary_indexes()[0];
        assert_eq!(gsi.index_name(), Some("by_status"));
        assert_eq!(gsi.projection().and_then(|p| p.projection_type()), Some(&ProjectionType::KeysOnly));
        let lsi = &table.local_secondary_indexes()[0];
        assert_eq!(lsi.index_name(), Some("by_created"));
        assert_eq!(lsi.key_schema()[1].attribute_name(), "created_at");
        db.delete_table::<Order>().await.unwrap();
        assert!(db.describe_table::<Order>().await.unwrap_err().is_not_found());
    }

    async fn bad_input_is_refused_before_any_request(db: Dynamo) {
        // No table exists: a request that reached the server would fail as not found.
        let empty_key = db.put(&user("", 1)).await.unwrap_err();
        assert!(empty_key.is_invalid_request(), "{empty_key}");
        assert!(empty_key.to_string().contains("`user_id` is an empty string"), "{empty_key}");
        assert!(db.get::<User>("").await.unwrap_err().is_invalid_request());
        let zero_page = db.query::<User>("a").page_size(0).page().await.unwrap_err();
        assert!(zero_page.is_invalid_request() && zero_page.to_string().contains("not 0"), "{zero_page}");
        assert!(db.scan::<User>().page_size(-1).all().await.unwrap_err().is_invalid_request());
        let long_key = db.put(&user(&"k".repeat(2049), 1)).await.unwrap_err();
        assert!(long_key.is_invalid_request(), "{long_key}");
        assert!(long_key.to_string().contains("partition key attribute `user_id` is 2049 bytes; DynamoDB takes at most 2048"), "{long_key}");
        let long_sort = db.get::<Order>(("c", "o".repeat(1025))).await.unwrap_err();
        assert!(long_sort.to_string().contains("sort key attribute `order_id` is 1025 bytes"), "{long_sort}");
        let mut big = user("big", 1);
        big.name = "x".repeat(410 * 1024);
        let too_large = db.put(&big).await.unwrap_err();
        assert!(matches!(too_large.kind(), dynamo_model::ErrorKind::ItemTooLarge { .. }), "{too_large}");
        let f = User::fields();
        let too_many = (0..101).fold(db.transact_write(), |t, n| t.update::<User>(format!("u{n}"), |u| u.set(&f.age, 1)));
        assert!(too_many.await.unwrap_err().is_invalid_request());
        let twice = db.transact_write().put(&user("a", 1)).delete::<User>("a").await.unwrap_err();
        assert!(twice.to_string().contains("appears twice"), "{twice}");
        let batch_twice = db.batch_write().put(&user("a", 1)).put(&user("a", 1)).await.unwrap_err();
        assert!(batch_twice.to_string().contains("write 2 (key user_id): invalid request (BatchWrite): it names the same item"), "{batch_twice}");
        // Two different items with one key: caught by the key, not only as the same item.
        let (first, second) = (user("k", 1), user("k", 2));
        let same_key = db.batch_write().put(&user("j", 1)).put(&first).delete::<User>("i").put(&second).await.unwrap_err();
        assert!(same_key.is_invalid_request(), "{same_key}");
        assert_eq!(same_key.refused_writes().len(), 1, "{same_key}");
        assert_eq!(same_key.refused_writes()[0].position, 4);
        assert_eq!(same_key.refused_writes()[0].key, Some(<User as dynamo_model::Table>::key_item("k")));
        // Every refused write is reported, each with its position and key: here a
        // too-large item and an empty key among good ones, and nothing is sent.
        let mut huge = user("huge", 1);
        huge.name = "x".repeat(410 * 1024);
        let many = db.batch_write().put(&user("ok1", 1)).put(&huge).put(&user("ok2", 2)).delete::<User>("").await.unwrap_err();
        let positions: Vec<usize> = many.refused_writes().iter().map(|w| w.position).collect();
        assert_eq!(positions, [2, 4], "{many}");
        assert!(matches!(many.refused_writes()[0].error.kind(), dynamo_model::ErrorKind::ItemTooLarge { .. }));
        assert_eq!(many.refused_writes()[0].key, Some(<User as dynamo_model::Table>::key_item("huge")));
        assert!(many.to_string().contains("2 writes refused before sending, nothing written"), "{many}");
        // (This test's table does not exist: a request sent would have failed as not found.)
        let empty_update = db.update::<User>("a").await.unwrap_err();
        assert!(empty_update.is_invalid_expression(), "{empty_update}");
        let key_update = db.update::<User>("a").set(&f.user_id, "b").await.unwrap_err();
        assert!(key_update.to_string().contains("cannot change the key attribute `user_id`"), "{key_update}");
        let nan = db.update::<Order>(("c", "o")).set(&Order::fields().total, f64::NAN).await.unwrap_err();
        assert!(nan.is_invalid_expression(), "{nan}");
        let nothing = db.get::<User>("a").projection(Projection::new()).item().await.unwrap_err();
        assert!(nothing.to_string().contains("the projection names no attribute"), "{nothing}");
        let many = db.scan::<User>().filter(f.age.is_in(0..101_u32)).all().await.unwrap_err();
        assert!(many.is_invalid_expression(), "{many}");
        // And a request that does reach the server fails as not found.
        assert!(db.get::<User>("a").await.unwrap_err().is_not_found());
        // A batch stopped by an error retrying cannot fix returns every write, and the cause.
        let users: Vec<User> = (0..30).map(|n| user(&format!("u{n}"), 1)).collect();
        let stopped = db.batch_write().put_all(&users).outcome().await.unwrap_err();
        match stopped.kind() {
            dynamo_model::ErrorKind::Unprocessed { writes, cause: Some(cause), .. } => {
                assert_eq!(writes.len(), 30);
                assert!(cause.is_not_found(), "{cause}");
            }
            other => panic!("{other:?}"),
        }
    }

    async fn items_interoperate_with_raw_sdk_calls(db: Dynamo) {
        db.create_table::<User>().await.unwrap();
        let mut ada = user("ada", 36);
        ada.tags = BTreeSet::from(["x".to_string()]);
        db.put(&ada).await.unwrap();
        // The SDK's own requests, sent as the SDK builds them, through the client's backend.
        let raw = db
            .backend()
            .get_item(
                aws_sdk_dynamodb::operation::get_item::GetItemInput::builder()
                    .table_name(db.table_name::<User>())
                    .key("user_id", AttributeValue::S("ada".into())),
            )
            .await
            .unwrap()
            .item
            .unwrap();
        assert_eq!(raw["fullName"], AttributeValue::S("User ada".into()));
        assert_eq!(raw["age"], AttributeValue::N("36".into()));
        assert_eq!(raw["tags"], AttributeValue::Ss(vec!["x".into()]));
        assert_eq!(raw["visits"], AttributeValue::L(vec![]));

        let item: HashMap<String, AttributeValue> = [
            ("user_id", AttributeValue::S("raw".into())),
            ("email", AttributeValue::S("raw@example.com".into())),
            ("fullName", AttributeValue::S("Raw".into())),
            ("age", AttributeValue::N("7.0".into())),
            ("tags", AttributeValue::Ss(vec!["t".into()])),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        db.backend()
            .put_item(
                aws_sdk_dynamodb::operation::put_item::PutItemInput::builder()
                    .table_name(db.table_name::<User>())
                    .set_item(Some(item)),
            )
            .await
            .unwrap();
        let stored = db.get::<User>("raw").item().await.unwrap().unwrap();
        assert_eq!(stored["age"], AttributeValue::N("7".into()), "numbers are stored in normal form");
        let read = db.get::<User>("raw").await.unwrap().unwrap();
        assert_eq!(read.age, 7);
        assert_eq!(read.tags, BTreeSet::from(["t".to_string()]));
        assert!(read.visits.is_empty(), "a missing list with a default reads as empty");
    }

    async fn hooks_run_around_item_operations(db: Dynamo) {
        db.create_table::<Note>().await.unwrap();
        let error = db.put(&note("n1", true)).await.unwrap_err();
        assert!(error.to_string().contains("locked notes are read-only"), "{error}");
        assert_eq!(db.get::<Note>("n1").await.unwrap(), None, "before_save stopped the put");
        db.put(&note("n1", true)).skip_hooks().await.unwrap();
        db.put(&note("n2", false)).await.unwrap();

        assert_eq!(db.get::<Note>("n2").await.unwrap().unwrap().title, "NOTE N2", "after_load ran");
        assert_eq!(db.get::<Note>("n2").skip_hooks().await.unwrap().unwrap().title, "note n2");
        let scanned = db.scan::<Note>().all().await.unwrap();
        assert!(scanned.iter().all(|n| n.title.starts_with("NOTE")));
        let (read,) = db.transact_get().get::<Note>("n1").await.unwrap();
        assert_eq!(read.unwrap().title, "NOTE N1");

        let locked = db.get::<Note>("n1").skip_hooks().await.unwrap().unwrap();
        assert!(db.delete(&locked).await.is_err(), "before_delete stopped the delete");
        assert!(db.get::<Note>("n1").await.unwrap().is_some());
        db.delete(&locked).skip_hooks().await.unwrap();
        db.delete_by_key::<Note>("n2").await.unwrap();
        assert_eq!(db.scan::<Note>().count().await.unwrap(), 0);
        assert!(db.batch_write().put(&note("n3", true)).await.is_err(), "batch puts run before_save");
    }

    async fn a_model_can_read_consistently_by_default(db: Dynamo) {
        assert_eq!(db.get::<Note>("n").to_request().unwrap().get_consistent_read(), &Some(true));
        assert_eq!(db.get::<Note>("n").consistent_read(false).to_request().unwrap().get_consistent_read(), &Some(false));
        assert_eq!(db.get::<User>("u").to_request().unwrap().get_consistent_read(), &None);
        assert_eq!(db.scan::<Note>().to_request().unwrap().get_consistent_read(), &Some(true));
        // Global indexes cannot read consistently: the default does not apply to them.
        assert_eq!(db.query((Note::BY_TITLE, "t")).to_request().unwrap().get_consistent_read(), &None);
    }

    async fn consumed_capacity_is_reported_for_every_response(db: Dynamo) {
        db.create_table::<User>().await.unwrap();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let record = std::sync::Arc::clone(&seen);
        let observed = db.with_capacity_observer(move |operation, capacity| {
            record.lock().unwrap().push((operation, capacity.table_name().map(str::to_owned), capacity.capacity_units()));
        });
        observed.put(&user("a", 1)).await.unwrap();
        observed.get::<User>("a").await.unwrap();
        observed.batch_write().put(&user("b", 2)).await.unwrap();
        observed.query::<User>("a").await.unwrap();
        let seen = seen.lock().unwrap();
        let operations: Vec<&str> = seen.iter().map(|s| s.0).collect();
        assert_eq!(operations, ["PutItem", "GetItem", "BatchWriteItem", "Query"]);
        assert!(seen.iter().all(|s| s.1.as_deref() == Some(db.table_name::<User>().as_str())));
        assert!(seen.iter().all(|s| s.2.is_some_and(|units| units > 0.0)), "{seen:?}");
    }

    async fn global_table_replicas_render_as_update_table(db: Dynamo) {
        let request = db.replica_request::<User>(&["eu-west-1", "ap-south-1"]);
        let regions: Vec<&str> = request
            .get_replica_updates()
            .iter()
            .flatten()
            .filter_map(|u| u.create().map(|c| c.region_name()))
            .collect();
        assert_eq!(regions, ["eu-west-1", "ap-south-1"]);
        assert_eq!(request.get_table_name().as_deref(), Some(db.table_name::<User>().as_str()));
    }

    async fn raw_requests_get_dynamodbs_validation_errors(db: Dynamo) {
        use aws_sdk_dynamodb::operation::{put_item::PutItemInput, update_item::UpdateItemInput};
        db.create_table::<User>().await.unwrap();
        let table = db.table_name::<User>();
        let put = |key: AttributeValue| PutItemInput::builder().table_name(&table).item("user_id", key);
        let message = |error: dynamo_model::Error| error.to_string();

        let empty = db.backend().put_item(put(AttributeValue::S(String::new()))).await.unwrap_err();
        assert!(message(empty).contains("The AttributeValue for a key attribute cannot contain an empty string value. Key: user_id"));
        let wrong_type = db.backend().put_item(put(AttributeValue::N("1".into()))).await.unwrap_err();
        assert!(message(wrong_type).contains("One or more parameter values were invalid: Type mismatch for key"));
        // What DynamoDB refuses of any value: duplicate set members (numbers by value, and
        // the message quotes none), more than 38 digits, magnitudes out of range.
        let with = |name: &str, value: AttributeValue| put(AttributeValue::S("v".into())).item(name, value);
        let strings = AttributeValue::Ss(vec!["secret-member".into(), "secret-member".into()]);
        let numbers = AttributeValue::Ns(vec!["1".into(), "1.0".into()]);
        let binaries = AttributeValue::Bs(vec![vec![1u8].into(), vec![1u8].into()]);
        for value in [strings, numbers, binaries] {
            let duplicates = message(db.backend().put_item(with("s", value)).await.unwrap_err());
            assert!(duplicates.contains("Input collection") && duplicates.contains("contains duplicates"), "{duplicates}");
            assert!(!duplicates.contains("secret-member"), "{duplicates}");
        }
        for (number, why) in [
            ("1".repeat(39), "DynamoDB only supports precision up to 38 digits"),
            ("1E+126".to_owned(), "Number overflow"),
            ("1E-131".to_owned(), "Number underflow"),
        ] {
            let refused = message(db.backend().put_item(with("n", AttributeValue::N(number.clone()))).await.unwrap_err());
            assert!(refused.contains(why), "{number}: {refused}");
        }
        for number in ["9.9999999999999999999999999999999999999E+125", "1E-130", &"1".repeat(38)] {
            db.backend().put_item(with("n", AttributeValue::N(number.into()))).await.unwrap();
        }
        // 32 levels counting the item: 31 maps below an attribute are stored, 32 refused.
        let maps = |levels: usize| (0..levels).fold(AttributeValue::S("x".into()), |inner, _| AttributeValue::M([("a".to_owned(), inner)].into()));
        db.backend().put_item(with("deep", maps(31))).await.unwrap();
        let deep = message(db.backend().put_item(with("deep", maps(32))).await.unwrap_err());
        assert!(deep.contains("Nesting Levels have exceeded supported limits"), "{deep}");
        // A `Limit` is 1 or more.
        let query = aws_sdk_dynamodb::operation::query::QueryInput::builder()
            .table_name(&table)
            .key_condition_expression("user_id = :u")
            .expression_attribute_values(":u", AttributeValue::S("v".into()))
            .limit(0);
        let zero = message(db.backend().query(query).await.unwrap_err());
        assert!(zero.contains("Limit must be greater than or equal to 1"), "{zero}");
        let scan = aws_sdk_dynamodb::operation::scan::ScanInput::builder().table_name(&table).limit(-1);
        assert!(message(db.backend().scan(scan).await.unwrap_err()).contains("greater than or equal to 1"));
        // Key sizes: 2048 bytes for a partition key, as DynamoDB counts them.
        db.backend().put_item(put(AttributeValue::S("k".repeat(2048)))).await.unwrap();
        let long = db.backend().put_item(put(AttributeValue::S("k".repeat(2049)))).await.unwrap_err();
        let long = message(long);
        let limits = "Hash primary key values must be under 2048 bytes, and range primary key values must be under 1024 bytes";
        assert!(long.contains(limits), "{long}");
        let long_get = db
            .backend()
            .get_item(
                aws_sdk_dynamodb::operation::get_item::GetItemInput::builder()
                    .table_name(&table)
                    .key("user_id", AttributeValue::S("k".repeat(2049))),
            )
            .await
            .unwrap_err();
        assert!(long_get.to_string().contains(limits), "{long_get:?}");
        let missing_table = db
            .backend()
            .put_item(PutItemInput::builder().table_name("no_such_table").item("k", AttributeValue::S("1".into())))
            .await
            .unwrap_err();
        assert!(missing_table.is_not_found(), "{missing_table}");
        let unused = db
            .backend()
            .put_item(
                put(AttributeValue::S("u".into()))
                    .condition_expression("attribute_not_exists(user_id)")
                    .expression_attribute_values(":v", AttributeValue::S("x".into())),
            )
            .await
            .unwrap_err();
        assert!(message(unused).ends_with("ValidationException: Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}"));
        let undefined = db
            .backend()
            .put_item(put(AttributeValue::S("u".into())).condition_expression("#a = :v"))
            .await
            .unwrap_err();
        assert!(message(undefined).ends_with(
            "ValidationException: Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #a"
        ));
        let overlap = db
            .backend()
            .update_item(
                UpdateItemInput::builder()
                    .table_name(&table)
                    .key("user_id", AttributeValue::S("u".into()))
                    .update_expression("SET a = :v, a.b = :v")
                    .expression_attribute_values(":v", AttributeValue::S("x".into())),
            )
            .await
            .unwrap_err();
        assert!(message(overlap).ends_with(
            "ValidationException: Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"
        ));
        let bad_filter = db
            .backend()
            .scan(aws_sdk_dynamodb::operation::scan::ScanInput::builder().table_name(&table).filter_expression("a = :v"))
            .await
            .unwrap_err();
        assert!(message(bad_filter).ends_with(
            "ValidationException: Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :v"
        ));
    }

    async fn concurrent_conditional_increments_are_exact(db: Dynamo) {
        db.create_table::<User>().await.unwrap();
        db.put(&user("counter", 0)).await.unwrap();
        let tasks: Vec<_> = (0..32)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move {
                    let f = User::fields();
                    let mut done = 0;
                    while done < 5 {
                        let age = db.get::<User>("counter").consistent_read(true).await.unwrap().unwrap().age;
                        // Optimistic: only if nobody changed it since the read.
                        match db.update::<User>("counter").set(&f.age, age + 1).condition(f.age.eq(age)).await {
                            Ok(()) => done += 1,
                            Err(error) if error.is_conditional_check_failed() => {}
                            Err(error) => panic!("{error}"),
                        }
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(db.get::<User>("counter").consistent_read(true).await.unwrap().unwrap().age, 160);
    }

    async fn a_filter_of_conditions_combines(db: Dynamo) {
        orders_table(&db, "c1", 20).await;
        let f = Order::fields();
        let c: Condition<Order> = f.status.eq("open") & (f.total.lt(5.0) | f.total.gt(25.0));
        let found = db.query::<Order>("c1").filter(c).await.unwrap();
        assert!(found.iter().all(|o| o.status == "open" && (o.total < 5.0 || o.total > 25.0)));
        // Open orders are the even ones, totals 0, 3, 6, ..., 27: 0, 3 and 27 match.
        assert_eq!(found.len(), 3);
    }
}

/// Another customer's orders, so queries must not see them.
async fn orders_table_extra(db: &Dynamo) {
    let others: Vec<Order> = (0..5).map(|n| order("c2", n)).collect();
    db.batch_write().put_all(&others).await.unwrap();
}

#[tokio::test]
async fn a_test_store_with_tables_is_one_line() {
    let db = Dynamo::memory_with::<(User, Order, Note)>().await.unwrap();
    db.put(&user("a", 1)).await.unwrap();
    db.put(&order("c", 1)).await.unwrap();
    db.put(&note("n", false)).await.unwrap();
    assert_eq!(db.scan::<User>().count().await.unwrap(), 1);
    assert!(db
        .create_tables::<User>()
        .await
        .unwrap_err()
        .to_string()
        .contains("ResourceInUseException"));
}

#[tokio::test]
async fn the_memory_store_saves_to_a_file_and_loads_back() {
    use dynamo_model::backend::MemoryBackend;
    let store = MemoryBackend::new();
    let db = Dynamo::with_memory(&store);
    db.create_tables::<(User, Order)>().await.unwrap();
    let mut ada = user("ada", 36);
    ada.tags = BTreeSet::from(["x".to_string()]);
    db.put(&ada).await.unwrap();
    for n in 0..5 {
        db.put(&order("c1", n)).await.unwrap();
    }
    let path =
        std::env::temp_dir().join(format!("dynamo-model-snapshot-{}.json", std::process::id()));
    store.save(&path).unwrap();

    let loaded = Dynamo::with_memory(&MemoryBackend::load(&path).unwrap());
    std::fs::remove_file(&path).unwrap();
    assert_eq!(loaded.get::<User>("ada").await.unwrap(), Some(ada));
    assert_eq!(
        loaded.query::<Order>("c1").await.unwrap(),
        (0..5).map(|n| order("c1", n)).collect::<Vec<_>>()
    );
    assert_eq!(
        loaded
            .query((Order::BY_STATUS, "open"))
            .count()
            .await
            .unwrap(),
        3,
        "indexes come back"
    );
    assert_eq!(
        loaded
            .query((User::BY_EMAIL, "ada@example.com"))
            .count()
            .await
            .unwrap(),
        1
    );
    assert!(MemoryBackend::load("/nonexistent/snapshot.json")
        .unwrap_err()
        .to_string()
        .contains("snapshot"));
}

#[tokio::test]
async fn the_builder_applies_its_settings() {
    let db = Dynamo::builder()
        .region("us-east-1")
        .endpoint_url(dynamo_model_tests::endpoint())
        .max_attempts(2)
        .operation_timeout(std::time::Duration::from_secs(5))
        .table_prefix("built_")
        .build()
        .await;
    assert_eq!(db.table_name::<User>(), "built_users");
}

/// The write pipeline's behaviour matrix (every write path × every policy).
#[path = "pipeline.rs"]
mod pipeline;

/// The read side: limits, projections, read transactions, decode errors.
#[path = "reads.rs"]
mod reads;

/// Another attribute where a value goes: comparisons and updates between attributes.
#[path = "attributes.rs"]
mod attributes;

/// Schema plans: a live table brought in line with its model.
#[path = "schema.rs"]
mod schema;

/// The serde bridge: `#[dynamo(serde)]` fields in serde_dynamo's wire form.
#[path = "serde_bridge.rs"]
mod serde_bridge;

/// Enums with data, in serde's three tagged forms.
#[path = "data_enums.rs"]
mod data_enums;

/// Flattened structs: their attributes at the top level of the item.
#[path = "flatten.rs"]
mod flatten;

/// Generic documents.
#[path = "generics.rs"]
mod generics;

/// Batches from iterators and streams.
#[path = "batch_stream.rs"]
mod batch_stream;

/// What operations cost: measured operations, totals, the `metrics` facade.
#[path = "metrics.rs"]
mod metered;

/// Encrypted attributes with data keys from AWS KMS (moto).
/// Change streams: typed changes, checkpoints, view types, splits, TTL expiry.
#[path = "changes.rs"]
mod changes;

/// The axum service and the Lambda function of the examples, as services.
#[path = "services.rs"]
mod services;

/// Global indexes keyed by several attributes.
#[path = "multi_attribute.rs"]
mod multi_attribute;

/// Vector indexes and `SearchVectors`.
#[path = "vectors.rs"]
mod vectors;

#[path = "kms.rs"]
mod kms;

/// Offloaded attributes in S3 (moto).
#[path = "offload.rs"]
mod offload;

/// Typed projections: smaller structs read from a model's items.
#[path = "projections.rs"]
mod projections;

/// The API of `shared/DESIGN.md`, as written there.
#[path = "design_api.rs"]
mod design_api;

/// A `Backend` written outside the crate that implements nothing still compiles, and every
/// operation on it answers a typed "unsupported" error naming the operation.
#[tokio::test]
async fn a_backend_without_an_operation_answers_unsupported() {
    #[derive(Debug)]
    struct Nothing;
    impl dynamo_model::backend::Backend for Nothing {}

    let db = Dynamo::with_backend(Nothing);
    let error = db.get::<User>("ada").await.unwrap_err();
    assert!(error.is_unsupported(), "{error}");
    assert!(
        error.to_string().starts_with("GetItem is not supported"),
        "{error}"
    );
    let error = db.describe::<User>().await.unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("DescribeTable is not supported"),
        "{error}"
    );
}

/// An error is `Clone`, and a copy keeps the service error it came from as its source.
#[test]
fn a_cloned_error_keeps_its_source() {
    use std::error::Error as _;
    let io = std::io::Error::other("connection reset");
    let error: dynamo_model::Error = dynamo_model::ErrorKind::Unavailable {
        operation: "GetItem",
        message: "the connection dropped".into(),
        source: dynamo_model::ErrorSource::new(io),
    }
    .into();
    let copy = error.clone();
    assert_eq!(copy.to_string(), error.to_string());
    let source = copy.source().expect("the source is kept");
    assert_eq!(source.to_string(), "connection reset");
}

/// Connecting: configuration errors and local endpoints.
#[path = "connect.rs"]
mod connect;

/// The examples, run as a newcomer runs them.
#[path = "examples.rs"]
mod examples;

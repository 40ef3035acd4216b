//! Global indexes keyed by several attributes (up to four partition and four sort
//! attributes), on DynamoDB Local and on the memory backend with the same assertions:
//! creation, sparse membership, queries with every number of partition and sort
//! attributes, pagination, and a key template beside them on the same model.

use dynamo_model::{Dynamo, DynamoModel};
use dynamo_model_tests::conformance;
use futures_util::TryStreamExt;

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "multi_events",
    hash_key = "id",
    gsi(
        name = "by_place",
        hash_key = ["tenant", "region", "zone", "rack"],
        range_key = ["status", "at"]
    ),
    gsi(
        name = "by_tenant",
        hash_key = "tenant",
        range_key = ["region", "status", "at", "seq"]
    ),
    gsi(name = "by_pair", hash_key = ["tenant", "region"])
)]
struct Event {
    id: String,
    tenant: String,
    region: String,
    zone: String,
    /// Events without a rack are not in `by_place`.
    rack: Option<String>,
    status: String,
    at: u64,
    seq: u32,
}

/// A model with a key template on its table and on one index, beside a multi-attribute
/// index.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "multi_orders",
    pk = "CUSTOMER#{customer}",
    sk = "ORDER#{order}",
    gsi(name = "by_day", pk = "DAY#{day}", sk = "{order}"),
    gsi(name = "by_store", hash_key = ["store", "day"], range_key = ["total"])
)]
struct Order {
    customer: String,
    order: String,
    day: String,
    store: String,
    total: u32,
}

fn event(id: u32, region: &str, zone: &str, rack: Option<&str>, status: &str, at: u64) -> Event {
    Event {
        id: format!("e{id:02}"),
        tenant: "t1".into(),
        region: region.into(),
        zone: zone.into(),
        rack: rack.map(str::to_owned),
        status: status.into(),
        at,
        seq: id,
    }
}

/// Twelve events of tenant `t1`, and one of another tenant.
fn events() -> Vec<Event> {
    let mut events = vec![
        event(1, "eu", "a", Some("r1"), "open", 10),
        event(2, "eu", "a", Some("r1"), "open", 20),
        event(3, "eu", "a", Some("r1"), "done", 30),
        event(4, "eu", "a", Some("r2"), "open", 40),
        event(5, "eu", "b", Some("r1"), "open", 50),
        event(6, "eu", "a", None, "open", 60),
        event(7, "us", "a", Some("r1"), "open", 70),
        event(8, "us", "a", Some("r1"), "done", 80),
        event(9, "eu", "a", Some("r1"), "open", 90),
        event(10, "eu", "a", Some("r1"), "open", 15),
        event(11, "eu", "a", Some("r1"), "done", 5),
        event(12, "us", "b", None, "done", 1),
    ];
    let mut other = event(13, "eu", "a", Some("r1"), "open", 10);
    other.tenant = "t2".into();
    events.push(other);
    events
}

fn ids(events: &[Event]) -> Vec<u32> {
    events.iter().map(|e| e.seq).collect()
}

async fn seeded(db: &Dynamo) {
    db.create_table::<Event>().await.unwrap();
    for event in events() {
        db.put(&event).await.unwrap();
    }
}

conformance! {
    async fn four_partition_attributes_and_two_sort_attributes(db: Dynamo) {
        seeded(&db).await;
        let f = Event::fields();
        let place = || Event::BY_PLACE.key("t1", "eu", "a", "r1");

        // Every partition attribute; items in sort order (status, then at).
        let all: Vec<Event> = db.query(place()).await.unwrap();
        assert_eq!(ids(&all), [11, 3, 1, 10, 2, 9], "done before open, each by time");

        // The first sort attribute with equality.
        let open: Vec<Event> = db.query(place().sort_eq(&f.status, "open")).await.unwrap();
        assert_eq!(ids(&open), [1, 10, 2, 9]);

        // Equality, then a range on the last given.
        let later: Vec<Event> = db
            .query(place().sort_eq(&f.status, "open").sort(f.at.gt(15u64)))
            .await
            .unwrap();
        assert_eq!(ids(&later), [2, 9]);
        let between: Vec<Event> = db
            .query(place().sort_eq(&f.status, "open").sort(f.at.between(10u64, 20u64)))
            .await
            .unwrap();
        assert_eq!(ids(&between), [1, 10, 2]);

        // A range on the first sort attribute.
        let from_d: Vec<Event> = db.query(place().sort(f.status.begins_with("d"))).await.unwrap();
        assert_eq!(ids(&from_d), [11, 3]);

        // Backwards.
        let newest: Vec<Event> = db
            .query(place().sort_eq(&f.status, "open"))
            .scan_forward(false)
            .limit(2)
            .await
            .unwrap();
        assert_eq!(ids(&newest), [9, 2]);
    }

    async fn an_item_lacking_a_key_attribute_is_not_in_the_index(db: Dynamo) {
        seeded(&db).await;
        // Event 6 (eu, a) has no rack: every rack's partition of `by_place` leaves it out,
        // while `by_tenant`, whose keys it has, holds it.
        let racks = ["r1", "r2"];
        let mut seen = Vec::new();
        for rack in racks {
            let events: Vec<Event> = db.query(Event::BY_PLACE.key("t1", "eu", "a", rack)).await.unwrap();
            seen.extend(ids(&events));
        }
        assert!(!seen.contains(&6), "{seen:?}");
        let f = Event::fields();
        let tenant: Vec<Event> = db
            .query(Event::BY_TENANT.key("t1").sort_eq(&f.region, "eu").sort_eq(&f.status, "open"))
            .await
            .unwrap();
        assert!(ids(&tenant).contains(&6));
    }

    async fn one_partition_attribute_and_four_sort_attributes(db: Dynamo) {
        seeded(&db).await;
        let f = Event::fields();
        let tenant = || Event::BY_TENANT.key("t1");
        let all: Vec<Event> = db.query(tenant()).await.unwrap();
        assert_eq!(all.len(), 12, "the other tenant is another partition");
        let us: Vec<Event> = db.query(tenant().sort_eq(&f.region, "us")).await.unwrap();
        assert_eq!(ids(&us), [12, 8, 7], "us: done (1, 80), then open (70)");
        let eu_open_late: Vec<Event> = db
            .query(
                tenant()
                    .sort_eq(&f.region, "eu")
                    .sort_eq(&f.status, "open")
                    .sort(f.at.ge(50u64)),
            )
            .await
            .unwrap();
        assert_eq!(ids(&eu_open_late), [5, 6, 9]);
        let exact: Vec<Event> = db
            .query(
                tenant()
                    .sort_eq(&f.region, "eu")
                    .sort_eq(&f.status, "open")
                    .sort_eq(&f.at, 20u64)
                    .sort(f.seq.lt(100u32)),
            )
            .await
            .unwrap();
        assert_eq!(ids(&exact), [2]);
    }

    async fn two_partition_attributes_without_a_sort_key(db: Dynamo) {
        seeded(&db).await;
        let mut pair: Vec<Event> = db.query(Event::BY_PAIR.key("t1", "us")).await.unwrap();
        pair.sort_by_key(|e| e.seq);
        assert_eq!(ids(&pair), [7, 8, 12]);
    }

    async fn pages_of_a_multi_attribute_index_resume_where_they_stopped(db: Dynamo) {
        seeded(&db).await;
        let f = Event::fields();
        let query = || db.query(Event::BY_TENANT.key("t1").sort_eq(&f.region, "eu"));
        let mut seen = Vec::new();
        let mut pages = 0;
        let mut page = query().page_size(3).page().await.unwrap();
        loop {
            pages += 1;
            seen.extend(ids(&page.items));
            let Some(cursor) = page.cursor() else { break };
            page = query().page_size(3).start_from_cursor(&cursor).page().await.unwrap();
        }
        assert!(pages >= 3, "{pages} pages");
        assert_eq!(seen, [11, 3, 1, 10, 2, 4, 5, 6, 9]);
        let streamed: Vec<Event> = query().page_size(2).stream().try_collect().await.unwrap();
        assert_eq!(ids(&streamed), seen);
    }

    async fn a_created_table_matches_its_model_and_an_index_can_be_added(db: Dynamo) {
        db.create_table::<Event>().await.unwrap();
        let plan = db.plan_table::<Event>().await.unwrap();
        assert!(plan.is_empty(), "the multi-attribute keys as declared: {plan:?}");

        // The same table without `by_place`: the plan adds it, keys and all.
        #[derive(Debug, Clone, PartialEq, DynamoModel)]
        #[dynamo(table = "multi_places", hash_key = "id")]
        struct Before {
            id: String,
        }
        #[derive(Debug, Clone, PartialEq, DynamoModel)]
        #[dynamo(
            table = "multi_places",
            hash_key = "id",
            gsi(name = "by_place", hash_key = ["tenant", "region"], range_key = ["at", "seq"])
        )]
        struct After {
            id: String,
            tenant: String,
            region: String,
            at: u64,
            seq: u32,
        }
        db.create_table::<Before>().await.unwrap();
        let plan = db.plan_table::<After>().await.unwrap();
        assert!(!plan.is_empty());
        plan.apply(&db).await.unwrap();
        assert!(db.plan_table::<After>().await.unwrap().is_empty(), "nothing left to do");
        db.put(&After { id: "x".into(), tenant: "t".into(), region: "r".into(), at: 1, seq: 2 }).await.unwrap();
        let f = After::fields();
        let found: Vec<After> = db.query(After::BY_PLACE.key("t", "r").sort_eq(&f.at, 1u64).sort(f.seq.eq(2u32))).await.unwrap();
        assert_eq!(found.len(), 1);
    }

    async fn templates_and_multi_attribute_keys_share_a_model(db: Dynamo) {
        db.create_table::<Order>().await.unwrap();
        for (order, day, store, total) in [("o1", "d1", "s1", 30), ("o2", "d1", "s1", 10), ("o3", "d1", "s2", 20), ("o4", "d2", "s1", 5)] {
            let order = Order { customer: "c1".into(), order: order.into(), day: day.into(), store: store.into(), total };
            db.put(&order).await.unwrap();
        }
        let f = Order::fields();
        let store: Vec<Order> = db.query(Order::BY_STORE.key("s1", "d1")).await.unwrap();
        let orders: Vec<&str> = store.iter().map(|o| o.order.as_str()).collect();
        assert_eq!(orders, ["o2", "o1"], "by total");
        let big: Vec<Order> = db.query(Order::BY_STORE.key("s1", "d1").sort(f.total.gt(15u32))).await.unwrap();
        assert_eq!(big.len(), 1);
        let day: Vec<Order> = db.query(Order::query_by_day("d1")).await.unwrap();
        assert_eq!(day.len(), 3);
        let customer: Vec<Order> = db.query(Order::query_by_customer("c1")).await.unwrap();
        assert_eq!(customer.len(), 4);
    }
}

#[test]
fn multi_attribute_key_conditions_render_each_attribute_in_order() {
    let f = Event::fields();
    let key = Event::BY_PLACE
        .key("t1", "eu", "a", "r1")
        .sort_eq(&f.status, "open")
        .sort(f.at.between(1u64, 9u64));
    let rendered = key.render().unwrap();
    assert_eq!(
        rendered.expression,
        "#k0 = :k0 AND #k1 = :k1 AND #k2 = :k2 AND #k3 = :k3 AND #k4 = :k4 AND #k5 BETWEEN :k5 AND :k6"
    );
    let names: Vec<&str> = (0..6)
        .map(|i| rendered.names[&format!("#k{i}")].as_str())
        .collect();
    assert_eq!(names, ["tenant", "region", "zone", "rack", "status", "at"]);
}

#[test]
fn create_table_declares_every_key_attribute_of_a_multi_attribute_index() {
    let db = Dynamo::memory();
    let request = db
        .create_table::<Event>()
        .to_request()
        .unwrap()
        .build()
        .unwrap();
    let place = request
        .global_secondary_indexes()
        .iter()
        .find(|i| i.index_name() == "by_place")
        .unwrap();
    let schema: Vec<(&str, &str)> = place
        .key_schema()
        .iter()
        .map(|k| (k.attribute_name(), k.key_type().as_str()))
        .collect();
    assert_eq!(
        schema,
        [
            ("tenant", "HASH"),
            ("region", "HASH"),
            ("zone", "HASH"),
            ("rack", "HASH"),
            ("status", "RANGE"),
            ("at", "RANGE")
        ]
    );
    let mut defined: Vec<&str> = request
        .attribute_definitions()
        .iter()
        .map(|d| d.attribute_name())
        .collect();
    defined.sort_unstable();
    assert_eq!(
        defined,
        ["at", "id", "rack", "region", "seq", "status", "tenant", "zone"]
    );
}

#[tokio::test]
async fn a_memory_snapshot_keeps_multi_attribute_indexes() {
    let store = dynamo_model::backend::MemoryBackend::new();
    let db = Dynamo::with_memory(&store);
    seeded(&db).await;
    let path = std::env::temp_dir().join(format!("multi-attribute-{}.json", std::process::id()));
    store.save(&path).unwrap();
    let loaded = Dynamo::with_memory(&dynamo_model::backend::MemoryBackend::load(&path).unwrap());
    std::fs::remove_file(&path).unwrap();
    let f = Event::fields();
    let open: Vec<Event> = loaded
        .query(
            Event::BY_PLACE
                .key("t1", "eu", "a", "r1")
                .sort_eq(&f.status, "open"),
        )
        .await
        .unwrap();
    assert_eq!(ids(&open), [1, 10, 2, 9]);
}

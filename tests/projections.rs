//! Typed projections (`#[dynamo(projection_of = "...")]`) on both backends: get, query,
//! index queries and scans read only the projection's attributes and decode into it.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use dynamo_model::{Dynamo, DynamoModel, Projected};
use dynamo_model_tests::conformance;

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "projected_users",
    hash_key = "team",
    range_key = "user_id",
    rename_all = "camelCase",
    gsi(name = "by_email", hash_key = "email", projection = "all"),
    gsi(name = "by_name", hash_key = "display_name", projection = "keys_only")
)]
struct Member {
    team: String,
    user_id: String,
    email: String,
    display_name: String,
    bio: String,
    nickname: Option<String>,
    visits: u32,
}

/// The card of a member: a few of its attributes, under the same (camelCase) names.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(projection_of = "Member", rename_all = "camelCase")]
struct MemberCard {
    user_id: String,
    display_name: String,
    nickname: Option<String>,
}

fn member(team: &str, id: &str) -> Member {
    Member {
        team: team.into(),
        user_id: id.into(),
        email: format!("{id}@example.com"),
        display_name: format!("Member {id}"),
        bio: "a long biography ".repeat(50),
        nickname: (id == "u1").then(|| "one".to_owned()),
        visits: 3,
    }
}

fn card(id: &str) -> MemberCard {
    MemberCard {
        user_id: id.into(),
        display_name: format!("Member {id}"),
        nickname: (id == "u1").then(|| "one".to_owned()),
    }
}

async fn seed(db: &Dynamo) {
    db.create_table::<Member>().await.unwrap();
    for id in ["u1", "u2", "u3"] {
        db.put(&member("red", id)).await.unwrap();
    }
    db.put(&member("blue", "u4")).await.unwrap();
}

conformance! {
    async fn a_get_reads_a_projection(db: Dynamo) {
        seed(&db).await;
        let found = db.get::<Member>(("red", "u1")).project::<MemberCard>().await.unwrap();
        assert_eq!(found, Some(card("u1")));
        let absent = db.get::<Member>(("red", "nobody")).project::<MemberCard>().await.unwrap();
        assert_eq!(absent, None);
        // An optional attribute the item lacks reads as None.
        let second = db.get::<Member>(("red", "u2")).project::<MemberCard>().await.unwrap();
        assert_eq!(second, Some(card("u2")));
    }

    async fn queries_and_scans_read_projections(db: Dynamo) {
        seed(&db).await;
        let f = Member::fields();
        let cards = db.query::<Member>("red").project::<MemberCard>().await.unwrap();
        assert_eq!(cards, [card("u1"), card("u2"), card("u3")]);

        let page = db
            .query::<Member>("red")
            .range(f.user_id.gt("u1"))
            .project::<MemberCard>()
            .page_size(1)
            .page()
            .await
            .unwrap();
        assert_eq!(page.items, [card("u2")]);

        let by_email = db
            .query((Member::BY_EMAIL, "u4@example.com"))
            .project::<MemberCard>()
            .await
            .unwrap();
        assert_eq!(by_email, [card("u4")]);

        let mut scanned = db
            .scan::<Member>()
            .filter(f.visits.eq(3_u32))
            .project::<MemberCard>()
            .await
            .unwrap();
        scanned.sort_by(|a, b| a.user_id.cmp(&b.user_id));
        assert_eq!(scanned, [card("u1"), card("u2"), card("u3"), card("u4")]);
    }

    async fn a_projection_reads_only_its_attributes_and_the_key(db: Dynamo) {
        seed(&db).await;
        // What the service returns for the projection's request: the projection's
        // attributes and the table's key, not the biography.
        let request = db.get::<Member>(("red", "u1")).project::<MemberCard>().to_request().unwrap();
        let output = db.backend().get_item(request).await.unwrap();
        let mut names: Vec<String> = output.item.unwrap().into_keys().collect();
        names.sort();
        assert_eq!(names, ["displayName", "nickname", "team", "userId"]);
    }

    async fn batch_and_transaction_reads_read_projections(db: Dynamo) {
        seed(&db).await;
        let mut cards = db
            .batch_get::<Member>([("red", "u1"), ("red", "u3"), ("red", "missing")])
            .project::<MemberCard>()
            .await
            .unwrap();
        cards.sort_by(|a, b| a.user_id.cmp(&b.user_id));
        assert_eq!(cards, [card("u1"), card("u3")]);

        let request = db.batch_get::<Member>([("red", "u1")]).project::<MemberCard>().to_request().unwrap();
        let input = request[0].clone().build().unwrap();
        let reads = &input.request_items.unwrap()[&db.table_name::<Member>()];
        assert_eq!(reads.projection_expression.as_deref(), Some("#p0, #p1, #p2, #p3"));

        // A transaction mixes whole models and projections; each get reads what it decodes.
        let (full, projected, absent) = db
            .transact_get()
            .get::<Member>(("red", "u1"))
            .get::<MemberCard>(("red", "u2"))
            .get::<MemberCard>(("red", "missing"))
            .await
            .unwrap();
        assert_eq!(full, Some(member("red", "u1")));
        assert_eq!(projected, Some(card("u2")));
        assert_eq!(absent, None);

        let many = db
            .transact_get_many::<Member>([("red", "u3"), ("blue", "u4")])
            .project::<MemberCard>()
            .await
            .unwrap();
        assert_eq!(many, [Some(card("u3")), Some(card("u4"))]);
    }

    async fn a_projection_hides_expired_items_like_its_model(db: Dynamo) {
        #[derive(Debug, Clone, PartialEq, DynamoModel)]
        #[dynamo(table = "projected_sessions", hash_key = "id")]
        struct Session {
            id: String,
            user: String,
            #[dynamo(ttl)]
            expires: Option<u64>,
        }
        #[derive(Debug, Clone, PartialEq, DynamoModel)]
        #[dynamo(projection_of = "Session")]
        struct SessionUser {
            user: String,
        }
        db.create_table::<Session>().await.unwrap();
        db.put(&Session { id: "old".into(), user: "ada".into(), expires: Some(1) }).await.unwrap();
        db.put(&Session { id: "live".into(), user: "bob".into(), expires: None }).await.unwrap();
        // The TTL is not a field of the projection, but its reads ask for it.
        assert_eq!(db.get::<Session>("old").project::<SessionUser>().await.unwrap(), None);
        let live = db.scan::<Session>().project::<SessionUser>().await.unwrap();
        assert_eq!(live, [SessionUser { user: "bob".into() }]);
        let (old,) = db.transact_get().get::<SessionUser>("old").await.unwrap();
        assert_eq!(old, None);
    }

    async fn all_projected_attributes_reads_what_an_index_holds(db: Dynamo) {
        seed(&db).await;
        let rows = db
            .query((Member::BY_NAME, "Member u2"))
            .all_projected_attributes()
            .raw()
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        let mut names: Vec<&String> = rows[0].keys().collect();
        names.sort();
        assert_eq!(names, ["displayName", "team", "userId"], "the keys only");
        let request = db.query((Member::BY_NAME, "Member u2")).all_projected_attributes().to_request().unwrap();
        assert_eq!(request.get_select(), &Some(aws_sdk_dynamodb::types::Select::AllProjectedAttributes));

        // The table has no projection to read; a projection already names attributes.
        let error = db.query::<Member>("red").all_projected_attributes().await.unwrap_err();
        assert!(error.to_string().contains("reads an index, and this request reads the table"), "{error}");
        let error = db
            .scan::<Member>()
            .index(Member::BY_EMAIL)
            .all_projected_attributes()
            .project::<MemberCard>()
            .await
            .unwrap_err();
        assert!(error.to_string().contains("keep one of them"), "{error}");

        // A typed projection's request says it reads specific attributes.
        let request = db.query::<Member>("red").project::<MemberCard>().to_request().unwrap();
        assert_eq!(request.get_select(), &Some(aws_sdk_dynamodb::types::Select::SpecificAttributes));
    }

    async fn a_projection_that_does_not_decode_names_the_item(db: Dynamo) {
        db.create_table::<Member>().await.unwrap();
        let broken: HashMap<String, AttributeValue> = [
            ("team", AttributeValue::S("red".into())),
            ("userId", AttributeValue::S("u9".into())),
            ("displayName", AttributeValue::S("Nine".into())),
            ("nickname", AttributeValue::N("7".into())),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        dynamo_model_tests::put_raw::<Member>(&db, broken).await;
        let error = db.get::<Member>(("red", "u9")).project::<MemberCard>().await.unwrap_err();
        let message = error.to_string();
        assert!(message.contains("MemberCard"), "{message}");
        assert!(message.contains("nickname: expected S, found N"), "{message}");
        assert!(message.contains("key team, userId"), "{message}");
        let key = error.item_key().expect("the item's key is kept");
        assert_eq!(key["userId"], AttributeValue::S("u9".into()));
    }
}

#[test]
fn the_projection_names_the_parents_attributes_and_the_key() {
    let rendered = MemberCard::projection().render().unwrap();
    assert_eq!(rendered.expression, "#p0, #p1, #p2, #p3");
    let mut names: Vec<&String> = rendered.names.values().collect();
    names.sort();
    assert_eq!(names, ["displayName", "nickname", "team", "userId"]);
}

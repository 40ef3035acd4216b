//! Rendering of every expression kind: the text, the names and the values, for every
//! operator and action, nested paths, list indexes, reserved words and awkward names.

use std::collections::{BTreeSet, HashMap, HashSet};

use dynamo_model::expr::{
    AttributeType, Clause, Condition, KeyCondition, Projection, Rendered, Update,
};
use dynamo_model::{AttributeValue, DynamoModel};
use proptest::prelude::*;

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "things",
    hash_key = "id",
    range_key = "year",
    gsi(name = "by_status", hash_key = "status", range_key = "size"),
    lsi(name = "by_name", range_key = "name")
)]
struct Thing {
    id: String,
    /// Reserved words, all of them.
    year: u32,
    name: String,
    status: String,
    size: u64,
    data: Vec<u8>,
    #[dynamo(rename = "a.b #c :d e")]
    awkward: String,
    #[dynamo(rename = "città")]
    city: Option<String>,
    tags: BTreeSet<String>,
    counts: HashSet<i64>,
    history: Vec<i64>,
    notes: Vec<Note>,
    prefs: HashMap<String, String>,
    score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
struct Note {
    text: String,
    stars: u8,
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: &str) -> AttributeValue {
    AttributeValue::N(v.into())
}

fn names(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn values(pairs: Vec<(&str, AttributeValue)>) -> HashMap<String, AttributeValue> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn condition(c: impl Into<Condition<Thing>>) -> Rendered {
    c.into().render().expect("renders")
}

#[test]
fn comparisons_render_names_and_values() {
    let f = Thing::fields();
    let r = condition(f.year.eq(2026));
    assert_eq!(r.expression, "#c0 = :c0");
    assert_eq!(r.names, names(&[("#c0", "year")]));
    assert_eq!(r.values, values(vec![(":c0", n("2026"))]));

    for (c, op) in [
        (Condition::from(f.size.lt(1)), "<"),
        (f.size.le(1).into(), "<="),
        (f.size.gt(1).into(), ">"),
        (f.size.ge(1).into(), ">="),
        (f.size.ne(1), "<>"),
    ] {
        let r = c.render().unwrap();
        assert_eq!(r.expression, format!("#c0 {op} :c0"));
        assert_eq!(r.names, names(&[("#c0", "size")]));
    }

    let r = condition(f.name.between("a", "m"));
    assert_eq!(r.expression, "#c0 BETWEEN :c0 AND :c1");
    assert_eq!(r.values, values(vec![(":c0", s("a")), (":c1", s("m"))]));

    let r = condition(f.status.is_in(["new", "open"]));
    assert_eq!(r.expression, "#c0 IN (:c0, :c1)");
    assert_eq!(r.names, names(&[("#c0", "status")]));
}

#[test]
fn another_attribute_renders_as_a_name_never_a_value() {
    let f = Thing::fields();
    let r = f.name.lt(&f.status).render().unwrap();
    assert_eq!(r.expression, "#c0 < #c1");
    assert_eq!(r.names, names(&[("#c0", "name"), ("#c1", "status")]));
    assert!(r.values.is_empty());
    // An optional field compares with a plain one of its type, either way; by value too.
    assert_eq!(condition(f.city.eq(&f.name)).expression, "#c0 = #c1");
    assert_eq!(condition(f.name.ne(&f.city)).expression, "#c0 <> #c1");
    assert_eq!(
        condition(f.name.ge(f.status.clone())).expression,
        "#c0 >= #c1"
    );
    // The same attribute on both sides keeps one placeholder.
    assert_eq!(condition(f.name.eq(&f.name)).expression, "#c0 = #c0");
    // Mixed with values and nested paths.
    let r =
        condition(f.status.gt(&f.name) & f.notes.at(0).fields().text.eq(&f.name) & f.name.eq("x"));
    assert_eq!(r.expression, "#c0 > #c1 AND #c2[0].#c3 = #c1 AND #c1 = :c0");

    let r = Update::<Thing>::new()
        .set(&f.size, &f.size + &f.size)
        .set(&f.year, f.year.minus(1))
        .set(&f.score, f.score.plus(&f.score))
        .set(&f.city, &f.name)
        .set_if_not_exists(&f.status, &f.name)
        .render()
        .unwrap();
    assert_eq!(
        r.expression,
        "SET #u0 = #u0 + #u0, #u1 = #u1 - :u0, #u2 = #u2 + #u2, #u3 = #u4, #u5 = if_not_exists(#u5, #u4)"
    );
    assert_eq!(r.values, values(vec![(":u0", n("1"))]));
    assert_eq!(r.names["#u4"], "name");
}

#[test]
fn functions_render() {
    let f = Thing::fields();
    let r = condition(f.data.begins_with([0x01_u8].as_slice()));
    assert_eq!(r.expression, "begins_with(#c0, :c0)");
    assert!(matches!(r.values[":c0"], AttributeValue::B(_)));

    assert_eq!(condition(f.tags.contains("x")).values[":c0"], s("x"));
    assert_eq!(condition(f.counts.contains(7)).values[":c0"], n("7"));
    assert_eq!(condition(f.history.contains(-1)).values[":c0"], n("-1"));

    let r = condition(f.history.size().between(1, 5));
    assert_eq!(r.expression, "size(#c0) BETWEEN :c0 AND :c1");
    assert_eq!(
        condition(f.prefs.size().eq(0)).expression,
        "size(#c0) = :c0"
    );
    assert_eq!(
        condition(f.city.exists()).expression,
        "attribute_exists(#c0)"
    );
    assert_eq!(
        condition(f.city.not_exists()).names,
        names(&[("#c0", "città")])
    );
    let r = condition(f.tags.attribute_type(AttributeType::Ss));
    assert_eq!(r.expression, "attribute_type(#c0, :c0)");
    assert_eq!(r.values[":c0"], s("SS"));
}

#[test]
fn awkward_names_are_never_spliced() {
    let f = Thing::fields();
    let r = condition(f.awkward.eq("x") & f.city.eq("Roma") & f.score.gt(0.5));
    assert_eq!(r.expression, "#c0 = :c0 AND #c1 = :c1 AND #c2 > :c2");
    assert_eq!(
        r.names,
        names(&[("#c0", "a.b #c :d e"), ("#c1", "città"), ("#c2", "score")])
    );
    for text in r.names.values() {
        assert!(!r.expression.contains(text.as_str()));
    }
}

#[test]
fn nested_paths_and_list_indexes() {
    let f = Thing::fields();
    let r = condition(f.notes.at(2).fields().stars.ge(4));
    assert_eq!(r.expression, "#c0[2].#c1 >= :c0");
    assert_eq!(r.names, names(&[("#c0", "notes"), ("#c1", "stars")]));
    let r = condition(f.prefs.key("theme.dark").eq("yes"));
    assert_eq!(r.expression, "#c0.#c1 = :c0");
    assert_eq!(
        r.names["#c1"], "theme.dark",
        "a map key with a dot stays one name"
    );
    let r = condition(f.history.at(0).eq(1) | f.history.at(1).eq(2));
    assert_eq!(
        r.expression, "#c0[0] = :c0 OR #c0[1] = :c1",
        "one name, one placeholder"
    );
}

#[test]
fn combinators_follow_precedence() {
    let f = Thing::fields();
    let a = || Condition::from(f.year.eq(1));
    let b = || Condition::from(f.size.eq(2));
    let c = || Condition::from(f.name.eq("c"));
    assert_eq!(
        condition(a() & b() & c()).expression,
        "#c0 = :c0 AND #c1 = :c1 AND #c2 = :c2"
    );
    assert_eq!(
        condition(a() | b() & c()).expression,
        "#c0 = :c0 OR #c1 = :c1 AND #c2 = :c2"
    );
    assert_eq!(
        condition((a() | b()) & c()).expression,
        "(#c0 = :c0 OR #c1 = :c1) AND #c2 = :c2"
    );
    assert_eq!(
        condition(!(a() & b())).expression,
        "NOT (#c0 = :c0 AND #c1 = :c1)"
    );
    assert_eq!(condition(!a()).expression, "NOT #c0 = :c0");
    assert_eq!(condition(!!a()).expression, "NOT (NOT #c0 = :c0)");
    assert_eq!(
        condition(a().and(b()).or(c()).not()).expression,
        "NOT (#c0 = :c0 AND #c1 = :c1 OR #c2 = :c2)"
    );
    let all = Condition::all([a(), b(), c()]).unwrap();
    assert_eq!(
        condition(all).expression,
        "#c0 = :c0 AND #c1 = :c1 AND #c2 = :c2"
    );
    assert!(Condition::<Thing>::any([]).is_none());
}

#[test]
fn filters_use_their_own_prefix() {
    let r = Condition::from(Thing::fields().year.eq(1))
        .render_filter()
        .unwrap();
    assert_eq!(r.expression, "#f0 = :f0");
}

#[test]
fn is_in_takes_at_most_100_values() {
    let f = Thing::fields();
    assert!(f.size.is_in(0..100_u64).render().is_ok());
    let error = f.size.is_in(0..101_u64).render().unwrap_err();
    assert!(error.is_invalid_expression());
    assert_eq!(
        error.to_string(),
        "invalid expression for `Thing`: `is_in` on `size` has 101 values; DynamoDB takes at most 100"
    );
    assert!(f.size.is_in(Vec::<u64>::new()).render().is_err());
}

#[test]
fn values_dynamodb_cannot_store_are_refused_before_sending() {
    let f = Thing::fields();
    let error = Condition::from(f.score.gt(f64::NAN)).render().unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid expression for `Thing`: the value for `score`: NaN cannot be stored: \
         DynamoDB numbers are finite"
    );
    let error = Update::<Thing>::new()
        .set(&f.score, f64::NEG_INFINITY)
        .render()
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("the value for `score`: -inf cannot be stored"),
        "{error}"
    );
    let error = Update::<Thing>::new()
        .delete(&f.tags, Vec::<String>::new())
        .render()
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("the value for `tags`: the set is empty: DynamoDB has no empty sets"),
        "{error}"
    );
}

#[test]
fn key_conditions_for_the_table_and_each_index() {
    let f = Thing::fields();
    let r = KeyCondition::<Thing>::hash("t1").render().unwrap();
    assert_eq!(r.expression, "#k0 = :k0");
    assert_eq!(r.names, names(&[("#k0", "id")]));
    assert_eq!(r.values, values(vec![(":k0", s("t1"))]));

    let cases = [
        (
            KeyCondition::<Thing>::hash("t").range(f.year.eq(1)),
            "#k0 = :k0 AND #k1 = :k1",
        ),
        (
            KeyCondition::<Thing>::hash("t").range(f.year.lt(1)),
            "#k0 = :k0 AND #k1 < :k1",
        ),
        (
            KeyCondition::<Thing>::hash("t").range(f.year.le(1)),
            "#k0 = :k0 AND #k1 <= :k1",
        ),
        (
            KeyCondition::<Thing>::hash("t").range(f.year.gt(1)),
            "#k0 = :k0 AND #k1 > :k1",
        ),
        (
            KeyCondition::<Thing>::hash("t").range(f.year.ge(1)),
            "#k0 = :k0 AND #k1 >= :k1",
        ),
        (
            KeyCondition::<Thing>::hash("t").range(f.year.between(1, 2)),
            "#k0 = :k0 AND #k1 BETWEEN :k1 AND :k2",
        ),
    ];
    for (key, expected) in cases {
        let r = key.render().unwrap();
        assert_eq!(r.expression, expected);
        assert_eq!(r.names["#k1"], "year");
    }

    let r = KeyCondition::new(Thing::BY_STATUS, "open")
        .range(f.size.gt(10))
        .render()
        .unwrap();
    assert_eq!(r.names, names(&[("#k0", "status"), ("#k1", "size")]));
    let r = KeyCondition::new(Thing::BY_NAME, "t1")
        .range(f.name.begins_with("A"))
        .render()
        .unwrap();
    assert_eq!(r.expression, "#k0 = :k0 AND begins_with(#k1, :k1)");
    assert_eq!(r.names, names(&[("#k0", "id"), ("#k1", "name")]));
}

/// One action of every kind, each on its own attribute.
fn every_action() -> Update<Thing> {
    let f = Thing::fields();
    Update::<Thing>::new()
        .set(&f.name, "n")
        .set_if_not_exists(&f.status, "new")
        .increment(&f.size, 2)
        .decrement(&f.year, 1)
        .append(&f.history, [1, 2])
        .prepend(
            &f.notes,
            [Note {
                text: "t".into(),
                stars: 5,
            }],
        )
        .remove(&f.city)
        .add(&f.tags, ["a", "b"])
        .add(&f.score, 0.5)
        .delete(&f.counts, [3])
}

#[test]
fn every_update_action() {
    let r = every_action().render().unwrap();
    assert_eq!(
        r.expression,
        "SET #u0 = :u0, #u1 = if_not_exists(#u1, :u1), #u2 = #u2 + :u2, #u3 = #u3 - :u3, \
         #u4 = list_append(if_not_exists(#u4, :u4), :u5), #u5 = list_append(:u7, if_not_exists(#u5, :u6)) \
         REMOVE #u6 ADD #u7 :u8, #u8 :u9 DELETE #u9 :u10"
    );
    assert_eq!(
        r.names,
        names(&[
            ("#u0", "name"),
            ("#u1", "status"),
            ("#u2", "size"),
            ("#u3", "year"),
            ("#u4", "history"),
            ("#u5", "notes"),
            ("#u6", "città"),
            ("#u7", "tags"),
            ("#u8", "score"),
            ("#u9", "counts"),
        ])
    );
    assert_eq!(r.values[":u4"], AttributeValue::L(vec![]));
    assert_eq!(r.values[":u5"], AttributeValue::L(vec![n("1"), n("2")]));
    assert_eq!(
        r.values[":u8"],
        AttributeValue::Ss(vec!["a".into(), "b".into()])
    );
    assert_eq!(r.values[":u10"], AttributeValue::Ns(vec!["3".into()]));
    let AttributeValue::L(notes) = &r.values[":u7"] else {
        panic!("a list")
    };
    assert!(
        matches!(notes[0], AttributeValue::M(_)),
        "a nested model becomes a map"
    );
}

#[test]
fn removing_an_element_of_a_changed_list_overlaps() {
    let f = Thing::fields();
    for (update, overlap) in [
        (
            every_action().remove_at(&f.notes, 9),
            "`notes` and `notes[9]`, which overlap",
        ),
        (
            every_action().remove_at(&f.history, 0),
            "`history` and `history[0]`, which overlap",
        ),
    ] {
        let error = update.render().unwrap_err();
        assert!(error.to_string().contains(overlap), "{error}");
    }
}

#[test]
fn nested_update_paths() {
    let f = Thing::fields();
    let r = Update::<Thing>::new()
        .set(f.notes.at(0).fields().stars, 3)
        .set(f.prefs.key("lang"), "it")
        .remove_at(&f.history, 0)
        .render()
        .unwrap();
    assert_eq!(
        r.expression,
        "SET #u0[0].#u1 = :u0, #u2.#u3 = :u1 REMOVE #u4[0]"
    );
}

#[test]
fn empty_and_overlapping_updates_are_errors() {
    let f = Thing::fields();
    let error = Update::<Thing>::new().render().unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid expression for `Thing`: the update has no action"
    );
    let error = Update::<Thing>::new()
        .set(&f.name, "a")
        .set(&f.name, "b")
        .render()
        .unwrap_err();
    assert!(
        error.to_string().contains("changes `name` twice"),
        "{error}"
    );
    let error = Update::<Thing>::new()
        .set(&f.notes, Vec::<Note>::new())
        .set(f.notes.at(1).fields().text, "x")
        .render()
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("`notes` and `notes[1].text`, which overlap"),
        "{error}"
    );
    // Siblings do not overlap.
    assert!(Update::<Thing>::new()
        .set(f.notes.at(0).fields().text, "a")
        .set(f.notes.at(1).fields().text, "b")
        .render()
        .is_ok());
}

#[test]
fn projections_share_names() {
    let f = Thing::fields();
    let r = Projection::<Thing>::new()
        .field(&f.name)
        .field(f.notes.at(1).fields().text)
        .field(&f.awkward)
        .field(f.notes.at(0).fields().stars)
        .render()
        .unwrap();
    assert_eq!(r.expression, "#p0, #p1[1].#p2, #p3, #p1[0].#p4");
    assert_eq!(r.names["#p3"], "a.b #c :d e");
    assert!(r.values.is_empty());
    assert!(Projection::<Thing>::new()
        .render()
        .unwrap_err()
        .is_invalid_expression());
}

#[test]
fn unchecked_expressions_are_renamed_and_checked() {
    let c = Condition::<Thing>::unchecked("#a > :min OR #a = :x")
        .name("#a", "size")
        .value(":min", 3_u64)
        .value(":x", 0_u64);
    let combined = Condition::from(Thing::fields().year.eq(1)) & c;
    let r = combined.render().unwrap();
    assert_eq!(
        r.expression,
        "#c0 = :c0 AND (#cr1_a > :cr1_min OR #cr1_a = :cr1_x)"
    );
    assert_eq!(r.names["#cr1_a"], "size");
    assert_eq!(r.values[":cr1_min"], n("3"));

    let missing = Condition::<Thing>::unchecked("#a = :v")
        .name("#a", "x")
        .render()
        .unwrap_err();
    assert!(
        missing
            .to_string()
            .contains("value placeholder `:v` is not defined"),
        "{missing}"
    );
    let unused = Condition::<Thing>::unchecked("#a = #a")
        .name("#a", "x")
        .name("#b", "y")
        .render()
        .unwrap_err();
    assert!(
        unused.to_string().contains("`#b` is defined but not used"),
        "{unused}"
    );

    let update = Update::<Thing>::new()
        .set(&Thing::fields().name, "n")
        .unchecked(Clause::Add, "#c :one", |raw| {
            raw.name("#c", "size").value(":one", 1_u8)
        });
    assert_eq!(
        update.render().unwrap().expression,
        "SET #u0 = :u0 ADD #ur1_c :ur1_one"
    );
}

#[test]
fn debug_output_names_attributes_but_not_values() {
    let c = Condition::from(Thing::fields().name.eq("secret value"));
    let shown = format!("{c:?}");
    assert_eq!(shown, "Condition(name = :c0)");
    assert!(!shown.contains("secret"));
}

/// Renders a condition, a filter, a key condition, an update and a projection into one
/// request's maps.
fn merged(
    condition: &Condition<Thing>,
    filter: &Condition<Thing>,
    key: &KeyCondition<Thing>,
    update: &Update<Thing>,
) -> (
    usize,
    HashMap<String, String>,
    HashMap<String, AttributeValue>,
) {
    let mut names = HashMap::new();
    let mut values = HashMap::new();
    let parts = [
        condition.render().unwrap(),
        filter.render_filter().unwrap(),
        key.render().unwrap(),
        update.render().unwrap(),
        Projection::<Thing>::new()
            .field(&Thing::fields().name)
            .render()
            .unwrap(),
    ];
    let mut expected = 0;
    for part in parts {
        expected += part.names.len() + part.values.len();
        part.merge_into(&mut names, &mut values);
    }
    (expected, names, values)
}

fn any_condition() -> impl Strategy<Value = Condition<Thing>> {
    let leaf = prop_oneof![
        any::<u32>().prop_map(|v| Condition::from(Thing::fields().year.eq(v))),
        "[a-z]{0,3}".prop_map(|v| Condition::from(Thing::fields().name.begins_with(v))),
        any::<i64>().prop_map(|v| Thing::fields().history.contains(v)),
        Just(Thing::fields().city.exists()),
        (0_u32..5, any::<u8>())
            .prop_map(|(i, v)| Condition::from(Thing::fields().notes.at(i).fields().stars.gt(v))),
    ];
    leaf.prop_recursive(4, 32, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| a & b),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| a | b),
            inner.prop_map(|a| !a),
        ]
    })
}

proptest! {
    #[test]
    fn merged_expressions_never_collide(
        condition in any_condition(),
        filter in any_condition(),
        hash in "[a-z]{1,4}",
        year in any::<u32>(),
        size in any::<u64>(),
    ) {
        let key = KeyCondition::<Thing>::hash(hash.as_str()).range(Thing::fields().year.ge(year));
        let update = Update::<Thing>::new().set(&Thing::fields().size, size).add(&Thing::fields().tags, ["t"]);
        let (expected, names, values) = merged(&condition, &filter, &key, &update);
        prop_assert_eq!(names.len() + values.len(), expected, "a placeholder was reused across expressions");
        // Every placeholder of the combined request appears in some expression.
        let texts = [
            condition.render().unwrap().expression,
            filter.render_filter().unwrap().expression,
            key.render().unwrap().expression,
            update.render().unwrap().expression,
        ]
        .join(" ");
        for placeholder in values.keys() {
            prop_assert!(texts.contains(placeholder.as_str()));
        }
    }
}

//! Evaluating parsed expressions against items, with DynamoDB's rules: values compare only
//! with values of the same type (numbers by value, strings and binaries by bytes), a
//! missing attribute makes a comparison false (and `<>` true), updates follow the document
//! path rules.

use std::cmp::Ordering;
use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::parse::{Comparator, Condition, Operand, Path, Step, UpdateAction};
use crate::value::decimal::Number;
use crate::value::Item;

/// The value at `path` in `item`.
pub(crate) fn resolve<'i>(item: &'i Item, path: &Path) -> Option<&'i AttributeValue> {
    let mut steps = path.iter();
    let mut current = match steps.next()? {
        Step::Name(name) => item.get(name)?,
        Step::Index(_) => return None,
    };
    for step in steps {
        current = match (step, current) {
            (Step::Name(name), AttributeValue::M(map)) => map.get(name)?,
            (Step::Index(index), AttributeValue::L(list)) => list.get(*index)?,
            _ => return None,
        };
    }
    Some(current)
}

fn size(value: &AttributeValue) -> Option<usize> {
    Some(match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Ss(v) => v.len(),
        AttributeValue::Ns(v) => v.len(),
        AttributeValue::Bs(v) => v.len(),
        AttributeValue::L(v) => v.len(),
        AttributeValue::M(v) => v.len(),
        _ => return None,
    })
}

/// The value of an operand in a condition (`None`: missing or without a size).
pub(crate) fn operand_value(item: &Item, operand: &Operand) -> Option<AttributeValue> {
    match operand {
        Operand::Path(path) => resolve(item, path).cloned(),
        Operand::Value(value) => Some(value.clone()),
        Operand::Size(path) => resolve(item, path)
            .and_then(size)
            .map(|n| AttributeValue::N(n.to_string())),
        _ => None,
    }
}

/// Order of two scalars of the same type; `None` for other types or non-scalars.
pub(crate) fn compare(a: &AttributeValue, b: &AttributeValue) -> Option<Ordering> {
    match (a, b) {
        (AttributeValue::S(x), AttributeValue::S(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (AttributeValue::N(x), AttributeValue::N(y)) => {
            Some(Number::parse(x)?.cmp(&Number::parse(y)?))
        }
        (AttributeValue::B(x), AttributeValue::B(y)) => Some(x.as_ref().cmp(y.as_ref())),
        _ => None,
    }
}

fn number_set_eq(a: &[String], b: &[String]) -> bool {
    let parse = |v: &[String]| {
        let mut numbers: Vec<Option<Number>> = v.iter().map(|n| Number::parse(n)).collect();
        numbers.sort();
        numbers
    };
    parse(a) == parse(b)
}

/// Equality with DynamoDB's rules: numbers by value, sets as sets, lists and maps deeply.
pub(crate) fn equal(a: &AttributeValue, b: &AttributeValue) -> bool {
    match (a, b) {
        (AttributeValue::N(_), AttributeValue::N(_)) => compare(a, b) == Some(Ordering::Equal),
        (AttributeValue::Ss(x), AttributeValue::Ss(y)) => {
            let mut x = x.clone();
            let mut y = y.clone();
            x.sort();
            y.sort();
            x == y
        }
        (AttributeValue::Ns(x), AttributeValue::Ns(y)) => number_set_eq(x, y),
        (AttributeValue::Bs(x), AttributeValue::Bs(y)) => {
            let mut x: Vec<&[u8]> = x.iter().map(|b| b.as_ref()).collect();
            let mut y: Vec<&[u8]> = y.iter().map(|b| b.as_ref()).collect();
            x.sort();
            y.sort();
            x == y
        }
        (AttributeValue::L(x), AttributeValue::L(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| equal(a, b))
        }
        (AttributeValue::M(x), AttributeValue::M(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w)))
        }
        _ => a == b,
    }
}

fn type_code(value: &AttributeValue) -> &'static str {
    crate::value::type_name(value)
}

/// Evaluates a condition on `item` (an empty map for an absent item).
pub(crate) fn holds(item: &Item, condition: &Condition) -> bool {
    match condition {
        Condition::Compare(left, comparator, right) => {
            let (left, right) = (operand_value(item, left), operand_value(item, right));
            let (Some(left), Some(right)) = (left, right) else {
                return *comparator == Comparator::Ne;
            };
            match comparator {
                Comparator::Eq => equal(&left, &right),
                Comparator::Ne => !equal(&left, &right),
                _ => compare(&left, &right).is_some_and(|order| match comparator {
                    Comparator::Lt => order == Ordering::Less,
                    Comparator::Le => order != Ordering::Greater,
                    Comparator::Gt => order == Ordering::Greater,
                    _ => order != Ordering::Less,
                }),
            }
        }
        Condition::Between(subject, low, high) => {
            let (Some(v), Some(l), Some(h)) = (
                operand_value(item, subject),
                operand_value(item, low),
                operand_value(item, high),
            ) else {
                return false;
            };
            compare(&v, &l).is_some_and(|o| o != Ordering::Less)
                && compare(&v, &h).is_some_and(|o| o != Ordering::Greater)
        }
        Condition::In(subject, list) => operand_value(item, subject).is_some_and(|v| {
            list.iter()
                .filter_map(|o| operand_value(item, o))
                .any(|w| equal(&v, &w))
        }),
        Condition::Exists(path) => resolve(item, path).is_some(),
        Condition::NotExists(path) => resolve(item, path).is_none(),
        Condition::Type(path, ty) => match (resolve(item, path), operand_value(item, ty)) {
            (Some(value), Some(AttributeValue::S(ty))) => type_code(value) == ty,
            _ => false,
        },
        Condition::BeginsWith(subject, prefix) => {
            match (operand_value(item, subject), operand_value(item, prefix)) {
                (Some(AttributeValue::S(s)), Some(AttributeValue::S(p))) => s.starts_with(&p),
                (Some(AttributeValue::B(s)), Some(AttributeValue::B(p))) => {
                    s.as_ref().starts_with(p.as_ref())
                }
                _ => false,
            }
        }
        Condition::Contains(subject, value) => {
            match (operand_value(item, subject), operand_value(item, value)) {
                (Some(AttributeValue::S(s)), Some(AttributeValue::S(p))) => s.contains(&p),
                (Some(AttributeValue::Ss(set)), Some(AttributeValue::S(p))) => set.contains(&p),
                (Some(AttributeValue::Ns(set)), Some(v @ AttributeValue::N(_))) => {
                    set.iter().any(|n| equal(&AttributeValue::N(n.clone()), &v))
                }
                (Some(AttributeValue::Bs(set)), Some(AttributeValue::B(b))) => set.contains(&b),
                (Some(AttributeValue::L(list)), Some(v)) => list.iter().any(|e| equal(e, &v)),
                _ => false,
            }
        }
        Condition::And(a, b) => holds(item, a) && holds(item, b),
        Condition::Or(a, b) => holds(item, a) || holds(item, b),
        Condition::Not(a) => !holds(item, a),
    }
}

/// The value a SET action writes.
fn set_value(item: &Item, operand: &Operand) -> Result<AttributeValue, String> {
    match operand {
        Operand::Path(path) => resolve(item, path)
            .cloned()
            .ok_or_else(|| "The provided expression refers to an attribute that does not exist in the item".to_owned()),
        Operand::Value(value) => Ok(value.clone()),
        Operand::IfNotExists(path, fallback) => match resolve(item, path) {
            Some(value) => Ok(value.clone()),
            None => set_value(item, fallback),
        },
        Operand::ListAppend(a, b) => match (set_value(item, a)?, set_value(item, b)?) {
            (AttributeValue::L(mut a), AttributeValue::L(b)) => {
                a.extend(b);
                Ok(AttributeValue::L(a))
            }
            _ => Err("Incorrect operand type for operator or function; operator or function: list_append".to_owned()),
        },
        Operand::Plus(a, b) | Operand::Minus(a, b) => {
            let subtract = matches!(operand, Operand::Minus(..));
            match (set_value(item, a)?, set_value(item, b)?) {
                (AttributeValue::N(x), AttributeValue::N(y)) => {
                    let (x, y) = (number(&x)?, number(&y)?);
                    Ok(AttributeValue::N(x.add(&y, subtract).canonical()))
                }
                _ => Err(format!(
                    "Incorrect operand type for operator or function; operator: {}",
                    if subtract { "-" } else { "+" }
                )),
            }
        }
        Operand::Size(_) => Err("size is not allowed in an update".to_owned()),
    }
}

fn number(text: &str) -> Result<Number, String> {
    Number::parse(text)
        .ok_or_else(|| format!("The parameter cannot be converted to a numeric value: {text}"))
}

/// The container at `path[..len-1]`, for writing the last step.
fn parent_mut<'i>(
    item: &'i mut Item,
    path: &Path,
) -> Result<Option<&'i mut AttributeValue>, String> {
    let invalid =
        || "The document path provided in the update expression is invalid for update".to_owned();
    if path.len() == 1 {
        return Ok(None);
    }
    let mut steps = path[..path.len() - 1].iter();
    let mut current = match steps.next() {
        Some(Step::Name(name)) => item.get_mut(name).ok_or_else(invalid)?,
        _ => return Err(invalid()),
    };
    for step in steps {
        current = match (step, current) {
            (Step::Name(name), AttributeValue::M(map)) => map.get_mut(name).ok_or_else(invalid)?,
            (Step::Index(index), AttributeValue::L(list)) => {
                list.get_mut(*index).ok_or_else(invalid)?
            }
            _ => return Err(invalid()),
        };
    }
    Ok(Some(current))
}

fn write(item: &mut Item, path: &Path, value: AttributeValue) -> Result<(), String> {
    let invalid =
        || "The document path provided in the update expression is invalid for update".to_owned();
    let last = path.last().ok_or_else(invalid)?;
    match (parent_mut(item, path)?, last) {
        (None, Step::Name(name)) => {
            item.insert(name.clone(), value);
        }
        (Some(AttributeValue::M(map)), Step::Name(name)) => {
            map.insert(name.clone(), value);
        }
        (Some(AttributeValue::L(list)), Step::Index(index)) => {
            if *index < list.len() {
                list[*index] = value;
            } else {
                list.push(value);
            }
        }
        _ => return Err(invalid()),
    }
    Ok(())
}

fn remove(item: &mut Item, path: &Path) -> Result<(), String> {
    let Some(last) = path.last() else {
        return Ok(());
    };
    match (parent_mut(item, path), last) {
        (Ok(None), Step::Name(name)) => {
            item.remove(name);
        }
        (Ok(Some(AttributeValue::M(map))), Step::Name(name)) => {
            map.remove(name);
        }
        (Ok(Some(AttributeValue::L(list))), Step::Index(index)) if *index < list.len() => {
            list.remove(*index);
        }
        (Err(e), _) => return Err(e),
        _ => {}
    }
    Ok(())
}

/// Applies update actions to `item` (every SET reads the item as it was before the update).
pub(crate) fn apply(item: &mut Item, actions: &[UpdateAction]) -> Result<(), String> {
    let before = item.clone();
    let mut removes = Vec::new();
    for action in actions {
        match action {
            UpdateAction::Set(path, operand) => {
                let value = set_value(&before, operand)?;
                write(item, path, value)?;
            }
            UpdateAction::Remove(path) => removes.push(path.clone()),
            UpdateAction::Add(path, value) => {
                let current = resolve(item, path).cloned();
                let added = match (current, value) {
                    (
                        None,
                        value @ (AttributeValue::N(_)
                        | AttributeValue::Ss(_)
                        | AttributeValue::Ns(_)
                        | AttributeValue::Bs(_)),
                    ) => match value {
                        AttributeValue::N(n) => AttributeValue::N(number(n)?.canonical()),
                        other => other.clone(),
                    },
                    (Some(AttributeValue::N(x)), AttributeValue::N(y)) => {
                        AttributeValue::N(number(&x)?.add(&number(y)?, false).canonical())
                    }
                    (Some(AttributeValue::Ss(mut x)), AttributeValue::Ss(y)) => {
                        for v in y {
                            if !x.contains(v) {
                                x.push(v.clone());
                            }
                        }
                        AttributeValue::Ss(x)
                    }
                    (Some(AttributeValue::Ns(mut x)), AttributeValue::Ns(y)) => {
                        for v in y {
                            if !x.iter().any(|n| {
                                equal(&AttributeValue::N(n.clone()), &AttributeValue::N(v.clone()))
                            }) {
                                x.push(v.clone());
                            }
                        }
                        AttributeValue::Ns(x)
                    }
                    (Some(AttributeValue::Bs(mut x)), AttributeValue::Bs(y)) => {
                        for v in y {
                            if !x.contains(v) {
                                x.push(v.clone());
                            }
                        }
                        AttributeValue::Bs(x)
                    }
                    _ => {
                        return Err(
                            "An operand in the update expression has an incorrect data type"
                                .to_owned(),
                        )
                    }
                };
                write(item, path, added)?;
            }
            UpdateAction::Delete(path, value) => {
                let current = resolve(item, path).cloned();
                let remaining = match (current, value) {
                    (None, _) => continue,
                    (Some(AttributeValue::Ss(x)), AttributeValue::Ss(y)) => {
                        let left: Vec<String> = x.into_iter().filter(|v| !y.contains(v)).collect();
                        (!left.is_empty()).then_some(AttributeValue::Ss(left))
                    }
                    (Some(AttributeValue::Ns(x)), AttributeValue::Ns(y)) => {
                        let left: Vec<String> = x
                            .into_iter()
                            .filter(|v| {
                                !y.iter().any(|w| {
                                    equal(
                                        &AttributeValue::N(v.clone()),
                                        &AttributeValue::N(w.clone()),
                                    )
                                })
                            })
                            .collect();
                        (!left.is_empty()).then_some(AttributeValue::Ns(left))
                    }
                    (Some(AttributeValue::Bs(x)), AttributeValue::Bs(y)) => {
                        let left: Vec<_> = x.into_iter().filter(|v| !y.contains(v)).collect();
                        (!left.is_empty()).then_some(AttributeValue::Bs(left))
                    }
                    _ => {
                        return Err(
                            "An operand in the update expression has an incorrect data type"
                                .to_owned(),
                        )
                    }
                };
                match remaining {
                    Some(value) => write(item, path, value)?,
                    None => remove(item, path)?,
                }
            }
        }
    }
    // List elements are removed from the highest index down, so indexes stay meaningful.
    removes.sort_by(|a, b| b.iter().map(index_of).cmp(a.iter().map(index_of)));
    for path in removes {
        remove(item, &path)?;
    }
    Ok(())
}

fn index_of(step: &Step) -> usize {
    match step {
        Step::Index(i) => *i,
        Step::Name(_) => 0,
    }
}

/// The attributes of `item` named by `paths`, nested as in the item.
pub(crate) fn project(item: &Item, paths: &[Path]) -> Item {
    let mut out: Item = HashMap::new();
    for path in paths {
        let Some(value) = resolve(item, path) else {
            continue;
        };
        // Rebuild the path's containers in `out`; list elements keep their order.
        insert_projected(&mut out, path, value.clone());
    }
    out
}

fn insert_projected(out: &mut Item, path: &Path, value: AttributeValue) {
    let Some(Step::Name(first)) = path.first() else {
        return;
    };
    if path.len() == 1 {
        out.insert(first.clone(), value);
        return;
    }
    let container = out.entry(first.clone()).or_insert_with(|| match path[1] {
        Step::Name(_) => AttributeValue::M(HashMap::new()),
        Step::Index(_) => AttributeValue::L(Vec::new()),
    });
    let mut current = container;
    for (position, step) in path.iter().enumerate().skip(1) {
        let last = position == path.len() - 1;
        let next_is_list = matches!(path.get(position + 1), Some(Step::Index(_)));
        let fresh = || {
            if next_is_list {
                AttributeValue::L(Vec::new())
            } else {
                AttributeValue::M(HashMap::new())
            }
        };
        current = match (step, current) {
            (Step::Name(name), AttributeValue::M(map)) => {
                if last {
                    map.insert(name.clone(), value);
                    return;
                }
                map.entry(name.clone()).or_insert_with(fresh)
            }
            (Step::Index(_), AttributeValue::L(list)) => {
                if last {
                    list.push(value);
                    return;
                }
                list.push(fresh());
                match list.last_mut() {
                    Some(element) => element,
                    None => return,
                }
            }
            _ => return,
        };
    }
}

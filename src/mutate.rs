//! Test support: GitHub's real JSON shapes with one value replaced by something hostile, for
//! property tests of everything that reads a payload or a response. A mutated real document
//! reaches far deeper into the readers than random JSON, which fails on the first field.

use proptest::prelude::*;
use serde_json::{json, Value};

/// Values a schema allows but a reader may not expect, and some it does not allow.
fn hostile_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!(-1)),
        Just(json!(0)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(1.5e300)),
        Just(json!("")),
        Just(json!("\u{0}\n\u{202e}<script>@everyone")),
        Just(json!([])),
        Just(json!({})),
        Just(json!(true)),
        any::<String>().prop_map(Value::String),
        any::<i64>().prop_map(|n| json!(n)),
    ]
}

fn count_nodes(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        Value::Object(fields) => fields.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// Replaces the `n`th node (pre-order) with `with`; `n` counts down as nodes are passed.
fn replace_nth(value: &mut Value, n: &mut usize, with: &Value) -> bool {
    if *n == 0 {
        *value = with.clone();
        return true;
    }
    *n -= 1;
    match value {
        Value::Array(items) => items.iter_mut().any(|item| replace_nth(item, n, with)),
        Value::Object(fields) => fields.values_mut().any(|field| replace_nth(field, n, with)),
        _ => false,
    }
}

/// `document` with one node (or the document itself) replaced by a hostile value.
pub fn mutated(document: Value) -> impl Strategy<Value = Value> {
    let nodes = count_nodes(&document);
    (0..nodes, hostile_value()).prop_map(move |(mut n, with)| {
        let mut copy = document.clone();
        replace_nth(&mut copy, &mut n, &with);
        copy
    })
}

/// A fixture from `tests/data/`.
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

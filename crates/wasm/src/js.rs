//! Small helpers for reading and building JS objects without panicking on
//! whatever a caller passed.

use crate::error::Error;
use js_sys::{ArrayBuffer, Function, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

/// `value[key]`, or `undefined` (also for non-objects and throwing getters).
pub fn get(value: &JsValue, key: &str) -> JsValue {
    if !value.is_object() && !value.is_function() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Whether `value[key]` is present (not `undefined`).
pub fn has(value: &JsValue, key: &str) -> bool {
    !get(value, key).is_undefined()
}

/// Sets `object[key]`.
pub fn set(object: &JsValue, key: &str, value: &JsValue) {
    // Plain objects made here accept any property.
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

/// `value[key]` when it is a function.
pub fn method(value: &JsValue, key: &str) -> Option<Function> {
    get(value, key).dyn_into::<Function>().ok()
}

/// Refuses an options object with a key that is not in `known` (its own
/// enumerable keys, as `Object.keys` lists them), so a misspelt option is
/// an error rather than silently its default. `undefined` and `null` stand
/// for no options.
///
/// ## Errors
///
/// `invalidArgument` naming `what`, the first unknown key (also as the
/// error's `option`) and the keys `what` takes; or saying `what` is not an
/// object.
pub fn only(value: &JsValue, known: &[&str], what: &str) -> Result<(), Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(());
    }
    if !value.is_object() {
        return Err(Error::argument(format!("{what} must be an object")));
    }
    for key in Object::keys(value.unchecked_ref::<Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if !known.contains(&key.as_str()) {
            return Err(Error::argument(format!(
                "{what}: unknown option `{key}` (expected one of: {})",
                known.join(", ")
            ))
            .text("option", key));
        }
    }
    Ok(())
}

/// An optional string property.
///
/// ## Errors
///
/// `invalidArgument` when present and not a string.
pub fn opt_string(value: &JsValue, key: &str) -> Result<Option<String>, Error> {
    let v = get(value, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string()
        .map(Some)
        .ok_or_else(|| Error::argument(format!("`{key}` must be a string")))
}

/// An optional non-negative whole number property.
///
/// ## Errors
///
/// `invalidArgument` when present and not such a number.
pub fn opt_u64(value: &JsValue, key: &str) -> Result<Option<u64>, Error> {
    let v = get(value, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    whole(&v, key).map(Some)
}

/// An optional boolean property.
///
/// ## Errors
///
/// `invalidArgument` when present and not a boolean.
pub fn opt_bool(value: &JsValue, key: &str) -> Result<Option<bool>, Error> {
    let v = get(value, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_bool()
        .map(Some)
        .ok_or_else(|| Error::argument(format!("`{key}` must be a boolean")))
}

/// A non-negative whole number below 2^53.
///
/// ## Errors
///
/// `invalidArgument` naming `what`.
pub fn whole(v: &JsValue, what: &str) -> Result<u64, Error> {
    match v.as_f64() {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n < 9_007_199_254_740_992.0 => Ok(n as u64),
        _ => Err(Error::argument(format!(
            "`{what}` must be a non-negative whole number"
        ))),
    }
}

/// A whole number that fits `T`.
///
/// ## Errors
///
/// `invalidArgument` naming `what` and the range.
pub fn small<T: TryFrom<u64>>(n: f64, what: &str) -> Result<T, Error> {
    if n >= 0.0
        && n.fract() == 0.0
        && n < 9_007_199_254_740_992.0
        && let Ok(v) = T::try_from(n as u64)
    {
        return Ok(v);
    }
    Err(Error::argument(format!("`{what}` is out of range: {n}")))
}

/// Bytes of a `Uint8Array`, `ArrayBuffer` or other `ArrayBuffer` view, as
/// a `Uint8Array` over the same memory.
pub fn byte_view(value: &JsValue) -> Option<Uint8Array> {
    if let Some(u) = value.dyn_ref::<Uint8Array>() {
        return Some(u.clone());
    }
    if let Some(b) = value.dyn_ref::<ArrayBuffer>() {
        return Some(Uint8Array::new(b));
    }
    if ArrayBuffer::is_view(value) {
        let buffer = get(value, "buffer");
        let offset = get(value, "byteOffset").as_f64()?;
        let length = get(value, "byteLength").as_f64()?;
        let buffer = buffer.dyn_into::<ArrayBuffer>().ok()?;
        return Some(Uint8Array::new_with_byte_offset_and_length(
            &buffer,
            offset as u32,
            length as u32,
        ));
    }
    None
}

/// The message of a thrown JS value.
pub fn message(e: &JsValue) -> String {
    if let Some(s) = e.as_string() {
        return s;
    }
    get(e, "message")
        .as_string()
        .unwrap_or_else(|| format!("{e:?}"))
}

/// A `sourceRead` error for a failed read of `name`.
pub fn read_error(name: &str, e: &JsValue) -> Error {
    Error::new("sourceRead", format!("{name}: {}", message(e))).text("source", name)
}

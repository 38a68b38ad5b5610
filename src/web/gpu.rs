//! WebGPU in the browser, seen from JavaScript: whether `navigator.gpu` exists and which adapter
//! it gives. Used by the page (to decide whether to load the WebGPU worker) and by the workers.

use js_sys::{Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// `navigator.gpu` here (page or worker), if the browser has WebGPU.
pub fn navigator_gpu() -> Option<JsValue> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let gpu = Reflect::get(&navigator, &"gpu".into()).ok()?;
    (!gpu.is_undefined() && !gpu.is_null()).then_some(gpu)
}

/// The adapter's description (vendor, architecture), or why there is none.
pub async fn adapter_name(gpu: &JsValue) -> Result<String, String> {
    let request: js_sys::Function = Reflect::get(gpu, &"requestAdapter".into())
        .map_err(|_| "no requestAdapter")?
        .unchecked_into();
    let promise: Promise = request
        .call0(gpu)
        .map_err(|e| format!("{e:?}"))?
        .unchecked_into();
    let adapter = JsFuture::from(promise)
        .await
        .map_err(|e| format!("{e:?}"))?;
    if adapter.is_null() || adapter.is_undefined() {
        return Err("navigator.gpu.requestAdapter() returned no adapter".into());
    }
    let info = Reflect::get(&adapter, &"info".into()).unwrap_or(JsValue::UNDEFINED);
    let field = |k: &str| {
        Reflect::get(&info, &k.into())
            .ok()
            .and_then(|v| v.as_string())
            .filter(|s| !s.is_empty())
    };
    let fallback = Reflect::get(&info, &"isFallbackAdapter".into())
        .ok()
        .and_then(|v| v.as_bool())
        .or_else(|| {
            Reflect::get(&adapter, &"isFallbackAdapter".into())
                .ok()
                .and_then(|v| v.as_bool())
        })
        .unwrap_or(false);
    let parts: Vec<String> = ["vendor", "architecture", "description"]
        .iter()
        .filter_map(|k| field(k))
        .collect();
    let name = if parts.is_empty() {
        "WebGPU adapter".to_string()
    } else {
        parts.join(" ")
    };
    Ok(if fallback {
        format!("{name} (software fallback)")
    } else {
        name
    })
}
